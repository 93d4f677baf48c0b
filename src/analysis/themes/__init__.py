"""The report's chapters as plug-ins: one module per theme (``analysis.themes.<id>``, listed in
the codebook and read by :mod:`~analysis.themes.registry`), on a shared framework:

- :mod:`~analysis.themes.registry`: the one list of themes (order, notebook, messages, facts read).
- :mod:`~analysis.themes.result`: ``ThemeResult``, sections and blocks (what a theme returns).
- :mod:`~analysis.themes.base`: ``Context``; ranking tests, multi-select shares, coded open answers.
- :mod:`~analysis.themes.grids`: rating grids, a grid with its ranking, a domain chapter's opening.
- :mod:`~analysis.themes.tables`: shares per category or group, a regression's odds ratios.
- :mod:`~analysis.themes.agreement`: the agreement table of a coded open question.
- :mod:`~analysis.themes.alt_text`: the figures' text alternatives.
- :mod:`~analysis.themes.comparison`: the "Change since ..." part of every chapter.
- :mod:`~analysis.themes.earlier_wave`: the earlier wave compared with, and its claims' verdicts.
- :mod:`~analysis.themes.derived`: indicators derived from several items.

Imports every layer below it, never :mod:`analysis.pipeline`.
"""
