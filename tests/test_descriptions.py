"""Descriptions stay descriptions (issue 21, part 2).

Evidence: the bundled build published "regional police forces 59% (38-77%)" in
participants/organisation_types.csv: a design effect for clustering by organisation applied to the
organisation itself turned a count of who took part into a wide interval. Who took part
(organisation, role, age) describes the sample; opinions and use estimate and keep their intervals.
"""
from __future__ import annotations

import pytest

from analysis.protection.rules import Rules
from analysis.report.text import message
from analysis.themes.base import Context
from analysis.themes.registry import analyse_all

from support import K

COMPOSITION = ("organisation_types", "role", "age_band")


@pytest.fixture(scope="module")
def participants(survey):
    ctx = Context(lang="en", rules=Rules(k=K), synthetic=True, cluster="organisation")
    return analyse_all(survey, ctx)["participants"]


def _blocks(result):
    return {b.name: b for s in result.sections for b in s.blocks}


def test_composition_tables_have_no_interval_or_design_effect(participants):
    blocks = _blocks(participants)
    for name in COMPOSITION:
        block = blocks[name]
        assert not {"pct_low", "pct_high", "n_eff", "deff"} & set(block.table.columns), name
        assert not [c for c in block.display.columns if "CI" in c], name
        assert "describes who took part" in block.caption, name
        assert "interval" in blocks[f"{name}_figure"].alt and "without intervals" in blocks[f"{name}_figure"].alt


def test_use_shares_keep_their_intervals(participants):
    blocks = _blocks(participants)
    for name in ("use_frequency", "knowledge", "active_by_age"):
        assert {"pct_low", "pct_high"} <= set(blocks[name].table.columns), name
        assert "describes who took part" not in blocks[name].caption


def test_methods_appendix_says_which_tables_describe_and_which_estimate():
    text = message("m_intervals", "en", level=95)
    assert "describe the sample" in text and "estimate a wider population" in text
    assert "beschrijven de steekproef" in message("m_intervals", "nl", level=95)
