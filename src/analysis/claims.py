"""The 2011 summary's claims, each tested on the data at hand with a verdict.

Claims and their rules are data (``data/reference/summary_claims_2011.yaml``); this module holds
the rules. Each rule reads the typed theme facts (:mod:`analysis.facts`, from
``<output_dir>/<theme>/facts.json``) by name, never the raw data, so a verdict is made from the same
published numbers the reader sees. A value that the small-cell rule suppressed, or that the data
could not give, makes a claim "not testable"; a fact path or item the schema does not know is an
error (:func:`check_claims`), never a silent "not testable".
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from .yamlfile import safe_load

from . import facts as facts_schema
from .disclosure import is_hidden
from .errors import Problem, SurveyDataError
from .paths import REFERENCE_DIR
from .text import fmt_number, fmt_p, fmt_pct, message

CLAIMS_PATH = REFERENCE_DIR / "summary_claims_2011.yaml"
VERDICTS = ("supported", "partly", "not_supported", "not_testable")


class NotTestable(Exception):
    """The facts needed for a claim are missing or suppressed."""


def read_claims(path: Path = CLAIMS_PATH) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return safe_load(fh)["claims"]


def _get(facts: dict[str, Any], dotted: str) -> Any:
    """The fact at a dotted path (checked against the schema); not testable when the data gave none."""
    value = facts_schema.get(facts, dotted)
    if value is None:
        raise NotTestable(dotted)
    return value


def _num(value: Any) -> float:
    if value is None or is_hidden(value):
        raise NotTestable("suppressed")
    return float(value)


def _by_key(rows: list[Any], key: str = "item") -> dict[str, Any]:
    """Rows by item (or option) id; not testable when the data gave no rows at all."""
    if not rows:
        raise NotTestable("no rows")
    return {getattr(r, key): r for r in rows}


def _rows(facts: dict[str, Any], dotted: str, at_least: int = 1) -> list[dict[str, Any]]:
    """A list of per-item facts; not testable when there are fewer rows than the claim needs."""
    rows = _get(facts, dotted)
    if len(rows) < at_least:
        raise NotTestable(dotted)
    return rows


Rule = Callable[[dict, dict, str, float], tuple[str, str]]
RULES: dict[str, Rule] = {}


def rule(fn: Rule) -> Rule:
    RULES[fn.__name__] = fn
    return fn


@rule
def count_equals(claim, facts, lang, alpha):
    value = _num(_get(facts, claim["fact"]))
    verdict = "supported" if value == claim["value"] else "not_supported"
    return verdict, message("ev_count", lang, value=fmt_number(value, lang), expected=fmt_number(claim["value"], lang))


@rule
def count_above(claim, facts, lang, alpha):
    value = _num(_get(facts, claim["fact"]))
    verdict = "supported" if value > claim["value"] else "not_supported"
    return verdict, message("ev_count_above", lang, value=fmt_number(value, lang), expected=fmt_number(claim["value"], lang))


@rule
def share_above(claim, facts, lang, alpha):
    fact = _get(facts, claim["fact"])
    pct, low = _num(getattr(fact, claim.get("pct", "pct"))), _num(getattr(fact, claim.get("low", "low")))
    threshold = claim["threshold"]
    verdict = "supported" if low > threshold else "partly" if pct > threshold else "not_supported"
    return verdict, message("ev_share", lang, pct=fmt_pct(pct, lang), low=fmt_pct(low, lang),
                            threshold=fmt_pct(threshold, lang))


@rule
def share_below(claim, facts, lang, alpha):
    row = _by_key(_get(facts, claim["fact"]), "option")[claim["option"]]
    pct, high = _num(row.pct), _num(row.high)
    threshold = claim["threshold"]
    verdict = "supported" if high < threshold else "partly" if pct < threshold else "not_supported"
    return verdict, message("ev_share_below", lang, pct=fmt_pct(pct, lang), high=fmt_pct(high, lang),
                            threshold=fmt_pct(threshold, lang))


@rule
def ranking_first(claim, facts, lang, alpha):
    ranking = _get(facts, claim["fact"])
    top, p = ranking.top, ranking.top_vs_second_p_holm
    if top is None or p is None:
        raise NotTestable("ranking")
    if top != claim["expected"]:
        return "not_supported", message("ev_first_other", lang, top=top)
    verdict = "supported" if _num(p) < alpha else "partly"
    return verdict, message("ev_first", lang, p=fmt_p(_num(p), lang))


@rule
def top_set(claim, facts, lang, alpha):
    expected = list(claim["expected"])
    rows = _rows(facts, claim["fact"], len(expected))
    key = claim.get("key", "item")
    share = "top2_pct" if hasattr(rows[0], "top2_pct") else "pct"
    for row in rows[: len(expected)]:
        _num(getattr(row, share))  # a suppressed share in the top places leaves the order unknown
    order = [getattr(r, key) for r in rows]
    top = order[: len(expected)]
    overlap = len(set(top) & set(expected))
    verdict = ("supported" if overlap == len(expected) else "partly" if overlap >= len(expected) / 2
               else "not_supported")
    return verdict, message("ev_top_set", lang, overlap=overlap, k=len(expected))


@rule
def all_share_above(claim, facts, lang, alpha):
    rows = _rows(facts, claim["fact"])
    values = [_num(r.pct) for r in rows]
    above = sum(v >= claim["threshold"] for v in values)
    verdict = "supported" if above == len(values) else "partly" if above >= len(values) / 2 else "not_supported"
    return verdict, message("ev_all_above", lang, above=above, total=len(values), threshold=fmt_pct(claim["threshold"], lang),
                            low=fmt_pct(min(values), lang))


@rule
def model_effects(claim, facts, lang, alpha):
    m = _get(facts, claim["fact"])
    cf = _num(m.citizen_facing_or) > 1 and _num(m.citizen_facing_p) < alpha
    young = _num(m.age_or) < 1 and _num(m.age_p) < alpha
    verdict = "supported" if cf and young else "partly" if cf or young else "not_supported"
    return verdict, message("ev_model", lang, cf_or=fmt_number(m.citizen_facing_or, lang, 2),
                            cf_p=fmt_p(m.citizen_facing_p, lang), age_or=fmt_number(m.age_or, lang, 2),
                            age_p=fmt_p(m.age_p, lang))


@rule
def split(claim, facts, lang, alpha):
    f = _get(facts, claim["fact"])
    under, over, p = _num(f.under_pct), _num(f.over_pct), _num(f.split_p)
    verdict = "supported" if p >= alpha and min(under, over) >= 20 else "partly" if min(under, over) >= 20 else "not_supported"
    return verdict, message("ev_split", lang, under=fmt_pct(under, lang), over=fmt_pct(over, lang), p=fmt_p(p, lang))


@rule
def paired_greater(claim, facts, lang, alpha):
    f = _get(facts, claim["fact"])
    p, r = _num(f.p), _num(f.rank_biserial)
    verdict = "supported" if p < alpha and r > 0 else "partly" if r > 0 else "not_supported"
    return verdict, message("ev_paired", lang, inv=fmt_pct(f.investigation_top2_pct, lang),
                            enf=fmt_pct(f.enforcement_top2_pct, lang), p=fmt_p(p, lang), r=fmt_number(r, lang, 2))


@rule
def solved_poorly(claim, facts, lang, alpha):
    rows = _rows(facts, claim["fact"])
    poor = sum(_num(r.bottom2_pct) > _num(r.top2_pct) for r in rows)
    verdict = "supported" if poor == len(rows) else "partly" if poor >= len(rows) / 2 else "not_supported"
    return verdict, message("ev_solved", lang, poor=poor, total=len(rows))


def _statement_verdict(row: Any, direction: str) -> str:
    agree = (_num(row.top2_pct), _num(row.top2_low), _num(row.top2_high))
    disagree = (_num(row.bottom2_pct), _num(row.bottom2_low), _num(row.bottom2_high))
    expected, other = (agree, disagree) if direction == "agree" else (disagree, agree)
    if expected[1] > other[2]:
        return "supported"
    return "partly" if expected[0] > other[0] else "not_supported"


@rule
def statement(claim, facts, lang, alpha):
    row = _by_key(_get(facts, claim["fact"]))[claim["item"]]
    verdict = _statement_verdict(row, claim["direction"])
    return verdict, message("ev_statement", lang, agree=fmt_pct(row.top2_pct, lang), disagree=fmt_pct(row.bottom2_pct, lang))


@rule
def statements_all(claim, facts, lang, alpha):
    rows = _by_key(_get(facts, claim["fact"]))
    verdicts = [_statement_verdict(rows[i], claim["direction"]) for i in claim["items"]]
    verdict = ("supported" if all(v == "supported" for v in verdicts)
               else "not_supported" if all(v == "not_supported" for v in verdicts) else "partly")
    parts = [message("ev_statement", lang, agree=fmt_pct(rows[i].top2_pct, lang),
                     disagree=fmt_pct(rows[i].bottom2_pct, lang)) for i in claim["items"]]
    return verdict, " ".join(parts)


@rule
def statement_split(claim, facts, lang, alpha):
    row = _by_key(_get(facts, claim["fact"]))[claim["item"]]
    agree, disagree = _num(row.top2_pct), _num(row.bottom2_pct)
    verdict = "supported" if max(agree, disagree) < 60 and min(agree, disagree) >= 20 else (
        "partly" if min(agree, disagree) >= 20 else "not_supported")
    return verdict, message("ev_statement", lang, agree=fmt_pct(agree, lang), disagree=fmt_pct(disagree, lang))


@rule
def not_testable(claim, facts, lang, alpha):
    return "not_testable", message(f"ev_{claim.get('reason', 'no_item')}", lang)


def check_claims(claims: list[dict[str, Any]], path: Path | str = CLAIMS_PATH) -> None:
    """Refuse claims whose rule is unknown or whose fact path the facts schema does not have."""
    problems = []
    for number, claim in enumerate(claims, start=1):
        if claim.get("rule") not in RULES:
            problems.append(Problem(str(path), "unknown rule", respondent=None, column="rule",
                                    value=str(claim.get("rule")), expected=f"one of {sorted(RULES)}"))
        if "fact" in claim:
            try:
                facts_schema.resolve(claim["fact"])
            except KeyError as exc:
                problems.append(Problem(str(path), f"claim {claim.get('id', number)}: {exc.args[0]}", column="fact",
                                        value=claim["fact"], expected="a path in analysis.facts"))
    if problems:
        raise SurveyDataError(problems)


def evaluate(claims: list[dict[str, Any]], facts: dict[str, Any], lang: str = "en", level: float = 0.95) -> list[dict[str, Any]]:
    """Verdict and evidence for every claim from typed facts (:mod:`analysis.facts`).

    A fact that is suppressed, or that the data could not give (nobody answered, too few rows for
    the claim), makes the claim not testable; a fact path or item the schema or the data do not
    know raises (a renamed key must fail the build, not pass as "not testable").
    """
    check_claims(claims)
    alpha = 1 - level
    results = []
    for claim in claims:
        try:
            verdict, evidence = RULES[claim["rule"]](claim, facts, lang, alpha)
        except NotTestable:  # a fact the data could not give (no answers, suppressed)
            verdict, evidence = "not_testable", message("ev_suppressed", lang)
        results.append({"id": claim["id"], "theme": claim["theme"], "claim": claim[lang if lang == "en" else "nl"],
                        "quote": claim["nl"], "verdict": verdict, "evidence": evidence})
    return results
