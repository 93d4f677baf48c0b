"""Number formats a reader sees (issue 21, part 4): no negative zero, medians of ordinal items as answers.

Evidence: the bundled build before this change printed the enforcement gap of public information
(72.16% against 72.44%) as "-0" and the median of social network analysis (enforcement) and of
recruitment (opportunities) as "3.5" where every other median is an answer label.
"""
from __future__ import annotations

import pytest

from analysis.protection.disclosure import SUPPRESSED
from analysis.protection.rules import Rules
from analysis.report.text import fmt_median, fmt_number
from analysis.themes.base import Context
from analysis.themes.registry import analyse_all

from support import K

LABELS = {1: "Very unimportant", 2: "Unimportant", 3: "Neutral", 4: "Important", 5: "Very important"}


@pytest.fixture(scope="module")
def results(survey):
    return analyse_all(survey, Context(lang="en", rules=Rules(k=K), synthetic=True))


@pytest.mark.parametrize("value, lang, digits, text", [
    (-0.2841, "en", 0, "0"), (-0.04, "nl", 1, "0,0"), (-0.0, "en", 0, "0"), (-0.6, "en", 0, "-1"),
    (-0.05001, "en", 1, "-0.1"), (0.4, "en", 0, "0")])
def test_a_number_that_rounds_to_zero_is_never_negative_zero(value, lang, digits, text):
    assert fmt_number(value, lang, digits) == text


@pytest.mark.parametrize("value, lang, text", [
    (4, "en", "Important"), (4.0, "en", "Important"), (3.5, "en", "between Neutral and Important"),
    (3.5, "nl", "tussen Neutral en Important"), (None, "en", "–"), (SUPPRESSED, "en", SUPPRESSED)])
def test_a_median_is_an_answer_label_or_between_two(value, lang, text):
    assert fmt_median(value, [1, 2, 3, 4, 5], LABELS, lang) == text


def test_a_median_outside_the_answer_codes_is_refused():
    with pytest.raises(ValueError, match="outside the answer codes"):
        fmt_median(6, [1, 2, 3, 4, 5], LABELS, "en")


def _displays(results):
    for theme, result in results.items():
        for section in result.sections:
            for block in section.blocks:
                if block.display is not None:
                    yield f"{theme}/{block.name}", block.display


def test_no_table_or_sentence_prints_negative_zero(results):
    for name, display in _displays(results):
        cells = [str(v) for column in display.columns for v in display[column]]
        assert not any(c.strip() in ("-0", "-0.0", "-0%") for c in cells), name
    for theme, result in results.items():
        for section in result.sections:
            for paragraph in section.paragraphs:
                assert " -0 " not in paragraph and " -0%" not in paragraph, (theme, paragraph)


def test_every_median_shown_is_an_answer_label(results):
    medians = [(name, v) for name, display in _displays(results) for column in display.columns
               if column.startswith("Median") for v in display[column]]
    assert medians
    assert not [(name, v) for name, v in medians if v[:1].isdigit()]
    assert any(v.startswith("between ") for _, v in medians)
