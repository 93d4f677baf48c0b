"""The report section "Who took part, against the workforce" (``build --margins FILE``): per margin, the
sample's and the population's shares side by side, the sample's largest deviations described (not
tested), how far raking to the margins has to go (weights' spread, Kish's effective sample size,
design effect), whether it converged (the largest gap of a weighted margin from its target) and which
categories a margin leaves out. Sample shares of fewer than k respondents are hidden, with a second cell when one
hidden cell could be worked out from the others.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.pipeline.weighted_findings import Findings, findings_html
from analysis.pipeline.weights import survey_weights
from analysis.protection.disclosure import SUPPRESSED
from analysis.report.text import fmt_number, fmt_pct, message
from analysis.stats.raking import Raking, weighting_summary
from analysis.survey.codebook import Codebook, load_codebook
from analysis.survey.margins import Margin, Margins, Omission, omitted_categories, respondent_categories

#: The section's place among the executed notebooks when the report is assembled (rendered, never run).
WORKFORCE = "workforce.html"
#: How many of the sample's largest deviations the section names.
LARGEST = 3


@dataclass(frozen=True)
class Workforce:
    """What the pre-flight established for the section: the margins, the raking, each respondent's
    category per margin and the categories margins leave out."""

    margins: Margins
    raking: Raking
    categories: pd.DataFrame
    omissions: tuple[Omission, ...]


def comparison_table(margin: Margin, categories: pd.Series, k: int) -> pd.DataFrame:
    """Category, respondents, sample share and population share (in %) of one margin; sample shares
    of fewer than `k` respondents (and, if only one is, the next smallest) are None."""
    counts = categories.value_counts().reindex(list(margin.totals), fill_value=0)
    table = pd.DataFrame({"n": counts, "sample": 100 * counts / counts.sum(),
                          "population": [100 * s for s in margin.shares().values()]}, index=list(margin.totals))
    hidden = table.index[table["n"] < k]
    if len(hidden) == 1:
        hidden = hidden.append(table.drop(hidden)["n"].nsmallest(1).index)
    table["sample"] = table["sample"].astype(object)
    table.loc[hidden, "sample"] = None
    return table


def _labels(codebook: Codebook, margin: Margin, lang: str) -> dict[Any, str]:
    item = codebook[margin.item]
    if margin.by == "group":
        return {group.code: group.labels[lang] for group in item.groups}
    return item.code_labels(lang)


def _margin_html(codebook: Codebook, margin: Margin, table: pd.DataFrame, lang: str) -> str:
    """A heading, the source, the table and the largest deviations of one margin."""
    labels = _labels(codebook, margin, lang)
    head = "".join(f"<th scope=\"col\">{html.escape(message(key, lang))}</th>"
                   for key in ("wf_col_category", "wf_col_sample", "wf_col_population"))
    rows = "".join(f"<tr><th scope=\"row\">{html.escape(str(labels[key]))}</th>"
                   f"<td>{SUPPRESSED if row['sample'] is None else fmt_pct(row['sample'], lang)}</td>"
                   f"<td>{fmt_pct(row['population'], lang)}</td></tr>" for key, row in table.iterrows())
    shown = table[table["sample"].notna()]
    gaps = (shown["sample"].astype(float) - shown["population"]).abs().nlargest(LARGEST).index
    largest = "; ".join(message("wf_deviation", lang, category=labels[key],
                                sample=fmt_pct(table.at[key, "sample"], lang),
                                population=fmt_pct(table.at[key, "population"], lang)) for key in gaps)
    title = html.escape(codebook[margin.item].label(lang))
    return (f"<h2>{title}</h2><p>{html.escape(message('wf_source', lang, source=margin.source))}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            f"<p>{html.escape(message('wf_largest', lang, deviations=largest))}</p>")


def section_html(workforce: Workforce, lang: str, k: int, findings: Findings | None = None) -> str:
    """The whole section (an ``h1`` chapter title, demoted like a notebook's when assembled); with
    `findings`, the chapters' summaries and the claims without beside with weighting at its end."""
    codebook = load_codebook(wave=workforce.margins.wave or None)
    parts = [f"<h1>{html.escape(message('wf_heading', lang))}</h1>"]
    if workforce.margins.illustrative:
        parts.append(f"<p><strong>{html.escape(message('wf_illustrative', lang))}</strong></p>")
    parts.append(f"<p>{html.escape(message('wf_intro', lang, population=workforce.margins.population))}</p>")
    for margin in workforce.margins.margins:
        table = comparison_table(margin, workforce.categories[margin.item], k)
        parts.append(_margin_html(codebook, margin, table, lang))
    summary = weighting_summary(workforce.raking)
    trim = "–" if summary["trim"] is None else fmt_number(summary["trim"], lang, 1)
    parts.append("<p>" + html.escape(message(
        "wf_weights", lang, n=summary["respondents"], low=fmt_number(summary["weight_min"], lang, 2),
        high=fmt_number(summary["weight_max"], lang, 2), trim=trim,
        n_eff=fmt_number(summary["effective_sample_size"], lang), deff=fmt_number(summary["design_effect"], lang, 2),
        missing=summary["not_raked_mean_weight"])) + " " + html.escape(message(
        "wf_converged" if summary["converged"] else "wf_not_converged", lang,
        gap=fmt_number(summary["max_margin_gap_points"], lang, 2))) + "</p>")
    for omission in workforce.omissions:
        labels = _labels(codebook, omission.margin, lang)
        parts.append("<p>" + html.escape(message(
            "wf_omitted", lang, item=codebook[omission.margin.item].label(lang),
            categories=", ".join(str(labels[key]) for key in omission.categories))) + "</p>")
    if findings is not None:
        parts.append(findings_html(findings, lang))
    return "\n".join(parts)


def workforce(frame: pd.DataFrame, margins_path: Any) -> Workforce:
    """Rake `frame` to the margins file (refusing bad margins) and keep what the section shows; print a
    NOTE per margin that leaves out categories of its item (the build's pre-flight calls this)."""
    raking, margins = survey_weights(frame, margins_path)
    codebook = load_codebook(wave=str(frame.attrs.get("wave", "")) or None)
    omissions = omitted_categories(frame, margins, codebook)
    for omission in omissions:
        print(f"NOTE: {omission.note(margins.path)}")
    return Workforce(margins, raking, respondent_categories(frame, margins, codebook), omissions)
