"""adamdyn: the science behind the reproduction of Ma, Wu & E (2021).

Modules follow the pipeline: problems and optimisers -> runs (engine) -> stats -> claims -> plotting.
"""
__version__ = "0.1.0"
