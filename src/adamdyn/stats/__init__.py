"""Statistics of loss curves and the regime classifier (curves.py), shared by every figure."""
