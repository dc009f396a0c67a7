"""Statistics: generic loss-curve measures (curves) and each figure's per-run table (figures)."""
