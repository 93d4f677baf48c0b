"""Helpers shared by the loading tests (a plain module: no test module imports conftest)."""
from __future__ import annotations

import csv
from pathlib import Path


def write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """Write rows as CSV (used to build broken exports from the bundled one)."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return path
