"""The agreement table of a coded open question: coders with each other (kappa, alpha with
intervals) and the automatic first pass against the final codes."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.protection import publication
from analysis.protection.disclosure import SUPPRESSED, Published, is_hidden
from analysis.survey.codebook import Item
from analysis.themes.result import Block, published

if TYPE_CHECKING:
    from analysis.themes.base import Context


def coding_agreement(item: Item, codes_pub: Published, labels: dict[str, str], ctx: Context,
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
    pub = publication.coding_agreement(table, codes_pub, ctx.rules)
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
    block = Block(f"{item.id}_agreement", ctx.t("caption_open_agreement", question=question), table=pub,
                  display=display)
    facts = [{"code": r["code"], **{k: published(r[k]) for k in ("pct_agreement", "kappa", "alpha", "alpha_low",
                                                                   "alpha_high", "automatic_kappa")}}
             for r in pub.rows()]
    sentences = []
    kappa, alpha, auto = pub.shown("kappa"), pub.shown("alpha"), pub.shown("automatic_kappa")
    if len(alpha):
        values = {"alpha_low": ctx.num(alpha.min(), 2), "alpha_high": ctx.num(alpha.max(), 2), "k": ctx.k}
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
