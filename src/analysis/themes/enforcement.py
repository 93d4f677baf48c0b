"""Theme 4, enforcement (handhaving): usefulness, applications ranked, and the gap between the
importance of an application and whether it is already used."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.protection import publication
from analysis import stats
from analysis.protection.disclosure import is_hidden
from analysis.report.figures import paired_dots
from analysis.report import facts as facts_schema
from analysis.report.facts import GridItem, Number, OpenAnswers, Ranking, WaveChange
from analysis.themes.comparison import change_part
from analysis.themes.alt_text import paired_alt
from analysis.themes.base import Context, open_section
from analysis.themes.grids import domain_overview, synthesis_line
from analysis.themes.result import Block, Section, ThemeResult, draw, published, shown_range

THEME = "enforcement"


@dataclass
class GapItem:
    item: str
    n: Number = None
    important_pct: Number = None
    used_pct: Number = None
    gap_pp: Number = None
    p_holm: Number = None


@facts_schema.declare(THEME)
@dataclass
class EnforcementFacts:
    usefulness: GridItem
    applications: list[GridItem]
    ranking: Ranking
    gap: list[GapItem]
    open_answers: OpenAnswers
    change: WaveChange | None = None

    def synthesis(self, ctx: Context) -> str | None:
        """The conclusion's sentence on this theme."""
        return synthesis_line(ctx, "c_syn_enforcement", self.applications, self.ranking,
                              useful=ctx.pct(self.usefulness.top2_pct))


def importance_practice_gap(frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Per application: % rating it (very) important vs % whose organisation already uses it.

    Both shares are on the same respondents: those who rated the application and answered the
    practice question (an unticked practice of someone who answered counts as "not used"; someone
    who did not answer it is left out). Shares follow the context's weights, like every other share;
    the difference is tested with McNemar's test (unweighted: it has no weighted form here),
    Holm-adjusted across applications.
    """
    cb = ctx.codebook
    rows = []
    for item in cb.grid("enforcement_applications"):
        practice_col = f"enf_practice_{item.attrs['practice']}"
        rating = frame[item.id]
        important = rating.isin(item.substantive_codes[-2:]).astype(float).where(rating.isin(item.substantive_codes))
        used = frame[practice_col]
        pair = pd.DataFrame({"important": important, "used": used}).dropna()
        w = (pd.to_numeric(frame.loc[pair.index, ctx.weights], errors="coerce").fillna(0.0) if ctx.weights
             else pd.Series(1.0, index=pair.index))
        wsum = float(w.sum())
        test = stats.mcnemar_pairs(pair, ["important", "used"])
        rows.append({"item": item.id, "n": len(pair), "important_count": int(pair["important"].sum()),
                     "used_count": int(pair["used"].sum()),
                     "both_count": int(((pair["important"] == 1) & (pair["used"] == 1)).sum()),
                     "important_only_count": int(((pair["important"] == 1) & (pair["used"] == 0)).sum()),
                     "used_only_count": int(((pair["important"] == 0) & (pair["used"] == 1)).sum()),
                     "neither_count": int(((pair["important"] == 0) & (pair["used"] == 0)).sum()),
                     "important_pct": 100 * float((w * pair["important"]).sum()) / wsum if wsum > 0 else np.nan,
                     "used_pct": 100 * float((w * pair["used"]).sum()) / wsum if wsum > 0 else np.nan,
                     "p": float(test["p"].iloc[0]) if len(test) else np.nan})
    table = pd.DataFrame(rows)
    table["gap_pp"] = table["important_pct"] - table["used_pct"]
    table["p_holm"] = stats.holm_adjust(table["p"].to_numpy())
    return table.sort_values("gap_pp", ascending=False, kind="stable").reset_index(drop=True)


def analyse(frame: pd.DataFrame, ctx: Context) -> ThemeResult:
    cb = ctx.codebook
    facts: dict[str, Any] = {}
    sections, overview_facts, overview_summary = domain_overview(frame, ctx, "enforcement")
    facts.update(overview_facts)

    gap = importance_practice_gap(frame, ctx)
    gap_pub = publication.importance_practice_gap(gap, ctx.rules).sorted_by("gap_pp")
    labels = {i.id: i.label(ctx.lang) for i in cb.grid("enforcement_applications")}
    display = pd.DataFrame({
        ctx.t("col_item"): [labels[i] for i in gap_pub["item"]],
        ctx.t("col_n"): [ctx.num(v) for v in gap_pub["n"]],
        ctx.t("col_important"): [ctx.pct(v) for v in gap_pub["important_pct"]],
        ctx.t("col_used"): [ctx.pct(v) for v in gap_pub["used_pct"]],
        ctx.t("col_gap"): [ctx.num(v) for v in gap_pub["gap_pp"]],
        ctx.t("col_p_holm"): [ctx.p(p) for p in gap_pub["p_holm"]],
    })
    n_min, n_max = shown_range(gap_pub, "n")
    fig = draw(ctx, paired_dots, gap_pub, [labels[i] for i in gap_pub["item"]], "important_pct", "used_pct",
               ctx.t("col_important"), ctx.t("col_used"), ctx.t("e_title_gap"),
               ctx.t("footer_base_range", n_min=ctx.num(n_min), n_max=ctx.num(n_max)),
               ctx.synthetic_label, ctx.t("axis_pct_respondents_plain"))
    # a gap is named only where its test shows it; "lags" only for a gap shown in that direction
    rows = gap_pub.rows()
    shown = [r for r in rows if not is_hidden(r["p_holm"]) and pd.notna(r["p_holm"]) and r["p_holm"] < ctx.alpha
             and not is_hidden(r["gap_pp"])]
    lagging = [r for r in shown if r["gap_pp"] > 0]
    ahead = [r for r in shown if r["gap_pp"] < 0]
    facts["gap"] = [{"item": r["item"], "n": published(r["n"]), "important_pct": published(r["important_pct"]),
                     "used_pct": published(r["used_pct"]), "gap_pp": published(r["gap_pp"]),
                     "p_holm": published(r["p_holm"])} for r in rows]
    if lagging:
        example = lagging[0]
        gap_text = ctx.t("e_gap_lags", lagging=ctx.num(len(lagging)), total=ctx.num(len(gap)),
                         item=labels[example["item"]], important=ctx.pct(example["important_pct"]),
                         used=ctx.pct(example["used_pct"]), p=ctx.p(example["p_holm"]))
        gap_summary = ctx.t("e_gap_summary_lags", lagging=ctx.num(len(lagging)), total=ctx.num(len(gap)),
                            item=labels[example["item"]], gap=ctx.num(example["gap_pp"]))
    else:
        gap_text = ctx.t("e_gap_none", total=ctx.num(len(gap)))
        gap_summary = ctx.t("e_gap_summary_none")
    paragraphs = [gap_text]
    if ahead:
        paragraphs.append(ctx.t("e_gap_ahead", ahead=ctx.num(len(ahead)), item=labels[ahead[0]["item"]]))
    sections.append(Section("gap", ctx.t("e_h_gap"), paragraphs + [
        ctx.t("e_gap_method"), *([ctx.t("note_test_unweighted")] if ctx.weights else []),
    ], [Block("importance_practice_gap_figure", ctx.t("e_caption_gap"), figure=fig,
              alt=paired_alt(gap_pub, [labels[i] for i in gap_pub["item"]], "important_pct", "used_pct",
                             ctx.t("col_important"), ctx.t("col_used"), ctx)),
        Block("importance_practice_gap", ctx.t("e_caption_gap"), table=gap_pub, display=display)]))

    open_part, facts["open_answers"], review = open_section(frame, cb["enforcement_open"], ctx)
    sections.append(open_part)
    summary_text = overview_summary + [gap_summary]
    part, facts["change"] = change_part(THEME, frame, ctx)
    sections += part
    return ThemeResult(THEME, cb.theme_label(THEME, ctx.lang), ctx.t("e_question"), sections, summary_text, facts,
                       quote_candidates=review)
