"""The codebook is consistent and covers the questionnaire outline of design.md section 4."""
from __future__ import annotations

import csv
from collections import Counter

import pytest

from analysis.survey.codebook import ITEM_TYPES, LANGUAGES
from analysis.core.paths import REFERENCE_DIR


def test_item_ids_are_unique(codebook):
    counts = Counter(item.id for item in codebook.items)
    assert [i for i, c in counts.items() if c > 1] == []


def test_export_columns_are_unique(codebook):
    counts = Counter(codebook.columns())
    assert [c for c, n in counts.items() if n > 1] == []


def test_every_item_belongs_to_a_theme_and_all_six_themes_have_items(codebook):
    assert codebook.theme_ids == ["participants", "opportunities", "barriers", "enforcement",
                                  "investigation", "conclusion"]
    for item in codebook.items:
        assert item.theme in codebook.theme_ids, item.id
        assert item.type in ITEM_TYPES, item.id
    for theme in codebook.theme_ids:
        assert len(codebook.items_of(theme)) >= 3, theme


def test_every_text_and_label_exists_in_both_languages(codebook):
    for item in codebook.items:
        assert set(item.text) == set(LANGUAGES), item.id
        if item.short:
            assert set(item.short) == set(LANGUAGES), item.id
        for code in item.codes + item.options + item.groups:
            assert set(code.labels) == set(LANGUAGES), (item.id, code.code)
            assert all(code.labels[lang].strip() for lang in LANGUAGES), (item.id, code.code)


def test_codes_are_unique_per_item_and_coded_items_have_codes(codebook):
    for item in codebook.items:
        codes = [c.code for c in item.codes]
        options = [o.code for o in item.options]
        assert len(codes) == len(set(codes)), item.id
        assert len(options) == len(set(options)), item.id
        if item.type in ("single", "ordinal", "rating"):
            assert codes, item.id
        if item.type == "rating":
            assert len(item.substantive_codes) == 5 and len(item.dont_know_codes) == 1, item.id
        if item.type == "multi":
            assert options, item.id


def test_grids_use_one_scale_and_short_labels(codebook):
    grids = {i.grid for i in codebook.items if i.grid}
    assert {"opportunity_domains", "current_barriers", "future_threats", "enforcement_applications",
            "investigation_applications", "solved_today", "statements"} <= grids
    for grid in grids:
        items = codebook.grid(grid)
        assert len({i.scale for i in items}) == 1, grid
        assert all(i.short for i in items), grid


def test_questionnaire_outline_is_covered(codebook):
    """Counts of the design.md section 4 lists: 8 domains, 8 barriers, 8 threats, 9+9 applications."""
    assert len(codebook.grid("opportunity_domains")) == 8
    assert len(codebook.grid("current_barriers")) == 8
    assert len(codebook.grid("future_threats")) == 8
    assert len(codebook.grid("enforcement_applications")) == 9
    assert len(codebook.grid("investigation_applications")) == 9
    assert len(codebook.grid("solved_today")) == 5
    assert len(codebook.grid("statements")) == 8
    assert len(codebook["platforms"].options) == 8
    assert len(codebook["uses_made"].options) == 8
    assert len(codebook["resistance"].options) == 5
    assert len(codebook["role"].codes) == 10
    assert [i.id for i in codebook.items if i.type == "open"] == [
        "opportunities_open", "barriers_open", "enforcement_open", "investigation_open"]


def test_paired_items_point_at_each_other(codebook):
    for item in codebook.items:
        other = item.attrs.get("paired_with")
        if other:
            assert codebook[other].attrs["paired_with"] == item.id


def test_enforcement_practice_options_match_the_applications(codebook):
    practice = {o.code for o in codebook["enf_practice"].options}
    assert {i.attrs["practice"] for i in codebook.grid("enforcement_applications")} == practice


def test_reference_forces_agree_with_codebook(codebook):
    with open(REFERENCE_DIR / "police_forces_2011.csv", encoding="utf-8") as fh:
        forces = list(csv.DictReader(fh))
    labels = codebook.labels("organisation", "nl")
    groups = codebook["organisation"].code_attr("group")
    assert sum(f["kind"] == "regional" for f in forces) == 25
    for force in forces:
        code = int(force["code"])
        assert labels[code] == force["name"]
        assert groups[code] == ("regional_police" if force["kind"] == "regional" else "national_police")


@pytest.mark.parametrize("hint", ["*", "social med*", "app's*", "3d", "", "getuig**"])
def test_a_hint_that_could_never_match_or_would_match_everything_is_refused(hint):
    """The automatic first pass reads words and stems: "*" would code every answer, a prefix of two
    words or with punctuation could never match (found by the adversarial review)."""
    from analysis.survey.codebook import _frame
    with pytest.raises(ValueError, match="hint"):
        _frame([{"code": "x", "nl": "x", "en": "x", "hints": [hint]}])
    assert _frame([{"code": "x", "nl": "x", "en": "x", "hints": ["getuig*", "open bron", "wijk-agent"]}])[0].hints \
        == ("getuig*", "open bron", "wijk-agent")
