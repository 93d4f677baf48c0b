"""Each chapter's "Change since <earlier wave>" part, built by one call from the theme.

A theme adds its part with::

    part, facts["change"] = change_part(THEME, frame, ctx)
    sections += part

Nothing is added when the build has no earlier wave (``ctx.compare`` is None). What is compared
follows from the codebook: the theme's single-choice items (category shares) and ordinal items
(Mann-Whitney), its rating grids (ratings, top-2 shares, distributions side by side and ranks)
and its multi-select questions (options), always only the items and options asked the same way
in both waves (:meth:`analysis.survey.codebook.Codebook.comparable`). The statistics are in
:mod:`analysis.stats.waves`; the small-cell rule is applied with each wave's own published tables
(:mod:`analysis.protection.publication`), so no cell shown here unlocks a cell hidden there.
"""
from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.stats import waves as change
from analysis.protection import publication
from analysis import stats
from analysis.survey.codebook import Item, WaveDifference
from analysis.protection.disclosure import SUPPRESSED, Published, is_hidden
from analysis.report.figures import wave_dots
from analysis.report.text import message
from analysis.themes.alt_text import paired_alt
from analysis.themes.base import Context
from analysis.themes.grids import rating_statistics
from analysis.themes.result import Block, Section, concat_rows, draw, hidden_in_rows, published
from analysis.themes.tables import category_table
from analysis.themes.derived import ACTIVE_CODES
from analysis.themes.earlier_wave import Comparison, earlier_wave_verdicts

#: Bootstrap resamples of the rank intervals, and their seed (the same ranks on every build).
RANK_REPLICATES = 1000
RANK_SEED = 2011
#: Single-choice items with more categories than this are not compared share by share.
MAX_CATEGORIES = 12


def change_part(theme: str, frame: pd.DataFrame, ctx: Context,
                claims: list[dict[str, Any]] | None = None) -> tuple[list[Section], dict[str, Any] | None]:
    """The theme's "Change since ..." section and its facts (:class:`analysis.report.facts.WaveChange`);
    ``([], None)`` without an earlier wave. `claims` (the conclusion's evaluated claims) adds the
    claims table with a verdict per wave and the appendix of everything not compared."""
    cmp = ctx.compare
    if cmp is None:
        return [], None
    part = _Part(theme, frame, ctx, cmp)
    part.build()
    if claims is not None:
        part.claims(claims)
        part.appendix()
    return [part.section], part.facts


class _Part:
    """One chapter's change section, filled piece by piece."""

    def __init__(self, theme: str, new: pd.DataFrame, ctx: Context, cmp: Comparison):
        self.theme, self.new, self.ctx, self.cmp = theme, new, ctx, cmp
        self.old = cmp.old
        self.old_ctx = cmp.context(ctx)
        self.waves = (cmp.label, ctx.t("ch_this_wave"))
        self.alpha = 1 - ctx.level
        self.section = Section("change", ctx.t("ch_h", label=cmp.label), [ctx.t(
            "ch_intro", n_new=ctx.num(len(new)), n_old=ctx.num(len(self.old)), label=cmp.label,
            level=ctx.num(100 * ctx.level), alpha=ctx.num(self.alpha, 2))])
        self.facts: dict[str, Any] = {"since": cmp.label, "n_old": len(self.old), "n_new": len(new), "shares": [],
                                      "ratings": [], "ranks": [], "order_changes": [], "not_compared": [],
                                      "claims": []}

    # --- what the theme asks -------------------------------------------------------------------
    def build(self) -> None:
        cb = self.ctx.codebook
        items = cb.items_of(self.theme)
        categories = [i for i in items if i.type in ("single", "ordinal") and len(i.codes) <= MAX_CATEGORIES
                      and i.id in self.cmp.columns]
        if categories:
            self.category_shares(categories)
        ordinal = [i for i in categories if i.type == "ordinal"]
        if ordinal:
            self.ratings(ordinal, "ordinal", self.ctx.t("ch_what_ordinal"), single_tables=True)
        grids: dict[str, list[Item]] = {}
        for item in items:
            if item.type == "rating" and item.id in self.cmp.columns:
                grids.setdefault(item.grid or "", []).append(item)
        for grid, members in grids.items():
            if grid:
                self.ratings(members, grid, self._grid_title(grid))
                if len(members) >= 3:
                    self.ranks(members, grid)
            else:
                self.ratings(members, "single", self.ctx.t("ch_what_single"), single_tables=True)
        for item in items:
            if item.type == "multi":
                options = [c for c in item.columns if c in self.cmp.columns]
                if options:
                    self.options(item, options)
        self.not_compared()

    def _grid_title(self, grid: str) -> str:
        members = self.ctx.codebook.grid(grid)
        question = _common_question(members, self.ctx.lang)
        return self.ctx.t("ch_what_grid", question=question) if ":" in members[0].label(self.ctx.lang, short=False) \
            else question

    # --- shares of categories ---------------------------------------------------------------------
    def category_shares(self, items: list[Item]) -> None:
        ctx = self.ctx
        parts, linked_old, linked_new = [], [], []
        for item in items:
            codes = item.category_codes
            table = change.share_change(change.category_indicators(self.old, item.id, codes),
                                        change.category_indicators(self.new, item.id, codes), family=item.id,
                                        old_weights=self._weights(self.old), new_weights=self._weights(self.new),
                                        level=ctx.level)
            labels = item.code_labels(ctx.lang)
            table.insert(2, "label", [f"{item.label(ctx.lang)}: {labels[c]}" for c in codes])
            parts.append(table)
            linked_old += self._category_hidden(self.old, item, self.old_ctx)
            linked_new += self._category_hidden(self.new, item, ctx)
        table = pd.concat(parts, ignore_index=True)
        pub = publication.wave_change(table, ctx.rules, adds_up=True, old_linked=linked_old,
                                      new_linked=linked_new)
        self._shares_block(pub, "change_categories", ctx.t("ch_what_categories"), figure=False)

    def _category_hidden(self, frame: pd.DataFrame, item: Item, ctx: Context) -> list[bool]:
        """Which categories the wave's own chapter table hides (the participants' profile tables)."""
        labels = item.code_labels(ctx.lang)
        rows = {label: [code] for code, label in labels.items()}
        groups = ({label: code in ACTIVE_CODES for code, label in labels.items()}
                  if item.id == "use_frequency" else None)
        _, _, pub = category_table(frame, item.id, rows, ctx, item.id, "", None, public_groups=groups)
        plt.close("all")
        return [bool(pub.mask["count"].iloc[i] or pub.mask["pct"].iloc[i]) for i in range(len(pub))]

    # --- multi-select options -------------------------------------------------------------------------
    def options(self, item: Item, columns: list[str]) -> None:
        ctx = self.ctx
        table = change.share_change(change.option_indicators(self.old, columns),
                                    change.option_indicators(self.new, columns), family=item.id,
                                    old_weights=self._weights(self.old), new_weights=self._weights(self.new),
                                    level=ctx.level)
        table.insert(2, "label", [ctx.option_label(c) for c in columns])
        old_item = self.cmp.codebook[item.id]
        pub = publication.wave_change(table, ctx.rules,
                                      old_linked=self._options_hidden(self.old, old_item, columns, self.old_ctx),
                                      new_linked=self._options_hidden(self.new, item, columns, ctx))
        self._shares_block(pub, f"change_{item.id}", item.label(ctx.lang, short=False), figure=True)

    def _options_hidden(self, frame: pd.DataFrame, item: Item, columns: list[str], ctx: Context) -> list[bool]:
        """Which options the wave's own multi-select table hides (all of the wave's options asked)."""
        shares = stats.multi_select(frame, item.columns, weights=ctx.weights, level=ctx.level)
        own = publication.multi_select_options(shares, ctx.rules)
        hidden = {o: bool(own.mask["count"].iloc[i] or own.mask["pct"].iloc[i])
                  for i, o in enumerate(own.values["option"])}
        return [hidden.get(c, False) for c in columns]

    def _shares_block(self, pub: Published, name: str, what: str, figure: bool) -> None:
        ctx = self.ctx
        caption = ctx.t("ch_caption_shares", what=what, old=self.waves[0], new=self.waves[1])
        blocks = []
        if figure:
            labels = list(pub["label"])
            fig = draw(ctx, wave_dots, pub, labels, self.waves, ctx.t("ch_title", what=what), self._footer(),
                       ctx.synthetic_label, ctx.t("axis_pct_respondents_plain"),
                       ctx.t("suppressed_note", k=ctx.k))
            blocks.append(Block(f"{name}_figure", caption, figure=fig,
                                alt=self._alt(pub, labels, "pct_old", "pct_new")))
        blocks.append(Block(name, caption, table=pub, display=self._shares_display(pub)))
        self.section.blocks += blocks
        self.section.paragraphs.append(self._changed_sentence(pub, what, "label"))
        self.facts["shares"] += [{"family": r["family"], "key": r["key"], **{
            k: published(r[k]) for k in ("pct_old", "pct_new", "diff_pp", "diff_low", "diff_high", "p_holm")},
            "changed": None if is_hidden(r["changed"]) else bool(r["changed"])} for r in pub.rows()]

    def _shares_display(self, pub: Published) -> pd.DataFrame:
        ctx, (old, new) = self.ctx, self.waves
        level = ctx.num(100 * ctx.level)
        return pd.DataFrame({
            ctx.t("col_item"): pub["label"],
            ctx.t("ch_col_n", wave=old): [ctx.num(v) for v in pub["n_old"]],
            ctx.t("ch_col_pct", wave=old): [ctx.pct(v) for v in pub["pct_old"]],
            ctx.t("ch_col_ci", wave=old, level=level): [ctx.interval(lo, hi) for lo, hi in
                                                        zip(pub["pct_old_low"], pub["pct_old_high"])],
            ctx.t("ch_col_n", wave=new): [ctx.num(v) for v in pub["n_new"]],
            ctx.t("ch_col_pct", wave=new): [ctx.pct(v) for v in pub["pct_new"]],
            ctx.t("ch_col_ci", wave=new, level=level): [ctx.interval(lo, hi) for lo, hi in
                                                        zip(pub["pct_new_low"], pub["pct_new_high"])],
            ctx.t("ch_col_diff"): [self._points(v) for v in pub["diff_pp"]],
            ctx.t("ch_col_diff_ci", level=level): [self._points_interval(lo, hi) for lo, hi in
                                                    zip(pub["diff_low"], pub["diff_high"])],
            ctx.t("col_p_holm"): [ctx.p(v) for v in pub["p_holm"]],
            ctx.t("ch_col_changed"): [self._yes_no(v) for v in pub["changed"]],
        })

    # --- ratings ------------------------------------------------------------------------------------
    def ratings(self, items: list[Item], family: str, what: str, single_tables: bool = False) -> None:
        ctx = self.ctx
        own = {}
        for wave, frame, wctx in (("old", self.old, self.old_ctx), ("new", self.new, ctx)):
            book = wctx.codebook
            groups = ([[book[i.id]] for i in items] if single_tables or not items[0].grid
                      else [book.grid(items[0].grid)])
            own[wave] = [_own_grid(frame, group, wctx) for group in groups]
        cells, boxes, top2 = {}, {}, {}
        for wave in ("old", "new"):  # what each wave's own tables hide, per item
            summaries = [s for s, _ in own[wave]]
            distributions = [d for _, d in own[wave]]
            cells[wave] = np.array([any(hidden_in_rows(d, "item", i.id, "count") for d in distributions)
                                    for i in items])
            top2[wave] = np.array([any(hidden_in_rows(s, "item", i.id, "top2_count")
                                       or hidden_in_rows(s, "item", i.id, "top2_pct") for s in summaries)
                                   for i in items])
            boxes[wave] = top2[wave] | np.array([any(hidden_in_rows(s, "item", i.id, "bottom2_count")
                                                     for s in summaries) for i in items])
        collapse = cells["old"] | cells["new"]
        table = change.rating_change(self.old, self.new, items, family=family, level=ctx.level, collapse=collapse)
        table.insert(2, "label", [i.label(ctx.lang) for i in items])
        pub = publication.rating_change(table, ctx.rules, test_hidden=collapse & (boxes["old"] | boxes["new"]),
                                        median_hidden_old=cells["old"], median_hidden_new=cells["new"],
                                        top2_hidden_old=top2["old"], top2_hidden_new=top2["new"])
        name = f"change_{family}"
        caption = ctx.t("ch_caption_ratings", what=what, old=self.waves[0], new=self.waves[1])
        labels = list(pub["label"])
        blocks = []
        if items[0].type == "rating":
            fig = draw(ctx, wave_dots, pub, labels, self.waves, ctx.t("ch_title_top2", what=what), self._footer(),
                       ctx.synthetic_label, ctx.t("axis_pct_substantive_plain"),
                       ctx.t("suppressed_note", k=ctx.k), columns=("top2_pct_old", "top2_pct_new"))
            blocks.append(Block(f"{name}_figure", caption, figure=fig,
                                alt=self._alt(pub, labels, "top2_pct_old", "top2_pct_new")))
        blocks.append(Block(name, caption, table=pub, display=self._ratings_display(pub, items[0].type == "rating")))
        # distributions side by side, each cell as its own wave's table shows it
        ids = [i.id for i in items]
        old_dist = concat_rows([d for _, d in own["old"]], ids)
        new_dist = concat_rows([d for _, d in own["new"]], ids)
        both = publication.side_by_side(old_dist, new_dist, ["item", "code"], ["count", "pct"])
        code_labels = {(i.id, c): text for i in items for c, text in i.code_labels(ctx.lang).items()}
        item_labels = {i.id: i.label(ctx.lang) for i in items}
        blocks.append(Block(f"{name}_distributions", ctx.t("ch_caption_distribution", what=what, old=self.waves[0],
                                                            new=self.waves[1]), table=both,
                            display=pd.DataFrame({
                                ctx.t("col_item"): [item_labels[i] for i in both["item"]],
                                ctx.t("ch_col_answer"): [code_labels.get((i, c), str(c))
                                                         for i, c in zip(both["item"], both["code"])],
                                ctx.t("ch_col_pct", wave=self.waves[0]): [ctx.pct(v) for v in both["pct_old"]],
                                ctx.t("ch_col_pct", wave=self.waves[1]): [ctx.pct(v) for v in both["pct_new"]],
                            })))
        self.section.blocks += blocks
        self.section.paragraphs.append(self._ratings_sentence(pub, what))
        self.facts["ratings"] += [{"family": r["family"], "item": r["item"], **{
            k: published(r[k]) for k in ("top2_pct_old", "top2_pct_new", "diff_pp", "diff_low", "diff_high",
                                         "rank_biserial", "p_holm")},
            "changed": None if is_hidden(r["changed"]) else bool(r["changed"])} for r in pub.rows()]

    def _ratings_display(self, pub: Published, top2: bool) -> pd.DataFrame:
        ctx, (old, new) = self.ctx, self.waves
        columns = {ctx.t("col_item"): pub["label"],
                   ctx.t("ch_col_n", wave=old): [ctx.num(v) for v in pub["n_old"]],
                   ctx.t("ch_col_n", wave=new): [ctx.num(v) for v in pub["n_new"]],
                   ctx.t("ch_col_median", wave=old): [ctx.median(v, i) for v, i in zip(pub["median_old"], pub["item"])],
                   ctx.t("ch_col_median", wave=new): [ctx.median(v, i) for v, i in zip(pub["median_new"], pub["item"])]}
        if top2:
            columns.update({
                ctx.t("ch_col_top2", wave=old): [ctx.pct(v) for v in pub["top2_pct_old"]],
                ctx.t("ch_col_top2", wave=new): [ctx.pct(v) for v in pub["top2_pct_new"]],
                ctx.t("ch_col_diff"): [self._points(v) for v in pub["diff_pp"]],
                ctx.t("ch_col_diff_ci", level=ctx.num(100 * ctx.level)): [
                    self._points_interval(lo, hi) for lo, hi in zip(pub["diff_low"], pub["diff_high"])]})
        columns.update({ctx.t("ch_col_test_on"): [ctx.t(f"ch_test_on_{v}") for v in pub["test_on"]],
                        ctx.t("col_rank_biserial"): [ctx.num(v, 2) for v in pub["rank_biserial"]],
                        ctx.t("col_p_holm"): [ctx.p(v) for v in pub["p_holm"]],
                        ctx.t("ch_col_changed"): [self._yes_no(v) for v in pub["changed"]]})
        return pd.DataFrame(columns)

    def _ratings_sentence(self, pub: Published, what: str) -> str:
        ctx = self.ctx
        entries = [ctx.t("ch_rating_entry", item=r["label"],
                         direction=ctx.t("ch_higher" if r["rank_biserial"] > 0 else "ch_lower"),
                         r=ctx.num(r["rank_biserial"], 2), p=ctx.p(r["p_holm"]))
                   for r in pub.rows() if r["changed"] is True or r["changed"] is np.True_]
        if entries:
            return ctx.t("ch_ratings_changed", what=what, label=self.cmp.label, items="; ".join(entries))
        return ctx.t("ch_ratings_none", what=what, label=self.cmp.label)

    # --- ranks ----------------------------------------------------------------------------------------
    def ranks(self, items: list[Item], grid: str) -> None:
        ctx = self.ctx
        ids = [i.id for i in items]
        ranks, orders = change.rank_change(self.old, self.new, ids, dont_know=items[0].dont_know_codes,
                                           level=ctx.level, replicates=RANK_REPLICATES, seed=RANK_SEED)
        labels = {i.id: i.label(ctx.lang) for i in items}
        ranks.insert(1, "label", [labels[i] for i in ranks["item"]])
        pub = publication.unprotected(ranks)
        for wave in ("old", "new"):  # ranks from fewer than k complete cases are not shown
            few = (ranks[f"n_{wave}"].fillna(0) < ctx.k).to_numpy()
            pub = pub.hide(few, [c for c in ranks.columns if c.endswith(wave) or f"_{wave}_" in c])
        pub = pub.sorted_by("rank_new", ascending=True)
        old, new = self.waves
        title = self._grid_title(grid)
        block = Block(f"change_{grid}_ranks", ctx.t("ch_caption_ranks", what=title, old=old, new=new), table=pub,
                      display=self._ranks_display(pub))
        orders.insert(2, "label_a", [labels[i] for i in orders["item_a"]])
        orders.insert(3, "label_b", [labels[i] for i in orders["item_b"]])
        order_pub = publication.unprotected(orders)
        if pub.mask.any().any():  # an order from a hidden rank is not shown either
            order_pub = order_pub.hide(np.ones(len(orders), dtype=bool), ["gap_old", "gap_new", "gap_change", "p",
                                                                          "p_holm", "supported"])
        self.section.blocks.append(block)
        if len(orders):
            self.section.blocks.append(Block(f"change_{grid}_order", ctx.t("ch_caption_order", what=title),
                                             table=order_pub, display=self._order_display(order_pub)))
        self.section.paragraphs += [self._order_sentence(order_pub, len(orders), title),
                                    ctx.t("ch_rank_method", replicates=ctx.num(RANK_REPLICATES))]
        self.facts["ranks"] += [{"grid": grid, "item": r["item"], **{k: published(r[k]) for k in (
            "rank_old", "rank_old_low", "rank_old_high", "rank_new", "rank_new_low", "rank_new_high")}}
                                for r in pub.rows()]
        self.facts["order_changes"] += [{"grid": grid, "item_a": r["item_a"], "item_b": r["item_b"],
                                         "p_holm": published(r["p_holm"]),
                                         "supported": None if is_hidden(r["supported"]) else bool(r["supported"])}
                                        for r in order_pub.rows()]

    def _ranks_display(self, pub: Published) -> pd.DataFrame:
        """The reader's table of ranks in both waves, with their intervals."""
        ctx = self.ctx
        old, new = self.waves
        return pd.DataFrame({
            ctx.t("col_item"): pub["label"],
            ctx.t("ch_col_rank", wave=old): [ctx.num(v) for v in pub["rank_old"]],
            ctx.t("ch_col_rank_ci", wave=old, level=ctx.num(100 * ctx.level)): [
                self._rank_interval(lo, hi) for lo, hi in zip(pub["rank_old_low"], pub["rank_old_high"])],
            ctx.t("ch_col_rank", wave=new): [ctx.num(v) for v in pub["rank_new"]],
            ctx.t("ch_col_rank_ci", wave=new, level=ctx.num(100 * ctx.level)): [
                self._rank_interval(lo, hi) for lo, hi in zip(pub["rank_new_low"], pub["rank_new_high"])],
        })

    def _order_display(self, order_pub: Published) -> pd.DataFrame:
        """The reader's table of pairs of items: above or below in each wave, and whether the order changed."""
        ctx = self.ctx
        old, new = self.waves
        return pd.DataFrame({
            ctx.t("col_item_a"): order_pub["label_a"], ctx.t("col_item_b"): order_pub["label_b"],
            ctx.t("ch_col_order", wave=old): [ctx.t("ch_above" if g > 0 else "ch_below") if not is_hidden(g)
                                              else SUPPRESSED for g in order_pub["gap_old"]],
            ctx.t("ch_col_order", wave=new): [ctx.t("ch_above" if g > 0 else "ch_below") if not is_hidden(g)
                                              else SUPPRESSED for g in order_pub["gap_new"]],
            ctx.t("col_p_holm"): [ctx.p(v) for v in order_pub["p_holm"]],
            ctx.t("ch_col_supported"): [self._yes_no(v) for v in order_pub["supported"]]})

    def _order_sentence(self, order_pub: Published, n_orders: int, title: str) -> str:
        """The pairs whose order changed (shown by the test), or that none did."""
        ctx = self.ctx
        supported = [r for r in order_pub.rows() if r["supported"] is True or r["supported"] is np.True_]
        if supported:
            pairs = [ctx.t("ch_order_pair", a=r["label_a"], b=r["label_b"],
                           where=ctx.t("ch_below" if r["gap_new"] < 0 else "ch_above")) for r in supported]
            return ctx.t("ch_order_supported", what=title, label=self.cmp.label, pairs="; ".join(pairs))
        if n_orders:
            return ctx.t("ch_order_unsupported", what=title, count=ctx.num(n_orders), label=self.cmp.label)
        return ctx.t("ch_order_same", what=title)

    # --- what could not be compared ---------------------------------------------------------------------
    def not_compared(self, every_theme: bool = False) -> None:
        ctx = self.ctx
        rows = [d for d in self.cmp.differences if every_theme or d.theme == self.theme]
        if not rows:
            return
        table = pd.DataFrame({"theme": [d.theme for d in rows], "item": [d.item for d in rows],
                              "column": [d.column or "" for d in rows], "status": [d.status for d in rows],
                              "label": [self._difference_label(d) for d in rows],
                              "why": [d.why.get(ctx.lang, "") for d in rows]})
        display = pd.DataFrame({
            ctx.t("col_item"): table["label"],
            **({ctx.t("col_theme"): [ctx.codebook.theme_label(t, ctx.lang) for t in table["theme"]]}
               if every_theme else {}),
            ctx.t("ch_col_status"): [ctx.t(f"ch_status_{s}", old=self.cmp.label) for s in table["status"]],
            ctx.t("ch_col_why"): table["why"]})
        name = "change_appendix_not_compared" if every_theme else "change_not_compared"
        caption = ctx.t("ch_caption_appendix" if every_theme else "ch_caption_not_compared", old=self.cmp.label)
        self.section.blocks.append(Block(name, caption, table=publication.unprotected(table), display=display))
        if every_theme:
            self.section.paragraphs.append(ctx.t("ch_appendix", count=ctx.num(len(rows)), label=self.cmp.label))
        else:
            items = ", ".join(f"‘{text}’" for text in table["label"])
            self.section.paragraphs.append(ctx.t("ch_not_compared", items=items, label=self.cmp.label))
            self.facts["not_compared"] = [{"item": d.item, "column": d.column, "status": d.status} for d in rows]

    def _difference_label(self, d: WaveDifference) -> str:
        ctx = self.ctx
        book = ctx.codebook if d.item in ctx.codebook else self.cmp.codebook
        item = book[d.item]
        if d.column is None:
            return item.label(ctx.lang)
        code = d.column[len(d.item) + 1:]
        other = self.cmp.codebook if book is ctx.codebook else ctx.codebook
        options = {**(other[d.item].code_labels(ctx.lang) if d.item in other else {}), **item.code_labels(ctx.lang)}
        return f"{item.label(ctx.lang)}: {options.get(code, code)}"

    # --- the claims, per wave ---------------------------------------------------------------------------
    def claims(self, results: list[dict[str, Any]]) -> None:
        ctx = self.ctx
        earlier = earlier_wave_verdicts(self.cmp, ctx)
        table = pd.DataFrame({"id": [r["id"] for r in results], "theme": [r["theme"] for r in results],
                              "claim": [r["claim"] for r in results],
                              "verdict_old": [earlier.get(r["id"], "not_testable") for r in results],
                              "verdict_new": [r["verdict"] for r in results]})
        old, new = self.waves
        display = pd.DataFrame({ctx.t("col_claim"): table["claim"],
                                **{ctx.t("ch_col_verdict", wave=wave): [ctx.t(f"verdict_{v}") for v in table[column]]
                                   for wave, column in ((old, "verdict_old"), (new, "verdict_new"))}})
        self.section.blocks.append(Block("change_claims", ctx.t("ch_caption_claims", old=old, new=new),
                                         table=publication.unprotected(table), display=display))
        same = int((table["verdict_old"] == table["verdict_new"]).sum())
        self.section.paragraphs += [ctx.t("ch_claims", same=ctx.num(same), total=ctx.num(len(table)),
                                          label=self.cmp.label), ctx.t("ch_claims_method")]
        self.facts["claims"] = [{"id": i, "old": o, "new": n} for i, o, n in
                                zip(table["id"], table["verdict_old"], table["verdict_new"])]

    def appendix(self) -> None:
        self.not_compared(every_theme=True)

    # --- formatting -----------------------------------------------------------------------------------
    def _weights(self, frame: pd.DataFrame) -> pd.Series | None:
        return frame[self.ctx.weights] if self.ctx.weights else None

    def _footer(self) -> str:
        return self.ctx.t("ch_footer", old=self.waves[0], n_old=self.ctx.num(len(self.old)),
                          n_new=self.ctx.num(len(self.new)))

    def _alt(self, pub: Published, labels: list[str], a: str, b: str) -> str:
        return paired_alt(pub, labels, a, b, self.waves[0], self.waves[1], self.ctx)

    def _points(self, value: Any) -> str:
        if is_hidden(value) or value is None or pd.isna(value):
            return self.ctx.num(value)
        return ("+" if value > 0 else "") + self.ctx.num(value, 1)

    def _points_interval(self, low: Any, high: Any) -> str:
        if is_hidden(low) or is_hidden(high):
            return SUPPRESSED
        if low is None or high is None or pd.isna(low) or pd.isna(high):
            return "–"
        return f"{self.ctx.num(low, 1)} … {self.ctx.num(high, 1)}"

    def _rank_interval(self, low: Any, high: Any) -> str:
        if is_hidden(low) or is_hidden(high):
            return SUPPRESSED
        if low is None or pd.isna(low):
            return "–"
        return f"{self.ctx.num(low)}–{self.ctx.num(high)}"

    def _yes_no(self, value: Any) -> str:
        if is_hidden(value):
            return SUPPRESSED
        if value is None or value is pd.NA:
            return "–"
        return self.ctx.t("word_yes") if bool(value) else self.ctx.t("word_no")

    def _changed_sentence(self, pub: Published, what: str, label: str) -> str:
        ctx = self.ctx
        entries = [ctx.t("ch_share_entry", item=r[label], diff=self._points(r["diff_pp"]),
                         ci=self._points_interval(r["diff_low"], r["diff_high"]))
                   for r in pub.rows() if r["changed"] is True or r["changed"] is np.True_]
        if entries:
            return ctx.t("ch_shares_changed", what=what, label=self.cmp.label, items="; ".join(entries))
        return ctx.t("ch_shares_none", what=what, label=self.cmp.label)


def _common_question(items: list[Item], lang: str) -> str:
    """The shared stem of a grid's questions (text before the colon)."""
    text = items[0].label(lang, short=False)
    return text.split(":")[0] if ":" in text else message("ch_what_statements", lang)


def _own_grid(frame: pd.DataFrame, items: list[Item], ctx: Context) -> tuple[Published, Published]:
    """A wave's own published summary and distribution of a grid, as its chapter publishes them."""
    summary, distribution = rating_statistics(frame, items, ctx)
    return publication.rating_grid(summary, distribution, items[0].substantive_codes, ctx.rules)


