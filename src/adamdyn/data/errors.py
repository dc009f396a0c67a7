"""The one exception type of the data layer.

Every :class:`DataError` message names the offending file or folder and says what to do
about it (re-download, point ``data.local`` at a verified copy, delete a stale prepared file,
...), so that a failed Snakemake job explains itself without a traceback hunt.
"""
from __future__ import annotations

from ..errors import Explained

__all__ = ["DataError", "LOCAL_HINT"]

#: How to point the pipeline at an offline copy; appended to "data not found" messages.
LOCAL_HINT = (
    "point data.local at a verified offline copy (e.g. `--config data_local=../shared/data`; "
    "layout in shared/data/README.md)"
)


class DataError(Explained):
    """A data file or folder is missing, damaged or not what the pipeline expects."""
