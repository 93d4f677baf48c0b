"""What a theme computation returns: a :class:`ThemeResult` of sections (headings, sentences, blocks
of published tables and figures), a summary and typed facts; :meth:`ThemeResult.save` writes the
theme's files. With it, the helpers that turn a published cell into a fact and draw a figure only
when the context computes with figures.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.core.errors import Problem, SurveyDataError
from analysis.protection.disclosure import HIDDEN, Published, is_hidden
from analysis.protection.quotes import REVIEW_COLUMNS
from analysis.report import facts as facts_schema
from analysis.report.figures import save_figure
from analysis.report.text import file_table

if TYPE_CHECKING:
    from analysis.themes.base import Context


class DisclosureError(SurveyDataError):
    """A published table would pin or narrow a hidden count: the build stops, naming table and cell."""


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
        columns = ["theme", "table", "row", "row_label", "column", "reason", "respondents", "showable", "profile"]
        return pd.DataFrame(rows, columns=columns).astype({"respondents": "Int64"})

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
        self.disclosure_log(ctx.rules.name if ctx else "standard").to_csv(
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


def published_value(pub: Published, column: str, where: tuple[str, Any] | None = None) -> Any:
    """One cell of a published table (:data:`HIDDEN` if suppressed, NaN if there is no such row)."""
    row = 0 if where is None else pub.find(where[0], where[1])
    if row is None or row >= len(pub):
        return float("nan")
    return pub.cell(row, column)


def hidden_in_rows(pub: Published, key: str, value: Any, column: str) -> bool:
    """Whether `column` is hidden in a row whose `key` is `value` (False when the table has no such column)."""
    if column not in pub:
        return False
    rows = (pub.values[key] == value).fillna(False).to_numpy()
    return bool(pub.mask[column].to_numpy()[rows].any())


def concat_rows(parts: list[Published], ids: list[str]) -> Published:
    """Rows of several published tables for the items `ids`, in that order, with their masks."""
    values = pd.concat([p.values for p in parts], ignore_index=True)
    mask = pd.concat([p.mask for p in parts], ignore_index=True).reindex(columns=values.columns, fill_value=False)
    keep = values["item"].isin(ids).to_numpy()
    order = sorted(np.flatnonzero(keep), key=lambda i: (ids.index(values["item"].iloc[i]), i))
    return Published(values.iloc[order], mask.iloc[order].fillna(False).astype(bool))
