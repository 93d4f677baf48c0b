"""Theme 6, conclusion: the statements, a synthesis of the themes it reads (each theme's facts say
their own sentence: ``synthesis(ctx)`` on the facts dataclass), and the 2011 summary's claims tested
on the data at hand."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.report.claims import VERDICTS, evaluate, read_claims
from analysis.report import facts as facts_schema
from analysis.protection import publication
from analysis.report.facts import GridItem, Number, WaveChange
from analysis.themes.comparison import change_part
from analysis.themes.base import Context
from analysis.themes.grids import grid_facts, rating_grid
from analysis.themes.result import Block, Section, ThemeResult

THEME = "conclusion"


@facts_schema.declare(THEME)
@dataclass
class ConclusionFacts:
    statements: list[GridItem]
    claims: dict[str, int] = field(default_factory=dict)
    claim_verdicts: dict[str, str] = field(default_factory=dict)
    change: WaveChange | None = None
    #: per claim: the p-value of its test (None where the verdict rests on an interval or a count)
    claim_p: dict[str, Number] = field(default_factory=dict)


def analyse(frame: pd.DataFrame, ctx: Context) -> ThemeResult:
    """The conclusion, from the facts of the themes it reads (``ctx.facts_of``)."""
    theme_facts = ctx.facts_of
    cb = ctx.codebook
    items = cb.grid("statements")
    table, figure, summary = rating_grid(frame, items, ctx, "statements", ctx.t("c_title_statements"))
    facts: dict[str, Any] = {"statements": grid_facts(summary)}
    top, bottom = summary.row(0), summary.sorted_by("bottom2_pct").row(0)
    sections = [Section("statements", ctx.t("c_h_statements"), [
        ctx.t("c_statements_sentence", top=ctx.label(top["item"]), top_pct=ctx.pct(top["top2_pct"]),
              bottom=ctx.label(bottom["item"]), bottom_pct=ctx.pct(bottom["bottom2_pct"])),
    ], [figure, table])]

    # --- synthesis: each theme it reads says its own sentence, from its facts ------------------------
    synthesis = [line for theme_fact in theme_facts.values() if hasattr(theme_fact, "synthesis")
                 for line in [theme_fact.synthesis(ctx)] if line is not None]
    sections.append(Section("synthesis", ctx.t("c_h_synthesis"), synthesis))

    # --- the 2011 claims ---------------------------------------------------------------------------
    all_facts = dict(theme_facts, conclusion=facts_schema.build(THEME, facts))
    results = evaluate(read_claims(), all_facts, ctx.lang, ctx.level)
    claims = pd.DataFrame(results)
    verdict_labels = {v: ctx.t(f"verdict_{v}") for v in VERDICTS}
    display = pd.DataFrame({
        ctx.t("col_theme"): [cb.theme_label(t, ctx.lang) for t in claims["theme"]],
        ctx.t("col_claim"): claims["claim"],
        ctx.t("col_verdict"): [verdict_labels[v] for v in claims["verdict"]],
        ctx.t("col_test"): claims["test"],
        ctx.t("col_p"): [ctx.p(p) if p is not None and pd.notna(p) else "" for p in claims["p"]],
        ctx.t("col_evidence"): claims["evidence"],
    })
    counts = claims["verdict"].value_counts()
    facts["claims"] = {v: int(counts.get(v, 0)) for v in verdict_labels}
    facts["claim_verdicts"] = {r["id"]: r["verdict"] for r in results}
    facts["claim_p"] = {r["id"]: r["p"] for r in results}
    sections.append(Section("claims", ctx.t("c_h_claims"), [
        ctx.t("c_claims_sentence", total=len(claims), **{v: facts["claims"][v] for v in VERDICTS}),
        ctx.t("c_claims_method"),
    ], [Block("summary_claims", ctx.t("c_caption_claims"), table=publication.unprotected(claims),
              display=display)]))
    summary_text = synthesis[1:3] + [sections[-1].paragraphs[0]]
    part, facts["change"] = change_part(THEME, frame, ctx, claims=results)
    sections += part
    return ThemeResult(THEME, cb.theme_label(THEME, ctx.lang), ctx.t("c_question"), sections, summary_text, facts)
