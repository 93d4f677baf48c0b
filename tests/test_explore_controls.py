"""The exploration notebook's controls (issue 22, item 2): every choice goes through ``survey.table``,
so the panel shows exactly the protected table a plain call returns, and a refused request shows the
refusal's message instead of a traceback."""
from __future__ import annotations

import pytest

from analysis.pipeline import explore
from analysis.pipeline.explore_controls import controls, filter_values


@pytest.fixture(scope="module")
def survey() -> explore.Survey:
    return explore.open(lang="en")


def test_the_panel_shows_the_table_a_plain_call_gives(survey):
    panel = controls(survey, item="knowledge", by="age_band")
    plain = survey.table("knowledge", by="age_band")
    assert panel.last.caption == plain.caption
    assert panel.last.parts[0].table.values.equals(plain.parts[0].table.values)


def test_a_filter_picked_in_the_controls_is_the_filter_of_the_table(survey):
    panel = controls(survey, item="knowledge", by="age_band")
    panel.within.value = "organisation_type"
    assert [label for label, _ in panel.value.options] == [v for v, _ in filter_values(survey, "organisation_type")]
    panel.value.value = "regional_police"
    plain = survey.table("knowledge", by="age_band", within={"organisation_type": "regional_police"})
    assert panel.last.caption == plain.caption
    assert panel.last.parts[0].table.values.equals(plain.parts[0].table.values)
    panel.within.value = ""
    assert panel.request()["within"] is None


def test_a_refused_choice_shows_the_message_not_a_traceback(survey):
    panel = controls(survey, item="role", by="age_band")
    panel.by.value = "role"
    assert isinstance(panel.last, str) and "breakdown" in panel.last
