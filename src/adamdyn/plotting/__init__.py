"""Figures: each reads histories and statistics and draws the paper's panels in the house style."""
