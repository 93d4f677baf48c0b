"""Analysis of the 2011 Politie 2.0 survey on social media in police and security organisations.

The package holds all logic, in layers that import one way (each only those above it in this list):

- ``core``: paths, errors, the message catalogue, YAML and file helpers;
- ``survey``: the codebook, reading exports, tool layouts, mapping, validation, synthetic data;
- ``stats``: the statistics, one topic per module (with the change between waves);
- ``protection``: small cells, tables published together, the release check, quote scrubbing;
- ``report``: number formats and sentences, facts, the 2011 claims, figures, report assembly;
- ``coding``: coding open answers (coders' sheets, agreement, adjudication, first pass);
- ``themes``: the registry of chapters, their shared framework and one plug-in module per theme;
- ``pipeline``: parameters, the build, its cache and kernels, the notebooks' entry, the CLI.

Notebooks call it; they never re-implement it.

The public names below are imported on first use (PEP 562), so that ``python -m analysis build``
with nothing to rebuild does not pay for pandas, scipy and matplotlib.
"""
from __future__ import annotations

import importlib
from typing import Any

__all__ = ["Codebook", "Mapping", "Problem", "SurveyDataError", "load", "load_codebook", "load_with_log"]

_HOMES = {"Codebook": "survey.codebook", "load_codebook": "survey.codebook", "Problem": "core.errors",
          "SurveyDataError": "core.errors", "Mapping": "survey.mapping", "load": "survey.loader",
          "load_with_log": "survey.loader"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
