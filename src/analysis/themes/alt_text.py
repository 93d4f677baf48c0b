"""Text alternatives of the chapters' figures, from the values the prose uses (a hidden value is
named, never shown)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analysis.protection.disclosure import Published, is_hidden
from analysis.survey.codebook import Item

if TYPE_CHECKING:
    from analysis.themes.base import Context


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
    """Text alternative of proportion bars: each bar's share and interval (if any), in figure order."""
    if "pct_low" not in pub:
        entries = [f"‘{label}’ {_alt_pct(pct, ctx)}" for label, pct in zip(pub[label_col], pub["pct"])]
        return ctx.t("alt_composition", items=_alt_list(entries, ctx))
    entries = [f"‘{label}’ {_alt_pct(pct, ctx)}" if any(is_hidden(v) for v in (pct, low, high)) else
               ctx.t("alt_proportion_item", item=f"‘{label}’", pct=ctx.pct(pct), ci=ctx.interval(low, high))
               for label, pct, low, high in zip(pub[label_col], pub["pct"], pub["pct_low"], pub["pct_high"])]
    return ctx.t("alt_proportion", level=ctx.num(100 * ctx.level), items=_alt_list(entries, ctx))


def paired_alt(pub: Published, labels: list[str], a: str, b: str, a_label: str, b_label: str, ctx: Context) -> str:
    """Text alternative of paired dots: both shares per item, in figure order."""
    entries = [ctx.t("alt_pair_item", item=f"‘{label}’", a=_alt_pct(va, ctx), b=_alt_pct(vb, ctx))
               for label, va, vb in zip(labels, pub[a], pub[b])]
    return ctx.t("alt_paired", a=a_label, b=b_label, items=_alt_list(entries, ctx))
