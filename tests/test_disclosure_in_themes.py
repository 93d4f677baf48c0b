"""Small-cell protection as a reader could attack it: from everything a theme publishes together.

These checks are independent of analysis.protection.disclosure's own bookkeeping: they search all integer
answer distributions that fit what a rating grid publishes (counts, bases, top-2 and bottom-2
counts and shares, means) and require that no hidden count below k is forced to one value.
"""
from __future__ import annotations

import importlib
import itertools

import pandas as pd
import pytest

from analysis.protection import publication
from analysis.protection.disclosure import SUPPRESSED, Published
from analysis.survey.synth import generate, write_export
from analysis.themes import conclusion, opportunities
from analysis.themes.base import Context, open_answers
from analysis.themes.tables import share_by_group
from analysis.themes.registry import THEMES, analyse_all, read_facts_of
from analysis.survey.loader import load
from analysis.protection.rules import Rules

from support import K, WEIGHT, with_weights


def _shown(value) -> bool:
    return not (isinstance(value, str) and value == SUPPRESSED) and not pd.isna(value)


SMALL_N = 25


@pytest.fixture(scope="module")
def small_survey(tmp_path_factory):
    """A small export (SMALL_N respondents) where many cells fall below k."""
    return load(write_export(generate(SMALL_N, 3), tmp_path_factory.mktemp("small") / "small.csv"))


def _splits(total: int, parts: int):
    """Every way to write `total` as `parts` non-negative integers."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _splits(total - first, parts - 1):
            yield (first,) + rest


def _possible_values(dist: pd.DataFrame, summary: pd.Series, scale: list[int]) -> dict[int, set[int]]:
    """For each hidden count of one item: every value it takes in some distribution fitting the tables."""
    counts = {int(r["code"]): r["count"] for _, r in dist.iterrows()}
    hidden = [c for c in scale if not _shown(counts[c])]
    n = summary["n"] if _shown(summary["n"]) else None
    constraints = []  # (codes, coefficients, value, tolerance)
    if n is not None:
        constraints.append((scale, [1] * 5, n, 0))
    for box, codes in (("top2", scale[-2:]), ("bottom2", scale[:2])):
        if _shown(summary[f"{box}_count"]):
            constraints.append((codes, [1, 1], summary[f"{box}_count"], 0))
        elif n is not None and _shown(summary[f"{box}_pct"]):
            constraints.append((codes, [1, 1], summary[f"{box}_pct"] * n / 100, 0.01))
    if n is not None and _shown(summary["mean"]):
        constraints.append((scale, scale, summary["mean"] * n, 0.01))
    possible: dict[int, set[int]] = {c: set() for c in hidden}
    shown_sum = sum(int(counts[c]) for c in scale if c not in hidden)
    if n is not None:  # the hidden cells add up to what the base leaves: enumerate those splits only
        candidates = (split for split in _splits(int(n) - shown_sum, len(hidden)))
    else:  # the base is hidden too: it is at most the number of respondents, so try every base up to it
        candidates = itertools.chain.from_iterable(_splits(total - shown_sum, len(hidden))
                                                   for total in range(shown_sum, SMALL_N + 1))
    for values in candidates:
        cells = {c: (values[hidden.index(c)] if c in hidden else int(counts[c])) for c in scale}
        if all(abs(sum(w * cells[c] for c, w in zip(codes, weights)) - value) <= tol
               for codes, weights, value, tol in constraints):
            for c in hidden:
                possible[c].add(cells[c])
    return possible


@pytest.mark.parametrize("weights", [None, WEIGHT])
def test_no_hidden_rating_count_can_be_solved_from_the_published_tables(small_survey, weights):
    """Without and with respondent weights (issue 23): weighted shares beside unweighted counts (the
    weighted run draws no figures: the tables are the same, the run half as long)."""
    frame = small_survey if weights is None else with_weights(small_survey)
    checked = 0
    results = analyse_all(frame, Context(rules=Rules(k=K), weights=weights, figures=weights is None))
    for result in results.values():
        checked += _check_rating_tables(result.tables())
        assert result.audit() == []
    assert checked > 0  # the small export does hide cells


def _check_rating_tables(tables: dict[str, pd.DataFrame]) -> int:
    """Require that no hidden rating count below k follows from a grid's tables; the cells checked."""
    checked = 0
    for name, dist in tables.items():
        if not name.endswith("_distribution"):
            continue
        summary = tables[name.replace("_distribution", "_summary")].set_index("item")
        for item, rows in dist.groupby("item", sort=False):
            scale = sorted(int(c) for c in rows["code"])
            if all(_shown(v) for v in rows["count"]):
                continue
            for code, values in _possible_values(rows, summary.loc[item], scale).items():
                # a hidden cell may follow from the tables only if it is not a small count (1..k-1):
                # cells hidden to protect others can be large
                forced = values.pop() if len(values) == 1 else None
                assert forced is None or not 0 < forced < K, f"{name} {item} code {code}: the tables force {forced}"
                checked += 1
    return checked


def test_means_are_blank_next_to_a_hidden_count(small_survey):
    tables = opportunities.analyse(small_survey, Context(rules=Rules(k=K))).tables()
    dist, summary = tables["opportunity_ratings_distribution"], tables["opportunity_ratings_summary"]
    hidden_items = set(dist.loc[dist["count"] == SUPPRESSED, "item"])
    assert hidden_items
    assert (summary.loc[summary["item"].isin(hidden_items), "mean"] == SUPPRESSED).all()


def test_role_table_is_protected_against_the_published_citizen_facing_total():
    """Communication has 3 active respondents; the citizen-facing total is published, so a second
    citizen-facing role must be hidden as well, or 3 would follow by subtraction."""
    roles = [1] * 30 + [2] * 10 + [4] * 12 + [3] * 40
    active = [1.0] * 20 + [0.0] * 10 + [1.0] * 3 + [0.0] * 7 + [1.0] * 10 + [0.0] * 2 + [1.0] * 20 + [0.0] * 20
    frame = pd.DataFrame({"role": roles})
    ctx = Context(rules=Rules(k=K))
    labels = {1: "community", 2: "communication", 4: "intake", 3: "investigation"}
    citizen = {1: True, 2: True, 4: True, 3: False}
    _, _, pub = share_by_group(frame, pd.Series(active), frame["role"], labels, ctx, "t", "", None, public_sums=citizen)
    pub = pub.marked()
    hidden = pub.loc[pub["count"] == SUPPRESSED, "group"].tolist()
    assert 2 in hidden and len([g for g in hidden if citizen[g]]) >= 2


def test_a_share_of_nearly_everyone_hides_the_few_who_are_left():
    """2 of 30 not active: the complement is a cell below k, so the count is hidden too."""
    frame = pd.DataFrame({"role": [1] * 30 + [3] * 40})
    active = pd.Series([1.0] * 28 + [0.0] * 2 + [1.0] * 20 + [0.0] * 20)
    _, _, pub = share_by_group(frame, active, frame["role"], {1: "a", 3: "b"}, Context(rules=Rules(k=K)), "t", "", None)
    row = pub.marked().set_index("group").loc[1]
    assert row["count"] == SUPPRESSED and row["pct"] == SUPPRESSED


def test_test_statistics_are_blank_where_a_count_is_small():
    table = pd.DataFrame({"n": [40, 40], "n_nonzero": [3, 30], "statistic": [1.5, 100.0], "p": [0.2, 0.01],
                          "rank_biserial": [0.5, 0.1]})
    out = publication.protect_tests(Published(table, pd.DataFrame(False, index=table.index, columns=table.columns)),
                                    ["n", "n_nonzero"], ["statistic", "p", "rank_biserial"], K).marked()
    assert list(out.loc[0, ["statistic", "p", "rank_biserial"]]) == [SUPPRESSED] * 3
    assert out.loc[1, "p"] == 0.01


def test_quotes_cannot_inject_html(survey):
    frame = survey.copy()
    frame["barriers_open"] = ["Zie <img src=//evil.example/p.png> en <script>alert(1)</script>"] * len(frame)
    ctx = Context(rules=Rules(k=K), synthetic=True)  # synthetic data show quotes without a review
    lines, _, _ = open_answers(frame, ctx.codebook["barriers_open"], ctx, [])
    quote = next(line for line in lines if line.startswith(">"))
    assert "<img" not in quote and "<script" not in quote and "&lt;script&gt;" in quote


def _blank(frame: pd.DataFrame, columns) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].where(pd.Series(False, index=frame.index))
    return frame


@pytest.mark.parametrize("case", ["no answers at all", "one organisation", "empty grids"])
def test_every_theme_runs_on_odd_but_valid_data(survey, case, tmp_path):
    if case == "no answers at all":
        frame = _blank(survey, [c for c in survey.columns if c not in ("respondent_id", "synthetic")])
    elif case == "one organisation":
        frame = survey.copy()
        frame["organisation"] = pd.Categorical([9] * len(frame), categories=survey["organisation"].cat.categories)
    else:
        frame = _blank(survey, [c for c in survey.columns if c.startswith(("opp_", "sol_", "st_", "uses_made_"))]
                       + ["value_estimation", "enf_usefulness"])
    ctx = Context(rules=Rules(k=K))
    for theme in (t for t in THEMES if not t.reads_facts_of):
        importlib.import_module(theme.module).analyse(frame, ctx).save(tmp_path)
    ctx.facts_of = read_facts_of("conclusion", tmp_path)  # through the files, typed, as the build does
    verdicts = conclusion.analyse(frame, ctx).facts.claims
    assert sum(verdicts.values()) == 24
    if case == "no answers at all":
        assert verdicts["supported"] <= 2


def test_build_refuses_fewer_respondents_than_k(tmp_path, capsys):
    import subprocess
    import sys
    data = write_export(generate(3, 1), tmp_path / "three.csv")
    run = subprocess.run([sys.executable, "-m", "analysis", "build", "--data", str(data), "--out", str(tmp_path / "o")],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "only 3 respondents" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "o").exists()


def test_no_table_of_several_rows_publishes_a_column_hidden_in_every_row(survey):
    """Issue 21: the bundled build hid the two median columns of every pairwise table (enforcement: 72
    cells) and the reliability comparison's mean and median in every row: columns nobody could read.
    They are left out of the published tables, so the disclosure log lists only cells a reader misses."""
    results = analyse_all(survey, Context(lang="en", rules=Rules(k=K), synthetic=True))
    always_hidden = [(theme, name, c) for theme, result in results.items()
                     for name, pub in result.published().items() if len(pub) > 1
                     for c in pub.columns if pub.mask[c].all()]
    assert always_hidden == []
    pairwise = results["enforcement"].published()["enforcement_applications_pairwise"]
    assert "median_a" not in pairwise.columns and len(pairwise) > 1
    logged = results["enforcement"].disclosure_log()
    assert not logged["column"].isin(["median_a", "median_b"]).any()


def test_the_disclosure_log_counts_the_respondents_of_each_hidden_count(survey):
    """Issue 21 (protection's cost): a hidden count's log row holds its respondents; numbers computed
    from counts (linked, derived) hold none."""
    result = analyse_all(survey, Context(lang="en", rules=Rules(k=K), synthetic=True))["barriers"]
    log = result.disclosure_log()
    counts = log["reason"].isin(["primary", "secondary", "zero", "class"])
    assert counts.any() and log.loc[counts, "respondents"].notna().all()
    assert log.loc[~counts, "respondents"].isna().all()
    primary = log[log["reason"] == "primary"]
    assert ((primary["respondents"] > 0) & (primary["respondents"] < K)).all()
