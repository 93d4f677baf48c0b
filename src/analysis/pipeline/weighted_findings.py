"""Each chapter's summary findings and each claim of the 2011 summary with and without the raking
weights (``build --margins FILE``), set side by side in the workforce section.

Every theme is computed twice on the same frame with the report's rules (no figures drawn): once
unweighted and once with the raking weights as the respondents' weights, so every share is
weighted and its interval uses Kish's effective sample size (:func:`analysis.stats.proportion`).
A claim's robustness is worded by its two verdicts: it "holds" where its test supports it.
"""
from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

import pandas as pd

from analysis.pipeline.parameters import BuildParameters
from analysis.report.text import message
from analysis.stats.raking import Raking
from analysis.survey.codebook import load_codebook
from analysis.themes.base import Context
from analysis.themes.registry import analyse_all

#: The column the raking weights get in the weighted run (kept apart from any column of the export).
WEIGHT_COLUMN = "__raking_weight__"


@dataclass(frozen=True)
class Findings:
    """Every theme's result without and with the raking weights, by theme id."""

    unweighted: dict[str, Any]
    weighted: dict[str, Any]


def theme_context(params: BuildParameters, frame: pd.DataFrame) -> Context:
    """The context of the report's chapters (language, rules, level, questionnaire), without figures."""
    wave = frame.attrs.get("wave")
    return Context(lang=params.lang, rules=params.publication_rules(), level=float(params.level),
                   synthetic=bool(frame.attrs.get("synthetic")),
                   codebook=load_codebook().for_wave(wave) if wave else load_codebook(), figures=False)


def weighted_findings(frame: pd.DataFrame, raking: Raking, ctx: Context) -> Findings:
    """Every theme computed on `frame` unweighted and with the raking weights."""
    plain = dataclasses.replace(ctx, weights=None, figures=False, compare=None, coding=None)
    weighted = frame.assign(**{WEIGHT_COLUMN: raking.weights.to_numpy()})
    weighted.attrs.update(frame.attrs)
    return Findings(unweighted=analyse_all(frame, plain),
                    weighted=analyse_all(weighted, dataclasses.replace(plain, weights=WEIGHT_COLUMN)))


def robustness(unweighted: str, weighted: str) -> str:
    """The message key that words a claim by its verdicts without and with weighting."""
    if unweighted == weighted == "not_testable":
        return "verdict_not_testable"
    holds = (unweighted == "supported", weighted == "supported")
    return {(True, True): "wf_holds_both", (True, False): "wf_holds_unweighted",
            (False, True): "wf_holds_weighted", (False, False): "wf_holds_neither"}[holds]


def claim_rows(findings: Findings) -> list[dict[str, str]]:
    """Per claim: its theme, wording, both verdicts with their evidence, and the robustness key."""
    def results(by_theme: dict[str, Any]) -> dict[str, dict[str, Any]]:
        table = by_theme["conclusion"].published()["summary_claims"].values
        return {row["id"]: row for row in table.to_dict("records")}

    plain, weighted = results(findings.unweighted), results(findings.weighted)
    return [{"id": key, "theme": row["theme"], "claim": row["claim"], "unweighted": row["verdict"],
             "unweighted_evidence": row["evidence"], "weighted": weighted[key]["verdict"],
             "weighted_evidence": weighted[key]["evidence"],
             "robustness": robustness(row["verdict"], weighted[key]["verdict"])} for key, row in plain.items()]


def _table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th scope=\"col\">{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def findings_html(findings: Findings, lang: str) -> str:
    """The sub-section: the chapters' summaries and the claims' verdicts, without beside with weighting."""
    without, with_ = message("wf_col_unweighted", lang), message("wf_col_weighted", lang)
    summaries = [[result.title, plain, weighted]
                 for key, result in findings.unweighted.items()
                 for plain, weighted in zip_longest(result.summary, findings.weighted[key].summary, fillvalue="")]
    codebook = load_codebook()
    claims = [[codebook.theme_label(row["theme"], lang), row["claim"],
               f"{message('verdict_' + row['unweighted'], lang)}: {row['unweighted_evidence']}",
               f"{message('verdict_' + row['weighted'], lang)}: {row['weighted_evidence']}",
               message(row["robustness"], lang)] for row in claim_rows(findings)]
    chapter, claim = message("col_theme", lang), message("col_claim", lang)
    return "\n".join([
        f"<h2>{html.escape(message('wf_findings_heading', lang))}</h2>",
        f"<p>{html.escape(message('wf_findings_intro', lang))}</p>",
        f"<h3>{html.escape(message('wf_summaries_heading', lang))}</h3>",
        _table([chapter, without, with_], summaries),
        f"<h3>{html.escape(message('wf_claims_heading', lang))}</h3>",
        _table([chapter, claim, without, with_, message("wf_col_robustness", lang)], claims)])
