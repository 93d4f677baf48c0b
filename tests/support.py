"""Helpers and constants shared by the tests (a plain module: no test module imports conftest)."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.protection.rules import DEFAULT_K

#: The small-cell k the tests build with: the project's one default.
K = DEFAULT_K


def write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """Write rows as CSV (used to build broken exports from the bundled one)."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return path


#: The weight column of :func:`with_weights`.
WEIGHT = "weight"


def with_weights(frame: pd.DataFrame, seed: int = 23) -> pd.DataFrame:
    """`frame` with uneven respondent weights in :data:`WEIGHT` (0.3 to 3, the spread raking to population
    margins gives), its attributes kept: to run a protection check under weights too."""
    weighted = frame.assign(**{WEIGHT: np.random.default_rng(seed).uniform(0.3, 3.0, len(frame))})
    weighted.attrs.update(frame.attrs)
    return weighted
