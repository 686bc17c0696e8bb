"""The clean stage: raw tables in, clean tables, quarantine and manifest out.

``tables`` cleans each raw table, ``rules`` holds the plausibility rules, ``pii`` removes
personal data from free text, ``pipeline`` reads ``data/raw`` and writes ``data/processed``,
``validate`` lists every problem without writing anything. Imports core and read.
"""
