"""Regression models for survey answers: ordinal (proportional-odds) and binary logistic."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special
from scipy import stats as sps

from analysis.stats._common import _empty, _z

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


def _collapse(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One row per distinct combination of ``columns``: (index of its first row, number of rows).

    The answers are codes, so 100,000 respondents fall into a few hundred patterns; the
    models below sum the likelihood, its derivatives and the cluster score sums over the
    patterns, each weighted by its count, which is the same sum as over the respondents.
    """
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column)
        key = pd.factorize(key * len(uniques) + codes)[0]  # compact again: no overflow
    # factorize numbers the patterns in order of first appearance: a pattern's first row is
    # where the running maximum of the codes goes up
    running = np.maximum.accumulate(key)
    first = np.flatnonzero(np.concatenate([[True], running[1:] > running[:-1]]))
    return first, np.bincount(key).astype(float)


def _cluster_sandwich(bread: np.ndarray, meat: np.ndarray, n_groups: float, nobs: float) -> np.ndarray:
    """Cluster-robust covariance ``c * B M B`` with ``M = sum_g s_g s_g'`` over the clusters' score sums.

    ``c = G/(G-1) * (N-1)/(N-K)`` is the small-sample factor of Stata and statsmodels'
    ``cov_cluster`` (N rows of the model, K parameters, G clusters).
    """
    k_params = len(meat)
    return bread @ meat @ bread.T * (n_groups / (n_groups - 1.0) * ((nobs - 1.0) / (nobs - k_params)))


def _cluster_meat(scores: np.ndarray, counts: np.ndarray, groups: np.ndarray | None) -> tuple[np.ndarray, float]:
    """``sum_g s_g s_g'`` and the number of clusters G, from one score row per counted pattern.

    With ``groups`` (cluster code per pattern) s_g sums ``count * score`` over the cluster's
    patterns; without, every respondent is a cluster, and a pattern's ``count`` respondents
    share one score: ``sum_p count_p s_p s_p'``.
    """
    if groups is None:
        weighted = scores * np.sqrt(counts)[:, None]
        return weighted.T @ weighted, float(counts.sum())
    sums = np.zeros((int(groups.max()) + 1, scores.shape[1]))
    np.add.at(sums, groups, scores * counts[:, None])
    return sums.T @ sums, float(len(sums))


def _logit_newton(x: np.ndarray, y: np.ndarray, counts: np.ndarray, nobs: float,
                  maxiter: int = 200) -> tuple[np.ndarray, bool]:
    """Logistic regression by statsmodels' ``Logit.fit(method="newton")`` steps, on counted rows.

    The same iteration as statsmodels (start at zero; Newton steps on the log-likelihood
    divided by ``nobs`` with a ridge of 1e-10 on the Hessian; stop when no parameter moves
    more than 1e-8), so a separated fit stops where statsmodels' does.  Returns the
    parameters and whether it converged within ``maxiter`` steps.
    """
    params = np.zeros(x.shape[1])
    old = np.full_like(params, np.inf)
    iterations = 0
    with np.errstate(over="ignore"):
        while iterations < maxiter and np.any(np.abs(params - old) > 1e-8):
            fitted = 1 / (1 + np.exp(-(x @ params)))
            hess = (x.T * (counts * fitted * (1 - fitted))) @ x / nobs
            hess[np.diag_indices_from(hess)] += 1e-10
            score = -((counts * (y - fitted)) @ x) / nobs
            old = params
            params = old - np.linalg.solve(hess, score)
            iterations += 1
    return params, iterations < maxiter


def _logit_fit(x: np.ndarray, y: np.ndarray, counts: np.ndarray, nobs: float,
               groups: np.ndarray | None, respondent_rows: int = 1) -> tuple[np.ndarray, np.ndarray, bool]:
    """Parameters, covariance and convergence of a logistic model on counted rows.

    Without ``groups`` the covariance is the inverse information; with ``groups`` (cluster
    codes per counted row) it is cluster-robust.  With ``respondent_rows = r > 1`` the rows
    are r stacked blocks of the same respondents (the proportional-odds check) and
    ``groups = None`` makes each respondent a cluster.
    """
    params, converged = _logit_newton(x, y, counts, nobs)
    with np.errstate(over="ignore"):
        fitted = 1 / (1 + np.exp(-(x @ params)))
    information = (x.T * (counts * fitted * (1 - fitted))) @ x
    bread = np.linalg.inv(information)
    if groups is None and respondent_rows == 1:
        return params, bread, converged
    unit_scores = (y - fitted)[:, None] * x
    if respondent_rows > 1:  # one respondent's score: the sum over their stacked rows
        unit_scores = unit_scores.reshape(respondent_rows, -1, x.shape[1]).sum(axis=0)
        counts = counts[: len(unit_scores)]
    meat, n_groups = _cluster_meat(unit_scores, counts, groups)
    return params, _cluster_sandwich(bread, meat, n_groups, nobs), converged


def _ordinal_derivatives(theta: np.ndarray, x: np.ndarray, y: np.ndarray, counts: np.ndarray,
                         n_levels: int) -> tuple[float, np.ndarray, np.ndarray]:
    """Log-likelihood, per-row scores and Hessian of the proportional-odds logit model.

    ``theta = (beta, cut_1 < ... < cut_{J-1})``; P(y = j) = F(cut_{j+1} - x beta) - F(cut_j -
    x beta) with F the logistic cdf (statsmodels' ``OrderedModel`` with ``distr="logit"``,
    thresholds on their own scale).  Computed as F(a) F(-b) (1 - e^(b-a)) so that no
    difference of two probabilities near 1 loses digits.
    """
    k = x.shape[1]
    ext = np.concatenate([[-np.inf], theta[k:], [np.inf]])
    eta = x @ theta[:k]
    a, b = ext[y + 1] - eta, ext[y] - eta
    gap = -np.expm1(b - a)
    loglike = float(counts @ (special.log_expit(a) + special.log_expit(-b) + np.log(gap)))
    d_a = special.expit(-a) / (special.expit(-b) * gap)
    d_b = -special.expit(b) / (special.expit(a) * gap)
    d_aa = d_a * (1 - 2 * special.expit(a)) - d_a ** 2
    d_bb = d_b * (1 - 2 * special.expit(b)) - d_b ** 2
    d_ab = -d_a * d_b
    # d a / d theta and d b / d theta: -x for beta, 1 for the cut above (a) or below (b)
    rows = np.arange(len(y))
    da = np.zeros((len(y), len(theta)))
    da[:, :k] = -x
    db = da.copy()
    top, bottom = y < n_levels - 1, y > 0
    da[rows[top], k + y[top]] = 1.0
    db[rows[bottom], k + y[bottom] - 1] = 1.0
    scores = d_a[:, None] * da + d_b[:, None] * db
    cross = da.T @ (db * (counts * d_ab)[:, None])
    hess = da.T @ (da * (counts * d_aa)[:, None]) + db.T @ (db * (counts * d_bb)[:, None]) + cross + cross.T
    return loglike, scores, hess


def _ordinal_newton(x: np.ndarray, y: np.ndarray, counts: np.ndarray, n_levels: int,
                    maxiter: int = 100) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Maximum-likelihood proportional-odds logit on counted rows: (theta, scores, Hessian, converged).

    Newton-Raphson with step halving from statsmodels' start values (slopes 0, cut points
    at the logits of the cumulative shares); the log-likelihood is concave in (beta, cuts)
    (Pratt 1981), so it converges to the maximum, to machine precision.
    """
    cumulative = np.cumsum(np.bincount(y, weights=counts, minlength=n_levels))[:-1] / counts.sum()
    theta = np.concatenate([np.zeros(x.shape[1]), special.logit(cumulative)])
    loglike, scores, hess = _ordinal_derivatives(theta, x, y, counts, n_levels)
    converged = False
    for _ in range(maxiter):
        try:
            step = np.linalg.solve(-hess, counts @ scores)
        except np.linalg.LinAlgError:  # a slope running off to infinity: separated data
            break
        if np.max(np.abs(step)) < 1e-10 * max(1.0, np.max(np.abs(theta))):
            theta = theta + step
            loglike, scores, hess = _ordinal_derivatives(theta, x, y, counts, n_levels)
            converged = True
            break
        factor = 1.0
        while factor > 1e-8:
            trial = theta + factor * step
            if np.all(np.diff(trial[x.shape[1]:]) > 0):
                trial_loglike, trial_scores, trial_hess = _ordinal_derivatives(trial, x, y, counts, n_levels)
                if trial_loglike >= loglike - 1e-12 * abs(loglike):
                    break
            factor /= 2
        else:
            break
        theta, loglike, scores, hess = trial, trial_loglike, trial_scores, trial_hess
    return theta, scores, hess, converged


def _predictor_design(sub: pd.DataFrame, predictors: Sequence[str]) -> pd.DataFrame:
    """The design matrix of :func:`_design` without the columns that do not vary (no estimate)."""
    x = _design(sub, predictors)
    return x.loc[:, x.std(ddof=0) > 0] if len(x.columns) else x


def _cluster_codes(sub: pd.DataFrame, cluster: str | None) -> np.ndarray | None:
    """The cluster (organisation) of each row as a code 0..G-1, or None without clusters."""
    return pd.factorize(sub[cluster])[0] if cluster is not None else None


def _refuse_unconverged(model: str, outcome: str) -> None:
    """A fit that never converged (separation: an odds ratio runs off to infinity) is no result:
    a RuntimeWarning (at the caller's caller) and ``numpy.linalg.LinAlgError``."""
    warnings.warn(f"{model} for {outcome!r} did not converge", RuntimeWarning, stacklevel=3)
    raise np.linalg.LinAlgError(f"{model} for {outcome!r} did not converge: a predictor separates "
                                "the answers, so no finite estimate exists")


def _ordered_outcome(y: pd.Series, dont_know: Sequence[Any]) -> pd.Series:
    """The outcome as an ordered categorical without the ``dont_know`` and unused categories (an
    unordered or numeric column ordered by its sorted values)."""
    if isinstance(y.dtype, pd.CategoricalDtype):
        cats = [c for c in y.cat.categories if c not in set(dont_know)]
        ordered = pd.Categorical(y.astype(object), categories=cats, ordered=True)
        return pd.Series(ordered, index=y.index).cat.remove_unused_categories()
    return pd.Series(pd.Categorical(y, categories=sorted(y.unique()), ordered=True), index=y.index)


def _ordinal_covariance(hess: np.ndarray, scores: np.ndarray, counts: np.ndarray, groups: np.ndarray | None,
                        nobs: int, outcome: str) -> np.ndarray:
    """Inverse information, or with ``groups`` (cluster per counted row) the cluster-robust sandwich."""
    try:
        bread = np.linalg.inv(-hess)
    except np.linalg.LinAlgError as error:
        raise np.linalg.LinAlgError(
            f"ordinal_logit for {outcome!r}: singular information matrix (a predictor separates the "
            "answer categories, or predictors are collinear)") from error
    if groups is None:
        return bread
    return _cluster_sandwich(bread, *_cluster_meat(scores, counts, groups), nobs)


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

    The model of statsmodels' ``OrderedModel`` (logit link), fitted by Newton-Raphson
    with the analytic score and Hessian on the distinct answer patterns (respondents
    with the same answers, and organisation, counted once with a weight), so a
    positive ``coef`` means higher outcome categories are more likely
    (``odds_ratio`` > 1).  Returns a frame indexed by ``term`` with columns
    ``term_type, coef, se, z, p, odds_ratio, or_low, or_high, n, clusters``;
    predictor terms come first, then the cut points ``cut[a|b]`` (``term_type =
    "threshold"``, on the logit scale with their SEs; no odds ratio).  Where a
    predictor separates the answer categories the estimate does not exist: a
    RuntimeWarning and ``numpy.linalg.LinAlgError``.
    """
    sub = _model_frame(frame, outcome, predictors, cluster, dont_know)
    empty = _empty(MODEL_COLUMNS, index_name="term")
    if sub.empty:
        return empty
    y = _ordered_outcome(sub[outcome], dont_know)
    levels = list(y.cat.categories)
    if len(levels) < 2:
        return empty
    x = _predictor_design(sub, predictors)
    codes = y.cat.codes.to_numpy().astype(np.intp)
    values = x.to_numpy(dtype=float).reshape(len(sub), -1)
    groups = _cluster_codes(sub, cluster)
    first, counts = _collapse([*values.T, codes] + ([groups] if groups is not None else []))
    theta, scores, hess, converged = _ordinal_newton(values[first], codes[first], counts, len(levels))
    if not converged:
        _refuse_unconverged("ordinal_logit", outcome)
    cov = _ordinal_covariance(hess, scores, counts, groups[first] if groups is not None else None, len(sub), outcome)
    k = x.shape[1]
    names = list(x.columns) + _threshold_names(levels)
    params = pd.Series(theta, index=names)
    bse = pd.Series(np.sqrt(np.diag(cov)), index=names)
    pvals = pd.Series(2 * sps.norm.sf(np.abs(theta / bse.to_numpy())), index=names)
    term_type = pd.Series(["predictor"] * k + ["threshold"] * (len(names) - k), index=names)
    return _result_table(params, bse, pvals, term_type, len(sub),
                         int(groups.max()) + 1 if groups is not None else None, level)


def _threshold_names(levels: Sequence[Any]) -> list[str]:
    return [f"cut[{a}|{b}]" for a, b in zip(levels[:-1], levels[1:])]


def _binary_outcome(y: pd.Series, outcome: str, event: Any) -> pd.Series:
    """The outcome as 0.0/1.0: 1 where it equals ``event``; else the second of two categories, or a
    0/1 or boolean column as it is (anything else is a ValueError)."""
    if event is not None:
        return (y == event).astype(float)
    if isinstance(y.dtype, pd.CategoricalDtype):
        cats = list(y.cat.remove_unused_categories().cat.categories)
        if len(cats) != 2:
            raise ValueError(f"outcome {outcome!r} must have two categories; pass event=")
        return (y == cats[1]).astype(float)
    numeric = pd.to_numeric(y.astype(object) if y.dtype == bool else y, errors="coerce").astype(float)
    if not numeric.isin([0.0, 1.0]).all():
        raise ValueError(f"outcome {outcome!r} must be 0/1 or boolean; pass event=")
    return numeric


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
    cluster-robust standard errors.  The fit is statsmodels' ``Logit`` Newton
    iteration, run on the distinct answer patterns with their counts.

    Returns a frame indexed by ``term`` (``Intercept`` first, ``term_type =
    "intercept"``, no odds ratio) with columns ``term_type, coef, se, z, p,
    odds_ratio, or_low, or_high, n, clusters``.
    """
    sub = _model_frame(frame, outcome, predictors, cluster, ())
    empty = _empty(MODEL_COLUMNS, index_name="term")
    if sub.empty:
        return empty
    y = _binary_outcome(sub[outcome], outcome, event)
    if y.nunique() < 2:
        return empty
    x = _predictor_design(sub, predictors)
    x.insert(0, "Intercept", 1.0)
    values = x.to_numpy(dtype=float)
    y_values = y.to_numpy(dtype=float)
    groups = _cluster_codes(sub, cluster)
    first, counts = _collapse([*values[:, 1:].T, y_values] + ([groups] if groups is not None else []))
    params, cov, converged = _logit_fit(values[first], y_values[first], counts, float(len(sub)),
                                        groups[first] if groups is not None else None)
    if not converged:
        _refuse_unconverged("logistic_regression", outcome)
    bse = np.sqrt(np.diag(cov))
    names = list(x.columns)
    term_type = pd.Series(["intercept"] + ["predictor"] * (len(names) - 1), index=names)
    return _result_table(pd.Series(params, index=names), pd.Series(bse, index=names),
                         pd.Series(2 * sps.norm.sf(np.abs(params / bse)), index=names), term_type,
                         len(sub), int(groups.max()) + 1 if groups is not None else None, level)


def _ranks(y: pd.Series) -> tuple[list[Any], np.ndarray]:
    """The outcome's categories in order (those that occur) and each row's rank among them."""
    if isinstance(y.dtype, pd.CategoricalDtype):
        present = y.cat.remove_unused_categories()
        order = [c for c in y.cat.categories if c in set(present.cat.categories)]
        return order, present.cat.codes.to_numpy().astype(np.intp)
    order = sorted(pd.unique(y))
    return order, pd.Categorical(y, categories=order).codes.astype(np.intp)


def _stacked_fit(patterns: np.ndarray, ranks: np.ndarray, counts: np.ndarray, cuts: list[int],
                 groups: np.ndarray | None, nobs: int) -> tuple[np.ndarray, np.ndarray]:
    """Parameters and covariance (cluster-robust by respondent, or by ``groups``) of the logistic
    model on the binary data sets "rank above cut j" stacked, one per cut, with a free intercept and
    free slopes per cut; columns as statsmodels saw them: the cuts' intercepts, then each cut's slopes."""
    n_cuts, k, m = len(cuts), patterns.shape[1], len(patterns)
    design = np.zeros((n_cuts * m, n_cuts * (1 + k)))
    for c_index in range(n_cuts):  # one block per cut (a handful), not per respondent
        rows = slice(c_index * m, (c_index + 1) * m)
        design[rows, c_index] = 1.0
        design[rows, n_cuts + c_index * k: n_cuts + (c_index + 1) * k] = patterns
    yy = np.concatenate([(ranks > j).astype(float) for j in cuts])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        params, cov, _ = _logit_fit(design, yy, np.tile(counts, n_cuts), float(nobs * n_cuts), groups,
                                    respondent_rows=n_cuts)
    return params, cov


def _equal_slopes_wald(slopes: np.ndarray, params: np.ndarray, cov: np.ndarray) -> tuple[float, int]:
    """Wald statistic and df of "each term's slope is the same at every cut"; ``slopes`` holds the
    parameter index of each tested term's slope per cut (terms x cuts). The contrasts are each later
    cut's slope minus the first cut's slope, per term."""
    r = np.zeros((slopes.shape[0] * (slopes.shape[1] - 1), len(params)))
    for row, (first, later) in enumerate((t[0], j) for t in slopes for j in t[1:]):
        r[row, later], r[row, first] = 1.0, -1.0
    diff = r @ params
    v = r @ cov @ r.T
    return float(diff @ np.linalg.pinv(v) @ diff), len(r)


def _po_check_row(term: str, slopes: np.ndarray, params: np.ndarray, cov: np.ndarray, n: int) -> dict[str, Any]:
    """One row of :func:`proportional_odds_check`: the Wald test on the slopes (terms x cuts) of
    ``term`` (NaN where a slope is beyond |10|: separation) and the range of their odds ratios."""
    stat, df = _equal_slopes_wald(slopes, params, cov)
    if not np.isfinite(stat) or stat < 0 or any(abs(params[i]) > 10 for i in slopes.ravel()):
        stat = float("nan")
    odds = np.exp([params[i] for i in slopes.ravel()])
    return {"term": term, "statistic": stat, "df": df,
            "p": float(sps.chi2.sf(stat, df)) if np.isfinite(stat) else float("nan"), "cuts": slopes.shape[1],
            "n": n, "min_or": float(odds.min()), "max_or": float(odds.max())}


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
    which nests respondents) when given.  The stacked model is fitted as statsmodels'
    ``Logit`` would fit it, on the distinct answer patterns with their counts.

    Returns one row per predictor and a row ``term = "all"``: Wald ``statistic``,
    ``df``, ``p``, the number of ``cuts`` used (cuts with no variation in the
    outcome are left out), ``n`` and the smallest and largest odds ratio over the cuts.
    Where a cut separates the data (a slope beyond |10| on the logit scale, e.g. no
    respondent of a group in the lowest category) the Wald test is not valid and
    ``statistic`` and ``p`` are NaN: the check could not be made.
    """
    sub = _model_frame(frame, outcome, predictors, cluster, dont_know)
    empty = _empty(PO_CHECK_COLUMNS)
    if sub.empty:
        return empty
    order, ranks = _ranks(sub[outcome])
    x = _predictor_design(sub, predictors)
    above = np.bincount(ranks, minlength=len(order))[::-1].cumsum()[::-1][1:] / len(ranks)
    cuts = [j for j in range(len(order) - 1) if 0 < above[j] < 1]
    if len(cuts) < 2 or x.shape[1] == 0:
        return empty
    values = x.to_numpy(dtype=float)
    groups = _cluster_codes(sub, cluster)
    first, counts = _collapse([*values.T, ranks] + ([groups] if groups is not None else []))
    params, cov = _stacked_fit(values[first], ranks[first], counts, cuts,
                               groups[first] if groups is not None else None, len(sub))
    # the parameter index of each predictor's slope at each cut (predictors x cuts)
    n_cuts, k = len(cuts), x.shape[1]
    slopes = len(cuts) + np.arange(n_cuts)[None, :] * k + np.arange(k)[:, None]
    rows = [_po_check_row(t, slopes[[i]], params, cov, len(sub)) for i, t in enumerate(x.columns)]
    rows.append(_po_check_row("all", slopes, params, cov, len(sub)))
    return pd.DataFrame(rows, columns=PO_CHECK_COLUMNS)
