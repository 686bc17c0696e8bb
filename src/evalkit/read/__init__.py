"""Reading raw inputs: files into DataFrames (``io``), dates, the survey codebook, the
programme's aliases, Kemendagri region codes and the fields of an indicator row.

Imports only :mod:`evalkit.core`.
"""
