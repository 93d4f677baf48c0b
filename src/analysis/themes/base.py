"""The context every theme computation shares, and the chapter parts it builds under the rules.

A theme's ``analyse(frame, ctx)`` takes the survey frame and a :class:`Context` and returns a
:class:`~analysis.themes.result.ThemeResult`. Here: the context (language, rules, weights, the
facts a theme reads, whether figures are drawn), the ranking test of a grid, the shares of a
multi-select question, the coded open answers with their quotes, and a test of association.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis import coding, stats
from analysis.protection import publication
from analysis.protection.disclosure import HIDDEN, Published, is_hidden
from analysis.protection.quotes import quote_hash, review_cell, review_check
from analysis.protection.rules import Rules
from analysis.report.figures import proportion_bars
from analysis.report.text import fmt_interval, fmt_median, fmt_number, fmt_p, fmt_pct, message
from analysis.survey.codebook import Codebook, Item, load_codebook
from analysis.themes.agreement import coding_agreement
from analysis.themes.alt_text import proportion_alt
from analysis.themes.result import Block, Section, draw, published


#: Column of the respondents' clusters in the frame :meth:`Context.clustered` returns.
CLUSTER_COLUMN = "cluster_id"


@dataclass
class Context:
    """Parameters every theme computation shares (the notebook's parameters)."""

    lang: str = "en"
    #: The publication rules in force (profile, k, zeros, model degrees of freedom), built from the parameters.
    rules: Rules = Rules()
    level: float = 0.95
    weights: str | None = None
    synthetic: bool = False
    codebook: Codebook = field(default_factory=load_codebook)
    #: hashes of quotes a person approved (None: no review file); real data publish only these
    approved_quotes: frozenset[str] | None = None
    #: Final codes of the open answers (:class:`analysis.coding.Coding`); None: the automatic first pass.
    coding: Any = None
    #: The earlier wave to compare with (:class:`analysis.themes.earlier_wave.Comparison`); None: no comparison.
    compare: Any = None
    #: Column of the cluster (organisation) whose design effect widens every interval on a share
    cluster: str | None = "organisation"
    #: False: the numbers and sentences only, no figure drawn and no open answer coded (calibration)
    figures: bool = True
    #: Typed facts of the themes this theme reads (the registry's ``reads_facts_of``), by theme id
    facts_of: dict[str, Any] = field(default_factory=dict)

    @property
    def k(self) -> int:
        """The small-cell k in force (that of :attr:`rules`)."""
        return self.rules.k

    @property
    def catch_all(self) -> list[Any]:
        """Codes of the cluster column that hold several organisations (``other: true`` in the codebook)."""
        if self.cluster is None or self.cluster not in self.codebook:
            return []
        return [c.code for c in self.codebook[self.cluster].codes if c.attrs.get("other")]

    def clustered(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
        """`frame` with each respondent's cluster in column :data:`CLUSTER_COLUMN`, and that column's name;
        `frame` and None when there are fewer than two clusters (nothing to adjust for).

        The one definition of a cluster that every design effect and clustered standard error uses: the
        organisation (:attr:`cluster`), except that each respondent of a catch-all code (``other: true`` in
        the codebook: 99 "other security organisation" holds several organisations) is a cluster of one.
        """
        if self.cluster is None or self.cluster not in frame.columns:
            return frame, None
        ids = frame[self.cluster].astype(object)
        alone = ids.isin(self.catch_all).to_numpy()
        ids[alone] = [f"{code}#{row}" for code, row in zip(ids[alone], np.flatnonzero(alone))]
        if ids.nunique() < 2:
            return frame, None
        return frame.assign(**{CLUSTER_COLUMN: ids}), CLUSTER_COLUMN

    @property
    def alpha(self) -> float:
        return 1 - self.level

    def t(self, key: str, **values: Any) -> str:
        return message(key, self.lang, **values)

    def pct(self, value: Any) -> str:
        return fmt_pct(value, self.lang)

    def num(self, value: Any, digits: int = 0) -> str:
        return fmt_number(value, self.lang, digits)

    def median(self, value: Any, item_id: str) -> str:
        """The median of rating item `item_id` as an answer label (or "between A and B")."""
        item = self.codebook[item_id]
        return fmt_median(value, item.substantive_codes, item.code_labels(self.lang), self.lang)

    def interval(self, low: Any, high: Any) -> str:
        return fmt_interval(low, high, self.lang)

    def p(self, value: Any) -> str:
        return fmt_p(value, self.lang)

    def count(self, value: Any) -> str:
        """A respondent count for prose, or the suppression phrase when it is hidden or below k."""
        if is_hidden(value) or value is None or value < self.k:
            return self.t("fewer_than_k", k=self.k)
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
                     ctx.t("col_n"): ctx.num(pairs_pub.cell(i, "n")),
                     ctx.t("col_p_holm"): ctx.p(pairs_pub.cell(i, "p_holm")),
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
    pairs_pub = publication.pairwise_ratings(pairs, ctx.rules)
    labels = {i.id: i.label(ctx.lang) for i in items}
    order = list(ranks["item"])
    block = Block(f"{name}_pairwise", ctx.t("caption_pairwise"), table=pairs_pub,
                  display=ranking_display(pairs_pub, order, labels, ctx))
    facts: dict[str, Any] = {"alpha": ctx.alpha, "pairs": pair_facts(pairs_pub)}
    sentences: list[str] = []
    if len(friedman) and friedman["n"].iloc[0] >= ctx.k:
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


# --------------------------------------------------------------------------- multi-select

def option_shares_display(pub: Published, ctx: Context) -> pd.DataFrame:
    return pd.DataFrame({
        ctx.t("col_option"): pub["label"],
        ctx.t("col_n"): [ctx.num(v) for v in pub["n"]],
        ctx.t("col_count"): [ctx.num(v) for v in pub["count"]],
        ctx.t("col_pct_respondents"): [ctx.pct(v) for v in pub["pct"]],
        ctx.t("col_ci", level=ctx.num(100 * ctx.level)): [ctx.interval(lo, hi)
                                                          for lo, hi in zip(pub["pct_low"], pub["pct_high"])],
        ctx.t("col_pct_mentions"): [ctx.pct(v) for v in pub["mentions_pct"]],
    })


def option_shares(frame: pd.DataFrame, item: Item, ctx: Context, title: str) -> tuple[Block, Block, list[str], dict]:
    """% of respondents per option (with intervals), % of mentions, and Cochran's Q."""
    columns = item.columns
    data, cluster = ctx.clustered(frame)
    table = stats.multi_select(data, columns, weights=ctx.weights, level=ctx.level, cluster=cluster)
    options = {f"{item.id}_{code}": label for code, label in item.code_labels(ctx.lang).items()}
    table.insert(1, "label", [options[o] for o in table["option"]])
    pub = publication.multi_select_options(table, ctx.rules).sorted_by("pct")
    n = int(table["n"].iloc[0]) if len(table) else 0
    fig = draw(ctx, proportion_bars, pub, "label", title, ctx.t("footer_multi", n=ctx.num(n)), ctx.synthetic_label,
               ctx.t("axis_pct_respondents"), ctx.t("suppressed_note", k=ctx.k))
    sentences = []
    facts: dict[str, Any] = {"n": n, "options": [{"option": r["option"], "pct": published(r["pct"]),
                                                  "low": published(r["pct_low"]), "high": published(r["pct_high"])}
                                                 for r in pub.rows()]}
    if n >= ctx.k:
        pairs = stats.mcnemar_pairs(frame, columns)
        pairs_pub = publication.multi_select_pairs(pairs, ctx.rules)
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
    if n < ctx.k:
        return [ctx.t("open_too_few", k=ctx.k)], [], {"answered": HIDDEN}
    question = item.label(ctx.lang, short=False)
    labels = {c.code: c.labels[ctx.lang] for c in item.frame}
    codes, human = _final_codes(table, item, ctx)
    pub = _code_shares(frame, codes, labels, ctx)
    caption = ctx.t("caption_open_codes", question=question)
    fig = draw(ctx, proportion_bars, pub, "label", ctx.t("open_codes_title"), ctx.t("footer_base_one", n=ctx.num(n)),
               ctx.synthetic_label, ctx.t("axis_pct_respondents"), ctx.t("suppressed_note", k=ctx.k))
    blocks = [Block(f"{item.id}_codes_figure", caption, figure=fig, alt=proportion_alt(pub, "label", ctx)),
              Block(f"{item.id}_codes", caption, table=pub, display=shares_display(pub, ctx, "col_code"))]
    facts: dict[str, Any] = {"answered": n, "coded_by": "coders" if human else "automatic",
                             "codes": [{"code": r["code"], "count": published(r["count"]), "pct": published(r["pct"]),
                                        "low": published(r["pct_low"]), "high": published(r["pct_high"])}
                                       for r in pub.rows()]}
    lines = [ctx.t("open_codes_intro", n=ctx.num(n), question=question)]
    if human:
        facts["coders"] = len(ctx.coding.coders)
        lines.append(ctx.t("coding_by_coders_adjudicated" if ctx.coding.adjudicated else "coding_by_coders",
                           coders=ctx.num(len(ctx.coding.coders)), names=", ".join(ctx.coding.coders)))
    else:
        lines.append(ctx.t("coding_automatic_only"))
    top = pub.row(0)
    if not is_hidden(top["pct"]):
        lines.append(ctx.t("open_codes_top", code=top["label"], pct=ctx.pct(top["pct"]),
                           ci=ctx.interval(top["pct_low"], top["pct_high"])))
    if human:
        agreement_block, sentences, facts["agreement"] = coding_agreement(item, pub, labels, ctx, question)
        blocks.append(agreement_block)
        lines += sentences
    lines += _quote_lines(item, pub, codes, table["text"], labels, ctx, review, per_code)
    return lines, blocks, facts


def _final_codes(table: pd.DataFrame, item: Item, ctx: Context) -> tuple[pd.DataFrame, bool]:
    """The codes of each answer (one 0/1 column per code) and whether coders gave them (else the
    automatic first pass)."""
    human = ctx.coding is not None and ctx.coding.covers(item.id)
    if not human:
        return coding.automatic_codes(table["text"], item), False
    codes = ctx.coding.codes(item).reindex(table[coding.KEY]).fillna(0).astype(int)
    codes.index = table.index
    return codes, True


def _code_shares(frame: pd.DataFrame, codes: pd.DataFrame, labels: dict[str, str], ctx: Context) -> Published:
    """The published share of respondents per code, with intervals, largest first."""
    indicators = codes.reindex(frame.index).astype(float)
    if ctx.weights:
        indicators[ctx.weights] = frame[ctx.weights]
    shares = stats.multi_select(indicators, list(labels), weights=ctx.weights, level=ctx.level)
    shares = shares.rename(columns={"option": "code"})[["code", "n", "count", "pct", "pct_low", "pct_high"]]
    shares.insert(1, "label", [labels[c] for c in shares["code"]])
    return publication.coded_answers(shares, ctx.rules).sorted_by("pct")


def _quote_lines(item: Item, pub: Published, codes: pd.DataFrame, texts: pd.Series, labels: dict[str, str],
                 ctx: Context, review: list[dict[str, str]], per_code: int) -> list[str]:
    """The quotes shown per code. Each code's first candidate quotes, scrubbed, go to `review` (the
    analyst's review file); real data publish only approved ones."""
    candidates = _quote_candidates(pub, codes, texts, per_code * REVIEW_CANDIDATES)
    for text in dict.fromkeys(t for _, found in candidates for t in found):
        review.append({"theme": item.theme, "question": item.id, "text": review_cell(text),
                       "hash": quote_hash(item.id, text), "check": review_check(text), "approved": ""})
    approved = None if ctx.synthetic else (ctx.approved_quotes or frozenset())
    quotes = _pick_quotes(candidates, per_code,
                          allowed=None if approved is None else (lambda t: quote_hash(item.id, t) in approved))
    if quotes:
        return [ctx.t("open_codes_quotes")] + [f"> **{_plain(labels[code])}**: “{_plain(q)}”" for code, q in quotes]
    return [ctx.t("open_awaiting_review")] if approved is not None else []


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
        alone = with_code & (codes_per_answer == 1)
        order = codes.index[alone].append(codes.index[with_code & ~alone])
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
    """The reader's table of shares: label, base, (count,) share and (for an estimate) interval."""
    columns = {ctx.t(label_column): pub["label"], ctx.t("col_n"): [ctx.num(v) for v in pub["n"]]}
    if with_count:
        columns[ctx.t("col_count")] = [ctx.num(v) for v in pub["count"]]
    columns[ctx.t("col_pct")] = [ctx.pct(v) for v in pub["pct"]]
    if "pct_low" not in pub:
        return pd.DataFrame(columns)
    columns[ctx.t("col_ci", level=ctx.num(100 * ctx.level))] = [ctx.interval(lo, hi) for lo, hi in
                                                                 zip(pub["pct_low"], pub["pct_high"])]
    return pd.DataFrame(columns)


def test_sentence(ctx: Context, data: pd.DataFrame, row: str, column: str, what: str) -> tuple[str, dict[str, Any]]:
    """A sentence and facts for a chi-square / Fisher test of association between two columns.

    Not shown when a cell of the table is below k: the exact statistic could give the cell back.
    """
    cells = stats.crosstab(data, row, column)
    if cells.empty:
        return ctx.t("test_not_possible", what=what), {}
    smallest = cells["count"][cells["count"] > 0].min()
    if smallest < ctx.k or (cells["count"] == 0).any():
        return ctx.t("test_small_cells", what=what, k=ctx.k), {}
    test = stats.crosstab_test(data, row, column)
    if test.empty:
        return ctx.t("test_not_possible", what=what), {}
    r = test.iloc[0]
    facts = {"test": r["test"], "statistic": r["statistic"], "df": r["df"], "p": r["p"], "cramers_v": r["cramers_v"],
             "n": int(r["n"])}
    return ctx.t("association", what=what, test=r["test"], p=ctx.p(r["p"]), v=ctx.num(r["cramers_v"], 2),
                 n=ctx.num(r["n"])), facts


