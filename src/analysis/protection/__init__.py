"""Protection of respondents: what may be published.

- :mod:`~analysis.protection.declarations`: what a table declares to the small-cell rule (counts, bases, public sums).
- :mod:`~analysis.protection.suppression`: the small-cell rule, one table at a time (:func:`suppress`).
- :mod:`~analysis.protection.exactness`: what shown cells and public sums tell about hidden ones.
- :mod:`~analysis.protection.disclosure`: ``Published`` tables (values and the mask of hidden cells).
- :mod:`~analysis.protection.rules`: the rules in force (``Rules``: profile, k, zeros, model degrees of freedom).
- :mod:`~analysis.protection.publication`: tables published together, the audit.
- :mod:`~analysis.protection.release`: the release check of a finished build.
- :mod:`~analysis.protection.quotes`: scrubbing open answers of personal details.
- :mod:`~analysis.protection.quote_detectors`: what finds personal data in a text (patterns, deduce).
- :mod:`~analysis.protection.quote_names`: what finds names of persons in a text.
- :mod:`~analysis.protection.quote_lookups`: deduce loaded once, and its name, place and street lists.

Imports :mod:`analysis.core` and :mod:`analysis.stats` only.
"""
