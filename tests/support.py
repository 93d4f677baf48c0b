"""Helpers and constants shared by the tests (a plain module: no test module imports conftest)."""
from __future__ import annotations

import csv
from pathlib import Path

from analysis.protection.rules import DEFAULT_K

#: The small-cell k the tests build with: the project's one default.
K = DEFAULT_K


def write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """Write rows as CSV (used to build broken exports from the bundled one)."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return path
