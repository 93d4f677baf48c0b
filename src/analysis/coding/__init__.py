"""Coding open answers: coders' sheets, agreement, adjudication, and an automatic first pass.

The workflow survey researchers follow (as in ATLAS.ti, MAXQDA or R's ``irr``), tied to the report:

1. :func:`export_sheets` writes one XLSX per coder: the scrubbed answers of each open question
   (one worksheet per question, rows in a different seeded order per coder), one 0/1 column per
   code of the question's coding frame (``frame`` in the codebook) with data validation, and an
   instructions sheet with the codes' definitions.
2. :func:`import_sheets` checks the filled sheets against the export (unknown codes, missing,
   extra or duplicated rows, edited answer texts, values other than 0/1, uncoded rows) and refuses
   them with every problem listed; it writes per code Cohen's kappa (two coders) and
   Krippendorff's alpha (nominal, any number of coders) with bootstrap intervals, percent
   agreement and prevalence (``agreement.csv``), and ``adjudication.xlsx``: every answer, the
   codes the coders agreed on filled in, the disagreements blank for a person to decide (listed
   first). Importing the adjudicated sheet gives the final codes (``coded_answers.csv``).
3. :func:`automatic_codes` is a rule-based first pass from the frame's Dutch hints (Snowball's
   Dutch stemmer): a draft for coders (``export --draft``) and the fallback when nobody coded;
   its agreement with the coders is measured like a coder's.

:class:`Coding` is what a build reads (``build --coding DIR``): the final codes and the agreement.
Sheets and coded answers hold respondent-level text: they are analyst files, never published.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from analysis import stats
from analysis.survey.codebook import Codebook, Item, load_codebook
from analysis.core.errors import Problem, SurveyDataError
from analysis.protection.quotes import scrub_quote, strip_addresses

#: Columns before the code columns in a coder's or the adjudicator's worksheet.
KEY, ANSWER, VOTES = "respondent_id", "answer", "coders"
INSTRUCTIONS, ABOUT, CODERS_SHEET = "instructions", "about", "coders"
#: Bootstrap resamples of the answers for the agreement intervals, and their seed.
BOOTSTRAP, BOOTSTRAP_SEED = 1000, 2011
AGREEMENT_COLUMNS = ["item", "code", "comparison", "coders", "units", "prevalence_pct", "pct_agreement",
                     "kappa", "kappa_low", "kappa_high", "alpha", "alpha_low", "alpha_high"]
#: coded_answers.csv: one row per answer; ``codes`` lists the codes that apply, separated by ";".
CODED_COLUMNS = ["item", "respondent_id", "answer_hash", "codes"]
SEPARATOR = ";"


# --------------------------------------------------------------------------- answers

def open_items(codebook: Codebook) -> list[Item]:
    """The open questions that have a coding frame, in questionnaire order."""
    return [i for i in codebook.items if i.type == "open" and i.frame]


def answers(frame: pd.DataFrame, item: Item) -> pd.DataFrame:
    """The non-empty answers to an open question: columns ``respondent_id`` (the export's id, or
    ``row N`` when the export has none) and ``text``, indexed like `frame`."""
    texts = frame[item.id].dropna().astype(str)
    texts = texts[texts.str.strip() != ""]
    if "respondent_id" in frame.columns and frame["respondent_id"].notna().all():
        keys = frame.loc[texts.index, "respondent_id"].astype(str)
    else:
        keys = pd.Series([f"row {frame.index.get_loc(i) + 1}" for i in texts.index], index=texts.index)
    return pd.DataFrame({KEY: keys, "text": texts})


def answer_hash(text: str) -> str:
    """A short fingerprint of an answer, so coded answers are checked against the export they came from."""
    return hashlib.sha256(" ".join(str(text).split()).encode("utf-8")).hexdigest()[:16]


def shown_text(text: str) -> str:
    """An answer as coders see it (and quotes show it): scrubbed, whitespace normalised."""
    return " ".join(scrub_quote(str(text)).split())


def shown_texts(texts: pd.Series) -> pd.Series:
    """:func:`shown_text` of every answer (index kept), each distinct answer scrubbed once."""
    distinct = pd.unique(texts.to_numpy(dtype=object))
    scrubbed = {text: shown_text(text) for text in distinct}
    return pd.Series([scrubbed[t] for t in texts], index=texts.index, dtype=object, name=texts.name)


# --------------------------------------------------------------------------- automatic first pass

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("dutch")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def _stems(words: list[str]) -> list[str]:
    """Snowball stems of `words` (each distinct word stemmed once per process: answers repeat words)."""
    return [_stem(w) for w in words]


def _hint_rules(item: Item) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Per code: ("prefix", (start,)) for ``word*`` hints, ("stems", stems) for words and phrases."""
    rules: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for code in item.frame:
        rules[code.code] = []
        for hint in code.hints:
            if hint.endswith("*"):
                rules[code.code].append(("prefix", (hint[:-1].lower(),)))
            else:
                rules[code.code].append(("stems", tuple(_stems(_words(hint)))))
    return rules


def _code_pattern(rules: list[tuple[str, tuple[str, ...]]]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """One pattern over a text's words and one over its stems (each joined by single spaces) that
    match when any of a code's hints does: a ``word*`` hint as the start of a word, a word or phrase
    as consecutive whole stems."""
    prefixes = [re.escape(parts[0]) for kind, parts in rules if kind == "prefix"]
    phrases = [" ".join(map(re.escape, parts)) for kind, parts in rules if kind == "stems" and parts]
    words = re.compile(rf"(?:^| )(?:{'|'.join(prefixes)})") if prefixes else None
    stems = re.compile(rf"(?:^| )(?:{'|'.join(phrases)})(?= |$)") if phrases else None
    return words, stems


def automatic_codes(texts: pd.Series, item: Item) -> pd.DataFrame:
    """The automatic first pass: 0/1 per code of `item`'s frame for each text (index kept).

    A code applies when one of its hints occurs in the text: a word or phrase after Snowball's
    Dutch stemming (so "getuigen" matches the hint "getuige"), a ``word*`` hint as the start of
    a word (compounds: "getuig*" matches "getuigenoproep"). The frame's ``other`` code applies when
    no other code does. E-mail addresses, URLs and handles are not read
    (:func:`analysis.protection.quotes.strip_addresses`); everything else is, so pass the answers as given.
    Each distinct text is read once and every code is one regular expression over its words and
    stems, so the pass scales to every answer of a large export.
    """
    rules = _hint_rules(item)
    codes = [c.code for c in item.frame]
    other = next((c.code for c in item.frame if c.other), None)
    values = texts.astype(str).to_numpy(dtype=object)
    distinct, inverse = np.unique(values, return_inverse=True) if len(values) else (values, np.zeros(0, int))
    words = [_words(strip_addresses(text)) for text in distinct]
    joined_words = pd.Series([" ".join(w) for w in words], dtype=object)
    joined_stems = pd.Series([" ".join(_stems(w)) for w in words], dtype=object)
    table = np.zeros((len(distinct), len(codes)), dtype=int)
    for j, code in enumerate(codes):
        if code == other:
            continue
        word_pattern, stem_pattern = _code_pattern(rules[code])
        hit = np.zeros(len(distinct), dtype=bool)
        if word_pattern is not None:
            hit |= joined_words.str.contains(word_pattern).to_numpy(dtype=bool)
        if stem_pattern is not None:
            hit |= joined_stems.str.contains(stem_pattern).to_numpy(dtype=bool)
        table[:, j] = hit
    if other is not None:
        j = codes.index(other)
        table[:, j] = table.sum(axis=1) == 0
    return pd.DataFrame(table[inverse.ravel()], index=texts.index, columns=codes, dtype=int)


# --------------------------------------------------------------------------- agreement

def _binary_kappa(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cohen's kappa of two 0/1 codings along the last axis (vectorised, for the bootstrap)."""
    po = (a == b).mean(axis=-1)
    pa, pb = a.mean(axis=-1), b.mean(axis=-1)
    pe = pa * pb + (1 - pa) * (1 - pb)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pe < 1, (po - pe) / (1 - pe), np.nan)


def _binary_alpha(ones: np.ndarray, coders: int) -> np.ndarray:
    """Krippendorff's alpha (nominal) of 0/1 codes by `coders` coders who all coded every unit,
    from the number of coders who ticked each unit (last axis): 1 - (n - 1) o01 / (n1 n0), with
    o01 the off-diagonal coincidences (Krippendorff 2011, section C, for two values)."""
    units = ones.shape[-1]
    n = units * coders
    n1 = ones.sum(axis=-1).astype(float)
    n0 = n - n1
    o01 = (ones * (coders - ones)).sum(axis=-1) / (coders - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n1 * n0 > 0, 1 - (n - 1) * o01 / (n1 * n0), np.nan)


def _interval(values: np.ndarray, level: float) -> tuple[float, float]:
    values = values[~np.isnan(values)]
    if len(values) < BOOTSTRAP / 2:
        return float("nan"), float("nan")
    tail = 100 * (1 - level) / 2
    return float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))


def code_agreement(codings: np.ndarray, level: float = 0.95, seed: int = BOOTSTRAP_SEED) -> dict[str, float]:
    """Agreement of coders x units 0/1 codes of one code (every coder coded every unit).

    Returns prevalence (% of all codings that are 1), percent agreement (units all coders coded
    alike), Cohen's kappa (two coders only, else NaN) and Krippendorff's alpha (nominal), each
    coefficient with a percentile bootstrap interval over the units (:data:`BOOTSTRAP` resamples).
    """
    codings = np.asarray(codings, dtype=int)
    coders, units = codings.shape
    out = {"coders": coders, "units": units, "prevalence_pct": float("nan"), "pct_agreement": float("nan"),
           "kappa": float("nan"), "kappa_low": float("nan"), "kappa_high": float("nan"),
           "alpha": float("nan"), "alpha_low": float("nan"), "alpha_high": float("nan")}
    if units == 0 or coders < 2:
        return out
    out["prevalence_pct"] = 100 * float(codings.mean())
    out["pct_agreement"] = 100 * float((codings == codings[0]).all(axis=0).mean())
    out["alpha"] = stats.krippendorff_alpha(codings, "nominal")
    draws = np.random.default_rng(seed).integers(0, units, size=(BOOTSTRAP, units))
    out["alpha_low"], out["alpha_high"] = _interval(_binary_alpha(codings.sum(axis=0)[draws], coders), level)
    if coders == 2:
        out["kappa"] = stats.cohens_kappa(codings[0], codings[1])
        out["kappa_low"], out["kappa_high"] = _interval(_binary_kappa(codings[0][draws], codings[1][draws]), level)
    return out


def agreement_table(codings: dict[str, dict[str, pd.DataFrame]], items: list[Item],
                    automatic: dict[str, pd.DataFrame] | None = None,
                    final: dict[str, pd.DataFrame] | None = None, level: float = 0.95) -> pd.DataFrame:
    """Per open question and code: agreement among the coders (``comparison`` = ``coders``), and of
    the automatic first pass, treated like a coder, with the final codes (or, before adjudication,
    with each coder).

    `codings` maps coder -> item -> 0/1 frame (index respondent id, a column per code).
    """
    rows = []
    names = list(codings)
    for item in items:
        if not all(item.id in codings[c] for c in names):
            continue
        keys = codings[names[0]][item.id].index
        comparisons: list[tuple[str, list[pd.DataFrame]]] = []
        if len(names) >= 2:
            comparisons.append(("coders", [codings[c][item.id] for c in names]))
        if automatic is not None and item.id in automatic:
            auto = automatic[item.id]
            if final is not None and item.id in final:
                comparisons.append(("automatic_vs_final", [auto, final[item.id]]))
            else:
                comparisons += [(f"automatic_vs_{c}", [auto, codings[c][item.id]]) for c in names]
        for comparison, frames in comparisons:
            for code in (c.code for c in item.frame):
                matrix = np.vstack([f.loc[keys, code].to_numpy(dtype=int) for f in frames])
                rows.append({"item": item.id, "code": code, "comparison": comparison, **code_agreement(matrix, level)})
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


# --------------------------------------------------------------------------- sheets

def _ordered(item: Item, rng: np.random.Generator, table: pd.DataFrame) -> pd.DataFrame:
    return table.iloc[rng.permutation(len(table))]


def _save(book: Any, path: Path) -> Path:
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


def _instructions_sheet(book: Any, items: list[Item], kind: str) -> None:
    from openpyxl.styles import Alignment, Font

    from analysis.report.text import message

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


def _code_sheet(book: Any, item: Item, table: pd.DataFrame, codes: pd.DataFrame | None,
                votes: pd.Series | None = None, blank: pd.DataFrame | None = None) -> None:
    """One worksheet per question: id, answer, (coders' votes,) a 0/1 column per code."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

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
    first, last = len(head) + 1, len(head) + len(code_ids)
    if len(table):
        from openpyxl.utils import get_column_letter

        validation = DataValidation(type="list", formula1='"0,1"', allow_blank=True, showErrorMessage=True,
                                    errorTitle="0 or 1", error="Enter 1 if the code applies, 0 or nothing if not.")
        validation.add(f"{get_column_letter(first)}2:{get_column_letter(last)}{len(table) + 1}")
        sheet.add_data_validation(validation)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 70
    sheet.freeze_panes = "C2"


def export_sheets(frame: pd.DataFrame, out: str | Path, coders: int = 2, seed: int = 2011,
                  draft: bool = False, codebook: Codebook | None = None, source: str = "") -> list[Path]:
    """One coding workbook per coder (``coder_1.xlsx`` ...) for every open question with a frame.

    Answers are scrubbed (as quotes are); each coder gets the rows in a different seeded order.
    With `draft`, the code columns are filled with the automatic first pass (coders correct it).
    """
    from openpyxl import Workbook

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
        book = Workbook()
        book.remove(book.active)
        _instructions_sheet(book, items, "coder")
        for item in items:
            table = _ordered(item, rng, shown[item.id])
            codes = drafts[item.id].loc[table[KEY]] if draft else None
            _code_sheet(book, item, table, codes)
        _about_sheet(book, {"kind": "coder", "coder": f"coder_{number}", "draft": draft, "seed": seed,
                            "source": source})
        paths.append(_save(book, Path(out) / f"coder_{number}.xlsx"))
    return paths


# --------------------------------------------------------------------------- reading sheets

@dataclass
class Sheet:
    """A coding workbook read back and checked: whose it is, and its 0/1 codes per question."""

    path: Path
    kind: str                      # "coder" or "adjudication"
    coder: str
    codes: dict[str, pd.DataFrame]  # item -> 0/1 frame (index respondent id, a column per code)
    about: dict[str, Any] = field(default_factory=dict)
    coders: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)  # adjudication: the coders' codes


def _cell_value(value: Any) -> int | None | str:
    """0/1 from a cell (None if empty); anything else comes back as text for the problem report."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)) and float(value) in (0.0, 1.0):
        return int(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return int(value.strip())
    return str(value)


def read_sheet(path: str | Path, frame: pd.DataFrame, codebook: Codebook | None = None) -> Sheet:
    """Read a coder's or the adjudicator's workbook and check it against the export.

    Raises :class:`SurveyDataError` listing every problem (file, sheet row, column, value):
    not a coding workbook, a missing question sheet, unknown or missing code columns, values other
    than 0/1, missing, extra or duplicated rows, answer texts that differ from the export's
    (scrubbed) answers, rows with no code ticked; in an adjudication sheet, cells left undecided.
    """
    from openpyxl import load_workbook

    codebook = codebook or load_codebook()
    path = Path(path)
    problems: list[Problem] = []
    try:
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # not a zip, not xlsx
        raise SurveyDataError([Problem(str(path), f"the file could not be read as a workbook ({type(exc).__name__})",
                                       expected="an XLSX written by 'python -m analysis coding export'")]) from None
    if ABOUT not in book.sheetnames:
        raise SurveyDataError([Problem(str(path), "not a coding workbook (no 'about' sheet)",
                                       expected="an XLSX written by 'python -m analysis coding export'")])
    about = {}
    for key, value in book[ABOUT].iter_rows(values_only=True):
        if key is not None:
            try:
                about[str(key)] = json.loads(value)
            except (TypeError, ValueError):
                about[str(key)] = value
    kind = about.get("kind")
    if kind not in ("coder", "adjudication"):
        raise SurveyDataError([Problem(str(path), "the 'about' sheet names no known kind of sheet", column="kind",
                                       value=str(kind), expected="coder or adjudication")])
    codes: dict[str, pd.DataFrame] = {}
    for item in open_items(codebook):
        where = f"{path} (sheet {item.id})"
        if item.id not in book.sheetnames:
            problems.append(Problem(str(path), "the sheet of an open question is missing", column=item.id,
                                    expected=f"a sheet named {item.id}"))
            continue
        rows = list(book[item.id].iter_rows(values_only=True))
        header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])]
        frame_codes = [c.code for c in item.frame]
        fixed = [KEY, ANSWER] + ([VOTES] if kind == "adjudication" else [])
        if header[:len(fixed)] != fixed:
            problems.append(Problem(where, "the first columns were changed", line=1, value=", ".join(header[:len(fixed)]),
                                    expected=", ".join(fixed)))
            continue
        code_columns = header[len(fixed):]
        while code_columns and code_columns[-1] == "":
            code_columns.pop()
        for j, name in enumerate(code_columns):
            if name not in frame_codes:
                problems.append(Problem(where, "unknown code", line=1, column=name or f"column {len(fixed) + j + 1}",
                                        value=name, expected=f"a code of the frame: {', '.join(frame_codes)}"))
        for code in frame_codes:
            if code not in code_columns:
                problems.append(Problem(where, "a code column is missing", line=1, column=code,
                                        expected="one column per code of the frame"))
        expected = answers(frame, item)
        expected_text = dict(zip(expected[KEY], shown_texts(expected["text"])))
        seen: dict[str, int] = {}
        values: dict[str, dict[str, int]] = {}
        for line, row in enumerate(rows[1:], start=2):
            row = list(row) + [None] * (len(header) - len(row))
            if all(v is None or str(v).strip() == "" for v in row):
                continue
            key = str(row[0]).strip() if row[0] is not None else ""
            if key in seen:
                problems.append(Problem(where, f"the answer appears twice (first in row {seen[key]})", line=line,
                                        respondent=key, column=KEY, value=key, expected="each answer once"))
                continue
            seen[key] = line
            if key not in expected_text:
                problems.append(Problem(where, "extra row: no such answer in the export", line=line, respondent=key,
                                        column=KEY, value=key, expected="the respondent ids of the exported answers"))
                continue
            text = " ".join(str(row[1] or "").split())
            if text != expected_text[key]:
                problems.append(Problem(where, "the answer text was edited (or the export changed)", line=line,
                                        respondent=key, column=ANSWER, value=text[:60],
                                        expected=expected_text[key][:60]))
            coded: dict[str, int] = {}
            for j, name in enumerate(header[len(fixed):len(fixed) + len(code_columns)]):
                if name not in frame_codes:
                    continue
                value = _cell_value(row[len(fixed) + j])
                if isinstance(value, str):
                    problems.append(Problem(where, "not a code value", line=line, respondent=key, column=name,
                                            value=value, expected="1 (the code applies) or 0 / empty (it does not)"))
                elif value is None and kind == "adjudication":
                    problems.append(Problem(where, "not adjudicated: the coders disagree and the cell is empty",
                                            line=line, respondent=key, column=name, expected="0 or 1"))
                else:
                    coded[name] = value or 0
            if kind == "coder" and coded and not any(coded.values()) and len(coded) == len(frame_codes):
                problems.append(Problem(where, "no code ticked", line=line, respondent=key,
                                        expected="1 in at least one code column (the frame's 'other' code for an "
                                                 "answer that fits none)"))
            values[key] = coded
        for key in expected_text:
            if key not in seen:
                problems.append(Problem(where, "missing row: an exported answer is not in the sheet", respondent=key,
                                        column=KEY, value=key, expected="every answer of the export, once"))
        table = pd.DataFrame.from_dict(values, orient="index").reindex(index=list(expected_text), columns=frame_codes)
        codes[item.id] = table.fillna(0).astype(int)
    coders: dict[str, dict[str, pd.DataFrame]] = {}
    if kind == "adjudication" and not problems:
        coders = _read_coders_sheet(book, path, codes, problems)
    if problems:
        raise SurveyDataError(problems)
    return Sheet(path, kind, str(about.get("coder", path.stem)), codes, about, coders)


def _read_coders_sheet(book: Any, path: Path, final: dict[str, pd.DataFrame],
                       problems: list[Problem]) -> dict[str, dict[str, pd.DataFrame]]:
    """The coders' own codes, kept (hidden) in the adjudication workbook."""
    if CODERS_SHEET not in book.sheetnames:
        problems.append(Problem(str(path), "the coders' codes are missing (hidden sheet 'coders')",
                                expected="the adjudication.xlsx written by 'coding import'"))
        return {}
    rows = list(book[CODERS_SHEET].iter_rows(values_only=True))
    table = pd.DataFrame(rows[1:], columns=rows[0])
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for (coder, item_id), part in table.groupby(["coder", "item"], sort=False):
        wide = _wide(part, list(final[item_id].columns) if item_id in final else [])
        if item_id in final:
            wide = wide.reindex(index=final[item_id].index, columns=final[item_id].columns)
            if wide.isna().any().any():
                problems.append(Problem(str(path), "the coders' codes do not cover every answer", column=item_id,
                                        expected="the adjudication.xlsx written by 'coding import'"))
                continue
        out.setdefault(str(coder), {})[str(item_id)] = wide.astype(int)
    return out


# --------------------------------------------------------------------------- import

def _joined(wide: pd.DataFrame, key: str) -> str:
    return SEPARATOR.join(c for c in wide.columns if wide.at[key, c])


def _wide(part: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """0/1 per code (columns `codes`) from rows with ``respondent_id`` and ``codes`` ("a;b")."""
    lists = [str(v).split(SEPARATOR) if isinstance(v, str) and v else [] for v in part["codes"]]
    return pd.DataFrame([[int(c in chosen) for c in codes] for chosen in lists],
                        index=part["respondent_id"].astype(str).to_numpy(), columns=codes)


def _long(codes: dict[str, pd.DataFrame], texts: dict[str, dict[str, str]]) -> pd.DataFrame:
    rows = [{"item": item_id, "respondent_id": key, "answer_hash": answer_hash(texts[item_id][key]),
             "codes": _joined(wide, key)} for item_id, wide in codes.items() for key in wide.index]
    return pd.DataFrame(rows, columns=CODED_COLUMNS)


def _write_adjudication(path: Path, items: list[Item], coders: dict[str, dict[str, pd.DataFrame]],
                        shown: dict[str, pd.DataFrame], source: str) -> tuple[Path, int]:
    """Every answer, agreed codes filled in, disagreements blank (those rows first); the coders'
    own codes in a hidden sheet. Returns the path and the number of cells to decide."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    _instructions_sheet(book, items, "adjudication")
    names = list(coders)
    to_decide = 0
    for item in items:
        stacked = np.stack([coders[c][item.id].to_numpy() for c in names])
        agreed = (stacked == stacked[0]).all(axis=0)
        first = coders[names[0]][item.id]
        blank = pd.DataFrame(~agreed, index=first.index, columns=first.columns)
        to_decide += int(blank.to_numpy().sum())
        votes = {}
        for key in first.index:
            parts = [f"{code}: " + ", ".join(f"{c}={int(coders[c][item.id].at[key, code])}" for c in names)
                     for code in first.columns if blank.at[key, code]]
            votes[key] = "; ".join(parts)
        table = shown[item.id].copy()
        table["_open"] = [int(blank.loc[k].sum()) for k in table[KEY]]
        table = table.sort_values("_open", ascending=False, kind="stable")
        _code_sheet(book, item, table, first, votes=pd.Series(votes), blank=blank)
    sheet = book.create_sheet(CODERS_SHEET)
    sheet.append(["coder", "item", "respondent_id", "codes"])
    for coder in names:
        for item_id, wide in coders[coder].items():
            for key in wide.index:
                sheet.append([coder, item_id, key, _joined(wide, key)])
    sheet.sheet_state = "hidden"
    _about_sheet(book, {"kind": "adjudication", "coder": "adjudicator", "coders": names, "source": source})
    return _save(book, path), to_decide


@dataclass
class ImportResult:
    """What ``coding import`` wrote: agreement, and the final codes once adjudicated."""

    agreement: pd.DataFrame
    coders: list[str]
    final: pd.DataFrame | None
    adjudication: Path | None = None
    to_decide: int = 0
    files: list[Path] = field(default_factory=list)


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
    sheets, problems = [], []
    for path in paths:
        try:
            sheets.append(read_sheet(path, frame, codebook))
        except SurveyDataError as exc:
            problems += exc.problems
    if problems:
        raise SurveyDataError(problems)
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
        coders, final_codes = adjudicated[0].coders, adjudicated[0].codes
    else:
        names = [s.coder for s in coder_sheets]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise SurveyDataError([Problem(str(s.path), "two sheets of the same coder", column="coder", value=s.coder,
                                           expected="one sheet per coder") for s in coder_sheets
                                   if s.coder in duplicates])
        coders = {s.coder: s.codes for s in coder_sheets}
        final_codes = None
    answer_tables = {item.id: answers(frame, item) for item in items}
    texts = {i: dict(zip(t[KEY], t["text"])) for i, t in answer_tables.items()}
    shown = {i: t.assign(text=shown_texts(t["text"])) for i, t in answer_tables.items()}
    automatic = {i.id: automatic_codes(answer_tables[i.id].set_index(KEY)["text"], i) for i in items}
    result = ImportResult(agreement=pd.DataFrame(), coders=list(coders), final=None)
    if final_codes is None:
        disagree = sum(int((np.stack([coders[c][i.id].to_numpy() for c in coders]) !=
                            coders[next(iter(coders))][i.id].to_numpy()).any(axis=0).sum()) for i in items)
        if disagree == 0:
            final_codes = coders[next(iter(coders))]
        else:
            result.adjudication, result.to_decide = _write_adjudication(out / "adjudication.xlsx", items, coders, shown,
                                                                        source)
            result.files.append(result.adjudication)
    result.agreement = agreement_table(coders, items, automatic, final_codes, level)
    out.mkdir(parents=True, exist_ok=True)
    result.agreement.to_csv(out / "agreement.csv", index=False, lineterminator="\n", float_format="%.6g")
    result.files.append(out / "agreement.csv")
    log = {"coders": list(coders), "adjudicated": final_codes is not None, "source": source,
           "sheets": [Path(s.path).name for s in sheets], "bootstrap": BOOTSTRAP, "bootstrap_seed": BOOTSTRAP_SEED}
    if final_codes is not None:
        result.final = _long(final_codes, texts)
        result.final.to_csv(out / "coded_answers.csv", index=False, lineterminator="\n")
        result.files.append(out / "coded_answers.csv")
    (out / "coding.json").write_text(json.dumps(log, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    result.files.append(out / "coding.json")
    return result


# --------------------------------------------------------------------------- what a build reads

@dataclass
class Coding:
    """Final codes of the open answers and the coders' agreement (``build --coding DIR``)."""

    final: pd.DataFrame      # CODED_COLUMNS
    agreement: pd.DataFrame  # AGREEMENT_COLUMNS
    coders: list[str]
    path: Path
    adjudicated: bool = True

    @classmethod
    def load(cls, folder: str | Path, frame: pd.DataFrame | None = None,
             codebook: Codebook | None = None) -> "Coding":
        """Read the output of ``coding import`` (after adjudication) and, given the survey frame,
        check that it codes exactly the export's answers (same respondents, same texts)."""
        folder = Path(folder)
        needed = ["coded_answers.csv", "agreement.csv", "coding.json"]
        missing = [n for n in needed if not (folder / n).is_file()]
        if missing:
            raise SurveyDataError([Problem(str(folder / n), "file of the final coding is missing",
                                           expected="the folder written by 'python -m analysis coding import' "
                                                    "after adjudication") for n in missing])
        final = pd.read_csv(folder / "coded_answers.csv", dtype=str, keep_default_na=False)
        agreement = pd.read_csv(folder / "agreement.csv")
        log = json.loads((folder / "coding.json").read_text(encoding="utf-8"))
        coding = cls(final, agreement, list(log.get("coders", [])), folder, bool(log.get("adjudicated", True)))
        if frame is not None:
            coding.check(frame, codebook or load_codebook())
        return coding

    def check(self, frame: pd.DataFrame, codebook: Codebook) -> None:
        problems = []
        file = str(self.path / "coded_answers.csv")
        for item in open_items(codebook):
            table = answers(frame, item)
            coded = self.final[self.final["item"] == item.id]
            hashes = dict(zip(coded["respondent_id"], coded["answer_hash"]))
            for key, text in zip(table[KEY], table["text"]):
                if key not in hashes:
                    problems.append(Problem(file, "an answer of the export was not coded", respondent=key,
                                            column=item.id, expected="coded answers made from this export"))
                elif hashes[key] != answer_hash(text):
                    problems.append(Problem(file, "the answer changed since it was coded", respondent=key,
                                            column=item.id, expected="coded answers made from this export"))
            for key in sorted(set(hashes) - set(table[KEY])):
                problems.append(Problem(file, "a coded answer is not in the export", respondent=key, column=item.id,
                                        expected="coded answers made from this export"))
        if problems:
            raise SurveyDataError(problems)

    def covers(self, item_id: str) -> bool:
        return bool((self.final["item"] == item_id).any())

    def codes(self, item: Item) -> pd.DataFrame:
        """0/1 per code of `item`'s frame, indexed by respondent id."""
        return _wide(self.final[self.final["item"] == item.id], [c.code for c in item.frame])

    def agreement_of(self, item_id: str) -> pd.DataFrame:
        return self.agreement[self.agreement["item"] == item_id].reset_index(drop=True)


# --------------------------------------------------------------------------- synthetic coders

#: Share of code cells each synthetic coder gets wrong (a 0 read as 1 or a 1 as 0), independently.
SYNTHETIC_ERROR_RATE = 0.03


def expected_kappa(prevalence: float, error_rate: float) -> float:
    """Cohen's kappa two coders reach in expectation when each flips every true 0/1 code
    independently with probability `error_rate` (true share of 1s: `prevalence`)."""
    q = prevalence * (1 - error_rate) + (1 - prevalence) * error_rate
    po = (1 - error_rate) ** 2 + error_rate ** 2
    pe = q * q + (1 - q) * (1 - q)
    return (po - pe) / (1 - pe)


def simulate(frame: pd.DataFrame, planted: pd.DataFrame, out: str | Path, coders: int = 2,
             error_rate: float = SYNTHETIC_ERROR_RATE, seed: int = 2011,
             codebook: Codebook | None = None, source: str = "") -> ImportResult:
    """The whole workflow on synthetic answers, with coders whose error rate is known.

    Exports the coders' sheets, fills each from the planted codes with every cell flipped with
    probability `error_rate` (a row left with no code gets the frame's ``other`` code, as a coder
    would tick it), imports them, adjudicates every disagreement by the planted code (a careful
    adjudicator) and imports the adjudicated sheet: `out` ends up as a person's coding would.
    """
    from openpyxl import load_workbook

    codebook = codebook or load_codebook()
    out = Path(out)
    paths = export_sheets(frame, out, coders, seed, codebook=codebook, source=source)
    truth = {item.id: _wide(planted[planted["item"] == item.id], [c.code for c in item.frame])
             for item in open_items(codebook)}
    for number, path in enumerate(paths, start=1):
        rng = np.random.default_rng([seed, 1000 + number])
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
        _save(book, path)
    first = import_sheets(paths, frame, out, codebook, source=source)
    if first.adjudication is None:
        return first
    book = load_workbook(first.adjudication)
    for item in open_items(codebook):
        sheet = book[item.id]
        header = [c.value for c in sheet[1]]
        for row in range(2, sheet.max_row + 1):
            key = str(sheet.cell(row, 1).value)
            for j, name in enumerate(header[3:], start=4):
                if sheet.cell(row, j).value is None:
                    sheet.cell(row, j).value = int(truth[item.id].at[key, name])
    _save(book, first.adjudication)
    return import_sheets([first.adjudication], frame, out, codebook, source=source)


# --------------------------------------------------------------------------- command line

def command(args: Any) -> int:
    """``python -m analysis coding {export, import, simulate}`` (arguments parsed in analysis.pipeline.cli)."""
    from analysis.survey.loader import load

    codebook = load_codebook()
    if args.action == "simulate":
        from analysis.core.paths import SYNTHETIC_EXPORT, SYNTHETIC_N, SYNTHETIC_SEED
        from analysis.survey.synth import planted_open_codes

        frame = load(SYNTHETIC_EXPORT)
        result = simulate(frame, planted_open_codes(SYNTHETIC_N, SYNTHETIC_SEED, codebook), args.out,
                          error_rate=args.error_rate, seed=args.seed, codebook=codebook, source=SYNTHETIC_EXPORT.name)
        print(f"two synthetic coders (error rate {args.error_rate:g} per code cell), adjudicated: {args.out}")
        _print_agreement(result)
        return 0
    data = Path(args.data)
    frame = load(data, mapping=args.mapping, sheet=args.sheet)
    if args.action == "export":
        paths = export_sheets(frame, args.out, args.coders, args.seed, args.draft, codebook, source=data.name)
        print("\n".join(f"wrote {p}" for p in paths))
        return 0
    result = import_sheets(args.sheets, frame, args.out, codebook, source=data.name)
    _print_agreement(result)
    if result.adjudication is not None:
        print(f"{result.to_decide} disagreement(s) to decide in {result.adjudication}; then run: "
              f"python -m analysis coding import {result.adjudication} --out {args.out}")
    else:
        print(f"final codes: {Path(args.out) / 'coded_answers.csv'} (use: python -m analysis build --coding {args.out})")
    return 0


def _print_agreement(result: ImportResult) -> None:
    table = result.agreement
    for comparison in ("coders", "automatic_vs_final"):
        part = table[table["comparison"] == comparison]
        if len(part):
            summary = part.groupby("item", sort=False)[["kappa", "alpha"]].agg(["min", "median", "max"]).round(2)
            print(f"{comparison}: kappa / alpha per code (min, median, max)\n{summary.to_string()}")
