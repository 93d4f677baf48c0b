"""The incremental, parallel build (issue 12): what is reused, what reruns, and that neither the
cache nor the number of jobs changes a byte of the outputs.

Most tests replace the notebook run by a stand-in that writes a theme's files from its inputs
(no kernel), so they check the build's bookkeeping in a fraction of a second; the end-to-end tests
run real notebooks on two themes and share one pair of builds.
Reference: the cache key as the issue lists it (export's SHA-256, mapping, every parameter but
the output directory, codebook, message catalogue, package source, notebook, facts read).
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from analysis.pipeline import build as build_module
from analysis.pipeline import cache as cache_module
from analysis.core.errors import SurveyDataError
from analysis.pipeline import kernels
from analysis.report import assembly as report
from analysis.pipeline.build import build
from analysis.pipeline.parameters import BuildParameters
from analysis.survey.synth import generate, write_export

FIVE = ["participants", "opportunities", "barriers", "enforcement", "investigation"]


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


class _NoKernel:
    """Stands in for a warm kernel: the stand-in notebook run needs none."""

    def __init__(self, *args, **kwargs):
        pass

    def warm_up(self, stop) -> None:
        pass

    def prepare(self) -> None:
        pass

    def shutdown(self, now: bool = False) -> None:
        pass


@pytest.fixture
def stand_in(monkeypatch):
    """Replace the notebook run by one that writes the theme's files from what it was given, and
    record which themes ran."""
    ran: list[str] = []

    def run_theme(theme, staging, parameters, params, kernel=None):
        ran.append(theme)
        folder = staging / theme
        folder.mkdir(parents=True, exist_ok=True)
        seen = {k: v for k, v in parameters.items() if k != "output_dir"}
        reads = {t: (staging / t / "facts.json").read_text() for t in build_module.READS_FACTS_OF[theme]}
        (folder / "facts.json").write_text(json.dumps({"theme": theme, "parameters": seen, "reads": reads},
                                                      sort_keys=True))
        notebook = staging / "notebooks" / build_module.NOTEBOOKS[theme].name
        notebook.parent.mkdir(parents=True, exist_ok=True)
        notebook.write_bytes(build_module.NOTEBOOKS[theme].read_bytes())
        analyst = staging / "analyst"
        analyst.mkdir(exist_ok=True)
        for kind in ("disclosure_log", "quotes_review"):
            (analyst / f"{kind}_{theme}.csv").write_text("theme\n" + theme + "\n")
        return notebook

    monkeypatch.setattr(build_module, "run_theme", run_theme)
    monkeypatch.setattr(kernels, "WarmKernel", _NoKernel)
    monkeypatch.setattr(report, "render_notebook", lambda path: hashlib.sha256(path.read_bytes()).hexdigest())
    monkeypatch.setattr(build_module, "assemble_outputs",
                        lambda checked, *a, **k: (checked.staging / "report.html").write_text("r"))
    return ran


@pytest.fixture
def source_copy(tmp_path, monkeypatch) -> Path:
    """The analysis package's source, copied: the build hashes the copy (same names, same bytes,
    so the same keys), and a test edits it as a developer edits the package."""
    source = tmp_path / "src"
    shutil.copytree(cache_module.SOURCE_DIR, source, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache_module, "SOURCE_DIR", source)
    monkeypatch.setattr(build_module, "THEME_MODULES", {t: source / "themes" / f"{t}.py"
                                                        for t in build_module.THEME_MODULES})
    return source


def _edit(path: Path, note: str = "edited") -> None:
    path.write_text(path.read_text() + f"\n# {note}\n")


@pytest.fixture(scope="module")
def small_export(tmp_path_factory) -> Path:
    return write_export(generate(60, 5), tmp_path_factory.mktemp("export") / "small.csv")


def test_unchanged_rebuild_reruns_nothing_and_says_so(stand_in, small_export, tmp_path, capsys):
    out = tmp_path / "out"
    assert build(data=small_export, out=out, only=FIVE) == 0
    assert sorted(stand_in) == sorted(FIVE)
    before = _tree(out)
    stand_in.clear()
    capsys.readouterr()
    assert build(data=small_export, out=out, only=FIVE) == 0
    assert stand_in == []
    assert "nothing changed: reused 5 of 5 themes" in capsys.readouterr().out
    assert _tree(out) == before


def test_rebuild_into_a_changed_output_directory_reuses_every_theme(stand_in, small_export, tmp_path, capsys):
    """Outputs edited or removed by hand: nothing is rerun, but the directory is written again."""
    out = tmp_path / "out"
    assert build(data=small_export, out=out, only=FIVE) == 0
    before = _tree(out)
    shutil.rmtree(out / "barriers")
    stand_in.clear()
    capsys.readouterr()
    assert build(data=small_export, out=out, only=FIVE) == 0
    assert stand_in == [] and "reused 5 of 5 themes" in capsys.readouterr().out
    assert _tree(out) == before


@pytest.mark.parametrize("change", ["data", "parameter", "label", "codebook", "shared source"])
def test_changing_what_every_theme_reads_reruns_every_theme(change, stand_in, small_export, source_copy, tmp_path,
                                                            monkeypatch):
    out = tmp_path / "out"
    params = BuildParameters(data_path=small_export, output_dir=out)
    assert build(params, only=FIVE) == 0
    stand_in.clear()
    if change == "data":
        params = params.with_(data_path=write_export(generate(60, 6), tmp_path / "other.csv"))
    elif change == "parameter":
        params = params.with_(min_cell=6)
    elif change == "label":
        params = params.with_(label="wave 2")
    elif change == "codebook":
        copy = tmp_path / "codebook.yaml"
        copy.write_bytes(cache_module.CODEBOOK_PATH.read_bytes() + b"\n# edited\n")
        monkeypatch.setattr(cache_module, "CODEBOOK_PATH", copy)
    else:
        _edit(source_copy / "core" / "messages.yaml")
    assert build(params, only=FIVE) == 0
    assert sorted(stand_in) == sorted(FIVE)


def test_output_directory_is_not_part_of_the_key(stand_in, small_export, tmp_path):
    """The same inputs into another directory: the cache belongs beside each output directory,
    and the key leaves the directory out (a second directory gets its own cache)."""
    inputs_a = build_module.hash_inputs(BuildParameters(data_path=small_export, output_dir=tmp_path / "a"))
    inputs_b = build_module.hash_inputs(BuildParameters(data_path=small_export, output_dir=tmp_path / "b"))
    assert inputs_a.theme_key("participants") == inputs_b.theme_key("participants")


def test_changing_one_themes_source_or_notebook_reruns_that_theme_only(stand_in, small_export, source_copy,
                                                                        tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert build(data=small_export, out=out, only=FIVE) == 0
    _edit(source_copy / "themes" / "barriers.py")
    stand_in.clear()
    assert build(data=small_export, out=out, only=FIVE) == 0
    assert stand_in == ["barriers"]

    import nbformat

    notebook = tmp_path / build_module.NOTEBOOKS["enforcement"].name
    edited = nbformat.read(build_module.NOTEBOOKS["enforcement"], as_version=4)
    edited.cells[-1].source += "\n"
    nbformat.write(edited, notebook)
    monkeypatch.setitem(build_module.NOTEBOOKS, "enforcement", notebook)
    stand_in.clear()
    assert build(data=small_export, out=out, only=FIVE) == 0
    assert stand_in == ["enforcement"]


def test_conclusion_reruns_when_a_fact_it_reads_changed(stand_in, small_export, source_copy, tmp_path,
                                                         monkeypatch):
    out = tmp_path / "out"
    assert build(data=small_export, out=out) == 0
    assert stand_in[-1] == "conclusion"
    _edit(source_copy / "themes" / "barriers.py")
    stand_in.clear()
    assert build(data=small_export, out=out) == 0
    assert stand_in == ["barriers"]  # the stand-in writes the same facts: the conclusion is reused

    real_run = build_module.run_theme

    def barriers_with_other_facts(theme, staging, parameters, params, kernel=None):
        target = real_run(theme, staging, parameters, params, kernel)
        if theme == "barriers":
            (staging / theme / "facts.json").write_text('{"changed": true}')
        return target

    monkeypatch.setattr(build_module, "run_theme", barriers_with_other_facts)
    _edit(source_copy / "themes" / "barriers.py", "edited again")
    stand_in.clear()
    assert build(data=small_export, out=out) == 0
    assert stand_in == ["barriers", "conclusion"]


def test_force_reruns_everything(stand_in, small_export, tmp_path):
    out = tmp_path / "out"
    assert build(data=small_export, out=out, only=FIVE) == 0
    stand_in.clear()
    assert build(data=small_export, out=out, only=FIVE, force=True) == 0
    assert sorted(stand_in) == sorted(FIVE)


def test_cli_has_force_and_jobs(monkeypatch):
    from analysis.pipeline import cli

    seen = {}
    monkeypatch.setattr(build_module, "build", lambda *args, **kwargs: seen.update(kwargs) or 0)
    assert cli.main(["build", "--force", "--jobs", "3", "--only", "participants"]) == 0
    assert seen["force"] is True and seen["jobs"] == 3
    assert cli.main(["build"]) == 0 and seen["force"] is False and seen["jobs"] is None


def test_a_refused_build_abandons_the_kernels_warm_up_and_kills_them(monkeypatch, tmp_path, capsys):
    """The kernels warm up while the export is checked; when the check refuses it (exit 2 on the CLI), each warm-up is
    told to stop and each kernel is killed, instead of the refusal waiting for imports no notebook will use."""
    seen: list[tuple[str, bool]] = []

    class _Warming(_NoKernel):
        def warm_up(self, stop) -> None:
            seen.append(("stopped", stop.wait(60)))

        def shutdown(self, now: bool = False) -> None:
            seen.append(("killed", now))

    monkeypatch.setattr(kernels, "WarmKernel", _Warming)
    with pytest.raises(SurveyDataError):
        build(out=tmp_path / "out", lang="fr", jobs=2)
    assert sorted(seen) == [("killed", True)] * 2 + [("stopped", True)] * 2
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- real notebooks

# (the two builds, `two_builds`, are a session fixture of conftest.py: test_build.py reads them too)

def test_parallel_and_sequential_builds_give_the_same_bytes(two_builds):
    assert two_builds["status"] == (0, 0)
    one, two = _tree(two_builds["one"]), _tree(two_builds["two"])
    assert one == two
    assert "notebooks/01_participants.ipynb" in one and "analyst/survey_clean.csv" in one


def test_cached_themes_give_the_same_bytes_as_run_ones(two_builds, export_150, monkeypatch, capsys):
    """A rebuild after the outputs were removed copies both themes from the cache: no notebook
    runs, and every file (executed notebooks and analyst files included) is as built."""
    out = two_builds["one"]
    before = _tree(out)
    shutil.rmtree(out)

    def no_notebook(*args, **kwargs):
        raise AssertionError("a notebook ran")

    monkeypatch.setattr(build_module, "execute", no_notebook)
    capsys.readouterr()
    assert build(data=export_150, out=out, only=["participants", "opportunities"]) == 0
    assert "reused 2 of 2 themes" in capsys.readouterr().out
    assert _tree(out) == before
    capsys.readouterr()
    assert build(data=export_150, out=out, only=["participants", "opportunities"]) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_editing_the_analyses_file_reassembles_the_report_and_reruns_no_theme(stand_in, small_export, tmp_path, capsys):
    """The declared analyses (``--analyses``) are made when the report is assembled: their file's bytes are in
    the whole build's key, not in a theme's."""
    analyses = tmp_path / "analyses.yaml"
    analyses.write_text("analyses:\n  - item: role\n    by: age_band\n    title: {en: A, nl: B}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert build(data=small_export, out=out, only=FIVE, analyses=analyses) == 0
    stand_in.clear()
    assert build(data=small_export, out=out, only=FIVE, analyses=analyses) == 0
    assert stand_in == [] and "nothing changed" in capsys.readouterr().out
    analyses.write_text(analyses.read_text(encoding="utf-8").replace("title: {en: A", "title: {en: C"),
                        encoding="utf-8")
    assert build(data=small_export, out=out, only=FIVE, analyses=analyses) == 0
    output = capsys.readouterr().out
    assert stand_in == [] and "nothing changed" not in output and "reused 5 of 5 themes" in output
