"""The registry of survey-tool layouts, and the bundled example exports written in each.

:data:`LAYOUTS` names each layout's writer (:mod:`analysis.survey.tool_exports`), its file name and
what it cannot carry (``loses``), so the tests and the README say the same thing;
:func:`write_examples` writes ``data/examples/`` (``python -m analysis examples``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from analysis.core.paths import SYNTHETIC_EXPORT
from analysis.survey.tool_exports import (google_forms, limesurvey, microsoft_forms, qualtrics, spss, surveymonkey_csv,
                                          surveymonkey_xlsx)


#: What a layout that writes unticked options as empty cells cannot carry.
_TICKS_LOST = ("a respondent who answered a multi-select question but ticked nothing is written with every "
               "option empty, as one who skipped it: both are 'not answered'")


@dataclass(frozen=True)
class ToolLayout:
    """One tool's export layout: how to write it, its file name, what it cannot carry."""

    name: str
    filename: str
    write: Callable[[pd.DataFrame, Path], Path]
    format: str
    #: what the layout loses compared with the bundled export (frame column -> why)
    loses: dict[str, str] = field(default_factory=dict)


LAYOUTS: dict[str, ToolLayout] = {
    "qualtrics_choice_text": ToolLayout("qualtrics_choice_text", "qualtrics_choice_text.csv",
                                        lambda f, p: qualtrics(f, p, numeric=False), "qualtrics",
                                        {"multi": _TICKS_LOST}),
    "qualtrics_numeric": ToolLayout("qualtrics_numeric", "qualtrics_numeric.csv",
                                    lambda f, p: qualtrics(f, p, numeric=True), "qualtrics", {"multi": _TICKS_LOST}),
    "limesurvey_codes": ToolLayout("limesurvey_codes", "limesurvey_codes.csv",
                                   lambda f, p: limesurvey(f, p, answers=False), "limesurvey",
                                   {"multi": _TICKS_LOST}),
    "limesurvey_answers": ToolLayout("limesurvey_answers", "limesurvey_answers.csv",
                                     lambda f, p: limesurvey(f, p, answers=True), "limesurvey"),
    "surveymonkey_csv": ToolLayout("surveymonkey_csv", "surveymonkey.csv", surveymonkey_csv, "surveymonkey",
                                   {"multi": _TICKS_LOST}),
    "surveymonkey_xlsx": ToolLayout("surveymonkey_xlsx", "surveymonkey.xlsx", surveymonkey_xlsx, "surveymonkey",
                                    {"multi": _TICKS_LOST}),
    "google_forms": ToolLayout("google_forms", "google_forms.csv", google_forms, "forms",
                               {"multi": _TICKS_LOST, "respondent_id": "Google Forms has no respondent id"}),
    "microsoft_forms": ToolLayout("microsoft_forms", "microsoft_forms.xlsx", microsoft_forms, "forms",
                                  {"multi": _TICKS_LOST,
                                   "respondent_id": "Microsoft Forms numbers responses itself (column 'Id', dropped)"}),
    "spss": ToolLayout("spss", "spss.sav", spss, "spss"),
}


def bundled_frame(n: int | None = None) -> pd.DataFrame:
    """The bundled survey as a frame (its first `n` respondents)."""
    from analysis.survey.loader import load

    frame = load(SYNTHETIC_EXPORT)
    return frame if n is None else frame.iloc[:n].reset_index(drop=True)


def write_examples(out: str | Path, n: int = 40, draft: bool = True) -> list[Path]:
    """Write one small example export per layout (the bundled survey's first `n` respondents) and,
    with `draft`, its drafted mapping next to it; returns the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    frame = bundled_frame(n)
    written = []
    for layout in LAYOUTS.values():
        path = layout.write(frame, out / layout.filename)
        written.append(path)
        if draft:
            from analysis.survey.mapping_draft import draft_mapping

            mapping_path = out / f"{layout.name}_mapping.yaml"
            mapping_path.write_text(draft_mapping(path).text, encoding="utf-8")
            written.append(mapping_path)
    return written
