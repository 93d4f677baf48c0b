"""The exploration's record (issue 22): tables one survey shows are audited against each other.

Reference: the attacker's linear programme (``scipy.optimize.linprog``, as in tests/test_explore.py and
tests/test_publication_safety.py), written here apart from the module: the unknowns are the respondents of
every combination of the items involved, the equalities every shown count and group size of the tables and
the report's margins; a hidden count between 1 and k - 1 whose range is under one respondent is given back.
The leak below was found by that programme on the bundled data: knowledge by age band within the role
"Other" beside role by age band pins the two respondents under 25 whose role is "Other".
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from analysis.core.errors import SurveyDataError
from analysis.pipeline import appendix, explore
from analysis.pipeline.parameters import BuildParameters, load_survey
from support import K

#: Tables that together give back a hidden count when each is protected on its own (see the docstring).
LEAKING = [("knowledge", "age_band", None), ("knowledge", "role", None), ("role", "age_band", None),
           ("knowledge", "age_band", {"role": "Other"})]
ITEMS = ["knowledge", "age_band", "role"]


def _labels(survey: explore.Survey, name: str) -> pd.Series:
    return survey._groups(name)[0].astype(object).where(lambda s: s.notna(), "NA")


def _hidden(table: explore.ExploreTable) -> int:
    """How many counts and group sizes a table hides."""
    return int(table.counts()[["n", "count"]].isna().sum().sum())


def _attack(survey: explore.Survey, shown: list[tuple[str, str, dict | None, explore.ExploreTable]]) -> list:
    """Every hidden count (or group size) of `shown` between 1 and k - 1 that the attacker's programme pins."""
    frame = pd.DataFrame({name: _labels(survey, name) for name in ITEMS})
    index = pd.MultiIndex.from_product([sorted(set(frame[n])) for n in ITEMS], names=ITEMS)
    truth = frame.value_counts().reindex(index, fill_value=0).to_numpy(dtype=float)
    level = {n: np.asarray(index.get_level_values(n), dtype=object) for n in ITEMS}
    rows, rhs, targets = [np.ones(len(truth))], [truth.sum()], []

    def add(mask: np.ndarray, value: float) -> None:
        if pd.isna(value):
            if 0 < truth[mask].sum() < K:
                targets.append(mask)
        else:
            rows.append(mask.astype(float))
            rhs.append(float(value))

    for name in ITEMS:  # the report's margins, a small one hidden
        for value in set(level[name]) - {"NA"}:
            mask = level[name] == value
            add(mask, truth[mask].sum() if not 0 < truth[mask].sum() < K else float("nan"))
    for item, by, within, table in shown:
        rows_in = level[item] != "NA"
        if within:
            ((name, value),) = within.items()
            rows_in = rows_in & np.isin(level[name], value if isinstance(value, list) else [value])
        for row in table.counts().itertuples():
            group = rows_in & (level[by] == row.group)
            add(group & (level[item] == row.category), row.count)
            add(group, row.n)
    pinned = []
    for mask in targets:
        objective = mask.astype(float)
        top = optimize.linprog(-objective, A_eq=np.array(rows), b_eq=rhs, bounds=(0, None))
        low = optimize.linprog(objective, A_eq=np.array(rows), b_eq=rhs, bounds=(0, None))
        if -top.fun - low.fun < 1 - 1e-9:
            pinned.append((np.flatnonzero(mask)[:3], low.fun))
    return pinned


def test_tables_each_protected_on_their_own_give_a_hidden_count_back():
    """Without the record the four tables are all shown, and the attack pins a hidden count: the case the
    record exists for (this test fails if the attack or the data no longer show it)."""
    survey = explore.open(min_cell=K, record=False)
    shown = [(item, by, within, survey.table(item, by=by, within=within)) for item, by, within in LEAKING]
    assert _attack(survey, shown)


def test_record_hides_more_of_the_table_that_would_give_a_hidden_count_back():
    """With the record the fourth table hides more counts or group sizes than on its own, and the four
    together pin nothing."""
    survey = explore.open(min_cell=K)
    shown = [(item, by, within, survey.table(item, by=by, within=within)) for item, by, within in LEAKING]
    item, by, within = LEAKING[-1]
    alone = explore.open(min_cell=K, record=False).table(item, by=by, within=within)
    assert _hidden(shown[-1][3]) > _hidden(alone)
    assert not _attack(survey, shown)
    assert len(survey.record.shown) == 4


def test_record_refuses_a_table_that_hiding_more_does_not_make_safe_and_names_it(monkeypatch):
    """With no count left to hide (no retries) the table is refused, naming it and the count; it is not
    recorded; survey.forget() starts a new record in which it is shown on its own."""
    monkeypatch.setattr(explore, "RETRIES", 0)
    survey = explore.open(min_cell=K)
    shown = [(item, by, within, survey.table(item, by=by, within=within)) for item, by, within in LEAKING[:-1]]
    item, by, within = LEAKING[-1]
    with pytest.raises(explore.ExploreError, match=r"beside the tables shown before.*Other.*Under 25.*"
                                                   r"survey\.forget\(\)"):
        survey.table(item, by=by, within=within)
    assert not _attack(survey, shown)
    assert len(survey.record.shown) == 3
    survey.forget()
    alone = survey.table(item, by=by, within=within)
    assert not _attack(survey, [(item, by, within, alone)])


def test_every_table_the_record_admits_together_gives_nothing_back():
    """Knowledge, age band and role in every orientation, unfiltered and filtered on the third item's
    smallest group (the ones that isolate people): whatever the record admits, together, pins no hidden
    count below k."""
    survey = explore.open(min_cell=K)
    shown, refused = [], 0
    for item in ITEMS:
        for by in ITEMS:
            if by == item:
                continue
            (third,) = set(ITEMS) - {item, by}
            smallest = _labels(survey, third).loc[lambda s: s != "NA"].value_counts().index[-1]
            for within in (None, {third: smallest}):
                try:
                    shown.append((item, by, within, survey.table(item, by=by, within=within)))
                except explore.ExploreError as exc:
                    assert "beside" in str(exc) or "fewer than k" in str(exc), exc
                    refused += "beside" in str(exc)
    assert len(shown) >= 8, (len(shown), refused)
    assert not _attack(survey, shown)


def test_appendix_tables_are_one_record(tmp_path, monkeypatch):
    """In the build's appendix the declared tables are one record: the fourth leaking table hides more than
    on its own; where hiding more cannot help (no retries) it is a problem naming the file and its entry's
    line (exit 2 before any notebook runs)."""
    entries = "\n".join(f"  - item: {item}\n    by: {by}\n" + (f"    within: {within}\n" if within else "")
                        + "    title: {en: T, nl: T}" for item, by, within in LEAKING)
    path = tmp_path / "analyses.yaml"
    path.write_text("analyses:\n" + entries + "\n", encoding="utf-8")
    params = BuildParameters(min_cell=K, analyses=path)
    frame, _ = load_survey(params)
    declared = appendix.declared(params, frame)
    item, by, within = LEAKING[-1]
    alone = explore.open(min_cell=K, record=False).table(item, by=by, within=within)
    assert _hidden(declared.tables[-1][1]) > _hidden(alone)
    monkeypatch.setattr(explore, "RETRIES", 0)
    with pytest.raises(SurveyDataError) as caught:
        appendix.declared(params, frame)
    text = str(caught.value)
    assert str(path) in text and "line 11" in text and "beside the tables shown before" in text, text
    assert "remove this entry or one of the entries before it" in text and "forget" not in text, text


def test_filter_on_several_values_is_their_sum_and_gives_nothing_back_beside_each_value():
    """A filter on two roles: its counts and group sizes are those of a pandas crosstab of the two roles
    together (reference), none below k (a count is hidden where the table of either role hides its line),
    and beside the unfiltered table and the table of each role alone (each protected
    on its own, no record) the attacker's programme pins no hidden count."""
    survey = explore.open(min_cell=K, record=False)
    roles = _labels(survey, "role").loc[lambda s: s != "NA"].value_counts()
    pair = ["Community officer", "Investigation"]  # two roles whose sum shows counts on the bundled data
    both = survey.table("knowledge", by="age_band", within={"role": pair})
    frame = pd.DataFrame({name: _labels(survey, name) for name in ITEMS})
    chosen = frame[frame["role"].isin(pair) & (frame["knowledge"] != "NA")]
    reference = pd.crosstab(chosen["knowledge"], chosen["age_band"])
    counts = both.counts()
    for row in counts.itertuples():
        if not pd.isna(row.count):
            assert row.count == reference.loc[row.category, row.group] and not 0 < row.count < K
        if not pd.isna(row.n):
            assert row.n == reference[row.group].sum() and not 0 < row.n < K
    assert counts["count"].notna().sum() >= 2 and counts["n"].notna().sum() >= 3
    tables = [("knowledge", "age_band", None, survey.table("knowledge", by="age_band")),
              ("knowledge", "age_band", {"role": pair}, both)]
    for role in (r for r in pair if roles[r] >= K):
        within = {"role": role}
        tables.append(("knowledge", "age_band", within, survey.table("knowledge", by="age_band", within=within)))
    assert len(tables) >= 3 and not _attack(survey, tables)


def test_a_filter_that_keeps_too_few_does_not_say_how_many():
    """The refusal of a filter under k is itself published to whoever asks: it names k, not the small count
    (role "Other" holds one respondent of a 30-respondent export)."""
    from analysis.survey.synth import generate, write_export

    survey = explore.open(data=write_export(generate(30, 5), Path(tempfile.mkdtemp()) / "e30.csv"), min_cell=K)
    few = int((_labels(survey, "role") == "Other").sum())
    assert 0 < few < K
    with pytest.raises(explore.ExploreError, match="fewer than k") as caught:
        survey.table("knowledge", by="age_band", within={"role": "Other"})
    assert f"leaves {few}" not in str(caught.value) and f" {few} respondent" not in str(caught.value)
