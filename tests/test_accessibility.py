"""Readers' formats without a browser: figures described, tables marked up, headings in order.

References: WCAG 2.1 techniques H37 (img alt), H39 (caption), H63 (th scope), H42 and G141
(headings, in order), H57 (lang of the page), H28 (abbr explaining an abbreviation); the whole
built report is checked with the same rules in tests/test_build.py, and in a browser with
axe-core by `make a11y`.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.protection.disclosure import SUPPRESSED
from analysis.pipeline.notebook import figure_html
from analysis.report.tables import table_html
from analysis.report.assembly import demote_headings, print_css
from analysis.themes.registry import analyse_all
from analysis.themes.base import Context
from analysis.protection.rules import Rules

from support import K
NBCONVERT_DEFAULT_ALT = "No description has been provided for this image"


@pytest.fixture(scope="module", params=["en", "nl"])
def results(request, survey):
    ctx = Context(lang=request.param, rules=Rules(k=K), synthetic=True)
    return ctx, analyse_all(survey, ctx)


def _figures(result):
    return [b for s in result.sections for b in s.blocks if b.figure is not None]


def test_every_figure_has_a_text_alternative_in_the_report_language(results):
    ctx, by_theme = results
    other = {"en": "Divergerende staven|Staven met|Gepaarde punten", "nl": "Diverging bars|Bars with|Paired dots"}
    count = 0
    for result in by_theme.values():
        for block in _figures(result):
            count += 1
            assert block.alt and block.alt != NBCONVERT_DEFAULT_ALT and block.alt != block.caption, block.name
            assert not re.search(other[ctx.lang], block.alt), (block.name, block.alt)
            assert SUPPRESSED not in block.alt, (block.name, block.alt)  # a hidden value is named, not marked
    assert count >= 10


def test_rating_alt_text_quotes_the_same_published_shares_as_the_prose(results):
    """The issue's example: the first and last domain with their top-2 shares, as the sentence says."""
    ctx, by_theme = results
    result = by_theme["opportunities"]
    summary = result.published()["opportunity_ratings_summary"]
    figure = next(b for b in _figures(result) if b.name == "opportunity_ratings_distribution")
    sentence = result.section("ratings").paragraphs[0]
    first, last = summary.row(0), summary.row(len(summary) - 1)
    labels = {i.id: i.label(ctx.lang) for i in ctx.codebook.grid("opportunity_domains")}
    for row in (first, last):
        share = ctx.pct(row["top2_pct"])
        assert f"‘{labels[row['item']]}’" in figure.alt and share in figure.alt
        assert share in sentence
    assert figure.alt.index(labels[first["item"]]) < figure.alt.index(labels[last["item"]])
    if ctx.lang == "en":
        assert figure.alt.startswith(f"Diverging bars: ‘{labels[first['item']]}’ is rated “large” or “very large” by "
                                     f"{ctx.pct(first['top2_pct'])}")


def test_proportion_and_paired_alt_texts_list_every_shown_value(results):
    ctx, by_theme = results
    platforms = by_theme["participants"].published()["platforms"]
    alt = next(b for b in _figures(by_theme["participants"]) if b.name == "platforms_figure").alt
    for row in platforms.rows():
        assert f"‘{row['label']}’ {ctx.pct(row['pct'])} ({ctx.interval(row['pct_low'], row['pct_high'])})" in alt
    gap = by_theme["enforcement"].published()["importance_practice_gap"]
    alt = next(b for b in _figures(by_theme["enforcement"]) if b.name == "importance_practice_gap_figure").alt
    for row in gap.rows():
        assert ctx.pct(row["important_pct"]) in alt and ctx.pct(row["used_pct"]) in alt


def test_table_html_has_caption_scoped_headers_and_explained_suppressed_cells():
    frame = pd.DataFrame({"Item": ["A <b>", "B"], "n (base)": ["12", SUPPRESSED], "%": ["50%", None]})
    page = table_html(frame, "Caption & more", "table-x-y", "suppressed: fewer than 5")
    assert page.startswith('<table class="survey-table" id="table-x-y"><caption>Caption &amp; more</caption>')
    assert page.count('<th scope="col">') == 3 and page.count('<th scope="row">') == 2
    assert "<th scope=\"row\">A &lt;b&gt;</th>" in page  # escaped, never markup
    assert f'<td class="suppressed"><abbr title="suppressed: fewer than 5">{SUPPRESSED}</abbr></td>' in page
    assert "<td>–</td>" in page  # an empty cell is a dash, not "None" or "nan"


def test_figure_html_carries_alt_caption_and_link_to_its_table(tmp_path):
    png = tmp_path / "f.png"
    png.write_bytes(b"\x89PNG fake")
    page = figure_html(png, 'Bars: ‘A’ 5% "quoted"', "Caption", "table-t-x", "Show as table")
    assert 'alt="Bars: ‘A’ 5% &quot;quoted&quot;"' in page
    assert 'src="data:image/png;base64,iVBORyBmYWtl"' in page
    assert '<figcaption>Caption <a href="#table-t-x">Show as table</a></figcaption>' in page


def test_every_figure_links_to_a_table_shown_in_its_section(results):
    from analysis.pipeline.notebook import _table_of
    _, by_theme = results
    for result in by_theme.values():
        for section in result.sections:
            for block in section.blocks:
                if block.figure is not None:
                    table = _table_of(block, section.blocks)
                    assert table is not None and table.table is not None, (result.theme, block.name)


def test_notebook_headings_move_one_level_down_in_the_report():
    fragment = ('<h1 id="1.-X">1. X<a class="anchor-link" href="#1.-X">¶</a></h1><p>t</p>'
                '<h2 id="Y">Y<a class="anchor-link" href="#Y">¶</a></h2>')
    assert demote_headings(fragment) == '<h2 id="1.-X">1. X</h2><p>t</p><h3 id="Y">Y</h3>'


def test_print_stylesheet_numbers_pages_and_marks_synthetic_pages():
    synthetic, real = print_css("nl", True), print_css("nl", False)
    assert 'counter(page) " / " counter(pages)' in real and "break-before: page" in real
    assert "break-inside: avoid" in real
    assert '@top-center { content: "SYNTHETISCHE DATA' in synthetic and "@top-center" not in real
