"""evalkit — partnership-effectiveness evaluations for multi-stakeholder partnerships.

Stages, one module each: ``regions`` (Kemendagri codes), ``codebook`` (survey items),
``io`` (reading raw files), ``clean`` (cleaning + quarantine), ``pipeline`` (the clean
stage's I/O and manifest), ``scales`` (dimension scores), ``indicators`` (progress),
``plots``, ``reports`` (papermill batch + index), ``cli``.
"""

__version__ = "0.1.0"
