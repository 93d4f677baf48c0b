"""The report out: words, numbers, figures and the assembled document.

- :mod:`~analysis.report.text`: number formats and sentences from the message catalogue.
- :mod:`~analysis.report.facts`: the typed schema of each chapter's ``facts.json``.
- :mod:`~analysis.report.claims`: the 2011 summary's claims, tested.
- :mod:`~analysis.report.figures`: figure drawing and saving.
- :mod:`~analysis.report.assembly`: the report's HTML (and PDF) from the executed notebooks.
- :mod:`~analysis.report.tables`: ``tables.xlsx``, every published table in one workbook.

Imports :mod:`analysis.core`, :mod:`analysis.survey`, :mod:`analysis.stats` and
:mod:`analysis.protection`.
"""
