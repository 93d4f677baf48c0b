"""Regression models for survey answers: ordinal (proportional-odds) and binary logistic."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from ._common import _empty, _z

PO_CHECK_COLUMNS = ["term", "statistic", "df", "p", "cuts", "n", "min_or", "max_or"]
MODEL_COLUMNS = ["term_type", "coef", "se", "z", "p", "odds_ratio", "or_low", "or_high", "n",
                 "clusters"]


def _design(frame: pd.DataFrame, predictors: Sequence[str]) -> pd.DataFrame:
    """Numeric design matrix; categorical predictors become ``col[T.level]`` dummies."""
    parts = []
    for col in predictors:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or \
                pd.api.types.is_string_dtype(s.dtype):
            cat = s.astype("category") if not isinstance(s.dtype, pd.CategoricalDtype) else s
            cat = cat.cat.remove_unused_categories()
            levels = list(cat.cat.categories)
            for lev in levels[1:]:
                parts.append(pd.Series((cat == lev).astype(float).to_numpy(), index=frame.index,
                                       name=f"{col}[T.{lev}]"))
        elif pd.api.types.is_bool_dtype(s.dtype):
            parts.append(s.astype(float).rename(col))
        else:
            parts.append(pd.to_numeric(s, errors="coerce").astype(float).rename(col))
    if not parts:
        return pd.DataFrame(index=frame.index)
    return pd.concat(parts, axis=1)


def _model_frame(
    frame: pd.DataFrame, outcome: str, predictors: Sequence[str], cluster: str | None,
    dont_know: Sequence[Any],
) -> pd.DataFrame:
    cols = [outcome, *predictors] + ([cluster] if cluster is not None else [])
    sub = frame[list(dict.fromkeys(cols))].copy()
    y = sub[outcome]
    if len(dont_know):
        y = y.mask(y.isin(list(dont_know)))
        sub[outcome] = y
    return sub.dropna()


def _result_table(
    params: pd.Series, bse: pd.Series, pvalues: pd.Series, term_type: pd.Series,
    n: int, clusters: int | None, level: float,
) -> pd.DataFrame:
    z = _z(level)
    out = pd.DataFrame({"term_type": term_type, "coef": params, "se": bse,
                        "z": params / bse, "p": pvalues})
    is_pred = out["term_type"] == "predictor"
    out["odds_ratio"] = np.where(is_pred, np.exp(out["coef"]), np.nan)
    out["or_low"] = np.where(is_pred, np.exp(out["coef"] - z * out["se"]), np.nan)
    out["or_high"] = np.where(is_pred, np.exp(out["coef"] + z * out["se"]), np.nan)
    out["n"] = n
    out["clusters"] = clusters if clusters is not None else np.nan
    out.index.name = "term"
    return out[MODEL_COLUMNS]


def ordinal_logit(
    frame: pd.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    cluster: str | None = None,
    level: float = 0.95,
    dont_know: Sequence[Any] = (9,),
) -> pd.DataFrame:
    """Proportional-odds (ordinal logistic) regression with odds ratios.

    Call it to model a rating (e.g. 5-point agreement) on respondent
    characteristics.  ``outcome`` is an ordered categorical (an unordered or
    numeric column is ordered by its sorted values); unused categories and the
    ``dont_know`` codes are dropped, rows with any missing value are dropped.
    Categorical predictors become dummy terms ``col[T.level]`` against their first
    category; numeric/boolean predictors keep their column name.  ``cluster``
    (organisation) gives cluster-robust (sandwich) standard errors.

    Fitted with statsmodels' ``OrderedModel`` (logit link, BFGS), so a positive
    ``coef`` means higher outcome categories are more likely (``odds_ratio`` > 1).
    Returns a frame indexed by ``term`` with columns ``term_type, coef, se, z, p,
    odds_ratio, or_low, or_high, n, clusters``; predictor terms come first,
    then the cut points ``cut[a|b]`` (``term_type = "threshold"``, on the logit
    scale with delta-method SEs; no odds ratio).
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    sub = _model_frame(frame, outcome, predictors, cluster, dont_know)
    empty = _empty(MODEL_COLUMNS, index_name="term")
    if sub.empty:
        return empty
    y = sub[outcome]
    if isinstance(y.dtype, pd.CategoricalDtype):
        cats = [c for c in y.cat.categories if c not in set(dont_know)]
        y = pd.Categorical(y.astype(object), categories=cats, ordered=True)
        y = pd.Series(y, index=sub.index).cat.remove_unused_categories()
    else:
        y = pd.Series(pd.Categorical(y, categories=sorted(y.unique()), ordered=True),
                      index=sub.index)
    levels = list(y.cat.categories)
    if len(levels) < 2:
        return empty
    x = _design(sub, predictors)
    x = x.loc[:, x.std(ddof=0) > 0] if len(x.columns) else x
    model = OrderedModel(y, x, distr="logit")
    fit_kw: dict[str, Any] = {"method": "bfgs", "disp": False, "maxiter": 2000}
    groups = None
    if cluster is not None:
        groups = pd.factorize(sub[cluster])[0]
        fit_kw.update(cov_type="cluster", cov_kwds={"groups": groups})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(**fit_kw)
    if not res.mle_retvals.get("converged", True):
        warnings.warn(f"ordinal_logit for {outcome!r} did not converge", RuntimeWarning,
                      stacklevel=2)
    k = x.shape[1]
    params = pd.Series(np.asarray(res.params), index=list(x.columns) + _threshold_names(levels))
    cov = np.asarray(res.cov_params())
    bse = pd.Series(np.sqrt(np.diag(cov)), index=params.index)
    pvals = pd.Series(np.asarray(res.pvalues), index=params.index)
    # thresholds: statsmodels stores the first cut point and log increments
    raw = params.iloc[k:].to_numpy()
    cuts = raw[0] + np.concatenate([[0.0], np.cumsum(np.exp(raw[1:]))])
    jac = np.zeros((len(raw), len(raw)))
    jac[:, 0] = 1.0
    for j in range(1, len(raw)):
        jac[j, 1:j + 1] = np.exp(raw[1:j + 1])
    cut_cov = jac @ cov[k:, k:] @ jac.T
    cut_se = np.sqrt(np.diag(cut_cov))
    cut_p = 2 * sps.norm.sf(np.abs(cuts / cut_se))
    names = params.index[k:]
    params.iloc[k:] = cuts
    bse.iloc[k:] = cut_se
    pvals.iloc[k:] = cut_p
    term_type = pd.Series(["predictor"] * k + ["threshold"] * len(names), index=params.index)
    return _result_table(params, bse, pvals, term_type, len(sub),
                         int(len(np.unique(groups))) if groups is not None else None, level)


def _threshold_names(levels: Sequence[Any]) -> list[str]:
    return [f"cut[{a}|{b}]" for a, b in zip(levels[:-1], levels[1:])]


def logistic_regression(
    frame: pd.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    cluster: str | None = None,
    level: float = 0.95,
    event: Any = None,
) -> pd.DataFrame:
    """Binary logistic regression with odds ratios.

    Call it to model a yes/no answer (e.g. "uses Twitter for work").  ``outcome``
    is 0/1 or boolean, or any two-valued column with ``event=`` naming the value
    modelled as 1 (for a two-category categorical the second category is the
    event by default).  Rows with a missing value are dropped; categorical
    predictors become ``col[T.level]`` dummies.  ``cluster`` (organisation) gives
    cluster-robust standard errors.

    Returns a frame indexed by ``term`` (``Intercept`` first, ``term_type =
    "intercept"``, no odds ratio) with columns ``term_type, coef, se, z, p,
    odds_ratio, or_low, or_high, n, clusters``.
    """
    import statsmodels.api as sm

    sub = _model_frame(frame, outcome, predictors, cluster, ())
    empty = _empty(MODEL_COLUMNS, index_name="term")
    if sub.empty:
        return empty
    y_raw = sub[outcome]
    if event is not None:
        y = (y_raw == event).astype(float)
    elif isinstance(y_raw.dtype, pd.CategoricalDtype):
        cats = list(y_raw.cat.remove_unused_categories().cat.categories)
        if len(cats) != 2:
            raise ValueError(f"outcome {outcome!r} must have two categories; pass event=")
        y = (y_raw == cats[1]).astype(float)
    else:
        y = pd.to_numeric(y_raw.astype(object) if y_raw.dtype == bool else y_raw,
                          errors="coerce").astype(float)
        if not y.isin([0.0, 1.0]).all():
            raise ValueError(f"outcome {outcome!r} must be 0/1 or boolean; pass event=")
    if y.nunique() < 2:
        return empty
    x = _design(sub, predictors)
    x = x.loc[:, x.std(ddof=0) > 0] if len(x.columns) else x
    x.insert(0, "Intercept", 1.0)
    fit_kw: dict[str, Any] = {"disp": False, "maxiter": 200}
    groups = None
    if cluster is not None:
        groups = pd.factorize(sub[cluster])[0]
        fit_kw.update(cov_type="cluster", cov_kwds={"groups": groups})
    res = sm.Logit(y, x).fit(**fit_kw)
    if not res.mle_retvals.get("converged", True):
        warnings.warn(f"logistic_regression for {outcome!r} did not converge", RuntimeWarning,
                      stacklevel=2)
    params = pd.Series(np.asarray(res.params), index=x.columns)
    bse = pd.Series(np.asarray(res.bse), index=x.columns)
    pvals = pd.Series(np.asarray(res.pvalues), index=x.columns)
    term_type = pd.Series(["intercept"] + ["predictor"] * (len(x.columns) - 1), index=x.columns)
    return _result_table(params, bse, pvals, term_type, len(sub),
                         int(len(np.unique(groups))) if groups is not None else None, level)



def proportional_odds_check(
    frame: pd.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    cluster: str | None = None,
    dont_know: Sequence[Any] = (9,),
) -> pd.DataFrame:
    """Does the proportional-odds assumption of :func:`ordinal_logit` hold? (Brant-type check)

    Call it beside an ordinal model.  The outcome is cut at each threshold j into the
    cumulative logits "above category j"; the binary data sets are stacked (each
    respondent once per cut) and one logistic model is fitted with a free intercept
    and a free slope per cut.  A Wald test that every predictor's slopes are equal
    across cuts is the Brant (1990) test's hypothesis; its covariance is cluster-robust
    by respondent (their stacked rows are dependent), or by ``cluster`` (organisation,
    which nests respondents) when given.

    Returns one row per predictor and a row ``term = "all"``: Wald ``statistic``,
    ``df``, ``p``, the number of ``cuts`` used (cuts with no variation in the
    outcome are left out), ``n`` and the smallest and largest odds ratio over the cuts.
    Where a cut separates the data (a slope beyond |10| on the logit scale, e.g. no
    respondent of a group in the lowest category) the Wald test is not valid and
    ``statistic`` and ``p`` are NaN: the check could not be made.
    """
    import statsmodels.api as sm

    sub = _model_frame(frame, outcome, predictors, cluster, dont_know)
    empty = _empty(PO_CHECK_COLUMNS)
    if sub.empty:
        return empty
    y = sub[outcome]
    if isinstance(y.dtype, pd.CategoricalDtype):
        order = [c for c in y.cat.categories if c in set(y.astype(object))]
        ranks = y.astype(object).map({c: i for i, c in enumerate(order)}).astype(int).to_numpy()
    else:
        order = sorted(pd.unique(y))
        ranks = y.map({c: i for i, c in enumerate(order)}).astype(int).to_numpy()
    x = _design(sub, predictors)
    x = x.loc[:, x.std(ddof=0) > 0] if len(x.columns) else x
    cuts = [j for j in range(len(order) - 1) if 0 < np.mean(ranks > j) < 1]
    if len(cuts) < 2 or x.shape[1] == 0:
        return empty
    ids = np.arange(len(sub))
    groups_base = pd.factorize(sub[cluster])[0] if cluster is not None else ids
    blocks, outcome_rows, groups = [], [], []
    names = list(x.columns)
    for c_index, j in enumerate(cuts):
        part = pd.DataFrame(0.0, index=range(len(sub)), columns=[f"cut{j}"] + [f"{t}@{j}" for t in names]
                            + [f"cut{k}" for k in cuts if k != j] + [f"{t}@{k}" for k in cuts if k != j for t in names])
        part[f"cut{j}"] = 1.0
        for t in names:
            part[f"{t}@{j}"] = x[t].to_numpy()
        blocks.append(part)
        outcome_rows.append((ranks > j).astype(float))
        groups.append(groups_base)
    design = pd.concat(blocks, ignore_index=True)
    columns = [f"cut{k}" for k in cuts] + [f"{t}@{k}" for k in cuts for t in names]
    design = design[columns]
    yy = np.concatenate(outcome_rows)
    gg = np.concatenate(groups)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.Logit(yy, design).fit(disp=False, maxiter=200, cov_type="cluster", cov_kwds={"groups": gg})
    params = pd.Series(np.asarray(res.params), index=columns)
    cov = pd.DataFrame(np.asarray(res.cov_params()), index=columns, columns=columns)

    def wald(terms: list[str]) -> tuple[float, int]:
        # contrasts: each later cut's slope minus the first cut's slope, per term
        rows = []
        for t in terms:
            for k in cuts[1:]:
                r = pd.Series(0.0, index=columns)
                r[f"{t}@{k}"], r[f"{t}@{cuts[0]}"] = 1.0, -1.0
                rows.append(r)
        r = pd.DataFrame(rows).to_numpy()
        diff = r @ params.to_numpy()
        v = r @ cov.to_numpy() @ r.T
        stat = float(diff @ np.linalg.pinv(v) @ diff)
        return stat, len(rows)

    out = []
    for t in names + ["all"]:
        terms = names if t == "all" else [t]
        stat, df = wald(terms)
        if not np.isfinite(stat) or stat < 0 or any(abs(params[f"{u}@{k}"]) > 10 for u in terms for k in cuts):
            stat = float("nan")
        slopes = np.exp([params[f"{u}@{k}"] for u in terms for k in cuts])
        out.append({"term": t, "statistic": stat, "df": df, "p": float(sps.chi2.sf(stat, df)) if np.isfinite(stat) else float("nan"), "cuts": len(cuts),
                    "n": len(sub), "min_or": float(slopes.min()), "max_or": float(slopes.max())})
    return pd.DataFrame(out, columns=PO_CHECK_COLUMNS)
