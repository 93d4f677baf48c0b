"""What a theme computation returns, and the building blocks the six themes share.

A theme function takes the survey frame and a :class:`Context` and returns a
:class:`ThemeResult`: sections with headings, sentences built from computed values, published
tables (already through small-cell suppression), figures, and a facts dictionary. Notebooks only
display it; :meth:`ThemeResult.save` writes the theme's files.
"""
from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.report import facts as facts_schema
from analysis import coding, stats
from analysis.protection import publication
from analysis.survey.codebook import Codebook, Item, load_codebook
from analysis.protection.disclosure import HIDDEN, SUPPRESSED, Published, is_hidden
from analysis.report.figures import diverging_bars, proportion_bars, save_figure
from analysis.core.errors import Problem, SurveyDataError
from analysis.protection.quotes import REVIEW_COLUMNS, quote_hash, review_cell
from analysis.report.text import file_table, fmt_interval, fmt_number, fmt_p, fmt_pct, message


class DisclosureError(SurveyDataError):
    """A published table would pin or narrow a hidden count: the build stops, naming table and cell."""


@dataclass
class Context:
    """Parameters every theme computation shares (the notebook's parameters)."""

    lang: str = "en"
    min_cell: int = 5
    level: float = 0.95
    weights: str | None = None
    synthetic: bool = False
    codebook: Codebook = field(default_factory=load_codebook)
    rules: str = "standard"  # publication rule profile (analysis.protection.publication.PROFILES)
    #: hashes of quotes a person approved (None: no review file); real data publish only these
    approved_quotes: frozenset[str] | None = None

    @property
    def protection(self) -> publication.Rules:
        """The publication rules in force: the profile, with this context's k."""
        return publication.profile(self.rules, self.min_cell)
    #: Final codes of the open answers (:class:`analysis.coding.Coding`); None: the automatic first pass.
    coding: Any = None
    #: The earlier wave to compare with (:class:`analysis.themes.comparison.Comparison`); None: no comparison.
    compare: Any = None
    #: Column of the cluster (organisation) whose design effect widens every interval on a share
    cluster: str | None = "organisation"
    #: False: the numbers and sentences only, no figure drawn and no open answer coded (calibration)
    figures: bool = True
    #: Typed facts of the themes this theme reads (the registry's ``reads_facts_of``), by theme id
    facts_of: dict[str, Any] = field(default_factory=dict)

    def cluster_of(self, frame: pd.DataFrame) -> str | None:
        """The cluster column when the frame has it with at least two clusters, else None."""
        if self.cluster is None or self.cluster not in frame.columns or frame[self.cluster].nunique() < 2:
            return None
        return self.cluster

    @property
    def alpha(self) -> float:
        return 1 - self.level

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

    def count(self, value: Any) -> str:
        """A respondent count for prose, or the suppression phrase when it is hidden or below k."""
        if is_hidden(value) or value is None or value < self.min_cell:
            return self.t("fewer_than_k", k=self.min_cell)
        return self.num(value)

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
    table: Published | None = None        # published: suppressed, machine column names
    display: pd.DataFrame | None = None   # the same, labelled and formatted for the reader
    figure: plt.Figure | None = None
    files: list[Path] = field(default_factory=list)
    alt: str | None = None                # a figure's text alternative, from the values the prose uses


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
    facts: Any  # the theme's facts dataclass (declared in its module; checked when the result is made)
    #: quotes proposed for publication, for the analyst's review file
    quote_candidates: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if isinstance(self.facts, dict):
            self.facts = facts_schema.build(self.theme, self.facts)

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(f"theme {self.theme!r} has no section {key!r}: {[s.key for s in self.sections]}")

    def published(self) -> dict[str, Published]:
        """Every published table of the chapter by name (values and mask of hidden cells)."""
        return {b.name: b.table for s in self.sections for b in s.blocks if b.table is not None}

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every published table as a reader gets it: hidden cells hold the marker."""
        return {name: table.marked() for name, table in self.published().items()}

    def audit(self) -> list[Problem]:
        """Hidden small counts that the chapter's published tables pin or narrow (should be none)."""
        problems = []
        for name, table in self.published().items():
            for (row, column), value, low, high in table.audit():
                problems.append(Problem(f"{self.theme}/{name}.csv", "the published tables narrow a hidden count to "
                                        f"{low:g}..{high:g}", line=row + 2, column=column,
                                        expected="a protection interval as wide as the [c] marker states"))
        return problems

    def disclosure_log(self, profile: str = "standard") -> pd.DataFrame:
        """The output checker's record: every hidden cell of every published table, with its reason."""
        rows = [{"theme": self.theme, "table": name, **entry, "profile": profile}
                for name, table in self.published().items() for entry in table.disclosure_log()]
        return pd.DataFrame(rows, columns=["theme", "table", "row", "row_label", "column", "reason", "profile"])

    def save(self, output_dir: str | Path, ctx: Context | None = None) -> Path:
        """Write tables (CSV), figures (PNG, SVG) and facts (JSON) under `output_dir/<theme>/`, and the
        analyst's files (disclosure log, quotes for review) under `output_dir/analyst/`.

        Refuses (:class:`~analysis.core.errors.SurveyDataError`) when the audit finds a hidden count that
        the published tables pin or narrow.
        """
        problems = self.audit()
        if problems:
            raise DisclosureError(problems)
        folder = Path(output_dir) / self.theme
        folder.mkdir(parents=True, exist_ok=True)
        analyst = Path(output_dir) / "analyst"
        analyst.mkdir(parents=True, exist_ok=True)
        self.disclosure_log(ctx.rules if ctx else "standard").to_csv(
            analyst / f"disclosure_log_{self.theme}.csv", index=False, lineterminator="\n")
        review = pd.DataFrame(self.quote_candidates, columns=REVIEW_COLUMNS)
        review.to_csv(analyst / f"quotes_review_{self.theme}.csv", index=False, lineterminator="\n")
        for section in self.sections:
            for block in section.blocks:
                if block.table is not None:
                    path = folder / f"{block.name}.csv"
                    file_table(block.table).to_csv(path, index=False, lineterminator="\n")
                    block.files.append(path)
                if block.figure is not None:
                    block.files.extend(save_figure(block.figure, folder / block.name))
                    plt.close(block.figure)
        facts_schema.write(self.facts, folder / "facts.json")
        return folder



def draw(ctx: Context, plot: Callable[..., plt.Figure], *args: Any, **kwargs: Any) -> plt.Figure | None:
    """A figure drawn by `plot`, or None when the context computes without figures."""
    return plot(*args, **kwargs) if ctx.figures else None


def published(value: Any) -> Any:
    """A published cell as a fact: numbers as float, a hidden cell as :data:`HIDDEN`, empty as None."""
    if is_hidden(value):
        return HIDDEN
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return float(value) if isinstance(value, (int, float, np.integer, np.floating)) else value


def shown_range(pub: Published, column: str) -> tuple[Any, Any]:
    """Smallest and largest shown value of a column (0, 0 when none is shown)."""
    values = pub.shown(column)
    return (values.min(), values.max()) if len(values) else (0, 0)


def base_footer(ctx: Context, n_min: Any, n_max: Any) -> str:
    if n_min == n_max:
        return ctx.t("footer_base_one", n=ctx.num(n_min))
    return ctx.t("footer_base_range", n_min=ctx.num(n_min), n_max=ctx.num(n_max))


# --------------------------------------------------------------------------- rating grids

def rating_statistics(frame: pd.DataFrame, items: list[Item], ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summary (one row per item) and distribution (one row per item and code) of a rating grid,
    with a row for every item and code, also one nobody answered."""
    ids = [i.id for i in items]
    scale, dont_know = items[0].substantive_codes, items[0].dont_know_codes
    cluster = ctx.cluster_of(frame)
    summary = stats.rating_summary(frame, ids, scale=scale, dont_know=dont_know, weights=ctx.weights, level=ctx.level,
                                   cluster=cluster)
    distribution = stats.rating_distribution(frame, ids, scale=scale, dont_know=dont_know, weights=ctx.weights,
                                             level=ctx.level, cluster=cluster)
    return _every_item(summary, ids, frame), _every_item_code(distribution, ids, scale, frame)


def rating_display(summary_pub: Published, items: list[Item], ctx: Context) -> pd.DataFrame:
    """The reader's table of a rating grid: labels, bases, median, top-2 with interval, bottom-2, mean."""
    scale = items[0].substantive_codes
    labels = {i.id: i.label(ctx.lang) for i in items}
    scale_labels = [items[0].code_labels(ctx.lang)[c] for c in scale]

    def median(m: Any) -> str:
        if is_hidden(m) or m is None or not float(m).is_integer() or int(m) not in scale:
            return ctx.num(m, 1)
        return scale_labels[scale.index(int(m))]

    return pd.DataFrame({
        ctx.t("col_item"): [labels[i] for i in summary_pub["item"]],
        ctx.t("col_n"): [ctx.num(v) for v in summary_pub["n"]],
        ctx.t("col_dont_know"): [ctx.num(v) for v in summary_pub["dont_know_n"]],
        ctx.t("col_missing"): [ctx.num(v) for v in summary_pub["missing_n"]],
        ctx.t("col_median"): [median(m) for m in summary_pub["median"]],
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
    return draw(ctx, diverging_bars, distribution_pub, labels, scale_labels, dk_label, list(summary_pub["item"]), title, footer,
                          ctx.synthetic_label, ctx.t("axis_pct_substantive"), ctx.t("suppressed_note", k=ctx.min_cell))


def _alt_pct(value: Any, ctx: Context) -> str:
    """A percentage in a figure's text alternative (a hidden one named, not marked)."""
    return ctx.t("alt_suppressed") if is_hidden(value) else ctx.pct(value)


def _alt_list(entries: list[str], ctx: Context) -> str:
    return ctx.t("alt_list_separator").join(entries)


def rating_alt(summary_pub: Published, items: list[Item], ctx: Context) -> str:
    """Text alternative of a rating grid's diverging bars: the top-2 share per item, in figure order."""
    labels = {i.id: i.label(ctx.lang) for i in items}
    scale = items[0].substantive_codes
    high, highest = (items[0].code_labels(ctx.lang)[c].lower() for c in scale[-2:])
    entries = [f"‘{labels[i]}’" for i in summary_pub["item"]]
    shares = [_alt_pct(v, ctx) for v in summary_pub["top2_pct"]]
    rest = [ctx.t("alt_rating_more", item=e, pct=p) for e, p in zip(entries[1:], shares[1:])]
    return ctx.t("alt_rating", first=entries[0], high=high, highest=highest, pct=shares[0],
                 rest="".join(ctx.t("alt_list_separator") + r for r in rest))


def proportion_alt(pub: Published, label_col: str, ctx: Context) -> str:
    """Text alternative of proportion bars: each bar's share and interval, in figure order."""
    entries = [f"‘{label}’ {_alt_pct(pct, ctx)}" if any(is_hidden(v) for v in (pct, low, high)) else
               ctx.t("alt_proportion_item", item=f"‘{label}’", pct=ctx.pct(pct), ci=ctx.interval(low, high))
               for label, pct, low, high in zip(pub[label_col], pub["pct"], pub["pct_low"], pub["pct_high"])]
    return ctx.t("alt_proportion", level=ctx.num(100 * ctx.level), items=_alt_list(entries, ctx))


def paired_alt(pub: Published, labels: list[str], a: str, b: str, a_label: str, b_label: str, ctx: Context) -> str:
    """Text alternative of paired dots: both shares per item, in figure order."""
    entries = [ctx.t("alt_pair_item", item=f"‘{label}’", a=_alt_pct(va, ctx), b=_alt_pct(vb, ctx))
               for label, va, vb in zip(labels, pub[a], pub[b])]
    return ctx.t("alt_paired", a=a_label, b=b_label, items=_alt_list(entries, ctx))


def rating_grid(frame: pd.DataFrame, items: list[Item], ctx: Context, name: str, title: str) -> tuple[Block, Block, Published]:
    """Summary table and diverging-bar figure of a set of rating items (same scale).

    Returns (table block, figure block, published summary sorted by top-2 share).
    """
    summary, distribution = rating_statistics(frame, items, ctx)
    summary_pub, distribution_pub = publication.rating_grid(summary, distribution, items[0].substantive_codes,
                                                            ctx.protection)
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


# --------------------------------------------------------------------------- rankings

def _pair(pairs: pd.DataFrame, a: str, b: str) -> dict[str, float] | None:
    """Row of the pairwise table for a vs b, sign oriented so that r > 0 means a rated higher."""
    row = pairs[(pairs["item_a"] == a) & (pairs["item_b"] == b)]
    sign = 1.0
    if row.empty:
        row = pairs[(pairs["item_a"] == b) & (pairs["item_b"] == a)]
        sign = -1.0
    if row.empty:
        return None
    return {"position": int(row.index[0]), "sign": sign}


def ranking_display(pairs_pub: Published, order: list[str], labels: dict[str, str], ctx: Context) -> pd.DataFrame:
    """Each item against the next one in the ranking (all pairs are in the CSV)."""
    rows = []
    values = pairs_pub.values
    for higher, lower in zip(order, order[1:]):
        found = _pair(values, higher, lower)
        if found is None:
            continue
        i, sign = found["position"], found["sign"]
        effect = pairs_pub.cell(i, "rank_biserial")
        rows.append({ctx.t("col_item_a"): labels[higher], ctx.t("col_item_b"): labels[lower],
                     ctx.t("col_n"): ctx.num(pairs_pub.cell(i, "n")), ctx.t("col_p_holm"): ctx.p(pairs_pub.cell(i, "p_holm")),
                     ctx.t("col_rank_biserial"): ctx.num(effect if is_hidden(effect) else sign * effect, 2)})
    return pd.DataFrame(rows, columns=[ctx.t(c) for c in ("col_item_a", "col_item_b", "col_n", "col_p_holm",
                                                           "col_rank_biserial")])


def one_sided_ps(pairs: Published | pd.DataFrame,
                 key: tuple[str, str] = ("item_a", "item_b")) -> dict[tuple[str, str], float | None]:
    """Every one-sided p a pairwise table holds: ``{(a, b): p of "a is rated (ticked) higher than b"}``
    (None: hidden or empty). The first row of a pair counts; a row (a, b) wins over a row (b, a)."""
    values = pairs.values if isinstance(pairs, Published) else pairs

    def shown(column: str) -> list[Any]:
        hidden = pairs.mask[column].tolist() if isinstance(pairs, Published) else [False] * len(values)
        return [None if h or v is None or pd.isna(v) else float(v) for v, h in zip(values[column].tolist(), hidden)]

    direct: dict[tuple[str, str], float | None] = {}
    reverse: dict[tuple[str, str], float | None] = {}
    for first, second, greater, less in zip(values[key[0]].tolist(), values[key[1]].tolist(),
                                            shown("p_greater"), shown("p_less")):
        direct.setdefault((first, second), greater)
        reverse.setdefault((second, first), less)
    return {**reverse, **direct}


def one_sided(pairs: Published | pd.DataFrame, a: str, b: str, key: tuple[str, str] = ("item_a", "item_b")) -> Any:
    """One-sided p of "a is rated (ticked) higher than b" from a pairwise table (None: no such pair or
    hidden)."""
    return one_sided_ps(pairs, key).get((a, b))


def first_test(pairs: Published | pd.DataFrame, item: str, others: list[str],
               key: tuple[str, str] = ("item_a", "item_b")) -> tuple[float | None, str | None]:
    """Intersection-union test of "item is rated higher than every other item".

    Its p-value is the largest one-sided p over the other items (each test at level alpha, no
    adjustment: all must reject). Returns (p, the other item with that p); p is None when a
    needed test is missing or suppressed.
    """
    ps = one_sided_ps(pairs, key)
    worst, runner = 0.0, None
    for other in others:
        if other == item:
            continue
        p = ps.get((item, other))
        if p is None:
            return None, other
        if runner is None or p > worst:
            worst, runner = p, other
    return (worst if runner is not None else None), runner


def pair_facts(pairs: Published, key: tuple[str, str] = ("item_a", "item_b")) -> list[dict[str, Any]]:
    """Each pair's one-sided p-values as facts (hidden ones stay hidden)."""
    return [{"item_a": r[key[0]], "item_b": r[key[1]], "n": published(r["n"]), "p_greater": published(r["p_greater"]),
             "p_less": published(r["p_less"])} for r in pairs.rows()]


def ranking(frame: pd.DataFrame, items: list[Item], ctx: Context, name: str) -> tuple[Block, list[str], dict[str, Any]]:
    """Is the ranking of items real? Friedman test and Kendall's W (complete cases), pairwise
    Wilcoxon tests (everyone who rated both; two-sided Holm in the table, one-sided for "first").

    Returns (pairwise table block, sentences, facts).
    """
    ids = [i.id for i in items]
    dont_know = items[0].dont_know_codes
    friedman = stats.friedman_test(frame, ids, dont_know=dont_know)
    ranks = stats.mean_ranks(frame, ids, dont_know=dont_know).sort_values("mean_rank", ascending=False,
                                                                          kind="stable").reset_index(drop=True)
    pairs = stats.pairwise_wilcoxon(frame, ids, dont_know=dont_know)
    pairs_pub = publication.pairwise_ratings(pairs, ctx.protection)
    labels = {i.id: i.label(ctx.lang) for i in items}
    order = list(ranks["item"])
    block = Block(f"{name}_pairwise", ctx.t("caption_pairwise"), table=pairs_pub,
                  display=ranking_display(pairs_pub, order, labels, ctx))
    facts: dict[str, Any] = {"alpha": ctx.alpha, "pairs": pair_facts(pairs_pub)}
    sentences: list[str] = []
    if len(friedman) and friedman["n"].iloc[0] >= ctx.min_cell:
        facts["order"] = order
        f = friedman.iloc[0]
        top, second = order[0], order[1]
        facts.update({"n": int(f["n"]), "friedman_statistic": f["statistic"], "friedman_df": f["df"],
                      "friedman_p": f["p"], "kendalls_w": f["kendalls_w"], "top": top, "second": second})
        differ = pd.notna(f["p"]) and f["p"] < ctx.alpha
        sentences.append(ctx.t("ranking_friedman" if differ else "ranking_friedman_nodiff", n=ctx.num(f["n"]),
                               chi2=ctx.num(f["statistic"], 1), df=ctx.num(f["df"]), p=ctx.p(f["p"]),
                               w=ctx.num(f["kendalls_w"], 2)))
        shown_n = pairs_pub.shown("n")
        if len(shown_n):
            sentences.append(ctx.t("ranking_bases", n=ctx.num(f["n"]), n_min=ctx.num(shown_n.min()),
                                   n_max=ctx.num(shown_n.max())))
        found = _pair(pairs, top, second)
        if found is not None and not pairs_pub.is_hidden(found["position"], "p_holm"):
            facts.update({"top_vs_second_p_holm": float(pairs["p_holm"].iloc[found["position"]]),
                          "top_vs_second_rank_biserial":
                              found["sign"] * float(pairs["rank_biserial"].iloc[found["position"]])})
        first_p, runner = first_test(pairs_pub, top, order)
        facts["first_p"] = first_p
        # at most one item can pass (two items cannot each be shown higher than the other at alpha < 0.5)
        facts["first"] = next((i for i in order if (first_test(pairs_pub, i, order)[0] or 1.0) < ctx.alpha), None)
        if first_p is not None and runner is not None:
            key = "ranking_top_clear" if facts["first"] == top else "ranking_top_unclear"
            sentences.append(ctx.t(key, top=labels[top], runner=labels[runner], p=ctx.p(first_p),
                                   others=ctx.num(len(order) - 1)))
    return block, sentences, facts


def leading_items(summary_pub: Published, rank_facts: dict[str, Any], share: str = "top2_pct") -> tuple[bool, list[dict]]:
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


# --------------------------------------------------------------------------- multi-select

def option_shares_display(pub: Published, ctx: Context) -> pd.DataFrame:
    return pd.DataFrame({
        ctx.t("col_option"): pub["label"],
        ctx.t("col_n"): [ctx.num(v) for v in pub["n"]],
        ctx.t("col_count"): [ctx.num(v) for v in pub["count"]],
        ctx.t("col_pct_respondents"): [ctx.pct(v) for v in pub["pct"]],
        ctx.t("col_ci", level=ctx.num(100 * ctx.level)): [ctx.interval(lo, hi) for lo, hi in zip(pub["pct_low"], pub["pct_high"])],
        ctx.t("col_pct_mentions"): [ctx.pct(v) for v in pub["mentions_pct"]],
    })


def option_shares(frame: pd.DataFrame, item: Item, ctx: Context, title: str) -> tuple[Block, Block, list[str], dict]:
    """% of respondents per option (with intervals), % of mentions, and Cochran's Q."""
    columns = item.columns
    table = stats.multi_select(frame, columns, weights=ctx.weights, level=ctx.level, cluster=ctx.cluster_of(frame))
    options = {f"{item.id}_{code}": label for code, label in item.code_labels(ctx.lang).items()}
    table.insert(1, "label", [options[o] for o in table["option"]])
    pub = publication.multi_select(table, ctx.protection).sorted_by("pct")
    n = int(table["n"].iloc[0]) if len(table) else 0
    fig = draw(ctx, proportion_bars, pub, "label", title, ctx.t("footer_multi", n=ctx.num(n)), ctx.synthetic_label,
                          ctx.t("axis_pct_respondents"), ctx.t("suppressed_note", k=ctx.min_cell))
    sentences = []
    facts: dict[str, Any] = {"n": n, "options": [{"option": r["option"], "pct": published(r["pct"]),
                                                  "low": published(r["pct_low"]), "high": published(r["pct_high"])}
                                                 for r in pub.rows()]}
    if n >= ctx.min_cell:
        pairs = stats.mcnemar_pairs(frame, columns)
        pairs_pub = publication.multi_select_pairs(pairs, ctx.protection)
        key = ("option_a", "option_b")
        order = list(pub["option"])
        facts["pairs"] = pair_facts(pairs_pub, key)
        passing = [o for o in order if (first_test(pairs_pub, o, order, key)[0] or 1.0) < ctx.alpha]
        facts["first"] = passing[0] if passing else None
        facts["first_p"] = first_test(pairs_pub, order[0], order, key)[0]
        top = pub.row(order.index(facts["first"])) if facts["first"] else pub.row(0)
        sentences.append(ctx.t("multi_first" if facts["first"] else "multi_open", n=ctx.num(n), option=top["label"],
                               pct=ctx.pct(top["pct"]), ci=ctx.interval(top["pct_low"], top["pct_high"]),
                               mean=ctx.num(top["mean_ticked"], 1), p=ctx.p(facts["first_p"])))
        q = stats.cochrans_q(frame, columns)
        if len(q):
            facts.update({"cochran_q": q["q"].iloc[0], "cochran_df": q["df"].iloc[0], "cochran_p": q["p"].iloc[0]})
            differ = pd.notna(q["p"].iloc[0]) and q["p"].iloc[0] < ctx.alpha
            sentences.append(ctx.t("multi_cochran" if differ else "multi_cochran_nodiff", q=ctx.num(q["q"].iloc[0], 1),
                                   df=ctx.num(q["df"].iloc[0]), p=ctx.p(q["p"].iloc[0])))
    return (Block(f"{item.id}", ctx.t("caption_multi_table", title=title), table=pub,
                  display=option_shares_display(pub, ctx)),
            Block(f"{item.id}_figure", ctx.t("caption_multi_figure", title=title), figure=fig,
                  alt=proportion_alt(pub, "label", ctx)), sentences, facts)


# --------------------------------------------------------------------------- open answers

def _plain(text: str) -> str:
    """Free text as literal text in Markdown: HTML escaped, Markdown markup characters escaped."""
    text = html.escape(" ".join(text.split()), quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+!|>~-])", r"\\\1", text)


def open_section(frame: pd.DataFrame, item: Item, ctx: Context) -> tuple[Section, dict[str, Any], list[dict[str, str]]]:
    """The chapter's "open" section of an open question (see :func:`open_answers`), its facts and the
    quotes proposed for the analyst's review file; empty when the context computes without figures
    (calibration: open answers feed no claim and no comparison)."""
    if not ctx.figures:
        return Section("open", ctx.t("h_open")), {}, []
    review: list[dict[str, str]] = []
    lines, blocks, facts = open_answers(frame, item, ctx, review)
    return Section("open", ctx.t("h_open"), lines, blocks), facts, review


def open_answers(frame: pd.DataFrame, item: Item, ctx: Context, review: list[dict[str, str]],
                 per_code: int = 1) -> tuple[list[str], list[Block], dict]:
    """An open question, coded: who coded, code shares with intervals, agreement, a quote per code.

    The codes are the final codes of ``ctx.coding`` (coders, adjudicated) or, without them, the
    automatic first pass, and the text says which. Nothing is shown when fewer than k answered.
    Returns (sentences and quotes, blocks: the code table, its figure and the agreement table, facts);
    the candidate quotes are appended to `review`.
    """
    table = coding.answers(frame, item)
    n = len(table)
    if n < ctx.min_cell:
        return [ctx.t("open_too_few", k=ctx.min_cell)], [], {"answered": HIDDEN}
    question = item.label(ctx.lang, short=False)
    labels = {c.code: c.labels[ctx.lang] for c in item.frame}
    human = ctx.coding is not None and ctx.coding.covers(item.id)
    if human:
        codes = ctx.coding.codes(item).reindex(table[coding.KEY]).fillna(0).astype(int)
        codes.index = table.index
    else:
        codes = coding.automatic_codes(table["text"], item)
    indicators = codes.reindex(frame.index).astype(float)
    if ctx.weights:
        indicators[ctx.weights] = frame[ctx.weights]
    shares = stats.multi_select(indicators, list(labels), weights=ctx.weights, level=ctx.level)
    shares = shares.rename(columns={"option": "code"})[["code", "n", "count", "pct", "pct_low", "pct_high"]]
    shares.insert(1, "label", [labels[c] for c in shares["code"]])
    pub = publication.coded_answers(shares, ctx.protection).sorted_by("pct")
    caption = ctx.t("caption_open_codes", question=question)
    fig = draw(ctx, proportion_bars, pub, "label", ctx.t("open_codes_title"), ctx.t("footer_base_one", n=ctx.num(n)),
                          ctx.synthetic_label, ctx.t("axis_pct_respondents"), ctx.t("suppressed_note", k=ctx.min_cell))
    blocks = [Block(f"{item.id}_codes_figure", caption, figure=fig, alt=proportion_alt(pub, "label", ctx)),
              Block(f"{item.id}_codes", caption, table=pub, display=shares_display(pub, ctx, "col_code"))]
    facts: dict[str, Any] = {"answered": n, "coded_by": "coders" if human else "automatic",
                             "codes": [{"code": r["code"], "count": published(r["count"]), "pct": published(r["pct"]),
                                        "low": published(r["pct_low"]), "high": published(r["pct_high"])}
                                       for r in pub.rows()]}
    lines = [ctx.t("open_codes_intro", n=ctx.num(n), question=question)]
    if human:
        names = ctx.coding.coders
        facts["coders"] = len(names)
        adjudicated = ctx.coding.adjudicated
        lines.append(ctx.t("coding_by_coders_adjudicated" if adjudicated else "coding_by_coders",
                           coders=ctx.num(len(names)), names=", ".join(names)))
    else:
        lines.append(ctx.t("coding_automatic_only"))
    top = pub.row(0)
    if not is_hidden(top["pct"]):
        lines.append(ctx.t("open_codes_top", code=top["label"], pct=ctx.pct(top["pct"]),
                           ci=ctx.interval(top["pct_low"], top["pct_high"])))
    if human:
        agreement_block, sentences, facts["agreement"] = _coding_agreement(item, pub, labels, ctx, question)
        blocks.append(agreement_block)
        lines += sentences
    # each code's first candidate quotes, scrubbed, go to the analyst's review file; real data publish
    # only approved ones
    candidates = _quote_candidates(pub, codes, table["text"], per_code * REVIEW_CANDIDATES)
    for text in dict.fromkeys(t for _, texts in candidates for t in texts):
        review.append({"theme": item.theme, "question": item.id, "text": review_cell(text),
                                 "hash": quote_hash(item.id, text), "approved": ""})
    approved = None if ctx.synthetic else (ctx.approved_quotes or frozenset())
    quotes = _pick_quotes(candidates, per_code,
                          allowed=None if approved is None else (lambda t: quote_hash(item.id, t) in approved))
    if quotes:
        lines.append(ctx.t("open_codes_quotes"))
        lines += [f"> **{_plain(labels[code])}**: “{_plain(q)}”" for code, q in quotes]
    elif approved is not None:
        lines.append(ctx.t("open_awaiting_review"))
    return lines, blocks, facts


def _coding_agreement(item: Item, codes_pub: Published, labels: dict[str, str], ctx: Context,
                      question: str) -> tuple[Block, list[str], list[dict[str, Any]]]:
    """The agreement table of an open question (coders, and automatic vs final), its sentences and facts."""
    rows = ctx.coding.agreement_of(item.id)
    coders = rows[rows["comparison"] == "coders"].set_index("code")
    automatic = rows[rows["comparison"] == "automatic_vs_final"].set_index("code")
    order = [c for c in codes_pub["code"] if c in coders.index]
    table = pd.DataFrame({"item": item.id, "code": order, "label": [labels[c] for c in order]})
    for column in ("coders", "units", "prevalence_pct", "pct_agreement", "kappa", "kappa_low", "kappa_high", "alpha",
                   "alpha_low", "alpha_high"):
        table[column] = [coders.at[c, column] for c in order]
    table["automatic_kappa"] = [automatic.at[c, "kappa"] if c in automatic.index else np.nan for c in order]
    pub = publication.coding_agreement(table, codes_pub, ctx.protection)
    display = pd.DataFrame({
        ctx.t("col_code"): pub["label"],
        ctx.t("col_units"): [ctx.num(v) for v in pub["units"]],
        ctx.t("col_prevalence"): [ctx.pct(v) for v in pub["prevalence_pct"]],
        ctx.t("col_pct_agreement"): [ctx.pct(v) for v in pub["pct_agreement"]],
        ctx.t("col_kappa"): [ctx.num(v, 2) for v in pub["kappa"]],
        ctx.t("col_ci", level=ctx.num(100 * ctx.level)) + " (κ)": [_range(lo, hi, ctx) for lo, hi in
                                                                   zip(pub["kappa_low"], pub["kappa_high"])],
        ctx.t("col_alpha"): [ctx.num(v, 2) for v in pub["alpha"]],
        ctx.t("col_ci", level=ctx.num(100 * ctx.level)) + " (α)": [_range(lo, hi, ctx) for lo, hi in
                                                                   zip(pub["alpha_low"], pub["alpha_high"])],
        ctx.t("col_auto_kappa"): [ctx.num(v, 2) for v in pub["automatic_kappa"]],
    })
    block = Block(f"{item.id}_agreement", ctx.t("caption_open_agreement", question=question), table=pub, display=display)
    facts = [{"code": r["code"], **{k: published(r[k]) for k in ("pct_agreement", "kappa", "alpha", "alpha_low",
                                                                   "alpha_high", "automatic_kappa")}}
             for r in pub.rows()]
    sentences = []
    kappa, alpha, auto = pub.shown("kappa"), pub.shown("alpha"), pub.shown("automatic_kappa")
    if len(alpha):
        values = {"alpha_low": ctx.num(alpha.min(), 2), "alpha_high": ctx.num(alpha.max(), 2), "k": ctx.min_cell}
        if len(kappa):
            sentences.append(ctx.t("coding_agreement_kappa", low=ctx.num(kappa.min(), 2), high=ctx.num(kappa.max(), 2),
                                   **values))
        else:
            sentences.append(ctx.t("coding_agreement_alpha", **values))
    if len(auto):
        sentences.append(ctx.t("coding_automatic_agreement", low=ctx.num(auto.min(), 2), high=ctx.num(auto.max(), 2)))
    return block, sentences, facts


def _range(low: Any, high: Any, ctx: Context) -> str:
    if is_hidden(low) or is_hidden(high):
        return SUPPRESSED
    return f"{ctx.num(low, 2)}–{ctx.num(high, 2)}"


#: Candidate quotes per quote shown that go to the review file (each code's first ones, in the order
#: quotes are picked): a reviewer reads a few answers per code, not every answer of the export.
REVIEW_CANDIDATES = 5


def _quote_candidates(codes_pub: Published, codes: pd.DataFrame, texts: pd.Series,
                      per_code: int) -> list[tuple[str, list[str]]]:
    """For each code whose count is shown, its first `per_code` distinct scrubbed answers: answers with
    that code alone first, then the rest, in the survey's order. Only these answers are scrubbed."""
    scrubbed: dict[str, str] = {}
    codes_per_answer = codes.sum(axis=1)
    candidates = []
    for row in codes_pub.rows():
        code = row["code"]
        if is_hidden(row["count"]) or not row["count"]:
            continue
        with_code = codes[code] == 1
        order = codes.index[with_code & (codes_per_answer == 1)].append(codes.index[with_code & (codes_per_answer != 1)])
        found: list[str] = []
        for i in order:
            raw = texts[i]
            if raw not in scrubbed:
                scrubbed[raw] = coding.shown_text(raw)
            if scrubbed[raw] not in found:
                found.append(scrubbed[raw])
                if len(found) == per_code:
                    break
        candidates.append((code, found))
    return candidates


def _pick_quotes(candidates: list[tuple[str, list[str]]], per_code: int,
                 allowed: Any = None) -> list[tuple[str, str]]:
    """Up to `per_code` quotes per code from its candidates, each answer once, approved ones only
    when `allowed` is given."""
    used: set[str] = set()
    quotes = []
    for code, texts in candidates:
        picked = [t for t in texts if t not in used and (allowed is None or allowed(t))][:per_code]
        used.update(picked)
        quotes += [(code, t) for t in picked]
    return quotes


# --------------------------------------------------------------------------- categories

def shares_display(pub: Published, ctx: Context, label_column: str, with_count: bool = True) -> pd.DataFrame:
    """The reader's table of shares: label, base, (count,) share and interval."""
    columns = {ctx.t(label_column): pub["label"], ctx.t("col_n"): [ctx.num(v) for v in pub["n"]]}
    if with_count:
        columns[ctx.t("col_count")] = [ctx.num(v) for v in pub["count"]]
    columns[ctx.t("col_pct")] = [ctx.pct(v) for v in pub["pct"]]
    columns[ctx.t("col_ci", level=ctx.num(100 * ctx.level))] = [ctx.interval(lo, hi) for lo, hi in
                                                                 zip(pub["pct_low"], pub["pct_high"])]
    return pd.DataFrame(columns)


def category_table(frame: pd.DataFrame, column: str, rows: dict[str, list[Any]], ctx: Context, name: str,
                   caption: str, title: str | None = None,
                   public_groups: dict[str, Any] | None = None) -> tuple[Block, Block | None, Published]:
    """Share of respondents per category (each row a set of codes), with Wilson intervals.

    The base is everyone who answered `column`; rows are in the given order. `public_groups` maps
    a row label to a group whose total is published elsewhere, so suppression protects against
    it. Returns the table block, an optional bar figure (when `title` is given) and the published
    table.
    """
    parts = []
    for label, codes in rows.items():
        share = stats.proportion(frame, column, success=codes, weights=ctx.weights, level=ctx.level,
                                 cluster=ctx.cluster_of(frame))
        share.insert(1, "label", label)
        parts.append(share)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    table["item"] = column
    if public_groups is not None:
        table["public_group"] = [public_groups.get(label, "") for label in table["label"]]
    pub = publication.categories(table, ctx.protection)
    n = int(table["n"].iloc[0]) if len(table) else 0
    block = Block(name, caption, table=pub.drop(["n_eff", "deff"]), display=shares_display(pub, ctx, "col_category"))
    figure = None
    if title is not None:
        fig = draw(ctx, proportion_bars, pub, "label", title, ctx.t("footer_base_one", n=ctx.num(n)), ctx.synthetic_label,
                              ctx.t("axis_pct_respondents"), ctx.t("suppressed_note", k=ctx.min_cell))
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
    for code, label in groups.items():
        members = group == code
        sub = pd.DataFrame({"outcome": outcome[members]})
        if ctx.weights:
            sub["weight"] = frame.loc[members, ctx.weights]
        cluster = ctx.cluster_of(frame)
        if cluster is not None:
            sub["cluster"] = frame.loc[members, cluster].astype(object)
        share = stats.proportion(sub, "outcome", weights="weight" if ctx.weights else None, level=ctx.level,
                                 cluster="cluster" if cluster is not None else None)
        if len(share):
            share.insert(1, "label", label)
            share["group"] = code
            rows.append(share)
    table = pd.concat([r for r in rows if len(r)] or rows[:1], ignore_index=True)
    for column in ("n", "count"):
        table[column] = pd.to_numeric(table[column])
    if public_sums is not None:
        table["coarse"] = [public_sums.get(g) for g in table["group"]]
    pub = publication.shares_by_group(table, ctx.protection, coarse=public_sums is not None)
    figure = None
    if title is not None:
        fig = draw(ctx, proportion_bars, pub, "label", title, ctx.t("footer_groups"), ctx.synthetic_label,
                              ctx.t("axis_pct_respondents"), ctx.t("suppressed_note", k=ctx.min_cell))
        figure = Block(f"{name}_figure", caption, figure=fig, alt=proportion_alt(pub, "label", ctx))
    block = Block(name, caption, table=pub.drop(["n_eff", "deff", "item"]),
                  display=shares_display(pub, ctx, "col_group", with_count=False))
    return block, figure, pub


def published_value(pub: Published, column: str, where: tuple[str, Any] | None = None) -> Any:
    """One cell of a published table (:data:`HIDDEN` if suppressed, NaN if there is no such row)."""
    row = 0 if where is None else pub.find(where[0], where[1])
    if row is None or row >= len(pub):
        return float("nan")
    return pub.cell(row, column)


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
    pub = publication.model(table, ctx.protection)
    display = pd.DataFrame({
        ctx.t("col_term"): [terms[t] for t in pub["term"]],
        ctx.t("col_or"): [ctx.num(v, 2) for v in pub["odds_ratio"]],
        ctx.t("col_ci", level=ctx.num(100 * ctx.level)): [f"{ctx.num(lo, 2)}–{ctx.num(hi, 2)}"
                                                          for lo, hi in zip(pub["or_low"], pub["or_high"])],
        ctx.t("col_p"): [ctx.p(p) for p in pub["p"]],
    })
    return Block(name, caption, table=pub, display=display)
