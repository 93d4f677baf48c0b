"""End-to-end: the build turns the bundled export into one self-contained report, safely."""
from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis.pipeline import build as build_module
from analysis.pipeline.build import build
from analysis.themes.registry import THEME_KEYS as THEMES
from analysis.protection.disclosure import SUPPRESSED
from analysis.pipeline.parameters import BuildParameters
from analysis.core.paths import DATA_DIR, NOTEBOOKS_DIR, SYNTHETIC_CODING

from support import K

COUNT_COLUMN = re.compile(r"^(n|count|.*_count|.*_n)$")


def _tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def english_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "outputs"
    data_before = _tree_hash(DATA_DIR)
    status = build(BuildParameters(output_dir=out, lang="en", min_cell=K, coding=SYNTHETIC_CODING))
    return {"status": status, "out": out, "data_before": data_before}


def test_build_succeeds_and_writes_every_product(english_build):
    out = english_build["out"]
    assert english_build["status"] == 0
    for name in ("report.html", "tables.xlsx", "analyst/survey_clean.csv", "analyst/data_log.json",
                 "analyst/disclosure_log.csv", "analyst/quotes_review.csv"):
        assert (out / name).is_file(), name
    # respondent-level and analyst files are kept apart from what is published, and never linked
    assert not (out / "survey_clean.csv").exists() and not (out / "data_log.json").exists()
    report = (out / "report.html").read_text()
    assert "analyst/" not in report and "survey_clean" not in report and "data_log" not in report
    for theme in THEMES:
        assert (out / theme / "facts.json").is_file(), theme
        assert list((out / theme).glob("*.png")) and list((out / theme).glob("*.svg")), theme
        assert (out / "notebooks" / build_module.NOTEBOOKS[theme].name).is_file()
    assert not (out.parent / ".outputs.staging").exists()


def test_report_has_six_theme_sections_banner_toc_and_methods(english_build):
    page = (english_build["out"] / "report.html").read_text(encoding="utf-8")
    assert page.count('<section class="theme"') == len(THEMES)
    for number in range(1, 7):
        assert re.search(rf"<h2 id=\"[^\"]+\">{number}\. ", page), number
    assert 'class="synthetic-banner"' in page and "SYNTHETIC DATA" in page
    assert '<nav class="toc"' in page and "Methods appendix" in page
    assert "Wilson" in page and "fewer than 5 respondents" in page
    appendix = page[page.index('<section class="questionnaire"'):]  # issue 24: the reported wave's questions
    assert ">Appendix: questionnaire</h2>" in appendix and "<b>1.</b> Which organisation do you work for?" in appendix
    assert "Hyves" in appendix and "Instagram" not in appendix  # 2011's platforms, not 2026's


def test_report_shows_coded_open_answers_with_agreement_for_four_questions(english_build):
    """Issue 13: each open question shows its coded shares, the coders' agreement and who coded."""
    out = english_build["out"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("Agreement of the coders per code") == 4
    assert html.count("Coded by 2 coders independently, disagreements adjudicated") == 4
    for theme, item in (("opportunities", "opportunities_open"), ("barriers", "barriers_open"),
                        ("enforcement", "enforcement_open"), ("investigation", "investigation_open")):
        assert (out / theme / f"{item}_codes.csv").exists() and (out / theme / f"{item}_agreement.csv").exists()


def test_build_refuses_a_coding_folder_without_final_codes(tmp_path, capsys):
    from analysis.pipeline import cli
    status = cli.main(["build", "--out", str(tmp_path / "o"), "--coding", str(tmp_path)])
    assert status == 2 and "coded_answers.csv" in capsys.readouterr().err and not (tmp_path / "o").exists()


def test_report_is_self_contained(english_build):
    page = (english_build["out"] / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()  # no script at all: nothing can load or run
    assert not re.search(r"<iframe|<object|<embed", page.lower())
    assert not re.search(r"<link[^>]+href=[\"']https?:", page)
    assert not re.search(r"@import", page)
    images = re.findall(r"<img[^>]+src=\"([^\"]+)\"", page)
    assert len(images) >= 20 and all(src.startswith("data:image/png;base64,") for src in images)
    assert "require.js" not in page and "mathjax" not in page.lower()


def test_report_shows_no_code_and_no_parameters(english_build):
    page = (english_build["out"] / "report.html").read_text(encoding="utf-8")
    assert "ThemeNotebook" not in page and "chapter.show" not in page and "min_cell =" not in page


def test_no_published_table_shows_a_count_below_k(english_build):
    """Every CSV meant for publication: counts are 0, >= k or suppressed; shares of a suppressed count too."""
    checked = 0
    for csv_path in english_build["out"].glob("*/*.csv"):
        table = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
        for column in table.columns:
            if not COUNT_COLUMN.match(column):
                continue
            for value in table[column]:
                if value in ("", SUPPRESSED):
                    continue
                number = float(value)
                assert number == 0 or number >= K, f"{csv_path.name}: {column} = {value}"
                checked += 1
        if "count" in table.columns and "pct" in table.columns:
            hidden = table["count"] == SUPPRESSED
            assert (table.loc[hidden, "pct"] == SUPPRESSED).all(), csv_path.name
            for bound in ("pct_low", "pct_high"):
                if bound in table.columns:
                    assert (table.loc[hidden, bound] == SUPPRESSED).all(), (csv_path.name, bound)
    assert checked > 500


def test_tables_workbook_has_a_sheet_per_published_table(english_build):
    out = english_build["out"]
    book = pd.ExcelFile(out / "tables.xlsx")
    published = sorted(str(p.relative_to(out)) for p in out.glob("*/*.csv") if p.parent.name != "analyst")
    assert book.sheet_names[0] == "contents" and len(book.sheet_names) == len(published) + 1
    contents = pd.read_excel(book, "contents", dtype=str)
    assert sorted(contents["file"]) == published and list(contents["sheet"]) == book.sheet_names[1:]


def test_build_never_modifies_data(english_build):
    assert _tree_hash(DATA_DIR) == english_build["data_before"]


def test_data_log_traces_the_input(english_build):
    log = json.loads((english_build["out"] / "analyst" / "data_log.json").read_text())
    assert log["input"]["sha256"] == hashlib.sha256(
        (DATA_DIR / "raw" / "politie20_survey_2011_synthetic.csv").read_bytes()).hexdigest()
    assert log["input"]["respondents"] == 420 and log["parameters"]["min_cell"] == K


def test_executed_notebooks_carry_no_timestamps(english_build):
    notebook = nbformat.read(english_build["out"] / "notebooks" / "01_participants.ipynb", as_version=4)
    text = json.dumps(notebook)
    assert "start_time" not in text and "end_time" not in text and '"duration"' not in text
    assert notebook.metadata.kernelspec.name == "python3"


def test_other_data_give_other_numbers(two_builds, english_build):
    """No hard-coded results: a different export (150 generated respondents) changes the report's numbers."""
    out = two_builds["two"]
    assert two_builds["status"] == (0, 0)
    facts = json.loads((out / "participants" / "facts.json").read_text())
    assert facts["n_respondents"] == 150
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "150 respondents took part" in page and "420 respondents" not in page
    first = json.loads((english_build["out"] / "opportunities" / "facts.json").read_text())
    second = json.loads((out / "opportunities" / "facts.json").read_text())
    assert first["ratings"] != second["ratings"]


def test_dutch_build(tmp_path):
    out = tmp_path / "nl"
    assert build(out=out, lang="nl", only=["participants", "opportunities"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in page and "SYNTHETISCHE DATA" in page and "Methodologische bijlage" in page
    assert "respondenten deden mee" in page
    assert "Divergerende staven: " in page and "Diverging bars" not in page  # alt texts in the report's language
    appendix = page[page.index('<section class="questionnaire"'):]
    assert ">Bijlage: vragenlijst</h2>" in appendix and "<b>1.</b> Bij welke organisatie werkt u?" in appendix


def test_failing_notebook_exits_1_and_leaves_the_previous_report(tmp_path, monkeypatch, capsys):
    out = tmp_path / "outputs"
    assert build(out=out, only=["participants"]) == 0
    before = _tree_hash(out)
    broken = nbformat.read(NOTEBOOKS_DIR / "02_opportunities.ipynb", as_version=4)
    broken.cells.insert(3, nbformat.v4.new_code_cell("raise ValueError('deliberately broken')", id="broken"))
    broken_path = tmp_path / "02_opportunities.ipynb"
    nbformat.write(broken, broken_path)
    monkeypatch.setitem(build_module.NOTEBOOKS, "opportunities", broken_path)
    capsys.readouterr()
    assert build(out=out, only=["participants", "opportunities"]) == 1
    err = capsys.readouterr().err
    assert "02_opportunities.ipynb failed in cell" in err and "(id broken)" in err and "deliberately broken" in err
    assert "executed copy" in err and ".outputs.failed" in err
    assert _tree_hash(out) == before


def test_stored_notebooks_are_thin_and_parameterised():
    """Each notebook: one parameters cell (checked against BuildParameters in test_parameters.py);
    code only calls analysis.pipeline.notebook, and the chapter is built from the parameters cell."""
    allowed = re.compile(r"^(from analysis\.pipeline\.notebook import BuildParameters, ThemeNotebook|"
                         r"chapter = ThemeNotebook\(\"\w+\", BuildParameters\.from_namespace\(globals\(\)\)\)|"
                         r"chapter\.(run|show|summary)\(|$)")
    for theme in THEMES:
        notebook = nbformat.read(build_module.NOTEBOOKS[theme], as_version=4)
        tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1
        following = notebook.cells[notebook.cells.index(tagged[0]) + 1]
        assert f'ThemeNotebook("{theme}", BuildParameters.from_namespace(globals()))' in following.source
        assert notebook.metadata.kernelspec.name == "python3"
        assert len({c.id for c in notebook.cells}) == len(notebook.cells)
        for cell in notebook.cells:
            if cell.cell_type == "code" and cell is not tagged[0]:
                for line in cell.source.splitlines():
                    assert allowed.match(line), (theme, line)
            if cell.cell_type == "code":
                assert cell.outputs or cell is tagged[0], (theme, cell.id, "stored outputs missing")


def test_build_from_own_export_with_mapping_on_a_tiny_sample(tmp_path):
    """The README's worked example: Dutch column names, a mapping, six respondents; all suppressed safely."""
    import subprocess
    import sys
    out = tmp_path / "own"
    run = subprocess.run([sys.executable, "-m", "analysis", "build", "--data", "data/examples/export_example.csv",
                          "--mapping", "data/examples/mapping_example.yaml", "--out", str(out), "--only",
                          "participants", "opportunities", "barriers"],
                         cwd=DATA_DIR.parent, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "[3/3] barriers" in run.stdout
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "the models need at least 30" in page
    for csv_path in out.glob("*/*.csv"):
        table = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
        for column in (c for c in table.columns if COUNT_COLUMN.match(c)):
            assert all(v in ("", SUPPRESSED) or float(v) == 0 or float(v) >= K for v in table[column]), csv_path.name


def test_tables_workbook_is_byte_identical_when_written_again(english_build, tmp_path):
    import time
    from analysis.report.tables import write_tables_workbook
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_tables_workbook(english_build["out"], list(THEMES), first)
    time.sleep(2.1)  # zip timestamps have a resolution of two seconds
    write_tables_workbook(english_build["out"], list(THEMES), second)
    assert first.read_bytes() == second.read_bytes()
    assert pd.ExcelFile(second).sheet_names == pd.ExcelFile(english_build["out"] / "tables.xlsx").sheet_names


# --------------------------------------------------------------------------- readers' formats (issue 15)
# References: WCAG 2.1 techniques H57 (page language), H42/G141 (headings, in order), H37 (img
# alt), H39 (table caption), H63 (th scope), H28 (abbr); the browser check is `make a11y` (axe-core).

NBCONVERT_DEFAULT_ALT = "No description has been provided for this image"


class _Markup(HTMLParser):
    """What the accessibility rules look at: lang, headings, images, tables, ids and local links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang, self.headings, self.images, self.ids, self.links = None, [], [], [], []
        self.tables: list[dict] = []
        self.suppressed_cells: list[bool] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "html":
            self.lang = a.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "img":
            self.images.append(a.get("alt"))
        elif tag == "a" and a.get("href", "").startswith("#"):
            self.links.append(a["href"][1:])
        elif tag == "table":
            self.tables.append({"first": None, "caption": "", "th": [], "in_caption": False})
        elif self.tables and tag == "caption":
            self.tables[-1]["in_caption"] = True
        elif self.tables and tag == "th":
            self.tables[-1]["th"].append(a.get("scope"))
        elif tag == "td" and "suppressed" in a.get("class", ""):
            self.suppressed_cells.append(False)
        elif tag == "abbr" and self.suppressed_cells and a.get("title"):
            self.suppressed_cells[-1] = True
        if self.tables and self.tables[-1]["first"] is None and tag != "table":
            self.tables[-1]["first"] = tag

    def handle_endtag(self, tag):
        if tag == "caption" and self.tables:
            self.tables[-1]["in_caption"] = False

    def handle_data(self, data):
        if self.tables and self.tables[-1]["in_caption"]:
            self.tables[-1]["caption"] += data


def _markup(page: str) -> _Markup:
    parsed = _Markup()
    parsed.feed(page)
    return parsed


def test_report_markup_follows_the_wcag_techniques(english_build):
    out = english_build["out"]
    m = _markup((out / "report.html").read_text(encoding="utf-8"))
    assert m.lang == "en"
    assert m.headings[0] == 1 and m.headings.count(1) == 1
    skips = [(a, b) for a, b in zip(m.headings, m.headings[1:]) if b > a + 1]
    assert not skips, skips
    figures = sorted(out.glob("*/*.png"))
    assert len(m.images) == len(figures) >= 20
    assert all(alt and alt.strip() and alt != NBCONVERT_DEFAULT_ALT for alt in m.images), m.images
    assert len(m.tables) >= 30
    for table in m.tables:
        assert table["first"] == "caption" and table["caption"].strip(), table
        assert table["th"] and all(scope in ("col", "row") for scope in table["th"]), table
    assert m.suppressed_cells and all(m.suppressed_cells)  # every [c] says what it means
    assert len(m.ids) == len(set(m.ids))
    assert m.links and set(m.links) <= set(m.ids)  # every contents and "show as table" link lands


def test_report_pdf_has_a_chapter_per_theme_page_numbers_and_whole_figures(english_build, tmp_path):
    try:
        from analysis.report.assembly import write_pdf
        import weasyprint  # noqa: F401  (needs Pango from the system: OSError without it)
    except (ImportError, OSError) as exc:
        pytest.skip(f"WeasyPrint cannot run here: {exc}")
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    page = (english_build["out"] / "report.html").read_text(encoding="utf-8")
    pdf = write_pdf(english_build["out"] / "report.html", tmp_path / "report.pdf")
    reader = PdfReader(pdf)
    pages = [p.extract_text() for p in reader.pages]
    total = len(pages)
    assert 2 + len(THEMES) <= total <= 120  # title and contents, a page run per chapter, the appendix
    for number, text in enumerate(pages, start=1):
        assert f"{number} / {total}" in text, number
        assert "SYNTHETIC DATA – illustration, not findings" in text, number  # the banner on every page
    assert pages[0].startswith("Social media in police and security"), pages[0][:80]

    root, = reader.outline[1:]  # the report title's bookmark holds the chapters
    chapters = [(c.title, reader.get_destination_page_number(c)) for c in root if not isinstance(c, list)]
    titled = ([(t, p) for t, p in chapters if re.match(r"\d\. ", t)]
              + [c for c in chapters if c[0] == "Methods appendix"])
    assert [t[:2] for t, _ in titled[:6]] == [f"{n}." for n in range(1, 7)] and len(titled) == 7
    starts = [p for _, p in titled]
    assert starts == sorted(set(starts))  # each chapter starts a page of its own, in order
    for title, index in titled:
        assert pages[index].startswith(title), title  # the chapter heading opens its page

    def image_draws(stream_owner, resources) -> int:
        xobjects = resources.get("/XObject", {}) if resources else {}
        count = 0
        for operands, operator in ContentStream(stream_owner.get_contents() if hasattr(stream_owner, "get_contents")
                                                else stream_owner, reader).operations:
            if operator == b"Do":
                x = xobjects[operands[0]].get_object()
                count += 1 if x["/Subtype"] == "/Image" else image_draws(x, x.get("/Resources"))
        return count

    # A figure split over two pages would be drawn on both: one draw per figure means every one is whole.
    assert sum(image_draws(p, p["/Resources"]) for p in reader.pages) == page.count("<img ")
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en" and catalog["/MarkInfo"]["/Marked"]  # tagged, with its language
    assert "/CreationDate" not in (reader.metadata or {})


def test_build_cli_has_a_pdf_switch(monkeypatch):
    from analysis.pipeline import cli
    seen = {}
    monkeypatch.setattr(build_module, "build", lambda params=None, **kwargs: seen.update(kwargs) or 0)
    assert cli.main(["build", "--pdf", "--only", "participants"]) == 0 and seen["pdf"] is True
    assert cli.main(["build"]) == 0 and seen["pdf"] is False


def test_the_provenance_line_says_how_the_export_was_read_in_the_reports_language():
    from analysis.pipeline.build import describe_detected
    detected = {"format": "csv", "encoding": "utf-8", "delimiter": ";", "decimal": ",",
                "decimal_basis": "seen in 12 cells", "layout": "plain", "layout_basis": "one header row with no "
                "survey-tool columns", "header_rows": "1", "wave": "2011 (from its columns)"}
    dutch = describe_detected(detected, "nl")
    assert dutch == "CSV, codering utf-8, scheidingsteken “;”, decimaalteken “,”, opmaak één kopregel, golf 2011"
    for english in ("encoding", "delimiter", "decimal", "layout", "seen in", "from its columns", "basis"):
        assert english not in dutch
    assert describe_detected(detected, "en").startswith("CSV, encoding utf-8, separator “;”")
