"""Exploring in JupyterLab: any question by any background item, with the report's statistics and protection.

``survey = explore.open(data=..., mapping=..., weights=..., rules=..., lang=..., wave=...)`` loads the
export through the build's one loader (:func:`analysis.pipeline.parameters.load_survey`; defaults: the
bundled export) and ``survey.table(item, by=..., within=...)`` returns an
:class:`~analysis.pipeline.explore_table.ExploreTable`: the answers of `item` (a single choice, a rating,
a rating grid by its grid name, a multi-select per option, an open question by its codes) by the groups
of a categorical background item, protected by the report's small-cell rules, with a test of association
and its sentence. Mistakes a person makes (an unknown item, an open item as breakdown, a filter that
leaves fewer than k respondents) raise :class:`ExploreError` naming the item and what is allowed. A survey
keeps a record of the tables it has shown (:mod:`~analysis.pipeline.explore_record`) and refuses, with
:class:`ExploreError`, a table that beside them would give back a hidden count.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import coding
from analysis.pipeline.explore_linked import Linked, Plane, planes
from analysis.pipeline.explore_record import Finding, Record, Shown, report_table
from analysis.pipeline.explore_table import (SIZE, WORDING, ExploreTable, Part, Protected, Protection, breakdown, holm,
                                             hiding, protect_once, sentence, unfiltered)
from analysis.pipeline.parameters import BuildParameters, load_survey
from analysis.survey.codebook import Item, load_codebook
from analysis.themes.base import Context
from analysis.themes.derived import ACTIVE_CODES

#: Item types that can be a breakdown (categorical background answers).
BREAKDOWN_TYPES = ("single", "ordinal")
#: How many more counts a table may hide, one at a time, before the record refuses it.
RETRIES = 8
#: The breakdown by type of organisation: the ``group`` of each organisation's code in the codebook.
ORGANISATION_TYPE = "organisation_type"


#: One answer to break down: its name, label, codes of the selected respondents, whether it is
#: ordinal (a rating), and the words of its codes.
Outcome = tuple[str, str, pd.Series, bool, dict[Any, str]]


class ExploreError(ValueError):
    """A request the exploration cannot answer, with the item and what is allowed."""


class Refused(ExploreError):
    """A table the survey's record refuses: beside the tables shown before it gives a count back (`finding`)."""

    def __init__(self, finding: Finding, message: str):
        super().__init__(message)
        self.finding = finding


@dataclass
class Survey:
    """A loaded survey to explore: the frame, the parameters it was loaded with and their context."""

    frame: pd.DataFrame
    params: BuildParameters
    ctx: Context
    #: the hidden lines of each (part, breakdown, filter item) plane, computed once (see :func:`planes`)
    planes: dict[tuple[str, str, str], Plane] = field(default_factory=dict, repr=False)
    #: the protection of each part's unfiltered table by each breakdown, computed once for the unfiltered
    #: table and the planes (see :func:`~analysis.pipeline.explore_table.protect_once`)
    unfiltered: dict[str, Protected] = field(default_factory=dict, repr=False)
    #: the tables shown so far, each new one audited against them (:mod:`~analysis.pipeline.explore_record`);
    #: None: each table is protected on its own against the report's margins only
    record: Record | None = field(default=None, repr=False)
    #: each part's answers for every respondent, by the part's name (for the record)
    answers: dict[str, pd.Series] = field(default_factory=dict, repr=False)

    # --- what can be asked --------------------------------------------------------------------
    def items(self) -> list[str]:
        """Every item (or rating grid) a table can be made of."""
        codebook = self.ctx.codebook
        grids = list(dict.fromkeys(i.grid for i in codebook.items if i.grid))
        return [i.id for i in codebook.items if i.type in ("single", "ordinal", "rating", "multi", "open")] + grids

    def breakdowns(self) -> list[str]:
        """Every categorical background item a table can be broken down by."""
        ids = [i.id for i in self.ctx.codebook.items if i.type in BREAKDOWN_TYPES]
        return ids + [ORGANISATION_TYPE]

    # --- the table ----------------------------------------------------------------------------
    def table(self, item: str, by: str, within: dict[str, Any] | None = None) -> ExploreTable:
        """The answers to `item` by the groups of `by`, among the respondents `within` selects
        (``{background item: code or list of codes}``), protected, tested and worded."""
        self._check_request(item, by, within or {})
        table = self._made(item, by, within, {})
        if self.record is None:
            return table
        extra: dict[str, frozenset[tuple[Any, Any]]] = {}
        tried: set[tuple[str, Any, Any]] = set()
        for _ in range(RETRIES + 1):
            shown = self._shown(table, item, within)
            problem = self.record.check(shown)
            if problem is None:
                self.record.shown.extend(shown)
                return table
            cell = _next_cell(table, tried, problem)
            if cell is None:
                break
            tried.add(cell)
            extra[cell[0]] = extra.get(cell[0], frozenset()) | {cell[1:]}
            table = self._made(item, by, within, extra)
        raise Refused(problem, f"{problem.text}: it is not shown (hiding up to {RETRIES} more of its counts did "
                               f"not help). Tables published together must be protected together; survey.forget() "
                               f"starts a new record to look at it apart from them, and the two sets are then never "
                               f"published side by side")

    def _made(self, item: str, by: str, within: dict[str, Any] | None,
              extra: dict[str, frozenset[tuple[Any, Any]]]) -> ExploreTable:
        """The protected table, with the counts `extra` names (by part) hidden as well."""
        groups, by_label = self._groups(by)
        rows, within_text = self._selection(within)
        linked = self._linked(item, by, groups, within) if within else {}
        parts = [self._part(name, label, outcome, groups[rows], ordinal, codes,
                            hiding(linked.get(name) or self._whole(name, by), extra.get(name, frozenset())))
                 for name, label, outcome, ordinal, codes in self._outcomes(item, rows)]
        holm(parts)
        title = self._title(item)
        caption = WORDING[self.ctx.lang]["caption"].format(title=title, by=by_label)
        if within_text:
            caption += f" ({WORDING[self.ctx.lang]['within'].format(within=within_text)})"
        sentences = [sentence(p, by_label, self.ctx) for p in parts]
        return ExploreTable(item, by, caption, parts, sentences, self.ctx)

    def forget(self) -> None:
        """Start a new record of shown tables: the next tables are audited against each other, not against
        those shown so far (publish the two sets apart, never side by side)."""
        if self.record is not None:
            self.record.forget()

    def _shown(self, table: ExploreTable, item: str, within: dict[str, Any] | None) -> list[Shown]:
        """The parts of a table as the record keeps them."""
        for part, _, outcome, _, _ in self._outcomes(item, self.frame.index):
            self.answers.setdefault(part, outcome)
        ((name, wanted),) = within.items() if within else ((None, None),)
        values = tuple(self._filter_values(name, _codes(wanted))) if name else ()
        counts = table.counts()
        return [Shown(part.name, table.by, name, values, table.caption, counts[counts["part"] == part.name], item)
                for part in table.parts]

    def _variable(self, name: str) -> pd.Series:
        """The labels of a background item, or the answers of a part, for every respondent."""
        return self._groups(name)[0] if name in self.breakdowns() else self.answers[name]

    def _check_request(self, item: str, by: str, within: dict[str, Any]) -> None:
        """A request that leaves one group or one answer (the item as its own breakdown, a filter on the
        breakdown or on the item itself) or selects nothing is refused, naming what is allowed."""
        if item == by:
            raise ExploreError(f"item {item!r} is also the breakdown: choose another breakdown from "
                               f"{', '.join(b for b in self.breakdowns() if b != item)}")
        others = ", ".join(b for b in self.breakdowns() if b not in (item, by))
        if len(within) > 1:
            raise ExploreError(f"the filter {within!r} names {len(within)} items: filter on one item at a time, "
                               f"one of {others}")
        for name, wanted in within.items():
            if name in (item, by):
                what = ("the breakdown", "group") if name == by else ("the item", "answer")
                raise ExploreError(f"the filter on {name!r} is on {what[0]} itself and would leave one {what[1]}: "
                                   f"filter {item!r} by {by!r} on one of {others}")
            if isinstance(wanted, Iterable) and not isinstance(wanted, str) and not list(wanted):
                raise ExploreError(f"the filter on {name!r} selects no code: give a code or a list of codes of "
                                   f"{name!r}")

    def _part(self, name: str, label: str, outcome: pd.Series, groups: pd.Series, ordinal: bool,
              codes: dict[Any, str], protection: Protection) -> Part:
        data = pd.DataFrame({"outcome": outcome, "group": groups})
        if self.ctx.weights:
            data[self.ctx.weights] = self.frame.loc[outcome.index, self.ctx.weights]
        return breakdown(data, self.ctx, name, label, ordinal, codes, protection)

    def _whole(self, part: str, by: str) -> Protection:
        """The protection of the unfiltered table of `part` by `by`, shared with the planes of every pair `by`
        is in (computed once per Survey)."""
        cache = self.unfiltered.setdefault(part, {})
        return lambda table, ctx: unfiltered(table, ctx, protect_once(table, ctx, by, cache))

    def _linked(self, item: str, by: str, groups: pd.Series, within: dict[str, Any]) -> dict[str, Linked]:
        """The linked protection of each part of a filtered table: the (answer, breakdown) plane and the
        (answer, filter item) plane of the 3-D table over every value of the filter, whichever is asked."""
        ((name, wanted),) = within.items()
        values = self._filter_values(name, _codes(wanted))
        layers = self._groups(name, "filter")[0]
        linked = {}
        for part, _, outcome, _, _ in self._outcomes(item, self.frame.index):
            if (part, by, name) not in self.planes:
                # the same two planes whichever of the two items is the breakdown: in a fixed order
                (first, one), (second, other) = sorted([(by, groups), (name, layers)], key=lambda pair: pair[0])
                found = planes(outcome, one.rename(first), other.rename(second), self.ctx,
                               self.unfiltered.setdefault(part, {}))
                self.planes[(part, first, second)], self.planes[(part, second, first)] = found
            linked[part] = Linked(self.planes[(part, by, name)], self.planes[(part, name, by)], values)
        return linked

    def _title(self, item: str) -> str:
        if item in self.ctx.codebook:
            return self.ctx.label(item)
        return item.replace("_", " ")

    def _groups(self, by: str, use: str = "breakdown") -> tuple[pd.Series, str]:
        """The group label of every respondent (None when not answered) and the breakdown's label; `use`
        says what the item is asked for (a breakdown or a filter) in an error."""
        codebook, lang = self.ctx.codebook, self.ctx.lang
        if by == ORGANISATION_TYPE:
            organisation = codebook["organisation"]
            kinds = organisation.code_attr("group")
            label = {"en": "type of organisation", "nl": "type organisatie"}[lang]
            return _labelled(self.frame["organisation"], kinds), label
        if by not in codebook:
            raise ExploreError(f"unknown {use} {by!r}: a {use} is one of {', '.join(self.breakdowns())}")
        spec = codebook[by]
        if spec.type not in BREAKDOWN_TYPES:
            raise ExploreError(f"{by!r} is a {spec.type} item and cannot be a {use} (only categorical "
                               f"background items can): one of {', '.join(self.breakdowns())}")
        return _labelled(self.frame[by], spec.code_labels(lang)), spec.label(lang)

    def _selection(self, within: dict[str, Any] | None) -> tuple[pd.Index, str]:
        """The respondents `within` selects (at least k of them) and its words for the caption."""
        rows = pd.Series(True, index=self.frame.index)
        words = []
        for name, wanted in (within or {}).items():
            groups, label = self._groups(name, "filter")
            values = self._filter_values(name, _codes(wanted))
            rows &= groups.isin(values)
            words.append(f"{label}: {', '.join(values)}")
        if rows.sum() < self.ctx.k:
            raise ExploreError(f"the filter {within!r} leaves fewer than k = {self.ctx.k} respondents (how many is "
                               f"not said: a small count): choose a filter that keeps at least {self.ctx.k}")
        return self.frame.index[rows.to_numpy()], "; ".join(words)

    def _filter_values(self, name: str, codes: list[Any]) -> list[str]:
        """The group labels of the codes a filter asks for (codes or labels of the item)."""
        if name == ORGANISATION_TYPE:
            allowed = dict.fromkeys(str(v) for v in self.ctx.codebook["organisation"].code_attr("group").values())
            labels = {v: v for v in allowed}
        else:
            labels = {**{str(c): v for c, v in self.ctx.codebook[name].code_labels(self.ctx.lang).items()},
                      **{v: v for v in self.ctx.codebook[name].code_labels(self.ctx.lang).values()}}
        unknown = [c for c in codes if str(c) not in labels]
        if unknown:
            raise ExploreError(f"filter on {name!r}: no such code {unknown[0]!r}; the codes are "
                               f"{', '.join(dict.fromkeys(labels))}")
        return [labels[str(c)] for c in codes]

    def _outcomes(self, item: str, rows: pd.Index) -> list[Outcome]:
        """The answers of `item` (name, label, codes of the selected respondents, ordinal) per part."""
        codebook = self.ctx.codebook
        grid = [i for i in codebook.items if i.grid == item]
        if grid:
            return [self._rating(i, rows) for i in grid]
        if item not in codebook:
            raise ExploreError(f"unknown item {item!r}: an item is one of {', '.join(self.items())}")
        spec = codebook[item]
        if spec.type == "rating":
            return [self._rating(spec, rows)]
        if spec.type in ("single", "ordinal"):
            labels = spec.code_labels(self.ctx.lang)
            return [(item, spec.label(self.ctx.lang), _labelled(self.frame.loc[rows, item], labels),
                     spec.type == "ordinal", {})]
        if spec.type == "multi":
            ticked = WORDING[self.ctx.lang]["ticked"]
            return [(column, self.ctx.option_label(column), self.frame.loc[rows, column], False, ticked)
                    for column in spec.columns]
        if spec.type == "open" and spec.frame:
            return self._codes(spec, rows)
        raise ExploreError(f"{item!r} is a {spec.type} item: a table can be made of one of {', '.join(self.items())}")

    def _rating(self, spec: Item, rows: pd.Index) -> Outcome:
        """A rating as the report summarises it: bottom 2, middle and top 2 of the scale, in order (don't
        know and missing left out), so that fewer cells fall below k than on the full scale."""
        values = pd.to_numeric(self.frame.loc[rows, spec.id].astype(object), errors="coerce")
        scale = spec.substantive_codes
        boxes = pd.Series(float("nan"), index=values.index)
        boxes[values.isin(scale[:2])] = 1.0
        boxes[values.isin(scale[2:-2])] = 2.0
        boxes[values.isin(scale[-2:])] = 3.0
        labels = spec.code_labels(self.ctx.lang)
        words = WORDING[self.ctx.lang]["boxes"]
        names = {1.0: f"{words[0]} ({', '.join(labels[c] for c in scale[:2])})", 2.0: words[1],
                 3.0: f"{words[2]} ({', '.join(labels[c] for c in scale[-2:])})"}
        return spec.id, spec.label(self.ctx.lang), boxes, True, names

    def _codes(self, spec: Item, rows: pd.Index) -> list[Outcome]:
        """Each code of an open question (the automatic first pass, or the coders' final codes): 0/1
        among those who answered."""
        answers = coding.answers(self.frame.loc[rows], spec)
        if self.ctx.coding is not None and self.ctx.coding.covers(spec.id):
            codes = self.ctx.coding.codes(spec).reindex(answers[coding.KEY]).fillna(0).astype(int)
            codes.index = answers.index
        else:
            codes = coding.automatic_codes(answers["text"], spec)
        labels = {c.code: c.labels[self.ctx.lang] for c in spec.frame}
        coded = WORDING[self.ctx.lang]["coded"]
        return [(f"{spec.id}_{code}", labels[code], codes[code].reindex(rows), False, coded) for code in labels]


def _next_cell(table: ExploreTable, tried: set[tuple[str, Any, Any]], found: Finding) -> tuple[str, Any, Any] | None:
    """The next count to hide when the record finds a table gives something back: a shown count or group
    size (category :data:`~analysis.pipeline.explore_table.SIZE`) above zero that shares a group or a
    category with a hidden count (a hidden count's partners are there), of any part, not tried before;
    those of the count given back's group first, then of its category, each smallest first. None when
    none is left."""
    counts = table.counts()
    hidden = counts[counts["count"].isna()]
    near = counts["group"].isin(hidden["group"]) | counts["category"].isin(hidden["category"])
    cells = counts[near & (counts["count"] > 0)][["part", "category", "group", "count"]]
    sizes = (counts[counts["n"] > 0].drop_duplicates(["part", "group"])[["part", "group", "n"]]
             .rename(columns={"n": "count"}).assign(category=SIZE))
    candidates = pd.concat([cells, sizes])
    candidates = candidates.assign(far=(candidates["group"] != found.group).astype(int) * 2
                                   + (candidates["category"] != found.category).astype(int))
    for row in candidates.sort_values(["far", "count"], kind="stable").itertuples():
        if (row.part, row.category, row.group) not in tried:
            return row.part, row.category, row.group
    return None


def _codes(wanted: Any) -> list[Any]:
    """The codes a filter asks for: a list of codes or one code."""
    return list(wanted) if isinstance(wanted, Iterable) and not isinstance(wanted, str) else [wanted]


def _labelled(codes: pd.Series, labels: dict[Any, str]) -> pd.Series:
    """Answer codes as an ordered categorical of their labels (the codebook's order; codes without
    a label are left out)."""
    values = codes.astype(object).map(lambda c: None if pd.isna(c) else labels.get(c))
    return pd.Series(pd.Categorical(values, categories=list(dict.fromkeys(labels.values())), ordered=True),
                     index=codes.index)


def open(data: str | Path | None = None, mapping: str | Path | None = None, weights: str | None = None,
         rules: str = "standard", lang: str = "en", wave: str | None = None, min_cell: int | None = None,
         record: bool = True, **parameters: Any) -> Survey:
    """Load an export to explore, through the build's loader and with the build's parameters
    (any other field of :class:`~analysis.pipeline.parameters.BuildParameters` by name). With `record`
    (the default) every table is audited against the tables this survey showed before it; without,
    each table is protected on its own against the report's margins (for checking one table)."""
    params = BuildParameters(data_path=data, mapping=mapping, weights=weights, rules=rules, lang=lang, wave=wave,
                             **({"min_cell": min_cell} if min_cell is not None else {}), **parameters)
    frame, _ = load_survey(params)
    return survey_of(frame, params, record)


def survey_of(frame: pd.DataFrame, params: BuildParameters, record: bool = True) -> Survey:
    """The survey to explore of a frame already loaded and validated with `params` (the build's
    appendix uses it with the frame the build validated; :func:`open` after loading an export), with a
    record of the tables it shows unless `record` is false."""
    wave = frame.attrs.get("wave")
    ctx = Context(lang=params.lang, rules=params.publication_rules(), level=float(params.level),
                  weights=params.weights, synthetic=bool(frame.attrs.get("synthetic")),
                  codebook=load_codebook().for_wave(wave) if wave else load_codebook(),
                  coding=coding.Coding.load(params.coding, frame) if params.coding else None)
    survey = Survey(frame, params, ctx)
    if record:
        survey.record = Record(survey._variable, ctx.k, ctx.rules.zeros, _report_tables(survey))
    return survey


def _report_tables(survey: Survey) -> list[Shown]:
    """The report's tables of one background item by another, for the record: the participants chapter's
    share of active users (use frequency weekly or daily, :data:`~analysis.themes.derived.ACTIVE_CODES`) by
    age band (its substantive answers, as the chapter shows them), by role and by citizen-facing role (the
    codebook's ``citizen_facing`` roles against the rest)."""
    codebook, lang = survey.ctx.codebook, survey.ctx.lang
    if not all(name in codebook for name in ("use_frequency", "age_band", "role")):
        return []
    frequency = codebook["use_frequency"].code_labels(lang)
    active = (tuple(frequency[c] for c in ACTIVE_CODES if c in frequency),)
    roles = codebook["role"].code_labels(lang)
    facing = tuple(roles[c.code] for c in codebook["role"].codes if c.attrs.get("citizen_facing"))
    caption = "the report's active users by {}"
    ages = codebook["age_band"]
    labels = ages.code_labels(lang)
    return [report_table("use_frequency", by, active, groups, survey._variable, caption.format(by))
            for by, groups in (("age_band", [labels[c] for c in ages.substantive_codes]),
                               ("role", roles.values()),
                               ("role", (facing, tuple(r for r in roles.values() if r not in facing))))]
