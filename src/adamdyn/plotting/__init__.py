"""Figures share the house style (style.py); each figure draws itself in its module (adamdyn.figures)."""
