"""One protected breakdown for exploration: an answer's categories by the groups of a background item.

:func:`breakdown` counts the answers of each group (:func:`analysis.stats.crosstab`, weighted shares
with intervals), protects the counts together with the group sizes (the report publishes both the
answer's distribution and the background item's, so both margins are public sums here) through
:func:`analysis.protection.suppression.suppress`, tests the association (chi-square with Cramér's V
for categories, Mann-Whitney or Kruskal-Wallis for ratings) only when no cell is hidden or below k,
and words one sentence per test that says "differs" only when p < alpha. :class:`ExploreTable`
holds the parts and shows itself as a captioned HTML table in JupyterLab.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from analysis import stats
from analysis.protection.declarations import is_small
from analysis.protection.disclosure import SUPPRESSED, Published
from analysis.protection.suppression import suppress
from analysis.themes.base import Context

#: The sentences of a test, by language: differs (p < alpha), not shown to differ, not shown.
WORDING = {
    "en": {"differ": "{what} differs by {by} ({test}, {p}, {effect} = {size}; n = {n}).",
           "open": "The data do not show an association between {what} and {by} ({test}, {p}, "
                   "{effect} = {size}; n = {n}).",
           "hidden": "No test of {what} by {by} is shown: fewer than two groups have every count shown and at "
                     "least {k}.",
           "left_out": "The test leaves out {groups} group(s) with a hidden count or a count below {k}.",
           "caption": "{title} by {by}", "within": "only {within}", "group_n": "Respondents",
           "ticked": {0: "not ticked", 1: "ticked"}, "boxes": ("bottom 2", "middle", "top 2"),
           "coded": {0: "not mentioned", 1: "mentioned"}},
    "nl": {"differ": "{what} verschilt naar {by} ({test}, {p}, {effect} = {size}; n = {n}).",
           "open": "De gegevens tonen geen samenhang tussen {what} en {by} ({test}, {p}, "
                   "{effect} = {size}; n = {n}).",
           "hidden": "Geen toets van {what} naar {by} getoond: minder dan twee groepen hebben elk aantal getoond "
                     "en minstens {k}.",
           "left_out": "De toets laat {groups} groep(en) met een verborgen aantal of een aantal onder {k} weg.",
           "caption": "{title} naar {by}", "within": "alleen {within}", "group_n": "Respondenten",
           "ticked": {0: "niet aangevinkt", 1: "aangevinkt"}, "boxes": ("onderste 2", "midden", "bovenste 2"),
           "coded": {0: "niet genoemd", 1: "genoemd"}},
}


#: The category of a group's size where a (category, group) pair names a group's size rather than a count.
SIZE = "\x00size"


@dataclass(frozen=True)
class Shield:
    """The protection of a long crosstab: which counts and which group sizes are hidden, the categories
    whose count over the groups is a public sum, and whether the group sizes' total is."""

    cells: np.ndarray
    sizes: np.ndarray
    categories: frozenset[Any]
    total: bool
    #: why a hidden count that is not small is hidden: secondary (this table's suppression) or linked
    reason: str = "secondary"


#: The protection of a long crosstab (:func:`unfiltered`, or a slice's linked protection).
Protection = Callable[[pd.DataFrame, Context], Shield]
#: Which counts and which group sizes of a long crosstab are hidden (:func:`protect`).
Hidden = tuple[np.ndarray, np.ndarray]
#: The protection of a part's unfiltered tables by breakdown name: the counts it was computed for and
#: what it hides (:func:`protect_once`).
Protected = dict[str, tuple[pd.DataFrame, Hidden]]


@dataclass
class Part:
    """One answer (a question, a grid item or a multi-select option) by the groups: the protected
    long table (group, category, n, count, pct, pct_low, pct_high) and its test (None: not shown)."""

    name: str
    label: str
    table: Published
    test: dict[str, Any] | None
    #: the words of each answer code in the table (a rating's scale, ticked or not)
    codes: dict[Any, str] = field(default_factory=dict)


@dataclass
class ExploreTable:
    """A protected breakdown: its parts, sentences and caption; shows itself as HTML in JupyterLab."""

    item: str
    by: str
    caption: str
    parts: list[Part]
    sentences: list[str]
    ctx: Context = field(repr=False)

    def counts(self) -> pd.DataFrame:
        """Every count with its part, group and category (a hidden one empty): for checks."""
        return pd.concat([part.table.values[["group", "category", "n", "count"]].assign(part=part.name)
                          for part in self.parts], ignore_index=True)

    def display(self, part: Part) -> pd.DataFrame:
        """The reader's table of a part: categories down, groups across, "share (count)" per cell and the
        respondents per group in the last row; hidden cells hold the report's marker."""
        values = part.table
        cells: dict[str, dict[str, str]] = {}
        sizes: dict[str, str] = {}
        for row in values.rows():
            text = f"{self.ctx.pct(row['pct'])} ({self.ctx.num(row['count'])})"
            category = part.codes.get(row["category"], row["category"])
            cells.setdefault(row["group"], {})[category] = SUPPRESSED if SUPPRESSED in text else text
            sizes[row["group"]] = self.ctx.num(row["n"])
        frame = pd.DataFrame(cells)
        frame.loc[WORDING[self.ctx.lang]["group_n"]] = pd.Series(sizes)
        return frame.fillna("–")

    def _repr_html_(self) -> str:
        out = [f"<h4>{html.escape(self.caption)}</h4>"]
        for part in self.parts:
            table = self.display(part).to_html(escape=True)
            out.append(table.replace(">\n", f">\n<caption>{html.escape(part.label)}</caption>\n", 1))
        out += [f"<p>{html.escape(s)}</p>" for s in self.sentences]
        return "\n".join(out)

    def __repr__(self) -> str:
        return "\n\n".join([self.caption] + [self.display(p).to_string() for p in self.parts] + self.sentences)


def breakdown(data: pd.DataFrame, ctx: Context, name: str, label: str, ordinal: bool,
              codes: dict[Any, str], protection: Protection | None = None) -> Part:
    """One answer by the groups: `data` has ``outcome`` (category codes, NaN when not answered),
    ``group`` (the background labels) and, with weights, the weight column; `codes` words the codes;
    `protection` says which counts and group sizes are hidden (default :func:`unfiltered`; a filtered
    table's slice: :class:`~analysis.pipeline.explore_linked.Linked`).

    The test uses only the groups whose every count is shown and at least k (zero included): a test
    statistic is a function of the counts it is computed from, so it gives back nothing hidden."""
    table = stats.crosstab(data, "outcome", "group", weights=ctx.weights, level=ctx.level)
    table = table.rename(columns={"row": "category", "column": "group"})
    shield = (protection or unfiltered)(table, ctx)
    cell_hidden, size_hidden = shield.cells, shield.sizes
    published = record(table.reset_index(drop=True), shield, ctx)
    unsafe = cell_hidden | size_hidden | (table["count"] < ctx.k).to_numpy()
    tested = [g for g in dict.fromkeys(table["group"]) if not unsafe[(table["group"] == g).to_numpy()].any()]
    test = association(data[data["group"].isin(tested)], ordinal) if len(tested) >= 2 else None
    if test is not None:
        test["left_out"] = len(set(table["group"])) - len(tested)
    return Part(name, label, published, test, codes)


def record(table: pd.DataFrame, shield: Shield, ctx: Context) -> Published:
    """The part's protected table with the record the report's tables carry (as
    :func:`~analysis.protection.suppression.suppress` makes it): why each hidden count and group size is
    hidden (primary or zero by its own value, else the shield's reason: secondary in an unfiltered table,
    linked in a filtered one, hidden by the lines of the linked tables), the primary cells, and the public sums of
    :func:`protect`'s model (each category's count over the groups and the sizes' total where `shield`
    says they are public, each group's counts and its size each with the group's complement, which is
    never shown); a sum that is a small count is not public. A group's size is recorded on its first row
    (the other rows repeat it: derived). The audit (:meth:`~analysis.protection.disclosure.Published.audit`)
    and the disclosure log read them."""
    cell_hidden, size_hidden = shield.cells, shield.sizes
    columns = ["group", "category", "n", "count", "pct", "pct_low", "pct_high"]
    values = table[columns].assign(rest=float(table.groupby("group", sort=False)["n"].first().sum()) - table["n"])
    mask = pd.DataFrame(False, index=values.index, columns=values.columns)
    mask["count"], mask["n"], mask["rest"] = cell_hidden, size_hidden, True
    for column in ("pct", "pct_low", "pct_high"):
        mask[column] = cell_hidden | size_hidden | (table["n"] < ctx.k).to_numpy()
    first = [int(np.flatnonzero((table["group"] == g).to_numpy())[0]) for g in dict.fromkeys(table["group"])]
    sums = [[(i, "count") for i in np.flatnonzero((table["category"] == c).to_numpy()).tolist()]
            for c in dict.fromkeys(table["category"]) if c in shield.categories]
    sums += [[(i, "n") for i in first]] if shield.total else []
    for i in first:
        own = np.flatnonzero((table["group"] == table["group"].iloc[i]).to_numpy()).tolist()
        sums += [[(j, "count") for j in own] + [(i, "rest")], [(i, "n"), (i, "rest")]]
    number = {c: values[c].to_numpy(dtype=float) for c in ("n", "count", "rest")}
    sums = [con for con in sums if not is_small(sum(number[c][i] for i, c in con), ctx.k, ctx.rules.zeros)]
    cells = [(i, "count") for i in np.flatnonzero(cell_hidden).tolist()]
    cells += [(i, "n") for i in first if size_hidden[i]]
    small = {cell for cell in cells if is_small(number[cell[1]][cell[0]], ctx.k, ctx.rules.zeros)}
    reasons = {cell: ("zero" if number[cell[1]][cell[0]] == 0 else "primary") if cell in small else shield.reason
               for cell in cells}
    published = Published(values, mask, count_columns=("n", "count"), reasons=reasons, constraints=sums,
                          primary=small, k=ctx.k, zeros_hidden=ctx.rules.zeros)
    return published.drop(["rest"])


def unfiltered(table: pd.DataFrame, ctx: Context, hidden: Hidden | None = None) -> Shield:
    """The protection of an unfiltered breakdown (:func:`protect`, or `hidden`, its result computed before);
    a group whose size is hidden is hidden whole (shown with its zeros it would say where its few members
    are). Every category's count over the groups and the sizes' total are public (the report publishes the
    answer's and the item's distribution)."""
    cell_hidden, size_hidden = protect(table, ctx) if hidden is None else hidden
    return Shield(cell_hidden | size_hidden, size_hidden, frozenset(table["category"]), True)


def protect_once(table: pd.DataFrame, ctx: Context, by: str, cache: Protected) -> Hidden:
    """:func:`protect` of a part's unfiltered table by `by`, computed once for the same counts: an unfiltered
    breakdown and every pair of background items `by` is in (:func:`~analysis.pipeline.explore_linked.planes`)
    share it (the suppression of a table is most of the time a request takes)."""
    counts = table[["category", "group", "count", "n"]].reset_index(drop=True)
    if by not in cache or not cache[by][0].equals(counts):
        cache[by] = (counts, protect(table, ctx))
    return cache[by][1]


def hiding(protection: Protection, cells: frozenset[tuple[Any, Any]]) -> Protection:
    """`protection` with the counts of `cells` ((category, group) pairs; category :data:`SIZE`: the group's
    size) hidden as well, and the partners the report's suppression hides beside them (:func:`protect` with
    them as linked cells)."""
    if not cells:
        return protection

    def shield(table: pd.DataFrame, ctx: Context) -> Shield:
        base = protection(table, ctx)
        more = np.array([(c, g) in cells for c, g in zip(table["category"], table["group"])], dtype=bool)
        order = list(dict.fromkeys(table["group"]))
        sizes = np.array([base.sizes[(table["group"] == g).to_numpy()].any() or (SIZE, g) in cells
                          for g in order], dtype=bool)
        hidden, sizes_hidden = protect(table, ctx, base.cells | more, sizes)
        return replace(base, cells=base.cells | hidden | sizes_hidden, sizes=base.sizes | sizes_hidden)

    return shield


def protect(table: pd.DataFrame, ctx: Context, linked_cells: np.ndarray | None = None,
            linked_sizes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Which counts and which group sizes of a long crosstab are hidden.

    The model holds the cells, each group's size n_g and its complement N - n_g (never shown), with
    the public sums the report makes known: each category's count over the groups (the answer's
    distribution), the group sizes' total, and for each group its cells + complement = N and
    n_g + complement = N (so the cells of a group add up to its size). A group size the background
    item's own protection hides (:func:`group_sizes_hidden`) is hidden here as a linked cell, with its
    complement; secondary suppression then hides further cells until none follows from the rest.
    `linked_cells` (one per row) and `linked_sizes` (one per group, in order of appearance) are hidden
    as linked cells too (a rule outside this table requires them hidden).
    """
    groups = list(dict.fromkeys(table["group"]))
    sizes = table.groupby("group", sort=False)["n"].first().reindex(groups)
    total = float(sizes.sum())
    cells = table[["group", "category", "count"]].astype({"count": float}).reset_index(drop=True)
    n_rows = pd.DataFrame({"group": groups, "category": "n", "count": sizes.to_numpy(dtype=float)})
    rest_rows = pd.DataFrame({"group": groups, "category": "rest", "count": total - sizes.to_numpy(dtype=float)})
    model = pd.concat([cells, n_rows, rest_rows], ignore_index=True).astype({"group": str, "category": str})
    first_n, first_rest = len(cells), len(cells) + len(groups)
    sums = [[(i, "count") for i in np.flatnonzero((table["category"] == c).to_numpy()).tolist()]
            for c in dict.fromkeys(table["category"])]
    sums.append([(first_n + j, "count") for j in range(len(groups))])
    for j, g in enumerate(groups):
        own = np.flatnonzero((table["group"] == g).to_numpy()).tolist()
        sums.append([(i, "count") for i in own] + [(first_rest + j, "count")])
        sums.append([(first_n + j, "count"), (first_rest + j, "count")])
    linked = pd.DataFrame(False, index=model.index, columns=model.columns)
    sizes_linked = group_sizes_hidden(sizes, ctx)
    if linked_sizes is not None:
        sizes_linked = sizes_linked | linked_sizes
    for j, hidden in enumerate(sizes_linked):
        linked.loc[[first_n + j, first_rest + j], "count"] = hidden
    if linked_cells is not None:
        linked.loc[:first_n - 1, "count"] = linked_cells
    pub = suppress(model, ctx.k, counts=["count"], within={}, across=[], suppress_zeros=ctx.rules.zeros,
                   suppress_whole=ctx.rules.whole, public_sums=sums, extra_mask=linked)
    hidden = pub.mask["count"].to_numpy()
    position = {g: first_n + j for j, g in enumerate(groups)}
    return hidden[:first_n], np.array([hidden[position[g]] for g in table["group"]], dtype=bool)


def group_sizes_hidden(sizes: pd.Series, ctx: Context) -> np.ndarray:
    """The group sizes the background item's own frequency table hides (their total is public)."""
    table = pd.DataFrame({"group": [str(g) for g in sizes.index], "n": sizes.to_numpy(dtype=float)})
    pub = suppress(table, ctx.k, counts=["n"], within={"n": []}, across=[], suppress_zeros=ctx.rules.zeros,
                   suppress_whole=ctx.rules.whole)
    return pub.mask["n"].to_numpy()


def association(data: pd.DataFrame, ordinal: bool) -> dict[str, Any] | None:
    """The test of association of ``outcome`` with ``group``: Mann-Whitney (two groups) or
    Kruskal-Wallis for a rating, chi-square (Fisher or Monte-Carlo for small expected counts) with
    Cramér's V for categories. None when fewer than two groups or answers are present."""
    present = data.dropna(subset=["outcome", "group"])
    if ordinal:
        samples = [g["outcome"].astype(float).to_numpy() for _, g in present.groupby("group", observed=True)]
        samples = [s for s in samples if len(s)]
        if len(samples) < 2 or len(np.unique(np.concatenate(samples))) < 2:
            return None
        if len(samples) == 2:
            u, p = sps.mannwhitneyu(samples[0], samples[1], alternative="two-sided")
            size = 1 - 2 * float(u) / (len(samples[0]) * len(samples[1]))
            return {"test": "Mann-Whitney U", "statistic": float(u), "p": float(p), "effect": "r",
                    "size": size, "n": len(present)}
        h, p = sps.kruskal(*samples)
        return {"test": "Kruskal-Wallis H", "statistic": float(h), "p": float(p), "effect": "ε²",
                "size": float(h) / (len(present) - 1), "n": len(present)}
    test = stats.crosstab_test(present, "outcome", "group")
    if test.empty or test["test"].iloc[0] == "none":
        return None
    row = test.iloc[0]
    return {"test": {"chi2": "chi-square"}.get(row["test"], row["test"]), "statistic": float(row["statistic"]),
            "p": float(row["p"]), "effect": "Cramér's V", "size": float(row["cramers_v"]), "n": int(row["n"])}


def sentence(part: Part, by: str, ctx: Context) -> str:
    """The sentence of a part's test: "differs" only when p < alpha (Holm-adjusted ``p`` when the
    caller set it); no figure of a test that is not shown."""
    words = WORDING[ctx.lang]
    if part.test is None:
        return words["hidden"].format(what=part.label, by=by, k=ctx.k)
    t = part.test
    key = "differ" if t["p"] < ctx.alpha else "open"
    text = words[key].format(what=part.label, by=by, test=t["test"], p=ctx.p(t["p"]), effect=t["effect"],
                             size=ctx.num(t["size"], 2), n=ctx.num(t["n"]))
    if t.get("left_out"):
        text += " " + words["left_out"].format(groups=ctx.num(t["left_out"]), k=ctx.k)
    return text


def holm(parts: list[Part]) -> None:
    """Holm-adjust the p-values of several parts' tests in place (a grid's items, a question's options)."""
    tested = [p for p in parts if p.test is not None]
    if len(tested) > 1:
        adjusted = stats.holm_adjust([p.test["p"] for p in tested])
        for part, p in zip(tested, adjusted):
            part.test["p"] = float(p)

