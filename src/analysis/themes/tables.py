"""Shared chapter tables: the share of respondents per category or per group (with Wilson intervals
and an optional bar figure), and a regression's odds ratios."""
from __future__ import annotations

from typing import Any

import pandas as pd

from analysis import stats
from analysis.protection import publication
from analysis.protection.disclosure import Published
from analysis.report.figures import proportion_bars
from analysis.themes.alt_text import proportion_alt
from analysis.themes.base import Context, shares_display
from analysis.themes.result import Block, draw


def category_table(frame: pd.DataFrame, column: str, rows: dict[str, list[Any]], ctx: Context, name: str,
                   caption: str, title: str | None = None, public_groups: dict[str, Any] | None = None,
                   describes_sample: bool = False) -> tuple[Block, Block | None, Published]:
    """Share of respondents per category (each row a set of codes), with Wilson intervals.

    The base is everyone who answered `column`; rows are in the given order. `public_groups` maps
    a row label to a group whose total is published elsewhere, so suppression protects against
    it. A table that `describes_sample` (who took part) estimates nothing: it has no interval and
    no design effect. Returns the table block, an optional bar figure (when `title` is given) and
    the published table.
    """
    parts = []
    data, cluster = ctx.clustered(frame)
    for label, codes in rows.items():
        share = stats.proportion(data, column, success=codes, weights=ctx.weights, level=ctx.level, cluster=cluster)
        share.insert(1, "label", label)
        parts.append(share)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    table["item"] = column
    if describes_sample:
        table = table.drop(columns=["pct_low", "pct_high", "n_eff", "deff"])
    if public_groups is not None:
        table["public_group"] = [public_groups.get(label, "") for label in table["label"]]
    pub = publication.categories(table, ctx.rules)
    n = int(table["n"].iloc[0]) if len(table) else 0
    block = Block(name, caption, table=pub.drop([c for c in ("n_eff", "deff") if c in pub]),
                  display=shares_display(pub, ctx, "col_category"))
    figure = None
    if title is not None:
        fig = draw(ctx, proportion_bars, pub, "label", title, ctx.t("footer_base_one", n=ctx.num(n)),
                   ctx.synthetic_label, ctx.t("axis_pct_respondents"), ctx.t("suppressed_note", k=ctx.k))
        figure = Block(f"{name}_figure", caption, figure=fig, alt=proportion_alt(pub, "label", ctx))
    return block, figure, pub


def share_by_group(frame: pd.DataFrame, outcome: pd.Series, group: pd.Series, groups: dict[Any, str], ctx: Context,
                   name: str, caption: str, title: str | None,
                   public_sums: dict[Any, Any] | None = None) -> tuple[Block, Block | None, Published]:
    """Share with a 0/1 `outcome` within each group (one row per group), with Wilson intervals.

    `public_sums` maps a group to the key of a coarser group whose totals are published elsewhere
    (e.g. role -> citizen-facing or not), so suppression here also protects against those totals.
    Returns the table block, a bar figure (unless `title` is None) and the published table.
    """
    rows = [pd.DataFrame(columns=["item", "label", *stats.PROPORTION_COLUMNS[1:], "group"])]
    data, cluster = ctx.clustered(frame)
    for code, label in groups.items():
        members = group == code
        sub = pd.DataFrame({"outcome": outcome[members]})
        if ctx.weights:
            sub["weight"] = frame.loc[members, ctx.weights]
        if cluster is not None:
            sub[cluster] = data.loc[members, cluster]
        share = stats.proportion(sub, "outcome", weights="weight" if ctx.weights else None, level=ctx.level,
                                 cluster=cluster)
        if len(share):
            share.insert(1, "label", label)
            share["group"] = code
            rows.append(share)
    table = pd.concat([r for r in rows if len(r)] or rows[:1], ignore_index=True)
    for column in ("n", "count"):
        table[column] = pd.to_numeric(table[column])
    if public_sums is not None:
        table["coarse"] = [public_sums.get(g) for g in table["group"]]
    pub = publication.shares_by_group(table, ctx.rules, coarse=public_sums is not None)
    figure = None
    if title is not None:
        fig = draw(ctx, proportion_bars, pub, "label", title, ctx.t("footer_groups"), ctx.synthetic_label,
                   ctx.t("axis_pct_respondents"), ctx.t("suppressed_note", k=ctx.k))
        figure = Block(f"{name}_figure", caption, figure=fig, alt=proportion_alt(pub, "label", ctx))
    block = Block(name, caption, table=pub.drop(["n_eff", "deff", "item"]),
                  display=shares_display(pub, ctx, "col_group", with_count=False))
    return block, figure, pub


def model_block(model: pd.DataFrame, terms: dict[str, str], ctx: Context, name: str, caption: str) -> Block:
    """Odds ratios of a regression (predictor terms only), labelled."""
    rows = model[model["term_type"] == "predictor"] if "term_type" in model.columns else model
    rows = rows.loc[[t for t in rows.index if t in terms]]
    # the number of clusters is not published: with each respondent of a catch-all organisation a cluster
    # of one, it would count those respondents
    table = rows.drop(columns="clusters", errors="ignore").reset_index().rename(columns={"index": "term"})
    if "term" not in table.columns:
        table = table.rename(columns={table.columns[0]: "term"})
    pub = publication.model(table, ctx.rules)
    display = pd.DataFrame({
        ctx.t("col_term"): [terms[t] for t in pub["term"]],
        ctx.t("col_or"): [ctx.num(v, 2) for v in pub["odds_ratio"]],
        ctx.t("col_ci", level=ctx.num(100 * ctx.level)): [f"{ctx.num(lo, 2)}–{ctx.num(hi, 2)}"
                                                          for lo, hi in zip(pub["or_low"], pub["or_high"])],
        ctx.t("col_p"): [ctx.p(p) for p in pub["p"]],
    })
    return Block(name, caption, table=pub, display=display)
