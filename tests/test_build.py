"""End-to-end: the build turns the bundled export into one self-contained report, safely."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import build as build_module
from analysis.build import THEMES, build
from analysis.disclosure import SUPPRESSED
from analysis.paths import DATA_DIR, NOTEBOOKS_DIR, SYNTHETIC_CODING
from analysis.synth import generate, write_export

K = 5
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
    status = build(out=out, lang="en", min_cell=K, coding=SYNTHETIC_CODING)
    return {"status": status, "out": out, "data_before": data_before}


def test_build_succeeds_and_writes_every_product(english_build):
    out = english_build["out"]
    assert english_build["status"] == 0
    for name in ("report.html", "tables.xlsx", "survey_clean.csv", "data_log.json"):
        assert (out / name).is_file(), name
    for theme in THEMES:
        assert (out / theme / "facts.json").is_file(), theme
        assert list((out / theme).glob("*.png")) and list((out / theme).glob("*.svg")), theme
        assert (out / "notebooks" / build_module.NOTEBOOKS[theme].name).is_file()
    assert not (out.parent / ".outputs.staging").exists()


def test_report_has_six_theme_sections_banner_toc_and_methods(english_build):
    page = (english_build["out"] / "report.html").read_text(encoding="utf-8")
    assert page.count('<section class="theme">') == 6
    for number in range(1, 7):
        assert re.search(rf"<h1 id=\"[^\"]+\">{number}\. ", page), number
    assert 'class="synthetic-banner"' in page and "SYNTHETIC DATA" in page
    assert '<nav class="toc">' in page and "Methods appendix" in page
    assert "Wilson" in page and "fewer than 5 respondents" in page


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
    from analysis import cli
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
    sheets = pd.ExcelFile(out / "tables.xlsx").sheet_names
    assert len(sheets) == len(list(out.glob("*/*.csv")))


def test_build_never_modifies_data(english_build):
    assert _tree_hash(DATA_DIR) == english_build["data_before"]


def test_data_log_traces_the_input(english_build):
    log = json.loads((english_build["out"] / "data_log.json").read_text())
    assert log["input"]["sha256"] == hashlib.sha256(
        (DATA_DIR / "raw" / "politie20_survey_2011_synthetic.csv").read_bytes()).hexdigest()
    assert log["input"]["respondents"] == 420 and log["parameters"]["min_cell"] == K


def test_executed_notebooks_carry_no_timestamps(english_build):
    notebook = nbformat.read(english_build["out"] / "notebooks" / "01_participants.ipynb", as_version=4)
    text = json.dumps(notebook)
    assert "start_time" not in text and "end_time" not in text and '"duration"' not in text
    assert notebook.metadata.kernelspec.name == "python3"


def test_other_data_give_other_numbers(tmp_path, english_build):
    """No hard-coded results: a different export changes the report's numbers."""
    data = write_export(generate(150, 77), tmp_path / "other.csv")
    out = tmp_path / "out"
    assert build(data=data, out=out, only=["participants", "opportunities"]) == 0
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
    """Each notebook: one parameters cell with the agreed names; code only calls analysis.notebook."""
    allowed = re.compile(r"^(from analysis\.notebook import ThemeNotebook|chapter = ThemeNotebook\(|"
                         r"\s+min_cell=|chapter\.(run|show|summary)\(|$)")
    for theme in THEMES:
        notebook = nbformat.read(build_module.NOTEBOOKS[theme], as_version=4)
        tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1
        for name in ("data_path", "output_dir", "lang", "min_cell", "level"):
            assert re.search(rf"^{name} = ", tagged[0].source, re.M), (theme, name)
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
    from analysis.build import write_tables_workbook
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_tables_workbook(english_build["out"], list(THEMES), first)
    time.sleep(2.1)  # zip timestamps have a resolution of two seconds
    write_tables_workbook(english_build["out"], list(THEMES), second)
    assert first.read_bytes() == second.read_bytes()
    assert pd.ExcelFile(second).sheet_names == pd.ExcelFile(english_build["out"] / "tables.xlsx").sheet_names
