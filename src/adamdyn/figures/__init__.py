"""The paper's figures, one module each (``fig01.py`` ... ``fig10.py``), and what they share
(``common.py``: loading runs, per-run rows, the spike settings; ``phase.py``: Fig 8's (a, b) plane).
Our studies beyond the paper are in :mod:`adamdyn.studies`; :mod:`adamdyn.registry` finds both."""
