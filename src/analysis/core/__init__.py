"""Foundation shared by every layer, importing nothing else of the package.

- :mod:`~analysis.core.paths`: the one place that knows where things are.
- :mod:`~analysis.core.errors`: ``Problem`` and ``SurveyDataError`` (every problem found, at once).
- :mod:`~analysis.core.messages`: the message catalogue (``messages.yaml``, English and Dutch).
- :mod:`~analysis.core.yamlfile`: YAML reading with line numbers in errors.
- :mod:`~analysis.core.files`: file digests and reproducible zip (xlsx) bytes.
"""
