"""Protection of respondents: what may be published.

- :mod:`~analysis.protection.disclosure`: small-cell declarations, suppression, ``Published`` tables.
- :mod:`~analysis.protection.rules`: the rules in force (``Rules``: profile, k, zeros, model degrees of freedom).
- :mod:`~analysis.protection.publication`: tables published together, the audit.
- :mod:`~analysis.protection.release`: the release check of a finished build.
- :mod:`~analysis.protection.quotes`: scrubbing open answers of personal details.

Imports :mod:`analysis.core` and :mod:`analysis.stats` only.
"""
