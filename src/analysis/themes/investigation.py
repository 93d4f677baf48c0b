"""Theme 5, investigation (opsporing): usefulness, applications ranked, how well things are solved
today, and the reliability of citizens' messages compared with enforcement (same respondents)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.protection import publication
from analysis import stats
from analysis.report import facts as facts_schema
from analysis.report.facts import GridItem, Number, OpenAnswers, Ranking, WaveChange
from analysis.themes.comparison import change_part
from analysis.themes.base import Context, open_section
from analysis.themes.grids import domain_overview, grid_facts, rating_grid, synthesis_line
from analysis.themes.result import Block, Section, ThemeResult, published, published_value

THEME = "investigation"


@dataclass
class Reliability:
    """Reliability of citizens' messages, investigation vs enforcement, same respondents."""
    n: Number = None
    p: Number = None
    #: one-sided Wilcoxon p of "rated more important for investigation" / "for enforcement"
    p_greater: Number = None
    p_less: Number = None
    rank_biserial: Number = None
    investigation_top2_pct: Number = None
    enforcement_top2_pct: Number = None


@facts_schema.declare(THEME)
@dataclass
class InvestigationFacts:
    usefulness: GridItem
    applications: list[GridItem]
    ranking: Ranking
    solved: list[GridItem]
    reliability: Reliability | None
    open_answers: OpenAnswers
    change: WaveChange | None = None

    def synthesis(self, ctx: Context) -> str | None:
        """The conclusion's sentence on this theme."""
        return synthesis_line(ctx, "c_syn_investigation", self.applications, self.ranking,
                              useful=ctx.pct(self.usefulness.top2_pct))


def _solved_section(frame: pd.DataFrame, ctx: Context) -> tuple[Section, list[dict[str, Any]], str]:
    """How well things are solved today: the grid, its facts and the summary line."""
    solved = ctx.codebook.grid("solved_today")
    s_table, s_figure, s_summary = rating_grid(frame, solved, ctx, "solved_today", ctx.t("i_title_solved"))
    worst = s_summary.sorted_by("bottom2_pct").row(0)
    section = Section("solved", ctx.t("i_h_solved"), [
        ctx.t("i_solved_sentence", item=ctx.label(worst["item"]), pct=ctx.pct(worst["bottom2_pct"]),
              best=ctx.label(s_summary["item"][0]), best_pct=ctx.pct(s_summary["top2_pct"][0])),
        ctx.t("i_solved_tested"),
    ], [s_figure, s_table])
    summary = ctx.t("i_solved_summary", item=ctx.label(worst["item"]), pct=ctx.pct(worst["bottom2_pct"]))
    return section, grid_facts(s_summary), summary


def _reliability_text(paired: pd.DataFrame, paired_pub: Any, both_pub: Any,
                      ctx: Context) -> tuple[list[str], dict[str, Any] | None]:
    """The reliability sentences and facts (None when the test is not shown)."""
    if paired.empty or paired_pub.is_hidden(0, "p"):
        return [ctx.t("i_reliability_too_few", k=ctx.k)], None
    p = paired.iloc[0]
    inv_top2, enf_top2 = published_value(both_pub, "top2_pct"), both_pub["top2_pct"][-1]
    facts = {"n": int(p["n"]), "p": p["p"], "p_greater": p["p_greater"], "p_less": p["p_less"],
             "rank_biserial": p["rank_biserial"],
             "investigation_top2_pct": published(inv_top2), "enforcement_top2_pct": published(enf_top2)}
    clear = p["p"] < ctx.alpha
    key = ("i_reliability_higher" if clear and p["rank_biserial"] > 0 else
           "i_reliability_lower" if clear else "i_reliability_nodiff")
    text = [ctx.t(key, n=ctx.num(p["n"]), inv=ctx.pct(inv_top2), enf=ctx.pct(enf_top2), p=ctx.p(p["p"]),
                  r=ctx.num(p["rank_biserial"], 2)), ctx.t("i_reliability_method")]
    if ctx.weights:
        text.append(ctx.t("note_test_unweighted"))
    return text, facts


def _reliability_section(frame: pd.DataFrame, ctx: Context) -> tuple[Section, dict[str, Any] | None]:
    """Reliability of citizens' messages, investigation against enforcement, on the same respondents."""
    cb = ctx.codebook
    inv, enf = cb["inv_reliability"], cb["enf_reliability"]
    # exact conditional p-values: the claim's one-sided test must not exceed its level (ties abound)
    paired = stats.pairwise_wilcoxon(frame, [inv.id, enf.id], dont_know=inv.dont_know_codes, exact=True)
    paired_pub = publication.pairwise_ratings(paired, ctx.rules)
    # the comparison's shares follow the weights like every other share; the Wilcoxon test is unweighted
    both_frame = frame.dropna(subset=[inv.id, enf.id]).loc[
        lambda f: f[inv.id].isin(inv.substantive_codes) & f[enf.id].isin(enf.substantive_codes)]
    both_data, cluster = ctx.clustered(frame)
    both = stats.rating_summary(both_data.loc[both_frame.index], [inv.id, enf.id], scale=inv.substantive_codes,
                                dont_know=inv.dont_know_codes, level=ctx.level, weights=ctx.weights,
                                cluster=cluster)
    both_pub = publication.paired_summary(both, ctx.rules)
    text, facts = _reliability_text(paired, paired_pub, both_pub, ctx)
    domains = [cb.theme_label("investigation", ctx.lang), cb.theme_label("enforcement", ctx.lang)]
    display = pd.DataFrame({
        ctx.t("col_domain"): domains[:len(both_pub)],
        ctx.t("col_n"): [ctx.num(v) for v in both_pub["n"]],
        ctx.t("col_top2"): [ctx.pct(v) for v in both_pub["top2_pct"]],
    })
    test_display = pd.DataFrame({
        ctx.t("col_n"): [ctx.num(v) for v in paired_pub["n"]],
        ctx.t("col_statistic"): [ctx.num(v, 1) for v in paired_pub["statistic"]],
        ctx.t("col_p"): [ctx.p(v) for v in paired_pub["p"]],
        ctx.t("col_rank_biserial"): [ctx.num(v, 2) for v in paired_pub["rank_biserial"]],
    })
    return Section("reliability", ctx.t("i_h_reliability"), text, [
        Block("reliability_comparison", ctx.t("i_caption_reliability"), table=both_pub, display=display),
        Block("reliability_wilcoxon", ctx.t("i_caption_reliability_test"), table=paired_pub, display=test_display),
    ]), facts


def analyse(frame: pd.DataFrame, ctx: Context) -> ThemeResult:
    """Usefulness, applications ranked, how well things are solved, reliability, the open answers."""
    cb = ctx.codebook
    facts: dict[str, Any] = {}
    sections, overview_facts, overview_summary = domain_overview(frame, ctx, "investigation")
    facts.update(overview_facts)
    solved, facts["solved"], solved_summary = _solved_section(frame, ctx)
    reliability, facts["reliability"] = _reliability_section(frame, ctx)
    open_part, facts["open_answers"], review = open_section(frame, cb["investigation_open"], ctx)
    part, facts["change"] = change_part(THEME, frame, ctx)
    sections += [solved, reliability, open_part, *part]
    return ThemeResult(THEME, cb.theme_label(THEME, ctx.lang), ctx.t("i_question"), sections,
                       overview_summary + [solved_summary], facts, quote_candidates=review)
