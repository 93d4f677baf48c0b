"""Figures in one consistent style: diverging stacked bars for rating grids and bars with Wilson
intervals for proportions. Files are deterministic (fixed SVG hash salt, no date or software
metadata). Figures are drawn from tables that already passed small-cell suppression, so a
suppressed cell is never drawn.
"""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from analysis.protection.disclosure import SUPPRESSED, Published, is_hidden  # noqa: E402

#: Five-point palette: negative (brown) -> neutral (grey) -> positive (teal); don't know apart.
#: Source: ColorBrewer 2.0 (Brewer, Harrower & Hirsch), diverging scheme BrBG, 5 classes, which
#: ColorBrewer marks colour-blind safe and print friendly; its white midpoint (#f5f5f5) is replaced
#: by a light grey so the neutral share stays visible on a white page. The light classes have less
#: than 3:1 contrast with white, so every segment gets a SEGMENT_EDGE outline (at least 3.8:1
#: against each light class and against white: WCAG 2.1 SC 1.4.11), and the values are in the
#: table beside the figure and in its text alternative.
SCALE_COLOURS = ["#a6611a", "#dfc27d", "#d9d9d9", "#80cdc1", "#018571"]
SEGMENT_EDGE = "#595959"
DONT_KNOW_COLOUR = "#bdbdbd"
#: Bars and the two dot series of paired dots: blue and dark orange (the two ends of ColorBrewer
#: PuOr's hue pair, safe for red-green colour blindness), each over 4.5:1 against white.
BAR_COLOUR = "#2b6a99"
SECOND_COLOUR = "#b35806"
FIGURE_WIDTH = 8.0
#: Characters per footer line (7-point DejaVu Sans across the figure width): wrapped by textwrap,
#: not by matplotlib's ``wrap=True``, which measures the text again and again on every draw.
FOOTER_CHARS = 140

#: The two waves of a comparison: the earlier wave in dark orange (circles), the later in blue
#: (diamonds): the same PuOr pair as above, each over 4.5:1 against white (WCAG 2.1 SC 1.4.11 asks
#: 3:1 for graphics), told apart by marker shape as well as by colour.
WAVE_COLOURS = (SECOND_COLOUR, BAR_COLOUR)
WAVE_MARKERS = ("o", "D")


def apply_style() -> None:
    """One style for every figure; deterministic SVG output."""
    sns.set_theme(style="whitegrid", context="notebook", font="DejaVu Sans")
    matplotlib.rcParams.update({
        "svg.hashsalt": "politie20-survey",
        # SVG text stays text (selectable, read by screen readers and searchable; 4x smaller files and
        # 40% less drawing time than glyph outlines), with a fallback chain ending in sans-serif
        "svg.fonttype": "none",
        "font.family": ["DejaVu Sans", "sans-serif"],
        "figure.dpi": 100,
        "savefig.dpi": 110,
        "axes.titlesize": 11,
        "axes.labelsize": 9,
        "xtick.labelsize": 8,
        "ytick.labelsize": 9,
        "legend.fontsize": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        # a fixed title position: matplotlib otherwise measures every tick label of every axis
        # to place the title (a quarter of the drawing time); no figure here has top ticks
        "axes.titley": 1.0,
    })


def _left_margin(labels: Sequence[str]) -> float:
    """Fraction of the figure width the y-axis labels need (9-point DejaVu Sans)."""
    longest = max((len(str(label)) for label in labels), default=10)
    return min(0.5, 0.04 + 0.068 * longest / FIGURE_WIDTH)


def _value(cell) -> float:
    """A published cell as a number to draw (a hidden or empty cell draws nothing)."""
    return np.nan if is_hidden(cell) or cell is None or cell is pd.NA else float(cell)


def mark_figure(fig: plt.Figure, footer: str, synthetic_label: str | None) -> None:
    """Add the base/caption footer and, for synthetic data, a visible marker."""
    fig.text(0.01, 0.005, textwrap.fill(footer, FOOTER_CHARS), ha="left", va="bottom", fontsize=7, color="#444444")
    if synthetic_label:
        fig.text(0.99, 0.995, synthetic_label, ha="right", va="top", fontsize=8, fontweight="bold",
                 color="#b2182b", bbox={"boxstyle": "round,pad=0.3", "fc": "#fde0dd", "ec": "#b2182b", "lw": 0.8})


def diverging_bars(distribution: Published, item_labels: dict[str, str], scale_labels: list[str],
                   dont_know_label: str, order: Sequence[str], title: str, footer: str,
                   synthetic_label: str | None, pct_axis_label: str, suppressed_note: str) -> plt.Figure:
    """Diverging stacked bars of a rating grid (percent of substantive answers).

    The neutral category is split across zero; negative categories extend left, positive right;
    items are drawn in `order` (top to bottom). "Don't know" is shown apart, in a narrow panel on
    the right, as percent of all who answered the item (substantive + don't know). Suppressed
    segments are left out and noted.
    """
    from matplotlib.patches import Patch

    apply_style()
    items = list(order)
    top_in, bottom_in, row_in = 0.65, 1.35, 0.42
    height = top_in + bottom_in + row_in * max(len(items), 2)
    fig, (ax, ax_dk) = plt.subplots(1, 2, figsize=(FIGURE_WIDTH, height), sharey=True,
                                    gridspec_kw={"width_ratios": [5, 1], "wspace": 0.05})
    y = np.arange(len(items))[::-1]
    any_suppressed = False
    segments: list[list[tuple[float, float, float]]] = [[] for _ in range(5)]  # per category: (y, width, left)
    for row_y, item in zip(y, items):
        positions = [i for i in np.flatnonzero((distribution.values["item"] == item).to_numpy())]
        positions.sort(key=lambda i: distribution.values["code"].iloc[i])
        rows = distribution.take(positions)
        pct = [_value(v) for v in rows["pct"]]
        any_suppressed |= any(is_hidden(v) for v in rows["pct"])
        p = np.nan_to_num(pct)
        left_start = -(p[0] + p[1] + p[2] / 2)
        starts = [left_start, left_start + p[0], -p[2] / 2, p[2] / 2, p[2] / 2 + p[3]]
        for k in range(5):
            if p[k] > 0:
                segments[k].append((row_y, p[k], starts[k]))
        n = _value(rows.cell(0, "n"))
        dk = _value(rows.cell(0, "dont_know_n"))
        if not (np.isnan(n) or np.isnan(dk)) and (n + dk) > 0:
            dk_pct = 100 * dk / (n + dk)
            ax_dk.barh(row_y, dk_pct, color=DONT_KNOW_COLOUR, edgecolor=SEGMENT_EDGE, linewidth=0.6, height=0.7)
            ax_dk.text(dk_pct + 1, row_y, f"{dk_pct:.0f}", va="center", fontsize=7)
        else:
            ax_dk.text(1, row_y, SUPPRESSED, va="center", fontsize=7)
    for k, drawn in enumerate(segments):  # one call per answer category: the same bars, fewer artists
        if drawn:
            ys, widths, lefts = zip(*drawn)
            ax.barh(ys, widths, left=lefts, color=SCALE_COLOURS[k], edgecolor=SEGMENT_EDGE, linewidth=0.6, height=0.7)
    _label_diverging_axes(ax, ax_dk, y, [item_labels[i] for i in items], title, pct_axis_label, dont_know_label)
    handles = [Patch(facecolor=c, edgecolor=SEGMENT_EDGE, linewidth=0.6, label=text)
               for c, text in zip(SCALE_COLOURS, scale_labels)]
    fig.legend(handles=handles, ncol=5, loc="lower center", bbox_to_anchor=(0.6, 0.42 / height), frameon=False,
               handlelength=1.2, columnspacing=0.8)
    fig.subplots_adjust(left=_left_margin(item_labels[i] for i in items), right=0.97, top=1 - top_in / height,
                        bottom=bottom_in / height)
    mark_figure(fig, footer + (f" {suppressed_note}" if any_suppressed else ""), synthetic_label)
    return fig


def _label_diverging_axes(ax: plt.Axes, ax_dk: plt.Axes, y: np.ndarray, labels: list[str], title: str,
                          pct_axis_label: str, dont_know_label: str) -> None:
    """Ticks, limits and titles of the diverging bars (percent either side of zero) and of the
    don't-know panel beside them."""
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.set_xlim(-100, 100)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100", "50", "0", "50", "100"])
    ax.set_xlabel(pct_axis_label)
    ax.set_title(title, loc="left")
    ax_dk.set_xlim(0, 40)
    ax_dk.set_xticks([20, 40], ["20", "40"])
    ax_dk.tick_params(axis="y", length=0)
    ax_dk.set_title(dont_know_label + " (%)", fontsize=8)


def proportion_bars(table: Published, label_col: str, title: str, footer: str, synthetic_label: str | None,
                    pct_axis_label: str, suppressed_note: str) -> plt.Figure:
    """Horizontal bars of percentages with Wilson intervals (none for a table describing the sample),
    in table order (top to bottom)."""
    apply_style()
    top_in, bottom_in = 0.65, 0.95
    height = top_in + bottom_in + 0.38 * max(len(table), 2)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, height))
    y = np.arange(len(table))[::-1]
    any_suppressed = False
    bars: list[tuple[float, float]] = []
    errors: list[tuple[float, float, float, float]] = []
    for row_y, row in zip(y, table.rows()):
        pct, low, high = (_value(row.get(c)) for c in ("pct", "pct_low", "pct_high"))
        if np.isnan(pct):
            any_suppressed |= is_hidden(row["pct"])
            ax.text(1, row_y, SUPPRESSED if is_hidden(row["pct"]) else "–", va="center", fontsize=8)
            continue
        bars.append((row_y, pct))
        if not (np.isnan(low) or np.isnan(high)):
            errors.append((row_y, pct, pct - low, high - pct))
        ax.text(min(high if not np.isnan(high) else pct, 100) + 1.5, row_y, f"{pct:.0f}%", va="center", fontsize=8)
    if bars:  # one call for the bars and one for the intervals: the same marks, fewer artists
        ax.barh(*zip(*bars), color=BAR_COLOUR, height=0.65)
    if errors:
        ey, ex, below, above = (np.array(v) for v in zip(*errors))
        ax.errorbar(ex, ey, xerr=[below, above], fmt="none", ecolor="#222222", elinewidth=1, capsize=3)
    ax.set_yticks(y, list(table[label_col]))
    ax.set_xlim(0, 110)
    ax.set_xlabel(pct_axis_label)
    ax.set_title(title, loc="left")
    ax.set_ylim(-0.6, len(table) - 0.4)
    fig.subplots_adjust(left=_left_margin(table[label_col]), right=0.97, top=1 - top_in / height,
                        bottom=bottom_in / height)
    mark_figure(fig, footer + (f" {suppressed_note}" if any_suppressed else ""), synthetic_label)
    return fig


def paired_dots(table: Published, labels: list[str], a: str, b: str, a_label: str, b_label: str, title: str,
                footer: str, synthetic_label: str | None, pct_axis_label: str) -> plt.Figure:
    """Two percentages per item joined by a line (e.g. rated important vs already used)."""
    apply_style()
    top_in, bottom_in = 0.65, 1.3
    height = top_in + bottom_in + 0.38 * max(len(table), 2)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, height))
    y = np.arange(len(table))[::-1]
    for row_y, row in zip(y, table.rows()):
        va, vb = _value(row[a]), _value(row[b])
        if np.isnan(va) or np.isnan(vb):
            ax.text(1, row_y, SUPPRESSED, va="center", fontsize=8)
            continue
        ax.plot([vb, va], [row_y, row_y], color="#999999", lw=2, zorder=1)
    ax.scatter([_value(v) for v in table[a]], y, color=BAR_COLOUR, s=40, zorder=2, label=a_label)
    ax.scatter([_value(v) for v in table[b]], y, color=SECOND_COLOUR, marker="D", s=36, zorder=2, label=b_label)
    _finish_dots(fig, ax, y, labels, len(table), title, pct_axis_label, height, top_in, bottom_in)
    mark_figure(fig, footer, synthetic_label)
    return fig


def _finish_dots(fig: plt.Figure, ax: plt.Axes, y: np.ndarray, labels: list[str], rows: int, title: str,
                 pct_axis_label: str, height: float, top_in: float, bottom_in: float) -> None:
    """Axes, legend and margins shared by the dot figures (paired dots, wave dots)."""
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel(pct_axis_label)
    ax.set_title(title, loc="left")
    fig.legend(*ax.get_legend_handles_labels(), ncol=2, loc="lower center", bbox_to_anchor=(0.6, 0.4 / height),
               frameon=False)
    ax.set_ylim(-0.6, rows - 0.4)
    fig.subplots_adjust(left=_left_margin(labels), right=0.97, top=1 - top_in / height, bottom=bottom_in / height)


def wave_dots(table: Published, labels: list[str], wave_labels: tuple[str, str], title: str, footer: str,
              synthetic_label: str | None, pct_axis_label: str, suppressed_note: str,
              columns: tuple[str, str] = ("pct_old", "pct_new")) -> plt.Figure:
    """Paired dots per item, one colour (and marker) per wave, each with its interval
    (``<column>_low``/``_high``); the earlier wave above the later one. Hidden values are not drawn."""
    apply_style()
    top_in, bottom_in = 0.65, 1.3
    height = top_in + bottom_in + 0.5 * max(len(table), 2)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, height))
    y = np.arange(len(table))[::-1]
    any_suppressed = False
    for offset, column, colour, marker, label in zip((0.15, -0.15), columns, WAVE_COLOURS, WAVE_MARKERS, wave_labels):
        xs, ys = [], []
        for row_y, row in zip(y, table.rows()):
            value = _value(row[column])
            if np.isnan(value):
                any_suppressed |= is_hidden(row[column])
                continue
            low, high = _value(row.get(f"{column}_low")), _value(row.get(f"{column}_high"))
            if not (np.isnan(low) or np.isnan(high)):
                ax.plot([low, high], [row_y + offset] * 2, color=colour, lw=1.2, zorder=1)
            xs.append(value)
            ys.append(row_y + offset)
        ax.scatter(xs, ys, color=colour, marker=marker, s=36, zorder=2, label=label)
    _finish_dots(fig, ax, y, labels, len(table), title, pct_axis_label, height, top_in, bottom_in)
    mark_figure(fig, footer + (f" {suppressed_note}" if any_suppressed else ""), synthetic_label)
    return fig


def save_figure(fig: plt.Figure, stem: Path) -> list[Path]:
    """Write `stem`.png and `stem`.svg with no date or software metadata; close the figure."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    fig.savefig(png, metadata={"Software": None})
    fig.savefig(svg, metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return [png, svg]
