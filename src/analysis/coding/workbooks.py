"""The coding workbooks written: one per coder (:func:`export_sheets`) and the adjudicator's
(:func:`write_adjudication`), with the same layout: an instructions sheet with the codes'
definitions, one worksheet per question (id, answer, a 0/1 column per code with data validation)
and a hidden ``about`` sheet that says whose workbook it is. Same input, same bytes."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.coding.answers import KEY, answers, joined_codes, open_items, shown_texts
from analysis.coding.automatic import automatic_codes
from analysis.survey.codebook import Codebook, Item, load_codebook

#: Columns before the code columns in a coder's or the adjudicator's worksheet.
ANSWER, VOTES = "answer", "coders"
INSTRUCTIONS, ABOUT, CODERS_SHEET = "instructions", "about", "coders"


def save_workbook(book: Any, path: Path) -> Path:
    """Save a workbook with fixed timestamps, so the same sheets give the same bytes."""
    from analysis.core.files import fix_zip_timestamps

    book.properties.created = pd.Timestamp("2011-10-05").to_pydatetime()
    book.properties.creator = "analysis.coding"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    fix_zip_timestamps(path)
    return path


def _about_sheet(book: Any, values: dict[str, Any]) -> None:
    sheet = book.create_sheet(ABOUT)
    for key, value in values.items():
        sheet.append([key, json.dumps(value, ensure_ascii=False)])
    sheet.sheet_state = "hidden"


def _new_workbook(items: list[Item], kind: str) -> Any:
    """An empty workbook with the instructions for a ``coder`` or the ``adjudication``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from analysis.report.text import message

    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet(INSTRUCTIONS, 0)
    for lang in ("nl", "en"):
        sheet.append([message(f"coding_sheet_{kind}", lang)])
        sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.append([])
    header = ["question (sheet)", "code (column)", "label (nl)", "label (en)", "definition (nl)", "definition (en)"]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for item in items:
        for code in item.frame:
            sheet.append([item.id, code.code, code.labels["nl"], code.labels["en"], code.definition.get("nl", ""),
                          code.definition.get("en", "")])
    for column, width in zip("ABCDEF", (20, 20, 28, 28, 60, 60)):
        sheet.column_dimensions[column].width = width
    return book


def _validate_codes(sheet: Any, first: int, last: int, rows: int) -> None:
    """Only 0, 1 or nothing in the code columns `first`..`last` of data rows 2..rows + 1."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    validation = DataValidation(type="list", formula1='"0,1"', allow_blank=True, showErrorMessage=True,
                                errorTitle="0 or 1", error="Enter 1 if the code applies, 0 or nothing if not.")
    validation.add(f"{get_column_letter(first)}2:{get_column_letter(last)}{rows + 1}")
    sheet.add_data_validation(validation)


def _code_sheet(book: Any, item: Item, table: pd.DataFrame, codes: pd.DataFrame | None,
                votes: pd.Series | None = None, blank: pd.DataFrame | None = None) -> None:
    """One worksheet per question: id, answer, (coders' votes,) a 0/1 column per code."""
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet = book.create_sheet(item.id)
    code_ids = [c.code for c in item.frame]
    head = [KEY, ANSWER] + ([VOTES] if votes is not None else [])
    sheet.append(head + code_ids)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    decide = PatternFill("solid", fgColor="FFF2CC")
    for key, text in zip(table[KEY], table["text"]):
        row = [key, text] + ([votes.get(key, "")] if votes is not None else [])
        values = [None] * len(code_ids)
        if codes is not None:
            values = [int(codes.at[key, c]) if (blank is None or not blank.at[key, c]) else None for c in code_ids]
            if blank is None:
                values = [v if v else None for v in values]  # a coder's sheet: ticks only
        sheet.append(row + values)
        answer = sheet.cell(sheet.max_row, 2)
        answer.data_type = "s"  # an answer starting with "=" stays text, never a formula
        answer.alignment = Alignment(wrap_text=True, vertical="top")
        if blank is not None:
            for j, c in enumerate(code_ids):
                if blank.at[key, c]:
                    sheet.cell(sheet.max_row, len(head) + j + 1).fill = decide
    if len(table):
        _validate_codes(sheet, len(head) + 1, len(head) + len(code_ids), len(table))
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 70
    sheet.freeze_panes = "C2"


def export_sheets(frame: pd.DataFrame, out: str | Path, coders: int = 2, seed: int = 2011,
                  draft: bool = False, codebook: Codebook | None = None, source: str = "") -> list[Path]:
    """One coding workbook per coder (``coder_1.xlsx`` ...) for every open question with a frame.

    Answers are scrubbed (as quotes are); each coder gets the rows in a different seeded order.
    With `draft`, the code columns are filled with the automatic first pass (coders correct it).
    """
    if coders < 1:
        raise ValueError("at least one coder")
    codebook = codebook or load_codebook()
    items = open_items(codebook)
    given = {item.id: answers(frame, item) for item in items}
    shown = {i: t.assign(text=shown_texts(t["text"])) for i, t in given.items()}
    # the draft is the automatic pass a build makes: on the answers as given (see automatic_codes)
    drafts = {item.id: automatic_codes(given[item.id].set_index(KEY)["text"], item) for item in items} if draft else {}
    paths = []
    for number in range(1, coders + 1):
        rng = np.random.default_rng([seed, number])
        book = _new_workbook(items, "coder")
        for item in items:
            table = shown[item.id].iloc[rng.permutation(len(shown[item.id]))]
            codes = drafts[item.id].loc[table[KEY]] if draft else None
            _code_sheet(book, item, table, codes)
        _about_sheet(book, {"kind": "coder", "coder": f"coder_{number}", "draft": draft, "seed": seed,
                            "source": source})
        paths.append(save_workbook(book, Path(out) / f"coder_{number}.xlsx"))
    return paths


def _votes(coders: dict[str, dict[str, pd.DataFrame]], item: Item, blank: pd.DataFrame) -> pd.Series:
    """Per answer, what each coder said on the codes to decide ("code: coder_1=1, coder_2=0; ...")."""
    votes = {}
    for key in blank.index:
        parts = [f"{code}: " + ", ".join(f"{c}={int(coders[c][item.id].at[key, code])}" for c in coders)
                 for code in blank.columns if blank.at[key, code]]
        votes[key] = "; ".join(parts)
    return pd.Series(votes)


def _coders_sheet(book: Any, coders: dict[str, dict[str, pd.DataFrame]]) -> None:
    """The coders' own codes, one row per coder and answer, in a hidden sheet."""
    sheet = book.create_sheet(CODERS_SHEET)
    sheet.append(["coder", "item", "respondent_id", "codes"])
    for coder, codes in coders.items():
        for item_id, wide in codes.items():
            for key in wide.index:
                sheet.append([coder, item_id, key, joined_codes(wide, key)])
    sheet.sheet_state = "hidden"


def write_adjudication(path: Path, items: list[Item], coders: dict[str, dict[str, pd.DataFrame]],
                       shown: dict[str, pd.DataFrame], source: str) -> tuple[Path, int]:
    """Every answer, agreed codes filled in, disagreements blank (those rows first); the coders'
    own codes in a hidden sheet. `shown` holds each question's answers as coders see them.
    Returns the path and the number of cells to decide."""
    book = _new_workbook(items, "adjudication")
    names = list(coders)
    to_decide = 0
    for item in items:
        stacked = np.stack([coders[c][item.id].to_numpy() for c in names])
        agreed = (stacked == stacked[0]).all(axis=0)
        first = coders[names[0]][item.id]
        blank = pd.DataFrame(~agreed, index=first.index, columns=first.columns)
        to_decide += int(blank.to_numpy().sum())
        table = shown[item.id].copy()
        table["_open"] = [int(blank.loc[k].sum()) for k in table[KEY]]
        table = table.sort_values("_open", ascending=False, kind="stable")
        _code_sheet(book, item, table, first, votes=_votes(coders, item, blank), blank=blank)
    _coders_sheet(book, coders)
    _about_sheet(book, {"kind": "adjudication", "coder": "adjudicator", "coders": names, "source": source})
    return save_workbook(book, path), to_decide
