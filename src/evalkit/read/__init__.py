"""Reading raw inputs: files into DataFrames (``io``), dates, the survey codebook, the
programme's aliases, Kemendagri region codes and the fields of an indicator row; and
reading evalkit's own products back (``products``: processed tables, results, manifest).

Imports only :mod:`evalkit.core`.
"""
