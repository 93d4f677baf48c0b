"""The synthetic generator is deterministic and follows the 2011 summary's qualitative findings.

Targets come from the published summary (../shared/seed); tolerances are stated per test.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from analysis.core.paths import SYNTHETIC_N, SYNTHETIC_SEED
from analysis.survey.synth import generate, write_export


def _mean_scale(frame: pd.DataFrame, item) -> float:
    values = pd.to_numeric(frame[item.id].astype(object), errors="coerce")
    return values[values.isin(item.substantive_codes)].mean()


def test_bundled_export_is_exactly_what_the_command_produces(tmp_path, bundled_path):
    """The README's seed and n regenerate data/raw byte for byte."""
    regenerated = write_export(generate(SYNTHETIC_N, SYNTHETIC_SEED), tmp_path / "again.csv")
    assert regenerated.read_bytes() == bundled_path.read_bytes()


def test_same_seed_same_rows_other_seed_other_rows():
    assert generate(60, 7) == generate(60, 7)
    assert generate(60, 7) != generate(60, 8)


def test_every_row_is_marked_synthetic(survey):
    assert (survey["synthetic"] == 1).all()
    assert survey.attrs["synthetic"] is True


def test_bundled_export_passes_validation(survey):
    assert len(survey) == SYNTHETIC_N
    assert survey["respondent_id"].is_unique


def test_eighteen_of_twenty_five_regional_forces_and_more_than_thirty_organisations(survey, codebook):
    groups = codebook["organisation"].code_attr("group")
    present = set(survey["organisation"].dropna().unique())
    regional = {c for c in present if groups[c] == "regional_police"}
    assert len(regional) == 18
    assert len(present - {99}) > 30


def test_investigation_is_the_largest_opportunity_then_enforcement_and_intake(survey, codebook):
    """Summary: "De grootste kansen ... in de opsporing, waarna handhaving en intake en noodhulp"."""
    means = {i.id: _mean_scale(survey, i) for i in codebook.grid("opportunity_domains")}
    ranked = sorted(means, key=means.get, reverse=True)
    assert ranked[0] == "opp_investigation"
    assert set(ranked[1:3]) == {"opp_public_order", "opp_intake_emergency"}


def test_culture_and_skills_are_the_largest_barriers(survey, codebook):
    """Summary: "vooral de mentaliteit/cultuur en de kennis en vaardigheden belemmerend"."""
    means = {i.id: _mean_scale(survey, i) for i in codebook.grid("current_barriers")}
    ranked = sorted(means, key=means.get, reverse=True)
    assert set(ranked[:2]) == {"bar_culture", "bar_skills"}
    assert set(ranked[2:4]) == {"bar_embedding", "bar_capacity"}


def test_citizen_facing_roles_and_younger_respondents_are_more_active(survey, codebook):
    freq = pd.to_numeric(survey["use_frequency"].astype(object), errors="coerce")
    citizen = [c.code for c in codebook["role"].codes if c.attrs.get("citizen_facing")]
    is_citizen = survey["role"].isin(citizen)
    assert freq[is_citizen].mean() - freq[~is_citizen].mean() > 0.3
    age = pd.to_numeric(survey["age_band"].astype(object), errors="coerce").where(lambda a: a != 9)
    rho = sps.spearmanr(age, freq, nan_policy="omit").statistic
    assert rho < -0.15


def test_opinions_split_on_over_or_underestimation(survey):
    """Summary: the question whether social media are over- or underestimated stays unanswered."""
    v = pd.to_numeric(survey["value_estimation"].astype(object), errors="coerce")
    v = v[v.between(1, 5)]
    under, over = (v <= 2).mean(), (v >= 4).mean()
    assert under > 0.25 and over > 0.25 and abs(under - over) < 0.2


def test_reliability_matters_more_for_investigation_than_enforcement(survey, codebook):
    """Summary: reliability of citizens' messages "minder belangrijk dan bij opsporing"."""
    assert _mean_scale(survey, codebook["inv_reliability"]) - _mean_scale(survey, codebook["enf_reliability"]) > 0.5


def test_items_of_a_grid_correlate_moderately(survey, codebook):
    items = [i.id for i in codebook.grid("opportunity_domains")]
    values = survey[items].apply(lambda s: pd.to_numeric(s.astype(object), errors="coerce")).where(lambda x: x <= 5)
    corr = values.corr(method="spearman").to_numpy()
    mean_r = corr[np.triu_indices_from(corr, 1)].mean()
    assert 0.2 < mean_r < 0.7


def test_break_off_makes_later_themes_emptier(survey, codebook):
    empty = []
    for theme in codebook.theme_ids[1:]:
        cols = [c for i in codebook.items_of(theme, "rating") for c in i.columns]
        empty.append(survey[cols].isna().mean().mean())
    assert empty == sorted(empty)
    assert empty[-1] - empty[0] > 0.05


def test_dont_know_is_kept_apart_from_missing(survey):
    assert (survey["sol_infiltration"] == 9).sum() > 10
    assert survey["sol_infiltration"].isna().sum() > 10


@pytest.mark.parametrize("column", ["opportunities_open", "barriers_open"])
def test_open_answers_are_dutch_text_with_its_characters(survey, column):
    answers = survey[column].dropna()
    assert len(answers) > 30
    assert answers.str.contains("’").any()


def test_open_answers_come_from_their_own_stream(monkeypatch):
    """Another stream for the open answers' content changes only the open-answer columns, so the
    other chapters' numbers do not move when the answers are rewritten; who answers stays."""
    from analysis.survey import synth_open
    before = generate(80, 3)
    monkeypatch.setattr(synth_open, "OPEN_STREAM", 99)
    after = generate(80, 3)
    opens = {"opportunities_open", "barriers_open", "enforcement_open", "investigation_open"}
    changed = {c for b, a in zip(before, after) for c in b if b[c] != a[c]}
    assert changed and changed <= opens
    assert all((b[c] == "") == (a[c] == "") for b, a in zip(before, after) for c in opens)


def test_every_open_answer_has_planted_codes_of_its_frame(survey, codebook):
    from analysis.survey.synth import planted_open_codes
    planted = planted_open_codes(SYNTHETIC_N, SYNTHETIC_SEED)
    for item_id, part in planted.groupby("item"):
        frame_codes = {c.code for c in codebook[item_id].frame}
        assert set(part["respondent_id"]) == set(survey.loc[survey[item_id].notna(), "respondent_id"])
        assert all(codes and set(codes.split(";")) <= frame_codes for codes in part["codes"])
