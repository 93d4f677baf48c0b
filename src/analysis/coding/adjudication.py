"""Import of the filled workbooks (:func:`import_sheets`): the coders' sheets give the agreement and
the adjudication workbook (or the final codes at once when they agree), the adjudicated sheet
gives the final codes (``coded_answers.csv``)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.coding.agreement import BOOTSTRAP, BOOTSTRAP_SEED, agreement_table
from analysis.coding.answers import KEY, answers, long_codes, open_items, shown_texts
from analysis.coding.automatic import automatic_codes
from analysis.coding.reading import Sheet, read_sheet
from analysis.coding.workbooks import write_adjudication
from analysis.core.errors import Problem, SurveyDataError
from analysis.survey.codebook import Codebook, Item, load_codebook

#: item -> 0/1 frame (index respondent id, a column per code): one person's coding.
Codes = dict[str, pd.DataFrame]


@dataclass
class ImportResult:
    """What ``coding import`` wrote: agreement, and the final codes once adjudicated."""

    agreement: pd.DataFrame
    coders: list[str]
    final: pd.DataFrame | None
    adjudication: Path | None = None
    to_decide: int = 0
    files: list[Path] = field(default_factory=list)


def _read_sheets(paths: Sequence[str | Path], frame: pd.DataFrame, codebook: Codebook) -> list[Sheet]:
    """Every workbook read and checked; the problems of all of them raised together."""
    sheets, problems = [], []
    for path in paths:
        try:
            sheets.append(read_sheet(path, frame, codebook))
        except SurveyDataError as exc:
            problems += exc.problems
    if problems:
        raise SurveyDataError(problems)
    return sheets


def _codings(sheets: list[Sheet], paths: Sequence[str | Path]) -> tuple[dict[str, Codes], Codes | None]:
    """The coders' codes (coder -> codes) and the final codes (None before adjudication); refuses
    an adjudicated sheet with others, fewer than two coders, or two sheets of one coder."""
    adjudicated = [s for s in sheets if s.kind == "adjudication"]
    coder_sheets = [s for s in sheets if s.kind == "coder"]
    if adjudicated and (len(adjudicated) > 1 or coder_sheets):
        raise SurveyDataError([Problem(str(s.path), "import an adjudicated sheet alone (it holds the coders' codes)",
                                       expected="one adjudication.xlsx, or two or more coders' sheets")
                               for s in sheets[1:]])
    if not adjudicated and len(coder_sheets) < 2:
        raise SurveyDataError([Problem(", ".join(str(p) for p in paths) or "(no sheet)",
                                       "agreement needs the sheets of at least two coders",
                                       expected="two or more coders' sheets, or one adjudicated sheet")])
    if adjudicated:
        return adjudicated[0].coders, adjudicated[0].codes
    names = [s.coder for s in coder_sheets]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SurveyDataError([Problem(str(s.path), "two sheets of the same coder", column="coder", value=s.coder,
                                       expected="one sheet per coder") for s in coder_sheets
                               if s.coder in duplicates])
    return {s.coder: s.codes for s in coder_sheets}, None


def _disagreements(coders: dict[str, Codes], items: list[Item]) -> int:
    """Number of answers, summed over the questions, on which the coders do not all agree."""
    first = next(iter(coders))
    return sum(int((np.stack([coders[c][i.id].to_numpy() for c in coders]) !=
                    coders[first][i.id].to_numpy()).any(axis=0).sum()) for i in items)


def _write_results(result: ImportResult, out: Path, sheets: list[Sheet], final_codes: Codes | None,
                   texts: dict[str, dict[str, str]], source: str) -> None:
    """agreement.csv, coded_answers.csv (once adjudicated) and coding.json (who coded, from what)."""
    out.mkdir(parents=True, exist_ok=True)
    result.agreement.to_csv(out / "agreement.csv", index=False, lineterminator="\n", float_format="%.6g")
    result.files.append(out / "agreement.csv")
    log = {"coders": result.coders, "adjudicated": final_codes is not None, "source": source,
           "sheets": [Path(s.path).name for s in sheets], "bootstrap": BOOTSTRAP, "bootstrap_seed": BOOTSTRAP_SEED}
    if final_codes is not None:
        result.final = long_codes(final_codes, texts)
        result.final.to_csv(out / "coded_answers.csv", index=False, lineterminator="\n")
        result.files.append(out / "coded_answers.csv")
    (out / "coding.json").write_text(json.dumps(log, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    result.files.append(out / "coding.json")


def import_sheets(paths: Sequence[str | Path], frame: pd.DataFrame, out: str | Path,
                  codebook: Codebook | None = None, level: float = 0.95, source: str = "") -> ImportResult:
    """Check coding workbooks and write the agreement, the adjudication sheet or the final codes.

    Either two or more coders' sheets (agreement.csv; adjudication.xlsx when they disagree, else
    the final codes at once), or one adjudicated sheet alone (it holds the coders' codes too:
    agreement.csv and coded_answers.csv). The automatic first pass is compared with every coder
    and with the final codes. ``coding.json`` says who coded.
    """
    codebook = codebook or load_codebook()
    items = open_items(codebook)
    out = Path(out)
    sheets = _read_sheets(paths, frame, codebook)
    coders, final_codes = _codings(sheets, paths)
    answer_tables = {item.id: answers(frame, item) for item in items}
    texts = {i: dict(zip(t[KEY], t["text"])) for i, t in answer_tables.items()}
    automatic = {i.id: automatic_codes(answer_tables[i.id].set_index(KEY)["text"], i) for i in items}
    result = ImportResult(agreement=pd.DataFrame(), coders=list(coders), final=None)
    if final_codes is None and _disagreements(coders, items) == 0:
        final_codes = coders[next(iter(coders))]
    elif final_codes is None:
        shown = {i: t.assign(text=shown_texts(t["text"])) for i, t in answer_tables.items()}
        result.adjudication, result.to_decide = write_adjudication(out / "adjudication.xlsx", items, coders, shown,
                                                                   source)
        result.files.append(result.adjudication)
    result.agreement = agreement_table(coders, items, automatic, final_codes, level)
    _write_results(result, out, sheets, final_codes, texts, source)
    return result
