"""Build parameters: one declaration (BuildParameters) for the command line, the build, the notebooks'
parameters cells and ThemeNotebook; every parameter error stops the build before any notebook runs.

References: issue 8 items 1 and 7 (the two-sheet XLSX and the missing weights column were measured
failures on main: notebook 01 failing with "101 problems" and exit 1); the README's promise that bad
input exits with status 2 before any notebook runs.
"""
from __future__ import annotations

import ast
import asyncio
import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis.pipeline import build as build_module
from analysis.pipeline import cli, kernels, validated
from analysis.core.errors import SurveyDataError
from analysis.pipeline.notebook import ThemeNotebook
from analysis.pipeline.parameters import BuildParameters, available_languages, load_survey
from analysis.core.paths import PROJECT_ROOT, SYNTHETIC_EXPORT
from analysis.themes.registry import THEMES
from analysis.report.text import catalogue


def _no_notebook(*args, **kwargs):
    pytest.fail("a notebook was executed although the parameters were wrong")


def _write_csv(path: Path, rows: list[list]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def _with_weight_column(rows: list[list[str]], weights: dict[int, str]) -> list[list[str]]:
    """The bundled rows with a `weight` column: empty except at the given data-row indexes."""
    out = [rows[0] + ["weight"]]
    for index, row in enumerate(rows[1:]):
        out.append(row + [weights.get(index, "")])
    return out


# --- one declaration ---------------------------------------------------------------------------
@pytest.mark.parametrize("theme", [t.key for t in THEMES])
def test_every_notebook_parameters_cell_lists_exactly_the_build_parameters(theme):
    notebook = nbformat.read(build_module.NOTEBOOKS[theme], as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    assigned = []
    for statement in ast.parse(cell.source).body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1, ast.dump(statement)
        assigned.append((statement.targets[0].id, ast.literal_eval(statement.value)))
    assert assigned == list(BuildParameters.defaults().items())


@pytest.mark.parametrize("theme", [t.key for t in THEMES])
def test_every_notebook_documents_every_parameter(theme):
    notebook = nbformat.read(build_module.NOTEBOOKS[theme], as_version=4)
    first = next(c for c in notebook.cells if c.cell_type == "markdown")
    assert first.source.endswith(BuildParameters.parameters_doc())
    assert all(f"- `{name}` (`" in first.source for name in BuildParameters.names())


def test_notebooks_read_the_build_s_validated_survey_only_with_the_same_parameters(tmp_path, monkeypatch):
    params = BuildParameters(output_dir=tmp_path)
    path = validated.write(tmp_path / validated.FILE_NAME, params, ("frame", "log"), None)
    assert validated.read(params) is None  # opened alone: no variable, the notebook loads the export
    monkeypatch.setenv(validated.ENV_VAR, str(path))
    assert validated.read(params)["survey"] == ("frame", "log")
    assert validated.read(params.with_(weights="weight")) is None


def test_parameters_cell_is_generated_from_the_dataclass():
    source = BuildParameters.parameters_cell()
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102 - our own generated literals
    assert BuildParameters.from_namespace(namespace) == BuildParameters()
    assert source.splitlines()[0] == "data_path = None" and 'lang = "en"' in source


def test_notebook_parameters_are_exactly_the_fields_with_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    params = BuildParameters(data_path="export.xlsx", output_dir="out", mapping=Path("map.yaml"), sheet="Export",
                             weights="weight", lang="nl", min_cell=7, level=0.9)
    given = params.notebook_parameters()
    assert list(given) == list(BuildParameters.names())
    assert given["data_path"] == str(tmp_path / "export.xlsx") and given["output_dir"] == str(tmp_path / "out")
    assert given["mapping"] == str(tmp_path / "map.yaml")
    assert (given["sheet"], given["weights"], given["lang"], given["min_cell"], given["level"], given["format"]) == \
        ("Export", "weight", "nl", 7, 0.9, None)
    assert BuildParameters.from_namespace(dict(given, unrelated=1)) == params.with_(
        data_path=tmp_path / "export.xlsx", output_dir=tmp_path / "out", mapping=tmp_path / "map.yaml")


def test_cli_options_are_the_dataclass_fields():
    args = cli.parser().parse_args(["build", "--data", "x.csv", "--sheet", "S", "--weights", "w", "--min-cell", "3",
                                    "--level", "0.9", "--lang", "nl", "--format", "qualtrics", "--out", "o"])
    params = BuildParameters.from_namespace(vars(args))
    assert params == BuildParameters(data_path=Path("x.csv"), output_dir=Path("o"), lang="nl", min_cell=3,
                                     level=0.9, sheet="S", weights="w", format="qualtrics")


def test_languages_come_from_the_catalogue_and_codebook():
    languages = available_languages()
    assert languages == ("en", "nl")
    assert all(set(languages) <= set(entry) for entry in catalogue().values())


# --- parameter errors: SurveyDataError naming the parameter and value ---------------------------------
@pytest.mark.parametrize("change, name, value", [
    ({"lang": "fr"}, "lang", "fr"),
    ({"min_cell": 0}, "min_cell", "0"),
    ({"min_cell": 2}, "min_cell", "2"),  # k = 1 or 2 would publish counts of one or two respondents
    ({"min_cell": 2.5}, "min_cell", "2.5"),
    ({"min_cell": True}, "min_cell", "True"),
    ({"level": 1.0}, "level", "1.0"),
    ({"level": 0}, "level", "0"),
    ({"level": "high"}, "level", "high"),
    ({"mapping": "no/such/mapping.yaml"}, "mapping", "no/such/mapping.yaml"),
    ({"data_path": "no/such/export.csv"}, "data_path", "no/such/export.csv"),
])
def test_bad_parameter_is_named_with_its_value(change, name, value):
    with pytest.raises(SurveyDataError) as caught:
        BuildParameters(**change).check()
    [problem] = caught.value.problems
    assert problem.file.startswith(f"parameter {name} (--") and problem.value == value


def test_several_bad_parameters_are_reported_at_once():
    with pytest.raises(SurveyDataError) as caught:
        BuildParameters(lang="de", min_cell=-1, level=2).check()
    assert [p.file.split()[1] for p in caught.value.problems] == ["lang", "min_cell", "level"]


@pytest.mark.parametrize("argv, named", [
    (["--lang", "fr"], "parameter lang (--lang)"),
    (["--min-cell", "0"], "parameter min_cell (--min-cell)"),
    (["--min-cell", "two"], "(value 'two')"),
    (["--level", "95"], "parameter level (--level)"),
    (["--mapping", "no-such-mapping.yaml"], "the mapping file does not exist"),
    (["--weights", "gewicht"], "column 'gewicht': the weight column named by parameter weights (--weights) is not "
                               "in the export"),
    (["--weights", "organisation"], "holds answer codes, 0/1 ticks or text, not weights"),
    (["--sheet", "Export"], "a sheet was named but the file is not a workbook (value 'Export')"),
])
def test_cli_exits_2_before_any_notebook(argv, named, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build_module, "execute", _no_notebook)
    out = tmp_path / "outputs"
    assert cli.main(["build", "--out", str(out), *argv]) == 2
    err = capsys.readouterr().err
    assert named in err
    assert not out.exists() and not (tmp_path / ".outputs.staging").exists()


def test_missing_weights_column_lists_the_columns_that_hold_numbers(tmp_path, bundled_rows, monkeypatch, capsys):
    monkeypatch.setattr(build_module, "execute", _no_notebook)
    export = _write_csv(tmp_path / "weighted.csv", _with_weight_column(bundled_rows, {0: "1.5", 3: "0.8"}))
    assert cli.main(["build", "--data", str(export), "--weights", "wt", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "column 'wt'" in err and "one of the export's columns that hold numbers: weight" in err


@pytest.mark.parametrize("bad", ["-1", "abc", "0"])
def test_bad_weight_exits_2_naming_the_row(bad, tmp_path, bundled_rows, monkeypatch, capsys):
    monkeypatch.setattr(build_module, "execute", _no_notebook)
    export = _write_csv(tmp_path / "weighted.csv", _with_weight_column(bundled_rows, {4: bad}))
    assert cli.main(["build", "--data", str(export), "--weights", "weight", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    respondent = bundled_rows[5][0]
    assert f"line 6, respondent {respondent}, column 'weight'" in err and f"(value '{bad}')" in err


def test_notebook_and_build_load_the_survey_the_same_way(tmp_path, bundled_rows):
    """ThemeNotebook uses load_survey: the same weights rule and the same refusals as the build."""
    export = _write_csv(tmp_path / "weighted.csv", _with_weight_column(bundled_rows, {0: "2.5"}))
    params = BuildParameters(data_path=export, weights="weight", output_dir=tmp_path / "out")
    frame, _ = load_survey(params)
    chapter = ThemeNotebook("participants", params)
    assert frame.equals(chapter.survey)
    assert chapter.survey["weight"].iloc[0] == 2.5 and (chapter.survey["weight"].iloc[1:] == 1.0).all()
    assert chapter.ctx.weights == "weight"
    with pytest.raises(SurveyDataError) as caught:
        ThemeNotebook("participants", params.with_(weights="wt"))
    assert caught.value.problems[0].column == "wt"


# --- a two-sheet workbook builds with --sheet ------------------------------------------------------
def _two_sheet_workbook(path: Path) -> Path:
    """First sheet a dummy note, second sheet "Export" holding the bundled export (numbers as numbers)."""
    from openpyxl import Workbook

    with open(SYNTHETIC_EXPORT, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["exported by the survey tool; the data are on the next sheet"])
    sheet = book.create_sheet("Export")
    sheet.append(rows[0])
    for row in rows[1:]:
        sheet.append([int(v) if v.isdigit() else v for v in row])
    book.save(path)
    return path


@pytest.fixture(scope="module")
def sheet_build(tmp_path_factory):
    """One real build (participants only) of the two-sheet workbook, run as a user would: the
    command line in a subprocess, so the kernels' own stderr is captured too."""
    root = tmp_path_factory.mktemp("sheet")
    workbook = _two_sheet_workbook(root / "export.xlsx")
    out = root / "outputs"
    run = subprocess.run([sys.executable, "-m", "analysis", "build", "--data", str(workbook), "--sheet", "Export",
                          "--only", "participants", "--out", str(out)],
                         cwd=PROJECT_ROOT, capture_output=True, text=True)
    return {"status": run.returncode, "out": out, "workbook": workbook, "stdout": run.stdout, "stderr": run.stderr}


def test_two_sheet_workbook_builds_with_sheet(sheet_build):
    assert sheet_build["status"] == 0, sheet_build["stderr"]
    facts = json.loads((sheet_build["out"] / "participants" / "facts.json").read_text())
    assert facts["n_respondents"] == 420
    log = json.loads((sheet_build["out"] / "analyst" / "data_log.json").read_text())
    assert log["parameters"]["sheet"] == "Export" and log["input"]["detected"]["sheet"] == "Export"
    executed = nbformat.read(sheet_build["out"] / "notebooks" / "01_participants.ipynb", as_version=4)
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "sheet = \"Export\"" in injected.source or "sheet = 'Export'" in injected.source


def test_successful_build_prints_progress_and_no_kernel_log(sheet_build):
    assert "[1/1] participants ..." in sheet_build["stdout"] and "report:" in sheet_build["stdout"]
    assert "IPKernelApp" not in sheet_build["stderr"] and "KeyboardInterrupt" not in sheet_build["stderr"]


def test_sheet_not_in_the_workbook_exits_2_before_any_notebook(sheet_build, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build_module, "execute", _no_notebook)
    assert cli.main(["build", "--data", str(sheet_build["workbook"]), "--sheet", "Daten",
                     "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "the sheet does not exist (value 'Daten')" in err and "'Notes', 'Export'" in err


# --- kernel shutdown without SIGINT (item 7) -----------------------------------------------------
def test_kernel_manager_does_not_interrupt_a_kernel_it_shuts_down():
    """jupyter_client interrupts before every shutdown; ours skips it (the source of the log noise)."""
    manager = kernels.QuietShutdownKernelManager()
    with pytest.raises(RuntimeError, match="No kernel is running"):
        asyncio.run(manager._async_interrupt_kernel())  # an ordinary interrupt still goes through
    manager.shutting_down = True
    assert asyncio.run(manager._async_interrupt_kernel()) is None
