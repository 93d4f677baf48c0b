"""Rating grids: summary table, diverging bars and facts of items on one scale, the grid with its
ranking test, and the opening of a domain chapter (usefulness and applications ranked)."""
from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from analysis import stats
from analysis.protection import publication
from analysis.protection.disclosure import Published
from analysis.report import facts as facts_schema
from analysis.report.figures import diverging_bars
from analysis.survey.codebook import Item
from analysis.themes.alt_text import rating_alt
from analysis.themes.base import Context, ranking
from analysis.themes.result import Block, Section, draw, published, shown_range


def base_footer(ctx: Context, n_min: Any, n_max: Any) -> str:
    if n_min == n_max:
        return ctx.t("footer_base_one", n=ctx.num(n_min))
    return ctx.t("footer_base_range", n_min=ctx.num(n_min), n_max=ctx.num(n_max))


def rating_statistics(frame: pd.DataFrame, items: list[Item], ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summary (one row per item) and distribution (one row per item and code) of a rating grid,
    with a row for every item and code, also one nobody answered."""
    ids = [i.id for i in items]
    scale, dont_know = items[0].substantive_codes, items[0].dont_know_codes
    data, cluster = ctx.clustered(frame)
    summary = stats.rating_summary(data, ids, scale=scale, dont_know=dont_know, weights=ctx.weights, level=ctx.level,
                                   cluster=cluster)
    distribution = stats.rating_distribution(data, ids, scale=scale, dont_know=dont_know, weights=ctx.weights,
                                             level=ctx.level, cluster=cluster)
    return _every_item(summary, ids, frame), _every_item_code(distribution, ids, scale, frame)


def rating_display(summary_pub: Published, items: list[Item], ctx: Context) -> pd.DataFrame:
    """The reader's table of a rating grid: labels, bases, median, top-2 with interval, bottom-2, mean."""
    labels = {i.id: i.label(ctx.lang) for i in items}
    return pd.DataFrame({
        ctx.t("col_item"): [labels[i] for i in summary_pub["item"]],
        ctx.t("col_n"): [ctx.num(v) for v in summary_pub["n"]],
        ctx.t("col_dont_know"): [ctx.num(v) for v in summary_pub["dont_know_n"]],
        ctx.t("col_missing"): [ctx.num(v) for v in summary_pub["missing_n"]],
        ctx.t("col_median"): [ctx.median(m, i) for m, i in zip(summary_pub["median"], summary_pub["item"])],
        ctx.t("col_top2"): [ctx.pct(v) for v in summary_pub["top2_pct"]],
        ctx.t("col_ci", level=ctx.num(100 * ctx.level)): [ctx.interval(lo, hi) for lo, hi in
                                                          zip(summary_pub["top2_low"], summary_pub["top2_high"])],
        ctx.t("col_bottom2"): [ctx.pct(v) for v in summary_pub["bottom2_pct"]],
        ctx.t("col_mean"): [ctx.num(v, 2) for v in summary_pub["mean"]],
    })


def rating_figure(distribution_pub: Published, summary_pub: Published, items: list[Item], ctx: Context,
                  title: str) -> plt.Figure | None:
    """Diverging bars of a rating grid, items in the published order."""
    scale, dont_know = items[0].substantive_codes, items[0].dont_know_codes
    labels = {i.id: i.label(ctx.lang) for i in items}
    scale_labels = [items[0].code_labels(ctx.lang)[c] for c in scale]
    dk_label = items[0].code_labels(ctx.lang)[dont_know[0]] if dont_know else ""
    n_min, n_max = shown_range(summary_pub, "n")
    footer = base_footer(ctx, n_min, n_max) + " " + ctx.t("footer_rating")
    return draw(ctx, diverging_bars, distribution_pub, labels, scale_labels, dk_label, list(summary_pub["item"]), title,
                footer, ctx.synthetic_label, ctx.t("axis_pct_substantive"), ctx.t("suppressed_note", k=ctx.k))


def rating_grid(frame: pd.DataFrame, items: list[Item], ctx: Context, name: str,
                title: str) -> tuple[Block, Block, Published]:
    """Summary table and diverging-bar figure of a set of rating items (same scale).

    Returns (table block, figure block, published summary sorted by top-2 share).
    """
    summary, distribution = rating_statistics(frame, items, ctx)
    summary_pub, distribution_pub = publication.rating_grid(summary, distribution, items[0].substantive_codes,
                                                            ctx.rules)
    summary_pub = summary_pub.sorted_by("top2_pct")
    table_block = Block(f"{name}_summary", ctx.t("caption_rating_table", title=title), table=summary_pub,
                        display=rating_display(summary_pub, items, ctx))
    figure_block = Block(f"{name}_distribution", ctx.t("caption_rating_figure", title=title), table=distribution_pub,
                         figure=rating_figure(distribution_pub, summary_pub, items, ctx, title),
                         alt=rating_alt(summary_pub, items, ctx))
    return table_block, figure_block, summary_pub


def _every_item(summary: pd.DataFrame, ids: list[str], frame: pd.DataFrame) -> pd.DataFrame:
    """The rating summary with a row for every item, also one nobody answered (n = 0)."""
    absent = [i for i in ids if i not in set(summary["item"])]
    if not absent:
        return summary
    empty = pd.DataFrame({"item": absent, "n": 0, "dont_know_n": 0, "missing_n": len(frame),
                          "top2_count": 0, "bottom2_count": 0})
    table = pd.concat([summary, empty], ignore_index=True) if len(summary) else empty.reindex(columns=summary.columns)
    table.attrs = summary.attrs
    return table


def _every_item_code(distribution: pd.DataFrame, ids: list[str], scale: list[Any], frame: pd.DataFrame) -> pd.DataFrame:
    """The distribution with a row per item and code, also for an item nobody answered."""
    absent = [i for i in ids if i not in set(distribution["item"])]
    if not absent:
        return distribution
    empty = pd.DataFrame([{"item": i, "code": c, "count": 0, "n": 0, "dont_know_n": 0, "missing_n": len(frame)}
                          for i in absent for c in scale])
    table = pd.concat([distribution, empty], ignore_index=True) if len(distribution) else empty.reindex(
        columns=distribution.columns)
    table.attrs = distribution.attrs
    return table


def grid_facts(summary_pub: Published) -> list[dict[str, Any]]:
    """Per item of a grid, in published order: top-2 share with interval, base and median."""
    keys = ("n", "top2_pct", "top2_low", "top2_high", "bottom2_pct", "bottom2_low", "bottom2_high", "median",
            "top2_count", "bottom2_count")
    return [{"item": r["item"], **{k: published(r[k]) for k in keys}} for r in summary_pub.rows()]


def leading_items(summary_pub: Published, rank_facts: dict[str, Any],
                  share: str = "top2_pct") -> tuple[bool, list[dict]]:
    """The items an opening sentence names: (True, [the item shown first]) when the ranking test shows
    one, else (False, the rows with the highest shares in published order)."""
    rows = summary_pub.rows()
    first = rank_facts.get("first")
    if first is not None:
        return True, [next(r for r in rows if r["item"] == first)] + [r for r in rows if r["item"] != first]
    return False, rows


def ranked_grid(frame: pd.DataFrame, items: list[Item], ctx: Context, name: str,
                title: str) -> tuple[list[Block], list[str], Published, dict[str, Any]]:
    """A rating grid with its ranking test.

    Returns the blocks (figure, summary table, pairwise tests), the ranking sentences, the published
    summary (sorted by top-2 share) and the ranking facts.
    """
    table, figure, summary = rating_grid(frame, items, ctx, name, title)
    pairwise, sentences, rank_facts = ranking(frame, items, ctx, name)
    return [figure, table, pairwise], sentences, summary, rank_facts


#: The two domain chapters: codebook prefix of their items and message-key prefix.
DOMAINS = {"enforcement": ("enf", "e"), "investigation": ("inv", "i")}


def domain_overview(frame: pd.DataFrame, ctx: Context, domain: str) -> tuple[list[Section], dict[str, Any], list[str]]:
    """The opening of a domain chapter (enforcement or investigation).

    How useful social media are for the domain, and its applications ranked by importance.
    Returns the two sections, their facts (usefulness, applications, ranking) and two summary lines.
    """
    item_prefix, key = DOMAINS[domain]
    domain_text = ctx.t(f"domain_{domain}")
    table, figure, useful = rating_grid(frame, [ctx.codebook[f"{item_prefix}_usefulness"]], ctx, "usefulness",
                                        ctx.t(f"{key}_title_usefulness"))
    u = useful.row(0)
    usefulness = Section("usefulness", ctx.t(f"{key}_h_usefulness"), [
        ctx.t("usefulness_sentence", pct=ctx.pct(u["top2_pct"]), ci=ctx.interval(u["top2_low"], u["top2_high"]),
              n=ctx.num(u["n"]), domain=domain_text)], [figure, table])
    blocks, sentences, summary, rank_facts = ranked_grid(frame, ctx.codebook.grid(f"{domain}_applications"), ctx,
                                                         f"{domain}_applications", ctx.t(f"{key}_title_applications"))
    shown, rows = leading_items(summary, rank_facts)
    top3 = [ctx.label(r["item"]) for r in rows[:3]]
    opening = ctx.t("applications_first" if shown else "applications_open", first=top3[0], second=top3[1],
                    third=top3[2], pct=ctx.pct(rows[0]["top2_pct"]), last=ctx.label(summary["item"][-1]),
                    last_pct=ctx.pct(summary["top2_pct"][-1]))
    applications = Section("applications", ctx.t(f"{key}_h_applications"), [opening] + sentences, blocks)
    facts = {"usefulness": grid_facts(useful)[0], "applications": grid_facts(summary), "ranking": rank_facts}
    lines = [ctx.t("usefulness_summary", pct=ctx.pct(u["top2_pct"]), domain=domain_text),
             ctx.t("applications_summary_first" if shown else "applications_summary_open", first=top3[0],
                   second=top3[1], third=top3[2])]
    return [usefulness, applications], facts, lines


def synthesis_line(ctx: Context, key: str, grid: list[facts_schema.GridItem], ranking: facts_schema.Ranking,
                   **values: Any) -> str | None:
    """The conclusion's sentence on a theme's leading item (message `key` + ``_first`` / ``_open``):
    "largest" or "most important" only for an item its ranking test shows first, else the highest
    shown share; None when no share is shown."""
    first = next((i for i in grid if ranking.first is not None and i.item == ranking.first), None)
    leader = first or facts_schema.leading(grid)
    if leader is None:
        return None
    return ctx.t(f"{key}_{'first' if first else 'open'}", item=ctx.label(leader.item), pct=ctx.pct(leader.top2_pct),
                 **values)
