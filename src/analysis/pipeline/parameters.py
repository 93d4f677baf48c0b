"""The build's parameters, declared once, and the one way to load the survey they describe.

:class:`BuildParameters` is what the command line builds from its options, what
:func:`analysis.pipeline.build.build` takes, what papermill passes to every notebook (its ``parameters`` cell
lists exactly these fields with their defaults) and what :class:`analysis.pipeline.notebook.ThemeNotebook`
reads. :func:`load_survey` turns them into the survey frame, so the build's pre-flight and every
notebook read the export the same way (sheet, mapping, format and weights included).

Every parameter error is a :class:`~analysis.core.errors.SurveyDataError` naming the parameter and its
value; the build raises it before any notebook runs (the command line exits with status 2).
"""
from __future__ import annotations

import json
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.survey.codebook import load_codebook
from analysis.core.errors import Problem, SurveyDataError
from analysis.survey.layouts import FORMATS
from analysis.core.paths import SYNTHETIC_EXPORT
from analysis.protection.rules import DEFAULT_K, PROFILES, Rules, profile

if TYPE_CHECKING:  # pandas and the loader are imported where used: the no-op build needs neither
    import pandas as pd

    from analysis.survey.loadlog import LoadLog


#: The smallest small-cell k a build accepts: below 3 a published count can be one or two respondents.
MIN_K = 3


def _option(flag: str, help: str, **argparse: Any) -> dict[str, Any]:
    """Field metadata: the command-line option that sets the field."""
    return {"flag": flag, "help": help, "argparse": argparse}


@dataclass(frozen=True)
class BuildParameters:
    """Everything a build or a theme notebook needs to know; nothing else is passed around.

    Paths may be given as strings (papermill injects strings); they are stored as :class:`Path`.
    ``None`` means the default: the bundled synthetic export for ``data_path``, and the caller's
    output directory for ``output_dir`` (``outputs/`` for a build, ``outputs/interactive/`` for a
    notebook opened by hand).
    """

    data_path: Path | None = field(default=None, metadata=_option(
        "--data", "survey export: CSV, XLSX or SPSS .sav (default: the bundled synthetic export)", type=Path,
        metavar="PATH"))
    output_dir: Path | None = field(default=None, metadata=_option(
        "--out", "output directory (default: outputs/)", type=Path, metavar="DIR"))
    lang: str = field(default="en", metadata=_option("--lang", "language of the report"))
    min_cell: int = field(default=DEFAULT_K, metadata=_option("--min-cell", "k of the small-cell rule", type=int,
                                                                       metavar="K"))
    level: float = field(default=0.95, metadata=_option("--level", "confidence level of intervals", type=float,
                                                         metavar="LEVEL"))
    mapping: Path | None = field(default=None, metadata=_option(
        "--mapping", "YAML mapping of export columns/values to the codebook", type=Path, metavar="YAML"))
    sheet: str | None = field(default=None, metadata=_option(
        "--sheet", "sheet of an XLSX export (default: the first)", metavar="NAME"))
    weights: str | None = field(default=None, metadata=_option(
        "--weights", "weight column (e.g. 'weight'); empty weights count as 1", metavar="COLUMN"))
    format: str | None = field(default=None, metadata=_option(
        "--format", "layout of the survey tool that wrote the export (default: the codebook's own columns)",
        metavar="TOOL"))
    rules: str = field(default="standard", metadata=_option(
        "--rules", "publication rule profile: standard (k as given, zeros shown) or strict (k at least 10, zeros and "
        "all-in-one-category counts hidden, models need 10 residual degrees of freedom)", metavar="PROFILE"))
    label: str = field(default="survey export", metadata=_option(
        "--label", "name of the dataset as the report shows it (the report never shows a path or file name)",
        metavar="TEXT"))
    coding: Path | None = field(default=None, metadata=_option(
        "--coding", "folder of final codes of the open answers ('coding import'); default: automatic first pass",
        type=Path, metavar="DIR"))
    quotes_approved: Path | None = field(default=None, metadata=_option(
        "--quotes-approved", "quote review file (outputs/analyst/quotes_review.csv with the approved column filled "
        "in): for data that are not synthetic, only approved quotes are published", type=Path, metavar="CSV"))
    # --- comparison of two waves (issue 14) ----------------------------------------------------
    wave: str | None = field(default=None, metadata=_option(
        "--wave", "codebook wave of the export (default: recognised from its columns)", metavar="WAVE"))
    compare: Path | None = field(default=None, metadata=_option(
        "--compare", "an earlier wave's export: every chapter gains a part on what changed since then", type=Path,
        metavar="PATH"))
    compare_mapping: Path | None = field(default=None, metadata=_option(
        "--compare-mapping", "YAML mapping of the earlier export (it may need another mapping than --data)",
        type=Path, metavar="YAML"))
    compare_sheet: str | None = field(default=None, metadata=_option(
        "--compare-sheet", "sheet of an XLSX earlier export (default: the first)", metavar="NAME"))
    compare_format: str | None = field(default=None, metadata=_option(
        "--compare-format", "survey-tool layout of the earlier export", metavar="TOOL"))
    compare_wave: str | None = field(default=None, metadata=_option(
        "--compare-wave", "codebook wave of the earlier export (default: recognised from its columns)",
        metavar="WAVE"))
    compare_label: str | None = field(default=None, metadata=_option(
        "--compare-label", "name of the earlier wave as the report shows it (default: its wave, e.g. 2011)",
        metavar="TEXT"))
    # --- the workforce (issue 23) ------------------------------------------------------------------
    margins: Path | None = field(default=None, metadata=_option(
        "--margins", "population margins (YAML, e.g. data/reference/margins_2011.yaml): the report gains "
        "'Who took part, against the workforce'", type=Path, metavar="YAML"))
    # --- declared extra analyses (issue 22) -----------------------------------------------------------
    analyses: Path | None = field(default=None, metadata=_option(
        "--analyses", "extra breakdowns (YAML: item, by, optional within, title in en and nl; e.g. "
        "data/examples/analyses.yaml): the report gains the appendix 'Additional analyses', tables.xlsx a sheet "
        "per analysis", type=Path, metavar="YAML"))

    def __post_init__(self) -> None:
        for name in self.path_fields():
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value) if str(value) != "" else None)
        for name in ("sheet", "weights", "format", "wave", "compare_sheet", "compare_format", "compare_wave",
                     "compare_label"):
            if getattr(self, name) == "":
                object.__setattr__(self, name, None)

    # --- construction ------------------------------------------------------------------------
    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The field names, in declaration order (the notebooks' parameters, in this order)."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def path_fields(cls) -> tuple[str, ...]:
        """Fields that hold a path (stored as :class:`Path`; withheld from published notebooks)."""
        return tuple(f.name for f in fields(cls) if f.metadata["argparse"].get("type") is Path
                     or f.name == "output_dir")

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Field name -> default value."""
        return {f.name: f.default for f in fields(cls)}

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]) -> BuildParameters:
        """The parameters found in `namespace` (a notebook's ``globals()``, ``vars(args)``); others are ignored."""
        return cls(**{name: namespace[name] for name in cls.names() if name in namespace})

    def with_(self, **changes: Any) -> BuildParameters:
        """A copy with some fields changed."""
        return replace(self, **changes)

    # --- what the notebooks see ----------------------------------------------------------------
    def notebook_parameters(self) -> dict[str, Any]:
        """Exactly the fields, for papermill: paths as absolute strings, everything else as is."""
        out: dict[str, Any] = {}
        for name in self.names():
            value = getattr(self, name)
            out[name] = str(value.resolve()) if isinstance(value, Path) else value
        return out

    @classmethod
    def parameters_cell(cls) -> str:
        """Source of a notebook's ``parameters`` cell: every field with its default, one per line."""
        return "\n".join(f"{name} = {_literal(default)}" for name, default in cls.defaults().items())

    def publication_rules(self) -> Rules:
        """The publication rules in force: the profile ``rules`` with the k asked for (``min_cell``)."""
        return profile(self.rules, self.min_cell)

    @classmethod
    def parameters_doc(cls) -> str:
        """The documentation of every field, for a notebook's first markdown cell: name, option,
        default and help, one bullet per field, in the order of the parameters cell."""
        lines = ["Parameters (each is also an option of `python -m analysis build`):", ""]
        for spec in fields(cls):
            lines.append(f"- `{spec.name}` (`{spec.metadata['flag']}`, default `{_literal(spec.default)}`): "
                         f"{spec.metadata['help']}")
        return "\n".join(lines)

    @property
    def k(self) -> int:
        """The small-cell k in force (that of :meth:`publication_rules`)."""
        return self.publication_rules().k

    @property
    def data(self) -> Path:
        """The export to read (the bundled synthetic export unless `data_path` is set), absolute."""
        return (self.data_path or SYNTHETIC_EXPORT).resolve()

    # --- checks --------------------------------------------------------------------------------
    def problems(self) -> list[Problem]:
        """Every problem with the parameters themselves (the export is not read)."""
        found: list[Problem] = []
        languages = available_languages()
        if self.lang not in languages:
            found.append(_problem("lang", self.lang, "no report can be written in this language",
                                  f"one of {', '.join(languages)} (the languages of the codebook and "
                                  "the message catalogue)"))
        if not isinstance(self.min_cell, numbers.Integral) or isinstance(self.min_cell, bool):
            found.append(_problem("min_cell", self.min_cell, "the small-cell k is not a whole number",
                                  f"a whole number of respondents, at least {MIN_K} (default {DEFAULT_K})"))
        elif self.min_cell < MIN_K:
            found.append(_problem("min_cell", self.min_cell, f"the small-cell k is below {MIN_K}: counts of one "
                                  "or two respondents would be published", f"a whole number of respondents, at least "
                                  f"{MIN_K} (default {DEFAULT_K}; {PROFILES['strict'].k} under --rules strict)"))
        if (not isinstance(self.level, numbers.Real) or isinstance(self.level, bool)
                or not 0 < float(self.level) < 1):
            found.append(_problem("level", self.level, "the confidence level is not between 0 and 1",
                                  "a number strictly between 0 and 1, e.g. 0.95"))
        if self.mapping is not None and not self.mapping.is_file():
            found.append(_problem("mapping", str(self.mapping), "the mapping file does not exist",
                                  "a path to a YAML mapping file"))
        if self.data_path is not None and not self.data.is_file():
            found.append(_problem("data_path", str(self.data_path), "the export does not exist",
                                  "a path to a CSV, XLSX or SPSS .sav export"))
        if self.format is not None and self.format not in FORMATS:
            found.append(_problem("format", self.format, "no such survey-tool layout", f"one of {', '.join(FORMATS)}"))
        if self.rules not in PROFILES:
            found.append(_problem("rules", self.rules, "no such rule profile", f"one of {', '.join(PROFILES)}"))
        if self.coding is not None and not self.coding.is_dir():
            found.append(_problem("coding", str(self.coding), "the coding folder does not exist",
                                  "a folder written by 'python -m analysis coding import'"))
        waves = load_codebook().wave_ids
        for name in ("wave", "compare_wave"):
            if getattr(self, name) is not None and getattr(self, name) not in waves:
                found.append(_problem(name, getattr(self, name), "the codebook declares no such wave",
                                      f"one of {', '.join(waves)} (waves: in the codebook)"))
        if self.compare is not None and not self.compare.is_file():
            found.append(_problem("compare", str(self.compare), "the earlier export does not exist",
                                  "a path to a CSV, XLSX or SPSS .sav export of an earlier wave"))
        if self.compare_mapping is not None and not self.compare_mapping.is_file():
            found.append(_problem("compare_mapping", str(self.compare_mapping), "the mapping file does not exist",
                                  "a path to a YAML mapping file"))
        if self.compare_format is not None and self.compare_format not in FORMATS:
            found.append(_problem("compare_format", self.compare_format, "no such survey-tool layout",
                                  f"one of {', '.join(FORMATS)}"))
        if self.margins is not None and not self.margins.is_file():
            found.append(_problem("margins", str(self.margins), "the margins file does not exist",
                                  "a path to a YAML margins file (README: Margins and weights)"))
        if self.analyses is not None and not self.analyses.is_file():
            found.append(_problem("analyses", str(self.analyses), "the analyses file does not exist",
                                  "a path to a YAML file of analyses (README: Exploring)"))
        if self.quotes_approved is not None and not self.quotes_approved.is_file():
            found.append(_problem("quotes_approved", str(self.quotes_approved), "the quote review file does not exist",
                                  "outputs/analyst/quotes_review.csv of an earlier build, with approved filled in"))
        return found

    def check(self) -> None:
        """Raise :class:`SurveyDataError` listing every problem with the parameters."""
        found = self.problems()
        if found:
            raise SurveyDataError(found)


def _literal(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _problem(name: str, value: Any, message: str, expected: str) -> Problem:
    flag = next(f.metadata["flag"] for f in fields(BuildParameters) if f.name == name)
    return Problem(f"parameter {name} ({flag})", message, value=str(value), expected=expected)


def available_languages() -> tuple[str, ...]:
    """Languages a report can be written in: those of the codebook's labels and of every message."""
    from analysis.core.messages import catalogue

    codebook = load_codebook()
    languages = sorted(lang for lang in codebook.title if all(lang in labels for _, labels in codebook.themes))
    return tuple(lang for lang in languages if all(lang in entry for entry in catalogue().values()))


def load_survey(params: BuildParameters) -> tuple[pd.DataFrame, LoadLog]:
    """Check the parameters, then load the export they name with :func:`analysis.survey.loader.load_with_log`.

    The one loader of the build and of every notebook: returns the survey frame (empty weights
    set to 1 when ``weights`` is given) and the load log; raises :class:`SurveyDataError` for any
    problem with the parameters or the export.
    """
    from analysis.survey.loader import load_with_log

    params.check()
    return load_with_log(params.data, params.mapping, params.sheet, params.format, wave=params.wave,
                         weights=params.weights, min_respondents=params.k)


def load_comparison(params: BuildParameters) -> tuple[pd.DataFrame, LoadLog] | None:
    """The earlier wave's export (``--compare``) read like the survey itself: its own mapping,
    sheet, layout and wave, the same weights rule; None when no comparison is asked for."""
    if params.compare is None:
        return None
    from analysis.survey.loader import load_with_log

    params.check()
    return load_with_log(params.compare.resolve(), params.compare_mapping, params.compare_sheet,
                         params.compare_format, wave=params.compare_wave, weights=params.weights,
                         min_respondents=params.k)
