"""The clean stage: raw tables in, clean tables, quarantine and manifest out.

Each ``clean_*`` function is pure: a raw DataFrame (as :mod:`evalkit.read.io` read it) in,
a :class:`~evalkit.clean.quarantine.CleanResult` out, with exact row accounting
(``len(raw) == len(data) + len(quarantine)``). One module per concern:

- ``survey``: the Kobo/ODK export, one row per valid response (``clean_survey``),
  with the row-level quality checks, consent and the form's review; helped by
  ``likert`` (answers -> scores), ``timestamps`` (interview times), ``respondents``
  (who a row is; keyed pseudonyms);
- ``indicators``: indicator metadata, baselines and targets, values, the annual series;
- ``stakeholders``: the stakeholder register, meeting attendance, partnerships, ties;
- ``places``: region names -> official codes; ``numbers``: numbers as officers write them;
- ``quarantine``: ``CleanResult``, quarantined rows and value flags; ``rows``: the
  bookkeeping every cleaner shares (quarantine/flag columns, row numbers, required columns);
- ``pii``: personal columns, and personal data out of free text; ``rules``: the
  plausibility rules (quarantine reasons and flags);
- ``pipeline``: reads ``data/raw`` and writes ``data/processed``; ``validate``: every
  problem of the inputs listed, nothing written.

Imports core and read only.
"""
