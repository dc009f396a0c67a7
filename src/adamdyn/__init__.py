"""adamdyn: the science behind the reproduction of Ma, Wu & E (2021).

Modules follow the pipeline: data -> problems and optimisers -> runs (the plan) -> engine and
batched (training) -> figures (one module per figure: statistics, claims, drawing).
"""
__version__ = "0.1.0"
