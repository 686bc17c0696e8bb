"""Tables a report shows, computed from the processed data for every region at once:
per-region tables (``region_tables``), the cross-region results (``results``), the
synthesis tables (``synthesis_tables``) and the plain-language findings (``findings``).

Pure functions like :mod:`evalkit.measure`: no file I/O, no matplotlib.
"""
