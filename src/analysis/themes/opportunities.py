"""Theme 2, opportunities: how large the opportunity of social media is per domain, whether the
ranking of domains is real, and which uses are already made."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.report import facts as facts_schema
from analysis.report.facts import GridItem, MultiSelect, OpenAnswers, Ranking, WaveChange
from analysis.themes.comparison import change_part
from analysis.themes.base import Context, open_section, option_shares
from analysis.themes.grids import grid_facts, leading_items, ranked_grid, synthesis_line
from analysis.themes.result import Section, ThemeResult

THEME = "opportunities"


@facts_schema.declare(THEME)
@dataclass
class OpportunitiesFacts:
    ratings: list[GridItem]
    ranking: Ranking
    uses_made: MultiSelect
    open_answers: OpenAnswers
    change: WaveChange | None = None

    def synthesis(self, ctx: Context) -> str | None:
        """The conclusion's sentence on this theme."""
        return synthesis_line(ctx, "c_syn_opportunities", self.ratings, self.ranking)


def analyse(frame: pd.DataFrame, ctx: Context) -> ThemeResult:
    cb = ctx.codebook
    items = cb.grid("opportunity_domains")
    facts: dict[str, Any] = {}
    blocks, sentences, summary, facts["ranking"] = ranked_grid(frame, items, ctx, "opportunity_ratings",
                                                               ctx.t("o_title_ratings"))
    facts["ratings"] = grid_facts(summary)
    items, top2 = summary["item"], summary["top2_pct"]
    # "largest" only when the ranking test shows it; otherwise the highest shares, and that no first is shown
    shown, rows = leading_items(summary, facts["ranking"])
    top = rows[0]
    ratings = Section("ratings", ctx.t("o_h_ratings"), [
        ctx.t("o_ratings_first" if shown else "o_ratings_open", top=ctx.label(top["item"]),
              pct=ctx.pct(top["top2_pct"]),
              ci=ctx.interval(top["top2_low"], top["top2_high"]), n=ctx.num(top["n"]),
              second=ctx.label(rows[1]["item"]), third=ctx.label(rows[2]["item"]),
              last=ctx.label(items[-1]), last_pct=ctx.pct(top2[-1])),
    ], blocks[:2])
    rank_section = Section("ranking", ctx.t("h_ranking"),
                           sentences + [ctx.t("ranking_method", alpha=ctx.num(ctx.alpha, 2))], blocks[2:])

    uses_table, uses_fig, uses_sentences, uses_facts = option_shares(frame, cb["uses_made"], ctx, ctx.t("o_title_uses"))
    facts["uses_made"] = uses_facts
    uses = Section("uses", ctx.t("o_h_uses"), uses_sentences, [uses_fig, uses_table])
    unused, facts["open_answers"], review = open_section(frame, cb["opportunities_open"], ctx)

    summary_text = [ctx.t("o_summary_first" if shown else "o_summary_open", top=ctx.label(top["item"]),
                          pct=ctx.pct(top["top2_pct"]), second=ctx.label(rows[1]["item"]),
                          third=ctx.label(rows[2]["item"]))]
    summary_text += sentences[2:3]
    if uses_facts["options"]:
        first_id = uses_facts.get("first") or uses_facts["options"][0]["option"]
        first = next(o for o in uses_facts["options"] if o["option"] == first_id)
        summary_text.append(ctx.t("o_summary_uses_first" if uses_facts.get("first") else "o_summary_uses_open",
                                  option=ctx.option_label(first["option"]), pct=ctx.pct(first["pct"])))
    part, facts["change"] = change_part(THEME, frame, ctx)
    return ThemeResult(THEME, cb.theme_label(THEME, ctx.lang), ctx.t("o_question"),
                       [ratings, rank_section, uses, unused, *part], summary_text, facts,
                       quote_candidates=review)

