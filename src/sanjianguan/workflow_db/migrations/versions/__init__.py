"""One file per schema revision, `NNNN_<slug>.py`, applied in order."""
