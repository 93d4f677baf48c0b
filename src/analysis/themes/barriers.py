"""Theme 3, barriers: what hinders use today, where resistance sits, future threats, whether the
value of social media is over- or underestimated, and who is already active (regression)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.protection import publication
from analysis import stats
from analysis.protection.disclosure import is_hidden
from analysis.report import facts as facts_schema
from analysis.report.facts import GridItem, MultiSelect, Number, OpenAnswers, Ranking, WaveChange
from analysis.themes.comparison import change_part
from analysis.themes.base import Context, open_section, option_shares
from analysis.themes.grids import grid_facts, leading_items, ranked_grid, rating_grid, synthesis_line
from analysis.themes.result import Section, ThemeResult, published, published_value
from analysis.themes.tables import model_block
from analysis.themes.derived import active_indicator, citizen_facing

THEME = "barriers"
#: Fewest complete cases for which the activity models are fitted (about 15 per predictor).
MIN_MODEL_N = 30


@dataclass
class ValueEstimation:
    n: Number = None
    under_pct: Number = None
    under_low: Number = None
    under_high: Number = None
    over_pct: Number = None
    over_low: Number = None
    over_high: Number = None
    dont_know_n: Number = None
    split_p: Number = None
    under_count: Number = None
    over_count: Number = None


@dataclass
class ActivityModel:
    """Model of use on role (citizen-facing) and age: odds ratios of the model in ``model``.

    ``model`` is "ordinal" (proportional odds) unless the proportional-odds check (``po_p``,
    Brant-type Wald test over the cumulative logits) rejects it, then "logistic" (the binary model of
    weekly-or-daily use, the stated fallback); a check that could not be computed (``po_p`` None)
    is no rejection. ``po_merged`` is the answer code that was too sparse for the check and was
    merged into its neighbour before the check was made (None: no merge).
    """
    model: str | None = None
    po_statistic: Number = None
    po_df: Number = None
    po_p: Number = None
    po_merged: Number = None
    n: Number = None
    #: organisations the model's respondents work in (a catch-all such as "other security organisation"
    #: not counted: its respondents are each a cluster of one, and their number is a count of respondents)
    organisations: Number = None
    citizen_facing_or: Number = None
    citizen_facing_low: Number = None
    citizen_facing_high: Number = None
    citizen_facing_p: Number = None
    age_or: Number = None
    age_low: Number = None
    age_high: Number = None
    age_p: Number = None


@facts_schema.declare(THEME)
@dataclass
class BarriersFacts:
    barriers: list[GridItem]
    barrier_ranking: Ranking
    resistance: MultiSelect
    threats: list[GridItem]
    threat_ranking: Ranking
    value_estimation: ValueEstimation
    activity_model: ActivityModel | None
    open_answers: OpenAnswers
    change: WaveChange | None = None

    def synthesis(self, ctx: Context) -> str | None:
        """The conclusion's sentence on this theme."""
        return synthesis_line(ctx, "c_syn_barriers", self.barriers, self.barrier_ranking)


def _ranked_grid_section(frame: pd.DataFrame, ctx: Context, grid: str, key: str, heading: str, title: str,
                         opening: str) -> tuple[Section, list[dict[str, Any]], dict[str, Any], pd.DataFrame]:
    """A grid of barriers or threats: the first named when the ranking test shows it (else the two
    highest shares, and that no first is shown), then the ranking test."""
    blocks, sentences, summary, rank_facts = ranked_grid(frame, ctx.codebook.grid(grid), ctx, grid, ctx.t(title))
    shown, rows = leading_items(summary, rank_facts)
    first = ctx.t(f"{opening}_{'first' if shown else 'open'}", first=ctx.label(rows[0]["item"]),
                  first_pct=ctx.pct(rows[0]["top2_pct"]), second=ctx.label(rows[1]["item"]),
                  second_pct=ctx.pct(rows[1]["top2_pct"]))
    return Section(key, ctx.t(heading), [first] + sentences, blocks), grid_facts(summary), rank_facts, summary


def _estimation_section(frame: pd.DataFrame, ctx: Context) -> tuple[Section, dict[str, Any], dict[str, Any]]:
    """Over- or underestimated: the shares on either side and the split test (which side leans, if any).
    Returns the section, its facts and the published summary row."""
    item = ctx.codebook["value_estimation"]
    v_table, v_figure, v_summary = rating_grid(frame, [item], ctx, "value_estimation", ctx.t("b_title_estimation"))
    row = v_summary.row(0)
    split = publication.split_test(stats.split_test(frame, item.id, low=item.substantive_codes[:2],
                                                    high=item.substantive_codes[-2:]), ctx.rules)
    split_p = published_value(split, "p")
    facts = {"n": published(row["n"]), "under_pct": published(row["bottom2_pct"]),
             "over_pct": published(row["top2_pct"]), "under_low": published(row["bottom2_low"]),
             "under_high": published(row["bottom2_high"]), "over_low": published(row["top2_low"]),
             "over_high": published(row["top2_high"]), "dont_know_n": published(row["dont_know_n"]),
             "split_p": published(split_p),
             "under_count": published(published_value(split, "low_count")),
             "over_count": published(published_value(split, "high_count"))}
    if is_hidden(split_p) or split_p is None or pd.isna(split_p):
        key = "b_estimation_untested"
    elif split_p >= ctx.alpha:
        key = "b_estimation_split"
    else:
        low_n, high_n = (published_value(split, c) for c in ("low_count", "high_count"))
        key = "b_estimation_leaning_under" if low_n > high_n else "b_estimation_leaning_over"
    section = Section("estimation", ctx.t("b_h_estimation"), [
        ctx.t(key, under=ctx.pct(row["bottom2_pct"]), over=ctx.pct(row["top2_pct"]),
              under_ci=ctx.interval(row["bottom2_low"], row["bottom2_high"]),
              over_ci=ctx.interval(row["top2_low"], row["top2_high"]), p=ctx.p(split_p),
              dk=ctx.count(row["dont_know_n"])),
    ], [v_figure, v_table])
    return section, facts, row


def _model_frame(frame: pd.DataFrame, ctx: Context) -> tuple[pd.DataFrame, str | None]:
    """The activity models' variables (use frequency, active, citizen-facing role, age band, organisation)
    and the column of the respondents' clusters (:meth:`Context.clustered`; None: no clustering)."""
    data, cluster = ctx.clustered(frame)
    model_frame = pd.DataFrame({
        "use_frequency": frame["use_frequency"],
        "active": active_indicator(frame),
        "citizen_facing": citizen_facing(frame, ctx),
        "age": pd.to_numeric(frame["age_band"].astype(object), errors="coerce").where(
            frame["age_band"].isin(ctx.codebook["age_band"].substantive_codes)),
        "organisation": frame["organisation"].astype(object),
    })
    if cluster is not None:
        model_frame[cluster] = data[cluster]
    return model_frame, cluster


#: The columns a respondent needs answered to be in the activity models.
MODEL_COLUMNS = ["use_frequency", "citizen_facing", "age", "organisation"]


def _fit_models(model_frame: pd.DataFrame, ctx: Context, cluster: str | None) -> tuple[Any, Any, str | None]:
    """The ordinal and the logistic model of activity, or (None, None, the message key saying why not)."""
    complete = int(model_frame[MODEL_COLUMNS].notna().all(axis=1).sum())
    allowed = publication.model_allowed(model_frame[MODEL_COLUMNS],
                                        ["citizen_facing", "age"], n_parameters=6, rules=ctx.rules)
    if complete < MIN_MODEL_N:
        return None, None, "b_model_too_few"
    if not allowed:
        return None, None, "b_model_withheld"
    try:
        ordinal = stats.ordinal_logit(model_frame, "use_frequency", ["citizen_facing", "age"],
                                      cluster=cluster, level=ctx.level)
        logistic = stats.logistic_regression(model_frame, "active", ["citizen_facing", "age"],
                                             cluster=cluster, level=ctx.level)
    except (ValueError, ZeroDivisionError, np.linalg.LinAlgError):  # no variation, or separation
        return None, None, "b_model_not_estimable"
    if not {"citizen_facing", "age"} <= set(ordinal.index):
        return None, None, "b_model_withheld"
    return ordinal, logistic, None


def _model_facts(primary: pd.DataFrame, ordinal: pd.DataFrame, po_all: Any, po_p: float | None,
                 merged: tuple[Any, Any] | None, organisations: int) -> dict[str, Any]:
    cf, age = primary.loc["citizen_facing"], primary.loc["age"]
    return {
        "model": "ordinal" if primary is ordinal else "logistic",
        "po_statistic": None if po_p is None else float(po_all["statistic"]),
        "po_df": None if po_all is None else float(po_all["df"]), "po_p": po_p,
        "po_merged": None if merged is None else float(merged[0]),
        "n": int(cf["n"]), "organisations": organisations,
        "citizen_facing_or": cf["odds_ratio"], "citizen_facing_low": cf["or_low"],
        "citizen_facing_high": cf["or_high"], "citizen_facing_p": cf["p"], "age_or": age["odds_ratio"],
        "age_low": age["or_low"], "age_high": age["or_high"], "age_p": age["p"],
    }


def _po_check(model_frame: pd.DataFrame, cluster: str | None, ctx: Context
              ) -> tuple[Any, float | None, tuple[Any, Any] | None, str]:
    """The proportional-odds check of the ordinal model, with a sparse answer category merged into its
    neighbour when the check cannot be computed without: its overall row, its p (None: could not be
    checked), the merge made (None: none) and the sentence saying all that."""
    po, merged = stats.proportional_odds_check_merging(model_frame, "use_frequency", ["citizen_facing", "age"],
                                                       cluster=cluster)
    po_all = po[po["term"] == "all"].iloc[0] if len(po) else None
    po_p = None if po_all is None or pd.isna(po_all["p"]) else float(po_all["p"])
    text = ctx.t("b_po_unchecked") if po_p is None else ctx.t(
        "b_po_fails" if po_p < ctx.alpha else "b_po_holds", chi2=ctx.num(po_all["statistic"], 1),
        df=ctx.num(po_all["df"]), p=ctx.p(po_p))
    if merged is not None:
        labels = ctx.codebook["use_frequency"].code_labels(ctx.lang)
        text = ctx.t("b_po_merged", sparse=labels[merged[0]], neighbour=labels[merged[1]]) + " " + text
    return po_all, po_p, merged, text


def _activity_section(frame: pd.DataFrame, ctx: Context) -> tuple[Section, dict[str, Any] | None, str]:
    """Who is active: the ordinal model of use frequency on role and age, the logistic model as the stated
    fallback when the proportional-odds check (Brant-type; a sparse answer category merged into its
    neighbour when the check cannot be computed without) rejects it. Returns the section, its facts
    (None: no model shown) and the summary line."""
    model_frame, cluster = _model_frame(frame, ctx)
    ordinal, logistic, reason = _fit_models(model_frame, ctx, cluster)
    if ordinal is None:
        complete = int(model_frame[MODEL_COLUMNS].notna().all(axis=1).sum())
        line = ctx.t(reason, n=ctx.count(complete), minimum=MIN_MODEL_N, k=ctx.k)
        return Section("activity", ctx.t("b_h_activity"), [line]), None, line
    terms = {"citizen_facing": ctx.t("term_citizen_facing"), "age": ctx.t("term_age")}
    ord_block = model_block(ordinal, terms, ctx, "activity_ordinal_model", ctx.t("b_caption_ordinal"))
    log_block = model_block(logistic, terms, ctx, "activity_logistic_model", ctx.t("b_caption_logistic"))
    complete = model_frame[MODEL_COLUMNS].notna().all(axis=1)
    organisations = model_frame.loc[complete, "organisation"].loc[lambda o: ~o.isin(ctx.catch_all)].nunique()
    po_all, po_p, merged, po_text = _po_check(model_frame, cluster, ctx)
    # only a rejected check falls back to the logistic model: "could not check" is not "fails"
    fails = po_p is not None and po_p < ctx.alpha
    primary = logistic if fails and {"citizen_facing", "age"} <= set(logistic.index) else ordinal
    cf, age = primary.loc["citizen_facing"], primary.loc["age"]
    model_text = ctx.t("b_activity_model" if primary is ordinal else "b_activity_model_logistic",
                       n=ctx.num(cf["n"]), organisations=ctx.num(organisations),
                       cf_or=ctx.num(cf["odds_ratio"], 2),
                       cf_ci=f"{ctx.num(cf['or_low'], 2)}–{ctx.num(cf['or_high'], 2)}",
                       cf_p=ctx.p(cf["p"]), age_or=ctx.num(age["odds_ratio"], 2),
                       age_ci=f"{ctx.num(age['or_low'], 2)}–{ctx.num(age['or_high'], 2)}", age_p=ctx.p(age["p"]))
    summary = ctx.t("b_summary_3", cf_or=ctx.num(cf["odds_ratio"], 2), age_or=ctx.num(age["odds_ratio"], 2))
    section = Section("activity", ctx.t("b_h_activity"), [model_text, po_text, ctx.t("b_activity_method")],
                      [ord_block, log_block])
    return section, _model_facts(primary, ordinal, po_all, po_p, merged, organisations), summary


def analyse(frame: pd.DataFrame, ctx: Context) -> ThemeResult:
    """Barriers, resistance, threats, over- or underestimation, who is active, the open answers."""
    cb = ctx.codebook
    facts: dict[str, Any] = {}
    barriers, facts["barriers"], facts["barrier_ranking"], summary = _ranked_grid_section(
        frame, ctx, "current_barriers", "barriers", "b_h_barriers", "b_title_barriers", "b_barriers_top")
    res_table, res_fig, res_sentences, facts["resistance"] = option_shares(frame, cb["resistance"], ctx,
                                                                           ctx.t("b_title_resistance"))
    resistance = Section("resistance", ctx.t("b_h_resistance"), res_sentences, [res_fig, res_table])
    threats, facts["threats"], facts["threat_ranking"], t_summary = _ranked_grid_section(
        frame, ctx, "future_threats", "threats", "b_h_threats", "b_title_threats", "b_threats_top")
    estimation, facts["value_estimation"], row = _estimation_section(frame, ctx)
    activity, facts["activity_model"], summary_model = _activity_section(frame, ctx)
    open_part, facts["open_answers"], review = open_section(frame, cb["barriers_open"], ctx)
    b_shown, b_rows = leading_items(summary, facts["barrier_ranking"])
    t_shown, t_rows = leading_items(t_summary, facts["threat_ranking"])
    summary_text = [
        ctx.t("b_summary_barriers_first" if b_shown else "b_summary_barriers_open",
              first=ctx.label(b_rows[0]["item"]), second=ctx.label(b_rows[1]["item"])),
        ctx.t("b_summary_threats_first" if t_shown else "b_summary_threats_open",
              threat=ctx.label(t_rows[0]["item"]), second=ctx.label(t_rows[1]["item"])),
        ctx.t("b_summary_2", under=ctx.pct(row["bottom2_pct"]), over=ctx.pct(row["top2_pct"])),
        summary_model,
    ]
    part, facts["change"] = change_part(THEME, frame, ctx)
    sections = [barriers, resistance, threats, estimation, activity, open_part, *part]
    return ThemeResult(THEME, cb.theme_label(THEME, ctx.lang), ctx.t("b_question"), sections, summary_text, facts,
                       quote_candidates=review)
