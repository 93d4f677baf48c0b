"""The report's chapters as plug-ins: one module per theme (``analysis.themes.<id>``, listed in
the codebook and read by :mod:`~analysis.themes.registry`), on a shared framework:

- :mod:`~analysis.themes.registry`: the one list of themes (order, notebook, messages, facts read).
- :mod:`~analysis.themes.base`: ``Context``, sections and blocks, shared chapter computations.
- :mod:`~analysis.themes.comparison`: the "Change since ..." part of every chapter.
- :mod:`~analysis.themes.derived`: indicators derived from several items.

Imports every layer below it, never :mod:`analysis.pipeline`.
"""
