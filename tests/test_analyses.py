"""Declared extra analyses (issue 22, item 3): ``build --analyses FILE`` adds the appendix "Additional
analyses" to report.html, a sheet per analysis to tables.xlsx and the appendix's hidden cells to the
disclosure log; a bad file stops the build (exit 2) naming file, line, key and value.

The build is the shared ``margins_build`` (conftest.py: the bundled export with the example file
data/examples/analyses.yaml, in English); the Dutch appendix is made from the same frame without a second
build. The disclosure log is checked against the cells the CSVs mark, as tests/test_publication_safety.py
does for the chapters.
"""
from __future__ import annotations

import hashlib
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.core.errors import SurveyDataError
from analysis.core.paths import DATA_DIR
from analysis.pipeline.appendix import APPENDIX, GRID_TITLES, declared, section_html
from analysis.pipeline.build import NOTEBOOKS, THEME_MODULES
from analysis.pipeline.cache import read_inputs
from analysis.pipeline.parameters import BuildParameters, load_survey
from analysis.protection.disclosure import SUPPRESSED
from analysis.protection.release import MANIFEST, compare_releases, read_manifest, write_manifest
from analysis.report.text import message
from analysis.survey.codebook import load_codebook

EXAMPLE = DATA_DIR / "examples" / "analyses.yaml"
TITLES = {"en": ["Barriers by type of organisation", "Use of social media by age, regional forces",
                 "Enforcement priorities by role"],
          "nl": ["Belemmeringen naar type organisatie", "Gebruik van social media naar leeftijd, regionale korpsen",
                 "Prioriteiten bij handhaving naar functie"]}


def _parts(item: str) -> int:
    """How many tables an item gives: one per item of a rating grid, else one."""
    return sum(1 for i in load_codebook().items if i.grid == item) or 1


EXPECTED_TABLES = _parts("current_barriers") + _parts("use_frequency") + _parts("enforcement_applications")


def _organisation_types(lang: str) -> dict[str, str]:
    """The codebook's names of the types of organisation (the participants chapter's words)."""
    return {str(g.code): g.labels[lang] for g in load_codebook()["organisation"].groups}


@pytest.fixture(scope="module")
def dutch_frame():
    """The bundled export, validated once for the Dutch appendices made without a build."""
    return load_survey(BuildParameters(analyses=EXAMPLE, lang="nl"))[0]


def _appendix_section(report: str) -> str:
    start = report.index('<section class="theme" aria-labelledby="additional-analyses">')
    return report[start:report.index("</section>", start)]


def _appendix_csvs(out) -> list:
    return sorted((out / APPENDIX).glob("*.csv"))


# --------------------------------------------------------------------------------- the built report

def test_report_has_the_appendix_with_the_three_declared_tables_after_the_chapters(margins_build):
    assert margins_build["status"] == 0
    report = (margins_build["out"] / "report.html").read_text(encoding="utf-8")
    section = _appendix_section(report)
    assert '<h2 id="additional-analyses">Additional analyses</h2>' in section
    for title in TITLES["en"]:
        assert re.search(rf'<h3 id="[^"]+">{re.escape(title)}</h3>', section), title
    assert section.count('<table class="survey-table"') == EXPECTED_TABLES
    assert '<a href="#additional-analyses">Additional analyses</a>' in report      # in the contents
    assert report.index('id="additional-analyses"') < report.index('<section class="methods"')
    assert report.index('id="additional-analyses"') > report.index('aria-labelledby="6-')  # after the last chapter


def test_dutch_appendix_of_the_same_frame_has_the_dutch_titles_and_words(dutch_frame):
    html = section_html(declared(BuildParameters(analyses=EXAMPLE, lang="nl"), dutch_frame))
    assert html.startswith("<h1>Aanvullende analyses</h1>")
    for title in TITLES["nl"]:
        assert f"<h2>{title}</h2>" in html
    assert html.count('<table class="survey-table"') == EXPECTED_TABLES
    assert "Antwoord</th>" in html and "Respondenten</th>" in html and "onderdrukt: gebaseerd op minder dan" in html
    assert "Additional analyses" not in html and "Respondents</th>" not in html
    # the grid as its chapter names it, the types of organisation and the filter in the codebook's words
    captions = re.findall(r"<caption>(.*?)</caption>", html)
    assert captions[0] == "Hoe sterk elke factor het gebruik nu belemmert naar type organisatie: Mentaliteit en cultuur"
    assert all(f'<th scope="col">{name}</th>' in html for name in _organisation_types("nl").values())
    assert "regional_police" not in html and "current barriers" not in html and "enforcement applications" not in html
    assert any(c.endswith("(alleen type organisatie: Regionale politiekorpsen)") for c in captions)
    assert ("<p>Deze analyse telt en toetst alleen de respondenten binnen het filter “type organisatie: Regionale "
            "politiekorpsen”.</p>") in html
    assert "kleiner is dan 0,05" in html and "(Holm)" in html


def test_every_rating_grid_has_its_chapters_title_in_both_languages():
    """A grid's caption is the title of its table in the chapter (the codebook names a grid only by its id)."""
    assert set(GRID_TITLES) == {i.grid for i in load_codebook().items if i.grid}
    for grid, key in GRID_TITLES.items():
        theme = load_codebook().grid(grid)[0].theme
        assert key[0] == theme[0] and message(key, "en") and message(key, "nl"), grid


def test_a_filtered_table_with_every_count_hidden_is_one_sentence_not_a_table_of_markers(tmp_path, dutch_frame):
    path = tmp_path / "analyses.yaml"
    path.write_text("analyses:\n  - item: use_frequency\n    by: age_band\n    within: {organisation_type: other}\n"
                    "    title: {en: A, nl: B}\n", encoding="utf-8")
    appendix = declared(BuildParameters(analyses=path, lang="nl"), dutch_frame)
    (_, table), = appendix.tables
    assert table.counts()["count"].fillna(0).eq(0).all()     # every count hidden (empty) or zero
    html = section_html(appendix)
    assert '<table class="survey-table"' not in html and 'class="suppressed"' not in html
    assert ("<p>Hoe vaak gebruikt u social media voor uw werk? naar Wat is uw leeftijd? (alleen type organisatie: "
            "Anders): er wordt geen tabel getoond, omdat elk aantal erin nul is of verborgen door de regel voor kleine "
            "aantallen (minder dan 5 respondenten") in html
    assert "binnen het filter “type organisatie: Anders”" in html


def test_captions_name_the_grid_as_its_chapter_does_and_the_types_of_organisation_in_words(margins_build):
    out = margins_build["out"]
    section = _appendix_section((out / "report.html").read_text(encoding="utf-8"))
    captions = re.findall(r"<caption>(.*?)</caption>", section)
    assert captions[0] == "How much each factor hinders use today by type of organisation: Mentality and culture"
    assert captions[-1].startswith("Importance of applications for enforcement by What is your role?: ")
    names = _organisation_types("en")
    assert all(f'<th scope="col">{name}</th>' in section for name in names.values())
    assert not [i for i in names if f">{i}<" in section or f": {i})" in section]
    csv = pd.read_csv(out / APPENDIX / "1_current_barriers_by_organisation_type.csv", dtype=str)
    assert set(csv["group"]) == set(names.values())
    book = load_workbook(out / "tables.xlsx", read_only=True)
    sheet = book[next(name for name in book.sheetnames if name.startswith("add_1_"))]
    assert {row[2] for row in list(sheet.iter_rows(values_only=True))[1:]} == set(names.values())


def test_tables_workbook_has_a_sheet_per_declared_analysis(margins_build):
    out = margins_build["out"]
    book = load_workbook(out / "tables.xlsx", read_only=True)
    sheets = [name for name in book.sheetnames if name.startswith("add_")]
    assert [s.split("_")[1] for s in sheets] == ["1", "2", "3"]
    assert sheets[0].startswith("add_1_current_barriers_by")
    contents = list(book["contents"].iter_rows(values_only=True))
    assert [row[1:] for row in contents if row[0] in sheets] == [(APPENDIX, f"{APPENDIX}/{p.name}")
                                                                   for p in _appendix_csvs(out)]
    first = list(book[sheets[0]].iter_rows(values_only=True))
    assert first[0] == ("part", "part_label", "group", "category", "n", "count", "pct", "pct_low", "pct_high")
    assert len(first) - 1 == len(pd.read_csv(_appendix_csvs(out)[0]))


# --------------------------------------------------------------------------------- protection

def test_disclosure_log_lists_exactly_the_hidden_cells_of_the_appendix_tables(margins_build):
    out = margins_build["out"]
    log = pd.read_csv(out / "analyst" / "disclosure_log.csv", dtype=str, keep_default_na=False)
    assert not (out / "analyst" / f"disclosure_log_{APPENDIX}.csv").exists()      # combined into the one log
    assert len(_appendix_csvs(out)) == 3
    for path in _appendix_csvs(out):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        marked = {(r, c) for c in table.columns for r in np.flatnonzero((table[c] == SUPPRESSED).to_numpy())}
        entries = log[(log["theme"] == APPENDIX) & (log["table"] == path.stem)]
        assert marked and set(zip(entries["row"].astype(int), entries["column"])) == marked, path.name


def test_the_appendix_log_says_why_each_count_is_hidden_and_how_many_it_holds(margins_build):
    """As for the chapters' tables (tests/test_publication_safety.py): every hidden count and group size of
    an appendix table is logged with its reason (primary, zero, secondary, or linked: hidden by the lines of
    the linked tables of a filtered breakdown), a primary one with its 1 to k - 1 respondents."""
    log = pd.read_csv(margins_build["out"] / "analyst" / "disclosure_log.csv", keep_default_na=False)
    counts = log[(log["theme"] == APPENDIX) & (log["column"] == "count")]
    assert set(counts["reason"]) <= {"primary", "zero", "secondary", "linked"}
    assert {"primary", "secondary", "linked"} <= set(counts["reason"])
    primary = pd.to_numeric(counts.loc[counts["reason"] == "primary", "respondents"])
    assert primary.between(1, BuildParameters().k - 1).all()


def test_no_count_below_k_is_published_in_the_appendix(margins_build):
    """Counts and group sizes in the CSVs, and every "(count)" and group size the report shows: 0 or at least k."""
    out, k = margins_build["out"], BuildParameters().k
    for path in _appendix_csvs(out):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in ("n", "count"):
            shown = pd.to_numeric(table[column], errors="coerce").dropna()
            assert not ((shown > 0) & (shown < k)).any(), (path.name, column)
    section = _appendix_section((out / "report.html").read_text(encoding="utf-8"))
    cells = [int(n) for n in re.findall(r"<td>(?:[\d.,]+% \()?(\d+)\)?</td>", section)]
    assert cells and not [n for n in cells if 0 < n < k]


# --------------------------------------------------------------------------------- cache and errors

def test_the_build_key_changes_with_the_analyses_file_and_the_themes_keys_do_not(tmp_path):
    path = tmp_path / "analyses.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    before = read_inputs(BuildParameters(analyses=path), NOTEBOOKS, THEME_MODULES)
    path.write_text(EXAMPLE.read_text(encoding="utf-8").replace("by: role", "by: age_band"), encoding="utf-8")
    after = read_inputs(BuildParameters(analyses=path), NOTEBOOKS, THEME_MODULES)
    without = read_inputs(BuildParameters(), NOTEBOOKS, THEME_MODULES)
    assert before.assembly["analyses"] != after.assembly["analyses"] and without.assembly == {"analyses": None}
    assert before.theme_key("participants") == after.theme_key("participants")      # the file's edit reruns no theme
    assert before.theme_key("participants") != without.theme_key("participants")    # a notebook shows it is given


@pytest.mark.parametrize(("body", "words"), [
    ("analyses:\n  - item: role\n    by: [age_band]\n    title: {en: A, nl: B}\n",
     ["line 3", "column 'by'", "is not a name", "[age_band]"]),
    ("analyses:\n  - item: role\n    by: age_band\n    title: {en: A}\n",
     ["line 4", "column 'title'", "English and a Dutch"]),
    ("analyses:\n  - item: role\n    by: age_band\n    within: regional_police\n    title: {en: A, nl: B}\n",
     ["line 4", "column 'within'", "not a mapping", "'regional_police'"]),
    ("analyses:\n  - item: role\n    by: age_band\n    title: {en: A, nl: B\n", ["line 5", "not valid YAML"]),
    ("analyses:\n  - item: role\n    by: age_band\n    within: {organisation_type: police_of_mars}\n"
     "    title: {en: A, nl: B}\n", ["line 2", "'police_of_mars'", "regional_police"]),
])
def test_a_bad_analyses_file_names_file_line_key_and_value(tmp_path, body, words):
    path = tmp_path / "analyses.yaml"
    path.write_text(body, encoding="utf-8")
    params = BuildParameters(analyses=path)
    with pytest.raises(SurveyDataError) as caught:
        declared(params, load_survey(params)[0])
    text = str(caught.value)
    assert str(path) in text and all(w in text for w in words), text


def test_the_build_refuses_a_bad_analyses_file_before_any_notebook_runs(tmp_path, capsys):
    from analysis.pipeline import cli

    path = tmp_path / "analyses.yaml"
    path.write_text("analyses:\n  - item: nope\n    by: role\n    title: {en: A, nl: B}\n", encoding="utf-8")
    status = cli.main(["build", "--out", str(tmp_path / "o"), "--analyses", str(path)])
    err = capsys.readouterr().err
    assert status == 2 and f"{path}, line 2" in err and "unknown item 'nope'" in err
    assert not (tmp_path / "o").exists() and not (tmp_path / ".o.staging").exists()


# --------------------------------------------------------------------------------- the release

def test_the_release_manifest_lists_every_published_file_with_its_digest(margins_build):
    out = margins_build["out"]
    files = pd.read_json(out / MANIFEST, typ="series")["files"]
    published = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                       if p.is_file() and p.parts[len(out.parts)] != "analyst" and p.name != MANIFEST)
    assert sorted(files) == published and f"{APPENDIX}/1_current_barriers_by_organisation_type.csv" in files
    assert all(files[name] == hashlib.sha256((out / name).read_bytes()).hexdigest() for name in published)


def test_check_release_finds_a_small_count_planted_in_an_appendix_table(margins_build, tmp_path):
    """Two releases whose appendix tables differ by three respondents in one cell: check-release names it."""
    releases = {}
    for name in ("old", "new"):
        releases[name] = tmp_path / name
        shutil.copytree(margins_build["out"] / APPENDIX, releases[name] / APPENDIX)
        write_manifest(releases[name], read_manifest(margins_build["out"]))      # the digests of the copies
    path = releases["new"] / APPENDIX / "3_enforcement_applications_by_role.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = next(i for i, count in enumerate(table["count"]) if count not in ("", SUPPRESSED) and int(count) >= 5)
    table.loc[row, "count"] = str(int(table.loc[row, "count"]) + 3)
    table.to_csv(path, index=False, lineterminator="\n")
    assert compare_releases(releases["old"], releases["old"]).ok
    comparison = compare_releases(releases["new"], releases["old"])
    assert comparison.tables_compared == 3
    found = [(d.table, d.quantity, d.low) for d in comparison.differences]
    assert (f"{APPENDIX}/{path.name}", "count", 3) in found
    assert all(d.row.startswith(f"part={table.loc[row, 'part']}, group=") for d in comparison.differences)
    # the edited table is not the one the release's manifest lists; the other release's files are
    assert comparison.notes == [f"{path}: changed since the build (its SHA-256 is not the one {MANIFEST} lists)"]
