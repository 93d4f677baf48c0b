"""The one loader: an export file -> the validated survey frame of its wave, with its load log.

Every reader of an export goes through :func:`load_with_log` (``analysis.load``, ``validate``, the
coding commands, the build and every notebook): it reads the file in its survey tool's layout,
applies the mapping, validates against the codebook of the export's wave (the one given, or the
first declared wave whose questionnaire the export fits) and, when asked, checks the respondent
weights (empty weights count as 1) and the smallest number of respondents a report needs.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core.errors import Problem, SurveyDataError
from analysis.survey.codebook import Codebook, load_codebook
from analysis.survey.loadlog import LoadLog
from analysis.survey.mapping import Mapping
from analysis.survey.reading import RawTable, read_table
from analysis.survey.validation import validate_table


def load_with_log(path: str | Path, mapping: str | Path | Mapping | None = None, sheet: str | None = None,
                  format: str | None = None, codebook: Codebook | None = None, wave: str | None = None,
                  weights: str | None = None, min_respondents: int = 0) -> tuple[pd.DataFrame, LoadLog]:
    """Read and validate an export; return the survey frame and the log of what was done.

    `format` forces the survey tool's layout (qualtrics, limesurvey, surveymonkey, forms, spss,
    plain); by default it is recognised from the file, and ``log.detected["layout"]`` says which.
    `wave` names the codebook wave of the export; by default it is the first declared wave the
    export fits, and the frame's ``attrs["wave"]`` and ``log.detected["wave"]`` say which.
    `weights` names a weight column (checked, empty weights set to 1); an export with fewer than
    `min_respondents` respondents is refused.
    """
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = Mapping.read(mapping)
    table = read_table(path, sheet=sheet, format=format)
    frame, log = _validate_wave(table, codebook or load_codebook(), mapping, wave)
    if len(frame) < min_respondents:
        raise SurveyDataError([Problem(str(path),
                                       f"only {len(frame)} respondents: a report needs at least k = {min_respondents}",
                                       expected=f"at least {min_respondents} respondents (the small-cell rule's k)")])
    if weights is not None:
        frame = apply_weights(frame, weights, str(path))
    return frame, log


def load(path: str | Path, mapping: str | Path | Mapping | None = None, sheet: str | None = None,
         format: str | None = None, codebook: Codebook | None = None, wave: str | None = None) -> pd.DataFrame:
    """Read an export (CSV, XLSX, SPSS .sav) into the validated survey frame of its wave.

    Raises :class:`~analysis.core.errors.SurveyDataError` listing every problem when the file does not
    fit the codebook.
    """
    return load_with_log(path, mapping=mapping, sheet=sheet, format=format, codebook=codebook, wave=wave)[0]


def _validate_wave(table: RawTable, codebook: Codebook, mapping: Mapping | None,
                   wave: str | None) -> tuple[pd.DataFrame, LoadLog]:
    """Validate against the codebook of `wave`, or of the first declared wave the export fits.

    An export that fits no wave is refused with the problems of the wave its columns fit best (the fewest
    unknown and missing columns, then the fewest problems): an export with many bad values is still
    reported against the wave whose questions it holds. The error's ``wave`` names the wave it was checked against."""
    candidates = [wave] if wave is not None else (codebook.wave_ids or [None])
    failures = []
    for candidate in candidates:
        try:
            frame, log = validate_table(table, codebook.for_wave(candidate) if candidate else codebook, mapping)
        except SurveyDataError as exc:
            exc.wave = candidate
            failures.append(exc)
            continue
        if candidate is not None:
            frame.attrs["wave"] = candidate
            log.detected["wave"] = candidate if wave is not None else f"{candidate} (from its columns)"
        return frame, log
    raise min(failures, key=_misfit)


def _misfit(error: SurveyDataError) -> tuple[int, int]:
    """How badly an export fits a wave: problems with its header row (unknown, missing or repeated
    columns), then problems in all."""
    return sum(p.line == 1 and p.column is not None for p in error.problems), len(error.problems)


def apply_weights(frame: pd.DataFrame, column: str, source: str) -> pd.DataFrame:
    """The frame with `column` checked as respondent weights and its empty cells set to 1.

    Raises :class:`SurveyDataError` when the column is not in the export (listing the columns that
    hold numbers), holds answer codes or text, or has a weight that is not a positive number
    (naming each such respondent).
    """
    flag = "parameter weights (--weights)"
    if column not in frame.columns:
        numeric = numeric_columns(frame)
        expected = (f"one of the export's columns that hold numbers: {', '.join(numeric)}" if numeric else
                    "a column of respondent weights; the export has no column that holds numbers other than "
                    "answer codes and 0/1 ticks (the codebook's weight column is "
                    f"{_weight_columns_hint()}; map your own to it under columns: in a mapping)")
        raise SurveyDataError([Problem(source, f"the weight column named by {flag} is not in the export",
                                       column=column, expected=expected)])
    values = frame[column]
    numeric = numeric_columns(frame)
    if column not in numeric and column not in _weight_columns():
        raise SurveyDataError([Problem(source, f"the column named by {flag} holds answer codes, 0/1 ticks or text, "
                                       "not weights", column=column,
                                       expected="a column of respondent weights" +
                                       (f": one of {', '.join(numeric)}" if numeric else ""))])
    values = values.astype(float)
    bad = values.notna() & ~(values > 0)
    if bad.any():
        ids = frame["respondent_id"] if "respondent_id" in frame.columns else pd.Series([None] * len(frame))
        raise SurveyDataError([Problem(source, "the weight is not a positive number", line=None,
                                       respondent=None if pd.isna(ids.iloc[i]) else str(ids.iloc[i]),
                                       column=column, value=str(values.iloc[i]),
                                       expected="a positive weight (empty = 1)")
                               for i in range(len(frame)) if bad.iloc[i]])
    out = frame.copy()
    out[column] = values.fillna(1.0)  # an empty weight counts as 1
    return out


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """Columns holding numbers that are neither answer codes nor 0/1 ticks (candidate weights)."""
    out = []
    for name in frame.columns:
        values = frame[name]
        if isinstance(values.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(values):
            continue
        if set(values.dropna().unique()) - {0, 1}:
            out.append(name)
    return out


def _weight_columns() -> list[str]:
    return [item.id for item in load_codebook().items if item.type == "weight"]


def _weight_columns_hint() -> str:
    return ", ".join(f"'{c}'" for c in _weight_columns()) or "not defined"
