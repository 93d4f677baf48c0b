"""Exploring in JupyterLab (issue 22): ``analysis.pipeline.explore`` on the bundled synthetic export.

References: the counts are checked against an independent ``pandas.crosstab`` of the loaded frame,
the tests against ``scipy.stats.chi2_contingency`` and ``scipy.stats.kruskal`` on those crosstabs, and
the protection by an attacker's linear programme (``scipy.optimize.linprog``): every hidden count's
range given the shown counts and the margins the report publishes (each answer's distribution, the
background item's group sizes), in the manner of tests/test_publication_safety.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize
from scipy import stats as sps

from analysis.pipeline import explore
from analysis.protection.disclosure import is_hidden
from support import K


@pytest.fixture(scope="module")
def survey() -> explore.Survey:
    """Each table on its own against the report's margins (no record): the tests of one table's numbers and
    of one pair's linked protection; tables of several pairs together: tests/test_explore_record.py."""
    return explore.open(min_cell=K, record=False)


def _shown(table: explore.ExploreTable) -> pd.DataFrame:
    return table.counts()


def _box(values: pd.Series) -> pd.Series:
    """A 1-5 rating as bottom 2 / middle / top 2 (1, 2, 3), as the exploration shows it."""
    codes = pd.to_numeric(values.astype(object), errors="coerce")
    return codes.map({1: 1.0, 2: 1.0, 3: 2.0, 4: 3.0, 5: 3.0})


def _group_labels(survey: explore.Survey, by: str) -> pd.Series:
    return survey.frame[by].astype(object).map(survey.ctx.codebook[by].code_labels("en"))


# ------------------------------------------------------------------------------------------- numbers

def test_single_choice_counts_and_shares_match_pandas_crosstab(survey):
    """Reference: pandas.crosstab of role by organisation type (the codebook's ``group`` of each force)."""
    table = survey.table("role", by="organisation_type")
    kinds = survey.ctx.codebook["organisation"].code_attr("group")
    roles = _group_labels(survey, "role")
    reference = pd.crosstab(roles, survey.frame["organisation"].astype(object).map(kinds))
    shown = _shown(table)
    checked = 0
    for row in shown.itertuples():
        if not pd.isna(row.count):
            assert row.count == reference.loc[row.category, row.group]
            checked += 1
        if not pd.isna(row.n):
            assert row.n == reference[row.group].sum()
    assert checked >= 10
    part = table.parts[0].table
    for r in part.rows():
        if not is_hidden(r["pct"]) and not pd.isna(r["pct"]):
            assert r["pct"] == pytest.approx(100 * r["count"] / r["n"])


def test_rating_box_counts_match_pandas_crosstab(survey):
    """Reference: pandas.crosstab of the bottom-2/middle/top-2 boxes of a rating by age band."""
    table = survey.table("bar_skills", by="age_band")
    reference = pd.crosstab(_box(survey.frame["bar_skills"]), _group_labels(survey, "age_band"))
    shown = _shown(table).dropna(subset=["count"])
    assert len(shown) >= 5
    for row in shown.itertuples():
        assert row.count == reference.loc[row.category, row.group]


def test_multi_select_option_counts_match_pandas_crosstab(survey):
    """Reference: pandas.crosstab of each option's 0/1 column by use frequency."""
    table = survey.table("platforms", by="use_frequency")
    groups = _group_labels(survey, "use_frequency")
    assert [p.name for p in table.parts] == survey.ctx.codebook["platforms"].columns
    shown = _shown(table).dropna(subset=["count"])
    assert len(shown) >= 10
    for row in shown.itertuples():
        reference = pd.crosstab(survey.frame[row.part], groups)
        assert row.count == reference.loc[row.category, row.group]


def test_tests_match_scipy_on_the_groups_they_use(survey):
    """Reference: scipy.stats.chi2_contingency (categories) and scipy.stats.kruskal (ratings) on the
    groups whose counts are all shown; the sentence says "differs" only when p < alpha."""
    table = survey.table("platforms", by="use_frequency")
    part = next(p for p in table.parts if p.test is not None)
    shown = part.table.values.dropna(subset=["count"])
    complete = [g for g, rows in part.table.values.groupby("group", sort=False) if rows["count"].notna().all()]
    observed = shown[shown["group"].isin(complete)].pivot(index="category", columns="group", values="count")
    chi2, p, _, _ = sps.chi2_contingency(observed.to_numpy(dtype=float), correction=False)
    assert part.test["statistic"] == pytest.approx(chi2)
    rating = survey.table("bar_skills", by="age_band").parts[0]
    values = rating.table.values
    complete = [g for g, rows in values.groupby("group", sort=False) if rows["count"].notna().all()
                and (rows["count"] >= K).all()]
    boxes, groups = _box(survey.frame["bar_skills"]), _group_labels(survey, "age_band")
    samples = [boxes[(groups == g) & boxes.notna()].to_numpy() for g in complete]
    assert rating.test["p"] == pytest.approx(sps.kruskal(*samples).pvalue)


@pytest.mark.parametrize("item, by", [("platforms", "use_frequency"), ("bar_skills", "age_band"),
                                      ("current_barriers", "role"), ("use_frequency", "age_band")])
def test_sentences_say_differs_only_below_alpha(survey, item, by):
    table = survey.table(item, by=by)
    for part, text in zip(table.parts, table.sentences):
        differs = "differs" in text
        assert differs == (part.test is not None and part.test["p"] < survey.ctx.alpha), text
        if part.test is None:
            assert "p =" not in text and "p <" not in text


def test_html_has_a_caption_and_speaks_dutch():
    table = explore.open(lang="nl", record=False).table("use_frequency", by="age_band")
    html = table._repr_html_()
    assert "<caption>" in html and "naar" in html and "Respondenten" in html


# ------------------------------------------------------------------------------------------- protection

#: Every item type (single choice, ordinal, rating, rating grid, multi-select, open-answer codes) and every
#: kind of breakdown at least once; all but the open answer's are tables the other tests ask for too (one
#: Survey computes each table's protection once).
ITEM_BY = [("role", "organisation_type"), ("knowledge", "age_band"), ("bar_skills", "age_band"),
           ("current_barriers", "role"), ("platforms", "use_frequency"), ("opportunities_open", "organisation_type")]


@pytest.mark.parametrize("item, by", ITEM_BY)
def test_no_shown_count_is_below_k(survey, item, by):
    shown = _shown(survey.table(item, by=by))
    for column in ("count", "n"):
        values = pd.to_numeric(shown[column], errors="coerce").dropna()
        assert not ((values > 0) & (values < K)).any(), (item, by, column)


def _ranges(values: pd.DataFrame, truth: pd.DataFrame) -> list[tuple[float, float, float]]:
    """The attacker: (true value, min, max) of every hidden small count (1 to k - 1) of one part, given every
    shown count, the public margins (each category's total over the groups, each group's size) and counts >= 0."""
    cells = truth.reset_index(drop=True)
    hidden = values["count"].isna().to_numpy()
    if not hidden.any():
        return []
    unknown = np.flatnonzero(hidden)
    rows, rhs = [], []
    size_shown = values.groupby("group", sort=False)["n"].first().notna()
    for key in ("category", "group"):
        for name, members in cells.groupby(key, sort=False).groups.items():
            if key == "group" and not size_shown[name]:
                continue  # a hidden group size is no margin the attacker has
            members = np.asarray(list(members))
            total = float(cells.loc[members, "count"].sum())
            if 0 < total < K:
                continue  # a margin of 1 to k - 1 is hidden wherever it is published (the primary rule)
            coefficients = np.isin(unknown, members).astype(float)
            if coefficients.any():
                rows.append(coefficients)
                rhs.append(total - float(cells.loc[[m for m in members if not hidden[m]], "count"].sum()))
    small = [(j, p) for j, p in enumerate(unknown) if 0 < cells.loc[p, "count"] < K]
    if not rows:
        return [(float(cells.loc[p, "count"]), 0.0, np.inf) for _, p in small]
    out = []
    for j, position in small:
        objective = np.zeros(len(unknown))
        objective[j] = 1.0
        low = optimize.linprog(objective, A_eq=np.array(rows), b_eq=rhs, bounds=(0, None)).fun
        top = optimize.linprog(-objective, A_eq=np.array(rows), b_eq=rhs, bounds=(0, None))
        high = np.inf if top.status == 3 else -top.fun  # status 3: unbounded
        out.append((float(cells.loc[position, "count"]), low, high))
    return out


def _true_counts(survey: explore.Survey, by: str, item: str, within: pd.Series | None = None) -> pd.DataFrame:
    groups = _group_labels(survey, by)
    keep = groups.notna() & survey.frame[item].notna() if within is None else within & groups.notna()
    observed = pd.crosstab(survey.frame.loc[keep, item].astype(object).map(
        survey.ctx.codebook[item].code_labels("en")), groups[keep])
    return observed.stack().rename("count").reset_index().rename(columns={item: "category", by: "group"})


@pytest.mark.parametrize("item, by, within", [("organisation", "role", None),
                                              ("age_band", "role", {"organisation": 1}),
                                              ("age_band", "role", {"organisation_type": "marechaussee"})])
def test_attack_small_groups_give_no_hidden_count_back(survey, item, by, within):
    """A breakdown chosen to isolate a small group (organisation by role; a filter on one force or on a
    small kind of organisation): no shown count below k, and no hidden small count pinned by the shown
    counts with the category totals and group sizes (published by the report or beside the table)."""
    table = survey.table(item, by=by, within=within)
    part = table.parts[0]
    values = part.table.values
    shown = pd.to_numeric(values["count"], errors="coerce").dropna()
    assert not ((shown > 0) & (shown < K)).any()
    rows = survey._selection(within)[0]
    keep = pd.Series(survey.frame.index.isin(rows), index=survey.frame.index) & survey.frame[item].notna()
    truth = _true_counts(survey, by, item, keep)
    truth = values[["group", "category"]].astype(str).merge(truth.astype({"group": str, "category": str}),
                                                           on=["group", "category"], how="left")
    for value, low, high in _ranges(values, truth):
        if 0 < value < K:
            assert high - low >= 1 - 1e-9, (value, low, high)
    sizes = values.groupby("group", sort=False)["n"].first()
    assert not ((sizes.dropna() > 0) & (sizes.dropna() < K)).any()


# ------------------------------------------------------------------------------------------- errors

@pytest.mark.parametrize("item, by, within, words", [
    ("nope", "role", None, "unknown item 'nope'"),
    ("role", "nope", None, "unknown breakdown 'nope'"),
    ("role", "opportunities_open", None, "'opportunities_open' is a open item and cannot be a breakdown"),
    ("role", "respondent_id", None, "cannot be a breakdown"),
    ("role", "role", None, "also the breakdown"),
    ("role", "age_band", {"organisation": 3}, "fewer than k"),
    ("role", "age_band", {"organisation": 1234}, "no such code 1234"),
    ("use_frequency", "role", {"role": 1}, "the filter on 'role' is on the breakdown itself and would leave one group"),
    ("role", "age_band", {"role": 1}, "the filter on 'role' is on the item itself and would leave one answer"),
    ("role", "age_band", {"organisation": []}, "the filter on 'organisation' selects no code"),
    ("role", "age_band", {"nope": 1}, "unknown filter 'nope': a filter is one of"),
    ("role", "age_band", {"organisation": 1, "use_frequency": 1}, "names 2 items: filter on one item at a time"),
    ("role", "age_band", {"opportunities_open": 1}, "'opportunities_open' is a open item and cannot be a filter"),
])
def test_errors_name_the_item_and_what_is_allowed(survey, item, by, within, words):
    with pytest.raises(explore.ExploreError, match=None) as caught:
        survey.table(item, by=by, within=within)
    message = str(caught.value)
    assert words in message


# ------------------------------------------------------------------------------------------- declared analyses

def test_bundled_analyses_file_declares_three_breakdowns_with_both_titles():
    """data/examples/analyses.yaml (the bundled example) declares three breakdowns, titled in nl and en; their
    protected tables are checked where the build publishes them (tests/test_analyses.py: no count below k in
    the appendix's CSVs and report, every hidden cell in the disclosure log)."""
    from analysis.core.paths import DATA_DIR
    from analysis.pipeline.analyses import read_analyses

    declared = read_analyses(DATA_DIR / "examples" / "analyses.yaml")
    assert [(a.item, a.by) for a in declared] == [("current_barriers", "organisation_type"),
                                                  ("use_frequency", "age_band"), ("enforcement_applications", "role")]
    assert declared[1].within == {"organisation_type": "regional_police"}
    assert all(analysis.title["nl"] and analysis.title["en"] for analysis in declared)


def test_analyses_file_problems_name_file_line_key_and_value(tmp_path, survey):
    from analysis.core.errors import SurveyDataError
    from analysis.pipeline.analyses import read_analyses, tables

    path = tmp_path / "analyses.yaml"
    path.write_text("analyses:\n  - item: role\n    by: age_band\n    colour: red\n"
                    "  - item: nope\n    by: role\n    title: {en: A, nl: B}\n", encoding="utf-8")
    with pytest.raises(SurveyDataError) as caught:
        read_analyses(path)
    text = str(caught.value)
    assert "line 2" in text and "has no title" in text and "line 4" in text and "'colour'" in text
    path.write_text("analyses:\n  - item: nope\n    by: role\n    title: {en: A, nl: B}\n", encoding="utf-8")
    with pytest.raises(SurveyDataError) as caught:
        tables(survey, read_analyses(path), str(path))
    assert "line 2" in str(caught.value) and "unknown item 'nope'" in str(caught.value)


def test_strict_profile_shows_no_zero_and_no_count_below_its_k():
    """The strict profile (k = 10, zeros hidden: analysis.protection.rules.PROFILES) holds here too."""
    strict = explore.open(rules="strict")
    assert strict.ctx.k == 10
    for item, by in [("knowledge", "age_band"), ("platforms", "age_band"), ("bar_skills", "role")]:
        table = strict.table(item, by=by)
        counts = pd.to_numeric(table.counts()["count"], errors="coerce").dropna()
        assert not ((counts >= 0) & (counts < 10)).any(), (item, by)


def test_weighted_shares_match_a_weighted_pandas_crosstab(tmp_path):
    """Reference: pandas.crosstab(..., values=weight, aggfunc='sum', normalize='columns') on a copy of the
    bundled export with a weight column (counts stay unweighted: the small-cell rule counts people)."""
    from analysis.core.paths import SYNTHETIC_EXPORT

    raw = pd.read_csv(SYNTHETIC_EXPORT, dtype=str)
    raw["weight"] = ["2" if i % 3 == 0 else "1" for i in range(len(raw))]
    path = tmp_path / "weighted.csv"
    raw.to_csv(path, index=False)
    weighted = explore.open(data=path, weights="weight")
    part = weighted.table("platforms", by="use_frequency").parts[1]
    frame = weighted.frame
    reference = 100 * pd.crosstab(frame[part.name], _group_labels(weighted, "use_frequency"), values=frame["weight"],
                                  aggfunc="sum", normalize="columns")
    shown = part.table.values.dropna(subset=["pct"])
    assert len(shown) >= 5
    for row in shown.itertuples():
        assert row.pct == pytest.approx(reference.loc[row.category, row.group])


@pytest.mark.parametrize("item, by, within", [("knowledge", "age_band", "organisation_type"),
                                              ("knowledge", "age_band", "role"),
                                              ("role", "organisation_type", "age_band")])
def test_attack_unfiltered_minus_filtered_gives_no_small_count_back(survey, item, by, within):
    """The subtraction attack of the review: for a filter on every single category of `within`, a count
    shown both in the unfiltered and the filtered table differs by 0 or at least k (the difference is
    the count of the respondents outside the filter)."""
    everyone = survey.table(item, by=by).counts().set_index(["group", "category"])["count"]
    pinned = []
    for value in survey._groups(within)[0].dropna().astype(str).unique():
        try:
            selected = survey.table(item, by=by, within={within: value}).counts()
        except explore.ExploreError:
            continue
        both = pd.concat([everyone, selected.set_index(["group", "category"])["count"]], axis=1).dropna()
        rest = both.iloc[:, 0] - both.iloc[:, 1]
        pinned += [(value, key, int(n)) for key, n in rest.items() if 0 < n < K]
    assert not pinned


def _lines_with_one_hidden(counts: pd.DataFrame, totals: pd.Series) -> list:
    """The lines of a filtered table in which exactly one entry is hidden, so that it is its line's public
    sum minus the shown entries: a group's counts with its size, and a category's counts over the groups
    where its total (`totals`: the unfiltered table by the filter item at the filter's value) is shown."""
    found = []
    for group, rows in counts.groupby("group", sort=False):
        if rows["count"].isna().sum() + pd.isna(rows["n"].iloc[0]) == 1:
            found.append(("group", group))
    for category, rows in counts.groupby("category", sort=False):
        if not pd.isna(totals.get(category)) and rows["count"].isna().sum() == 1:
            found.append(("category", category))
    return found


def test_linked_pattern_is_one_for_every_value_and_both_orientations(survey):
    """The hidden lines of a pair of background items do not depend on the value filtered on or on which
    of the two is the breakdown: asked in either orientation first, the same planes; a count of a filtered
    table is hidden exactly when its line in one of the two planes is or its group is small (its zeros
    would place its few members). A group whose size is hidden but not small may show some counts: no line
    of the table (a group's counts with its size, a category's counts with its shown total) has exactly
    one hidden entry, so no hidden size or count is its line's sum minus the shown cells."""
    import dataclasses

    one, two = dataclasses.replace(survey, planes={}), dataclasses.replace(survey, planes={})
    table = one.table("knowledge", by="age_band", within={"organisation_type": "regional_police"})
    other = two.table("knowledge", by="organisation_type", within={"age_band": "55 or older"})
    assert one.planes == two.planes and len(one.planes) == 2
    by_plane, filter_plane = one.planes[("knowledge", "age_band", "organisation_type")], one.planes[
        ("knowledge", "organisation_type", "age_band")]
    regional = survey._groups("organisation_type")[0] == "regional_police"
    sizes = _group_labels(survey, "age_band")[regional & survey.frame["knowledge"].notna()].value_counts()
    counts = table.counts()
    for row in counts.itertuples():
        lines = (row.category, row.group) in by_plane.cells or (row.category, "regional_police") in filter_plane.cells
        small = pd.isna(row.n) and 0 < sizes.get(row.group, 0) < K
        assert pd.isna(row.count) == (lines or small), row
    for shown, by, value in ((counts, "organisation_type", "regional_police"),
                             (other.counts(), "age_band", "55 or older")):
        everyone = survey.table("knowledge", by=by).counts()
        totals = everyone[everyone["group"] == value].set_index("category")["count"]
        assert not _lines_with_one_hidden(shown, totals), value


def _published_equalities(survey: explore.Survey, item: str, first: str, second: str):
    """The attacker's equalities on the 3-D counts T(o, b, f) (b, f with a "not answered" category): every
    shown count and group size of O by B, O by F, O by B within each f and O by F within each b, and the
    report's margins (each answer's total, each group's size among those who answered), each unless small."""
    outcome = survey._outcomes(item, survey.frame.index)[0][2].astype(object)
    axes = {name: survey._groups(name)[0].astype(object).where(lambda s: s.notna(), "NA") for name in (first, second)}
    keep = outcome.notna()
    truth = pd.crosstab([outcome[keep], axes[first][keep]], axes[second][keep]).stack()
    level = [np.asarray(truth.index.get_level_values(j), dtype=object) for j in range(3)]
    rows, rhs = [], []

    def add(coefficients: np.ndarray, value: float) -> None:
        if coefficients.any() and not pd.isna(value) and not 0 < value < K:
            rows.append(coefficients.astype(float))
            rhs.append(float(value))

    for name, other, mine, theirs in ((first, second, level[1], level[2]), (second, first, level[2], level[1])):
        for row in survey.table(item, by=name).counts().itertuples():
            add((level[0] == row.category) & (mine == row.group), row.count)
            add(mine == row.group, row.n)
        for value in axes[other].unique():
            try:
                sliced = survey.table(item, by=name, within={other: value}).counts()
            except explore.ExploreError:
                continue
            for row in sliced.itertuples():
                add((level[0] == row.category) & (mine == row.group) & (theirs == value), row.count)
                add((mine == row.group) & (theirs == value), row.n)
        for value in set(mine):
            add(mine == value, float(truth[mine == value].sum()))
    for value in set(level[0]):
        add(level[0] == value, float(truth[level[0] == value].sum()))
    return truth, level, np.array(rows), np.array(rhs)


@pytest.mark.parametrize("item, first, second", [("knowledge", "age_band", "organisation_type"),
                                                 ("knowledge", "age_band", "role"),
                                                 ("role", "organisation_type", "age_band")])
def test_attack_linked_tables_pin_no_small_count(survey, item, first, second):
    """The attacker's linear programme (scipy.optimize.linprog, as in tests/test_publication_safety.py) on
    every table of `item` by `first` and by `second`, unfiltered and filtered on every value of the other,
    with the report's margins: every count of the 3-D table between 1 and k - 1, every small group size of
    a slice and every small rest of a line or of a group size (the respondents outside one value of the
    filter: what the unfiltered table minus the filtered one gives) keeps a range of at least 1. The rule
    under test is the line rule of the hypercube method (tau-ARGUS GHMITER; sdcTable's protectTable,
    method "HYPERCUBE")."""
    truth, level, rows, rhs = _published_equalities(survey, item, first, second)
    values = truth.to_numpy(dtype=float)
    targets = [(key, np.eye(len(truth))[j]) for j, key in enumerate(truth.index) if 0 < values[j] < K]
    for b, f in set(zip(level[1], level[2])):
        size = (level[1] == b) & (level[2] == f)
        candidates = [((b, f, "size"), size)]
        if "NA" not in (b, f):  # the rest of a line: everyone outside the filter's value
            candidates += [((o, b, f, "outside f"), (level[0] == o) & (level[1] == b) & (level[2] != f))
                           for o in set(level[0])]
            candidates += [((o, b, f, "outside b"), (level[0] == o) & (level[2] == f) & (level[1] != b))
                           for o in set(level[0])]
            candidates += [((b, f, "size outside f"), (level[1] == b) & (level[2] != f)),
                           ((b, f, "size outside b"), (level[2] == f) & (level[1] != b))]
        targets += [(key, mask.astype(float)) for key, mask in candidates if 0 < values[mask].sum() < K]
    system = np.unique(np.c_[rows, rhs], axis=0)  # the tables repeat many equalities
    rows, rhs = system[:, :-1], system[:, -1]
    pinned = []
    for key, objective in targets:
        true = float(objective @ values)  # feasible: the range is at least 1 when either end is 1 away
        top = optimize.linprog(-objective, A_eq=rows, b_eq=rhs, bounds=(0, None))
        if top.status == 3 or -top.fun - true >= 1 - 1e-9:
            continue
        low = optimize.linprog(objective, A_eq=rows, b_eq=rhs, bounds=(0, None)).fun
        if -top.fun - low < 1 - 1e-9:
            pinned.append((key, low, -top.fun))
    assert len(targets) > 10 and not pinned, pinned[:5]


def test_parts_carry_the_record_the_audit_and_the_disclosure_log_read(survey):
    """Each part carries the record of the report's tables (protection/suppression.py's ``suppress``): every
    hidden count or group size of 1 to k - 1 is logged 'primary' with its respondents (reference:
    pandas.crosstab of the frame), the other hidden counts 'secondary' (unfiltered) or 'linked' (filtered:
    hidden by the lines of the linked tables), and the audit finds no narrowed count; the same table with
    only its small counts hidden is caught by that audit (the record's public sums are real)."""
    from analysis.pipeline.explore_table import Shield, breakdown
    from analysis.protection.declarations import is_small

    truth = _true_counts(survey, "age_band", "knowledge").set_index(["group", "category"])["count"]
    for within, other in ((None, "secondary"), ({"organisation_type": "regional_police"}, "linked")):
        part = survey.table("knowledge", by="age_band", within=within).parts[0]
        pub = part.table
        log = pd.DataFrame(pub.disclosure_log())
        counts = log[log["column"] == "count"]
        assert set(counts["reason"]) <= {"primary", "zero", other} and pub.audit() == []
        assert len(counts) == int(pub.mask["count"].sum()) and (counts["reason"] == "primary").any()
        for entry in counts[counts["reason"] == "primary"].itertuples():
            row = pub.values.iloc[entry.row]
            assert 0 < entry.respondents < K
            if within is None:
                assert entry.respondents == truth[(row["group"], row["category"])]
    outcome = survey._outcomes("knowledge", survey.frame.index)[0][2]
    data = pd.DataFrame({"outcome": outcome, "group": survey._groups("age_band")[0]})
    only_small = breakdown(data, survey.ctx, "knowledge", "knowledge", True, {}, lambda t, ctx: Shield(
        is_small(t["count"].to_numpy(dtype=float), K, False), is_small(t["n"].to_numpy(dtype=float), K, False),
        frozenset(t["category"]), True))
    assert only_small.table.audit()
