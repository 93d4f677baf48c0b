"""Synthetic coders (``coding simulate``): the whole workflow on synthetic answers, with coders
whose error rate is known, so the agreement measured can be held to the agreement expected."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.coding.adjudication import ImportResult, import_sheets
from analysis.coding.answers import open_items, wide_codes
from analysis.coding.workbooks import export_sheets, save_workbook
from analysis.survey.codebook import Codebook, load_codebook

#: Share of code cells each synthetic coder gets wrong (a 0 read as 1 or a 1 as 0), independently.
SYNTHETIC_ERROR_RATE = 0.03


def expected_kappa(prevalence: float, error_rate: float) -> float:
    """Cohen's kappa two coders reach in expectation when each flips every true 0/1 code
    independently with probability `error_rate` (true share of 1s: `prevalence`)."""
    q = prevalence * (1 - error_rate) + (1 - prevalence) * error_rate
    po = (1 - error_rate) ** 2 + error_rate ** 2
    pe = q * q + (1 - q) * (1 - q)
    return (po - pe) / (1 - pe)


def _code_like_a_coder(path: Path, truth: dict[str, pd.DataFrame], codebook: Codebook,
                       rng: np.random.Generator, error_rate: float) -> None:
    """Fill a coder's workbook from the true codes, each cell flipped with probability `error_rate`
    (a row left with no code gets the frame's ``other`` code, as a coder would tick it)."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    for item in open_items(codebook):
        sheet, codes = book[item.id], [c.code for c in item.frame]
        other = next(c.code for c in item.frame if c.other)
        for row in range(2, sheet.max_row + 1):
            key = str(sheet.cell(row, 1).value)
            coded = {c: int(truth[item.id].at[key, c]) ^ int(rng.random() < error_rate) for c in codes}
            if not any(coded.values()):
                coded[other] = 1
            for j, c in enumerate(codes):
                sheet.cell(row, 3 + j).value = 1 if coded[c] else None
    save_workbook(book, path)


def _adjudicate_by_truth(path: Path, truth: dict[str, pd.DataFrame], codebook: Codebook) -> None:
    """Decide every open cell of the adjudication workbook by the true code (a careful adjudicator)."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    for item in open_items(codebook):
        sheet = book[item.id]
        header = [c.value for c in sheet[1]]
        for row in range(2, sheet.max_row + 1):
            key = str(sheet.cell(row, 1).value)
            for j, name in enumerate(header[3:], start=4):
                if sheet.cell(row, j).value is None:
                    sheet.cell(row, j).value = int(truth[item.id].at[key, name])
    save_workbook(book, path)


def simulate(frame: pd.DataFrame, planted: pd.DataFrame, out: str | Path, coders: int = 2,
             error_rate: float = SYNTHETIC_ERROR_RATE, seed: int = 2011,
             codebook: Codebook | None = None, source: str = "") -> ImportResult:
    """The whole workflow on synthetic answers, with coders whose error rate is known.

    Exports the coders' sheets, fills each from the planted codes with every cell flipped with
    probability `error_rate` (a row left with no code gets the frame's ``other`` code, as a coder
    would tick it), imports them, adjudicates every disagreement by the planted code (a careful
    adjudicator) and imports the adjudicated sheet: `out` ends up as a person's coding would.
    """
    codebook = codebook or load_codebook()
    out = Path(out)
    paths = export_sheets(frame, out, coders, seed, codebook=codebook, source=source)
    truth = {item.id: wide_codes(planted[planted["item"] == item.id], [c.code for c in item.frame])
             for item in open_items(codebook)}
    for number, path in enumerate(paths, start=1):
        _code_like_a_coder(path, truth, codebook, np.random.default_rng([seed, 1000 + number]), error_rate)
    first = import_sheets(paths, frame, out, codebook, source=source)
    if first.adjudication is None:
        return first
    _adjudicate_by_truth(first.adjudication, truth, codebook)
    return import_sheets([first.adjudication], frame, out, codebook, source=source)
