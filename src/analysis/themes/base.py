"""What a theme computation returns, and the building blocks the six themes share.

A theme function takes the survey frame and a :class:`Context` and returns a
:class:`ThemeResult`: sections with headings, sentences built from computed values, published
tables (already through small-cell suppression), figures, and a facts dictionary. Notebooks only
display it; :meth:`ThemeResult.save` writes the theme's files.
"""
from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import stats
from ..codebook import Codebook, Item, load_codebook
from ..disclosure import SUPPRESSED, suppress
from ..figures import diverging_bars, proportion_bars, save_figure
from ..quotes import scrub_quote
from ..text import fmt_interval, fmt_number, fmt_p, fmt_pct, is_suppressed, message


@dataclass
class Context:
    """Parameters every theme computation shares (the notebook's parameters)."""

    lang: str = "en"
    min_cell: int = 5
    level: float = 0.95
    weights: str | None = None
    synthetic: bool = False
    codebook: Codebook = field(default_factory=load_codebook)

    def t(self, key: str, **values: Any) -> str:
        return message(key, self.lang, **values)

    def pct(self, value: Any) -> str:
        return fmt_pct(value, self.lang)

    def num(self, value: Any, digits: int = 0) -> str:
        return fmt_number(value, self.lang, digits)

    def interval(self, low: Any, high: Any) -> str:
        return fmt_interval(low, high, self.lang)

    def p(self, value: Any) -> str:
        return fmt_p(value, self.lang)

    def count(self, value: int) -> str:
        """A respondent count for prose, or the suppression phrase when it is below k."""
        return self.num(value) if value >= self.min_cell else self.t("fewer_than_k", k=self.min_cell)

    @property
    def synthetic_label(self) -> str | None:
        return self.t("synthetic_marker") if self.synthetic else None

    def label(self, item_id: str) -> str:
        return self.codebook[item_id].label(self.lang)

    def option_label(self, column: str) -> str:
        """Label of one option column of a multi-select item (``uses_made_networking``)."""
        item = self.codebook.column_item()[column]
        return item.code_labels(self.lang)[column[len(item.id) + 1:]]


@dataclass
class Block:
    """One table or figure shown to the reader (and written to the theme's folder as `name`)."""

    name: str
    caption: str
    table: pd.DataFrame | None = None     # published: suppressed, machine column names
    display: pd.DataFrame | None = None   # the same, labelled for the reader
    figure: plt.Figure | None = None
    files: list[Path] = field(default_factory=list)


@dataclass
class Section:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


@dataclass
class ThemeResult:
    theme: str
    title: str
    question: str
    sections: list[Section]
    summary: list[str]
    facts: dict[str, Any]

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(f"theme {self.theme!r} has no section {key!r}: {[s.key for s in self.sections]}")

    def tables(self) -> dict[str, pd.DataFrame]:
        return {b.name: b.table for s in self.sections for b in s.blocks if b.table is not None}

    def save(self, output_dir: str | Path) -> Path:
        """Write tables (CSV), figures (PNG, SVG) and facts (JSON) under `output_dir/<theme>/`."""
        folder = Path(output_dir) / self.theme
        folder.mkdir(parents=True, exist_ok=True)
        for section in self.sections:
            for block in section.blocks:
                if block.table is not None:
                    path = folder / f"{block.name}.csv"
                    block.table.to_csv(path, index=False, float_format="%.4g", lineterminator="\n")
                    block.files.append(path)
                if block.figure is not None:
                    block.files.extend(save_figure(block.figure, folder / block.name))
                    plt.close(block.figure)
        with open(folder / "facts.json", "w", encoding="utf-8") as fh:
            json.dump(_jsonable(self.facts), fh, indent=2, ensure_ascii=False, sort_keys=True)
            fh.write("\n")
        return folder


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(float(value)) else round(float(value), 6)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def published(value: Any) -> Any:
    """A cell of a published table as a fact: numbers as float, the marker kept."""
    if is_suppressed(value):
        return SUPPRESSED
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value) if isinstance(value, (int, float, np.integer, np.floating)) else value


def sort_published(table: pd.DataFrame, column: str, ascending: bool = False) -> pd.DataFrame:
    """Sort a published table by `column`; suppressed cells go last, in their original order
    (sorting by the hidden value would reveal something about it)."""
    if table.empty:
        return table
    key = pd.to_numeric(table[column].where(table[column] != SUPPRESSED), errors="coerce")
    key = key if not ascending else -key
    order = key.fillna(-np.inf).to_numpy()
    positions = sorted(range(len(table)), key=lambda i: -order[i])
    return table.iloc[positions].reset_index(drop=True)


def base_footer(ctx: Context, n_min: Any, n_max: Any) -> str:
    if n_min == n_max:
        return ctx.t("footer_base_one", n=ctx.num(n_min))
    return ctx.t("footer_base_range", n_min=ctx.num(n_min), n_max=ctx.num(n_max))


# --------------------------------------------------------------------------- rating grids

def rating_grid(frame: pd.DataFrame, items: list[Item], ctx: Context, name: str, title: str) -> tuple[Block, Block, pd.DataFrame]:
    """Summary table and diverging-bar figure of a set of rating items (same scale).

    Returns (table block, figure block, published summary sorted by top-2 share).
    """
    ids = [i.id for i in items]
    scale, dont_know = items[0].substantive_codes, items[0].dont_know_codes
    summary = _every_item(stats.rating_summary(frame, ids, scale=scale, dont_know=dont_know, weights=ctx.weights,
                                               level=ctx.level), ids, frame)
    distribution = stats.rating_distribution(frame, ids, scale=scale, dont_know=dont_know, weights=ctx.weights,
                                             level=ctx.level)
    distribution = _every_item_code(distribution, ids, scale, frame)
    # The summary's top-2 and bottom-2 counts are sums of distribution cells: declare those sums
    # public while suppressing the distribution, so no hidden cell follows from them.
    distribution["top_box"] = distribution["code"].isin(scale[-2:])
    distribution["bottom_box"] = distribution["code"].isin(scale[:2])
    distribution_pub = suppress(distribution, ctx.min_cell,
                                within={"count": [["item"], ["item", "top_box"], ["item", "bottom_box"]]},
                                across=[["n", "dont_know_n", "missing_n"]])
    # n - top2 - bottom2 is the middle category: a cell too, so the three must be suppressed together
    summary["middle_count"] = summary["n"] - summary["top2_count"] - summary["bottom2_count"]
    summary_pub = suppress(summary, ctx.min_cell,
                           across=[["n", "dont_know_n", "missing_n"], ["top2_count", "bottom2_count", "middle_count"]])
    summary_pub = summary_pub.drop(columns=["middle_count"])
    # mean x n = sum of code x count: one more equation in the counts, so no mean next to a hidden count
    hidden = set(distribution_pub.loc[distribution_pub["count"] == SUPPRESSED, "item"])
    summary_pub["mean"] = summary_pub["mean"].astype(object).where(~summary_pub["item"].isin(hidden), SUPPRESSED)
    summary_pub = sort_published(summary_pub, "top2_pct")
    order = list(summary_pub["item"])
    labels = {i.id: i.label(ctx.lang) for i in items}
    scale_labels = [items[0].code_labels(ctx.lang)[c] for c in scale]
    dk_label = items[0].code_labels(ctx.lang)[dont_know[0]] if dont_know else ""
    ns = [v for v in summary_pub["n"] if not is_suppressed(v)]
    footer = base_footer(ctx, min(ns, default=0), max(ns, default=0)) + " " + ctx.t("footer_rating")
    fig = diverging_bars(distribution_pub, labels, scale_labels, dk_label, order, title, footer,
                         ctx.synthetic_label, ctx.t("axis_pct_substantive"), ctx.t("suppressed_note", k=ctx.min_cell))
    display = pd.DataFrame({
        ctx.t("col_item"): [labels[i] for i in summary_pub["item"]],
        ctx.t("col_n"): summary_pub["n"],
        ctx.t("col_dont_know"): summary_pub["dont_know_n"],
        ctx.t("col_missing"): summary_pub["missing_n"],
        ctx.t("col_median"): [scale_labels[scale.index(int(m))] if not is_suppressed(m) and float(m).is_integer()
                               else ctx.num(m, 1) for m in summary_pub["median"]],
        ctx.t("col_top2"): [ctx.pct(v) for v in summary_pub["top2_pct"]],
        ctx.t("col_ci", level=ctx.num(100 * ctx.level)): [ctx.interval(lo, hi) for lo, hi in
                                                          zip(summary_pub["top2_low"], summary_pub["top2_high"])],
        ctx.t("col_bottom2"): [ctx.pct(v) for v in summary_pub["bottom2_pct"]],
        ctx.t("col_mean"): [ctx.num(v, 2) for v in summary_pub["mean"]],
    })
    table_block = Block(f"{name}_summary", ctx.t("caption_rating_table", title=title), table=summary_pub, display=display)
    figure_block = Block(f"{name}_distribution", ctx.t("caption_rating_figure", title=title), table=distribution_pub,
                         figure=fig)
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


def blank_tests(table: pd.DataFrame, counts: list[str], statistics: list[str], k: int) -> pd.DataFrame:
    """Blank test statistics, p-values and effect sizes in rows where a count is suppressed or below k.

    An exact test statistic computed from a small cell can be inverted to recover the cell.
    """
    small = pd.Series(False, index=table.index)
    for column in counts:
        values = table[column]
        numeric = pd.to_numeric(values.where(values != SUPPRESSED), errors="coerce")
        small |= (values == SUPPRESSED) | ((numeric > 0) & (numeric < k))
    table = table.copy()
    for column in statistics:
        table[column] = table[column].astype(object).where(~small, SUPPRESSED)
    return table


def grid_facts(summary_pub: pd.DataFrame) -> list[dict[str, Any]]:
    """Per item of a grid, in published order: top-2 share with interval, base and median."""
    return [{"item": r["item"], "n": published(r["n"]), "top2_pct": published(r["top2_pct"]),
             "top2_low": published(r["top2_low"]), "top2_high": published(r["top2_high"]),
             "bottom2_pct": published(r["bottom2_pct"]), "bottom2_low": published(r["bottom2_low"]),
             "bottom2_high": published(r["bottom2_high"]), "median": published(r["median"])}
            for _, r in summary_pub.iterrows()]


# --------------------------------------------------------------------------- rankings

def ranking(frame: pd.DataFrame, items: list[Item], ctx: Context, name: str) -> tuple[Block, list[str], dict[str, Any]]:
    """Is the ranking of items real? Friedman test, Kendall's W, pairwise Wilcoxon (Holm).

    Returns (pairwise table block, sentences, facts).
    """
    ids = [i.id for i in items]
    dont_know = items[0].dont_know_codes
    friedman = stats.friedman_test(frame, ids, dont_know=dont_know)
    ranks = stats.mean_ranks(frame, ids, dont_know=dont_know).sort_values("mean_rank", ascending=False,
                                                                          kind="stable").reset_index(drop=True)
    pairs = stats.pairwise_wilcoxon(frame, ids, dont_know=dont_know)
    pairs_pub = blank_tests(suppress(pairs, ctx.min_cell, counts=["n", "n_nonzero"],
                                     derived={"median_a": "n", "median_b": "n"}, within={}, across=[]),
                            ["n", "n_nonzero"], ["statistic", "p", "p_holm", "rank_biserial"], ctx.min_cell)
    labels = {i.id: i.label(ctx.lang) for i in items}
    # The reader sees each item against the next one in the ranking; all pairs are in the CSV.
    adjacent = []
    for higher, lower in zip(ranks["item"], ranks["item"].iloc[1:]):
        row = pairs_pub[(pairs_pub["item_a"] == higher) & (pairs_pub["item_b"] == lower)]
        sign = 1.0
        if row.empty:
            row, sign = pairs_pub[(pairs_pub["item_a"] == lower) & (pairs_pub["item_b"] == higher)], -1.0
        if row.empty:
            continue
        r = row.iloc[0]
        effect = r["rank_biserial"] if is_suppressed(r["rank_biserial"]) else sign * r["rank_biserial"]
        adjacent.append({ctx.t("col_item_a"): labels[higher], ctx.t("col_item_b"): labels[lower],
                         ctx.t("col_n"): r["n"], ctx.t("col_p_holm"): ctx.p(r["p_holm"]),
                         ctx.t("col_rank_biserial"): ctx.num(effect, 2)})
    display = pd.DataFrame(adjacent, columns=[ctx.t(c) for c in ("col_item_a", "col_item_b", "col_n", "col_p_holm",
                                                                   "col_rank_biserial")])
    block = Block(f"{name}_pairwise", ctx.t("caption_pairwise"), table=pairs_pub, display=display)
    facts: dict[str, Any] = {}
    sentences: list[str] = []
    if len(friedman) and friedman["n"].iloc[0] >= ctx.min_cell:
        facts["order"] = list(ranks["item"])
        f = friedman.iloc[0]
        top, second = ranks["item"].iloc[0], ranks["item"].iloc[1]
        top_vs_second = _pair(pairs, top, second)
        facts.update({"n": int(f["n"]), "friedman_statistic": f["statistic"], "friedman_df": f["df"],
                      "friedman_p": f["p"], "kendalls_w": f["kendalls_w"], "top": top, "second": second,
                      "top_vs_second_p_holm": top_vs_second["p_holm"],
                      "top_vs_second_rank_biserial": top_vs_second["rank_biserial"]})
        sentences.append(ctx.t("ranking_friedman", n=ctx.num(f["n"]), chi2=ctx.num(f["statistic"], 1),
                               df=ctx.num(f["df"]), p=ctx.p(f["p"]), w=ctx.num(f["kendalls_w"], 2)))
        if is_suppressed(published_value(pairs_pub[(pairs_pub["item_a"].isin([top, second]))
                                                   & (pairs_pub["item_b"].isin([top, second]))], "p_holm")):
            return block, sentences, {k: v for k, v in facts.items() if not k.startswith("top_vs")}
        key = "ranking_top_clear" if top_vs_second["p_holm"] < 1 - ctx.level else "ranking_top_unclear"
        sentences.append(ctx.t(key, top=labels[top], second=labels[second], p=ctx.p(top_vs_second["p_holm"]),
                               r=ctx.num(top_vs_second["rank_biserial"], 2)))
    return block, sentences, facts


def _pair(pairs: pd.DataFrame, a: str, b: str) -> dict[str, float]:
    """Holm p and rank-biserial of a vs b (sign oriented so that r > 0 means a rated higher)."""
    row = pairs[(pairs["item_a"] == a) & (pairs["item_b"] == b)]
    sign = 1.0
    if row.empty:
        row = pairs[(pairs["item_a"] == b) & (pairs["item_b"] == a)]
        sign = -1.0
    r = row.iloc[0]
    return {"p_holm": float(r["p_holm"]), "rank_biserial": sign * float(r["rank_biserial"])}


def ranked_grid(frame: pd.DataFrame, items: list[Item], ctx: Context, name: str,
                title: str) -> tuple[list[Block], list[str], pd.DataFrame, dict[str, Any]]:
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
    u = useful.iloc[0]
    usefulness = Section("usefulness", ctx.t(f"{key}_h_usefulness"), [
        ctx.t("usefulness_sentence", pct=ctx.pct(u["top2_pct"]), ci=ctx.interval(u["top2_low"], u["top2_high"]),
              n=ctx.num(u["n"]), domain=domain_text)], [figure, table])
    blocks, sentences, summary, rank_facts = ranked_grid(frame, ctx.codebook.grid(f"{domain}_applications"), ctx,
                                                         f"{domain}_applications", ctx.t(f"{key}_title_applications"))
    top3 = [ctx.label(i) for i in summary["item"].iloc[:3]]
    opening = ctx.t("applications_top", first=top3[0], second=top3[1], third=top3[2],
                    pct=ctx.pct(summary["top2_pct"].iloc[0]), last=ctx.label(summary["item"].iloc[-1]),
                    last_pct=ctx.pct(summary["top2_pct"].iloc[-1]))
    applications = Section("applications", ctx.t(f"{key}_h_applications"), [opening] + sentences, blocks)
    facts = {"usefulness": grid_facts(useful)[0], "applications": grid_facts(summary), "ranking": rank_facts}
    lines = [ctx.t("usefulness_summary", pct=ctx.pct(u["top2_pct"]), domain=domain_text),
             ctx.t("applications_summary", first=top3[0], second=top3[1], third=top3[2])]
    return [usefulness, applications], facts, lines


# --------------------------------------------------------------------------- multi-select

def multi_select(frame: pd.DataFrame, item: Item, ctx: Context, title: str) -> tuple[Block, Block, list[str], dict]:
    """% of respondents per option (with intervals), % of mentions, and Cochran's Q."""
    columns = item.columns
    table = stats.multi_select(frame, columns, weights=ctx.weights, level=ctx.level)
    options = {f"{item.id}_{code}": label for code, label in item.code_labels(ctx.lang).items()}
    table.insert(1, "label", [options[o] for o in table["option"]])
    table["rest"] = table["n"] - table["count"]  # who did not tick it: a cell of respondents too
    pub = suppress(table, ctx.min_cell, counts=["n", "count", "rest"], within={"count": []}, across=[["count", "rest"]],
                   derived={"pct": ("count", "n"), "pct_low": ("count", "n"), "pct_high": ("count", "n"),
                            "mentions_pct": ("count", None), "mentions_n": (None, None), "mean_ticked": (None, None)})
    pub = sort_published(pub.drop(columns=["rest"]), "pct")
    n = int(table["n"].iloc[0]) if len(table) else 0
    footer = ctx.t("footer_multi", n=ctx.num(n))
    fig = proportion_bars(pub, "label", title, footer, ctx.synthetic_label, ctx.t("axis_pct_respondents"),
                          ctx.t("suppressed_note", k=ctx.min_cell))
    display = pd.DataFrame({
        ctx.t("col_option"): pub["label"],
        ctx.t("col_n"): pub["n"],
        ctx.t("col_count"): pub["count"],
        ctx.t("col_pct_respondents"): [ctx.pct(v) for v in pub["pct"]],
        ctx.t("col_ci", level=ctx.num(100 * ctx.level)): [ctx.interval(lo, hi) for lo, hi in zip(pub["pct_low"], pub["pct_high"])],
        ctx.t("col_pct_mentions"): [ctx.pct(v) for v in pub["mentions_pct"]],
    })
    sentences = []
    facts: dict[str, Any] = {"n": n, "options": [{"option": o, "pct": published(p), "low": published(lo), "high": published(hi)}
                                                 for o, p, lo, hi in zip(pub["option"], pub["pct"], pub["pct_low"], pub["pct_high"])]}
    if n >= ctx.min_cell:
        top = pub.iloc[0]
        mean_ticked = pub["mean_ticked"].iloc[0]
        sentences.append(ctx.t("multi_top", n=ctx.num(n), option=top["label"], pct=ctx.pct(top["pct"]),
                               ci=ctx.interval(top["pct_low"], top["pct_high"]), mean=ctx.num(mean_ticked, 1)))
        q = stats.cochrans_q(frame, columns)
        if len(q):
            facts.update({"cochran_q": q["q"].iloc[0], "cochran_df": q["df"].iloc[0], "cochran_p": q["p"].iloc[0]})
            sentences.append(ctx.t("multi_cochran", q=ctx.num(q["q"].iloc[0], 1), df=ctx.num(q["df"].iloc[0]),
                                   p=ctx.p(q["p"].iloc[0])))
    return (Block(f"{item.id}", ctx.t("caption_multi_table", title=title), table=pub, display=display),
            Block(f"{item.id}_figure", ctx.t("caption_multi_figure", title=title), figure=fig), sentences, facts)


# --------------------------------------------------------------------------- open answers

def _plain(text: str) -> str:
    """Free text as literal text in Markdown: HTML escaped, Markdown markup characters escaped."""
    text = html.escape(" ".join(text.split()), quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+!|>~-])", r"\\\1", text)


def open_answers(frame: pd.DataFrame, item: Item, ctx: Context, limit: int = 4) -> tuple[list[str], dict]:
    """A few scrubbed quotes (only when at least k respondents answered), and the answer count."""
    answers = frame[item.id].dropna()
    answers = answers[answers.str.strip() != ""]
    n = len(answers)
    if n < ctx.min_cell:
        return [ctx.t("open_too_few", k=ctx.min_cell)], {"answered": SUPPRESSED}
    quotes: list[str] = []
    for text in answers:
        clean = scrub_quote(text)
        if clean not in quotes:
            quotes.append(clean)
        if len(quotes) == limit:
            break
    lines = [ctx.t("open_intro", n=ctx.num(n), question=item.label(ctx.lang, short=False))]
    lines += [f"> “{_plain(q)}”" for q in quotes]
    return lines, {"answered": n}


# --------------------------------------------------------------------------- categories

def category_table(frame: pd.DataFrame, column: str, rows: dict[str, list[Any]], ctx: Context, name: str,
                   caption: str, title: str | None = None) -> tuple[Block, Block | None, pd.DataFrame]:
    """Share of respondents per category (each row a set of codes), with Wilson intervals.

    The base is everyone who answered `column`; rows are in the given order. Returns the table
    block, an optional bar figure (when `title` is given) and the published table.
    """
    parts = []
    for label, codes in rows.items():
        share = stats.proportion(frame, column, success=codes, weights=ctx.weights, level=ctx.level)
        share.insert(1, "label", label)
        parts.append(share)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    table["item"] = column
    pub = suppress(table, ctx.min_cell, counts=["count"], within={"count": []},
                   derived={"pct": ("count", "n"), "pct_low": ("count", "n"), "pct_high": ("count", "n"),
                            "n_eff": (None, None), "deff": (None, None)})
    display = pd.DataFrame({
        ctx.t("col_category"): pub["label"],
        ctx.t("col_n"): pub["n"],
        ctx.t("col_count"): pub["count"],
        ctx.t("col_pct"): [ctx.pct(v) for v in pub["pct"]],
        ctx.t("col_ci", level=ctx.num(100 * ctx.level)): [ctx.interval(lo, hi) for lo, hi in zip(pub["pct_low"], pub["pct_high"])],
    })
    n = int(table["n"].iloc[0]) if len(table) else 0
    block = Block(name, caption, table=pub.drop(columns=["n_eff", "deff"]), display=display)
    figure = None
    if title is not None:
        fig = proportion_bars(pub, "label", title, ctx.t("footer_base_one", n=ctx.num(n)), ctx.synthetic_label,
                              ctx.t("axis_pct_respondents"), ctx.t("suppressed_note", k=ctx.min_cell))
        figure = Block(f"{name}_figure", caption, figure=fig)
    return block, figure, pub


def share_by_group(frame: pd.DataFrame, outcome: pd.Series, group: pd.Series, groups: dict[Any, str], ctx: Context,
                   name: str, caption: str, title: str | None,
                   public_sums: dict[Any, Any] | None = None) -> tuple[Block, Block | None, pd.DataFrame]:
    """Share with a 0/1 `outcome` within each group (one row per group), with Wilson intervals.

    `public_sums` maps a group to the key of a coarser group whose totals are published elsewhere
    (e.g. role -> citizen-facing or not), so suppression here also protects against those totals.
    Returns the table block, a bar figure (unless `title` is None) and the published table.
    """
    rows = [pd.DataFrame(columns=["item", "label", *stats.PROPORTION_COLUMNS[1:], "group"])]
    for code, label in groups.items():
        members = group == code
        sub = pd.DataFrame({"outcome": outcome[members]})
        if ctx.weights:
            sub["weight"] = frame.loc[members, ctx.weights]
        share = stats.proportion(sub, "outcome", weights="weight" if ctx.weights else None, level=ctx.level)
        if len(share):
            share.insert(1, "label", label)
            share["group"] = code
            rows.append(share)
    table = pd.concat(rows, ignore_index=True)
    table["rest"] = table["n"] - table["count"]  # the other answer is a cell of respondents too
    keys: list[list[str]] = [[]]
    if public_sums is not None:
        table["coarse"] = [public_sums.get(g) for g in table["group"]]
        keys.append(["coarse"])
    pub = suppress(table, ctx.min_cell, counts=["n", "count", "rest"],
                   within={"count": keys, "n": keys, "rest": keys}, across=[["count", "rest"]],
                   derived={"pct": ("count", "n"), "pct_low": ("count", "n"), "pct_high": ("count", "n"),
                            "n_eff": (None, None), "deff": (None, None)})
    pub = pub.drop(columns=[c for c in ("rest", "coarse") if c in pub.columns])
    display = pd.DataFrame({
        ctx.t("col_group"): pub["label"],
        ctx.t("col_n"): pub["n"],
        ctx.t("col_pct"): [ctx.pct(v) for v in pub["pct"]],
        ctx.t("col_ci", level=ctx.num(100 * ctx.level)): [ctx.interval(lo, hi) for lo, hi in zip(pub["pct_low"], pub["pct_high"])],
    })
    figure = None
    if title is not None:
        fig = proportion_bars(pub, "label", title, ctx.t("footer_groups"), ctx.synthetic_label,
                              ctx.t("axis_pct_respondents"), ctx.t("suppressed_note", k=ctx.min_cell))
        figure = Block(f"{name}_figure", caption, figure=fig)
    return Block(name, caption, table=pub.drop(columns=["n_eff", "deff", "item"]), display=display), figure, pub


def published_value(table: pd.DataFrame, column: str, where: tuple[str, Any] | None = None) -> Any:
    """One cell of a published table (the marker if suppressed, NaN if there is no such row)."""
    rows = table if where is None else table[table[where[0]] == where[1]]
    return rows[column].iloc[0] if len(rows) else float("nan")


def test_sentence(ctx: Context, data: pd.DataFrame, row: str, column: str, what: str) -> tuple[str, dict[str, Any]]:
    """A sentence and facts for a chi-square / Fisher test of association between two columns.

    Not shown when a cell of the table is below k: the exact statistic could give the cell back.
    """
    cells = stats.crosstab(data, row, column)
    if cells.empty:
        return ctx.t("test_not_possible", what=what), {}
    smallest = cells["count"][cells["count"] > 0].min()
    if smallest < ctx.min_cell or (cells["count"] == 0).any():
        return ctx.t("test_small_cells", what=what, k=ctx.min_cell), {}
    test = stats.crosstab_test(data, row, column)
    if test.empty:
        return ctx.t("test_not_possible", what=what), {}
    r = test.iloc[0]
    facts = {"test": r["test"], "statistic": r["statistic"], "df": r["df"], "p": r["p"], "cramers_v": r["cramers_v"],
             "n": int(r["n"])}
    return ctx.t("association", what=what, test=r["test"], p=ctx.p(r["p"]), v=ctx.num(r["cramers_v"], 2),
                 n=ctx.num(r["n"])), facts


def model_block(model: pd.DataFrame, terms: dict[str, str], ctx: Context, name: str, caption: str) -> Block:
    """Odds ratios of a regression (predictor terms only), labelled."""
    rows = model[model["term_type"] == "predictor"] if "term_type" in model.columns else model
    rows = rows.loc[[t for t in rows.index if t in terms]]
    table = rows.reset_index().rename(columns={"index": "term"})
    if "term" not in table.columns:
        table = table.rename(columns={table.columns[0]: "term"})
    table = suppress(table, ctx.min_cell, counts=["n"], within={}, across=[],
                     derived={c: (None, None) for c in ("or_low", "or_high")})
    display = pd.DataFrame({
        ctx.t("col_term"): [terms[t] for t in table["term"]],
        ctx.t("col_or"): [ctx.num(v, 2) for v in table["odds_ratio"]],
        ctx.t("col_ci", level=ctx.num(100 * ctx.level)): [f"{ctx.num(lo, 2)}–{ctx.num(hi, 2)}"
                                                          for lo, hi in zip(table["or_low"], table["or_high"])],
        ctx.t("col_p"): [ctx.p(p) for p in table["p"]],
    })
    return Block(name, caption, table=table, display=display)
