"""Analysis of the 2011 Politie 2.0 survey on social media in police and security organisations.

The package holds all logic: codebook, loading and validation, statistics, small-cell protection,
figures, theme computations and the build. Notebooks call it; they never re-implement it.

The public names below are imported on first use (PEP 562), so that ``python -m analysis build``
with nothing to rebuild does not pay for pandas, scipy and matplotlib.
"""
from __future__ import annotations

import importlib
from typing import Any

__all__ = ["Codebook", "Mapping", "Problem", "SurveyDataError", "load", "load_codebook", "load_with_log"]

_HOMES = {"Codebook": "codebook", "load_codebook": "codebook", "Problem": "errors", "SurveyDataError": "errors",
          "Mapping": "validation", "load": "validation", "load_with_log": "validation"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
