"""Themes are plug-ins: a seventh theme is added by touching only the files README "Adding a theme"
lists (the codebook, the theme module, the messages and the notebook; synth.py only for new
items), in a copy of the project, and the build makes its chapter.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from analysis.core.paths import PROJECT_ROOT

TOY = "toy"

TOY_MODULE = '''"""Theme 7, toy: a plug-in theme added by a test."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.report import facts as facts_schema
from analysis.themes.base import Context
from analysis.themes.result import Section, ThemeResult

THEME = "toy"


@facts_schema.declare(THEME)
@dataclass
class ToyFacts:
    n_respondents: int


def analyse(frame: pd.DataFrame, ctx: Context) -> ThemeResult:
    """How many answered."""
    sentence = ctx.t("t_respondents", n=ctx.num(len(frame)))
    return ThemeResult(THEME, ctx.codebook.theme_label(THEME, ctx.lang), ctx.t("t_question"),
                       [Section("respondents", ctx.t("t_h_respondents"), [sentence])], [sentence],
                       {"n_respondents": len(frame)})
'''

TOY_MESSAGES = '''t_question: {en: "How many took part?", nl: "Hoeveel deden mee?"}
t_h_respondents: {en: "Respondents", nl: "Respondenten"}
t_respondents: {en: "{n} respondents answered.", nl: "{n} respondenten antwoordden."}
'''


def _readme_files() -> list[str]:
    """The files README "Adding a theme" lists (its numbered list)."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Adding a theme", 1)[1].split("\n## ", 1)[0]
    return [re.search(r"`([^`]+)`", line).group(1) for line in section.splitlines() if re.match(r"\d+\. `", line)]


def _add_toy_theme(root: Path) -> set[str]:
    """Add the toy theme to the project copy at `root`; the files touched, relative to `root`."""
    codebook = root / "data" / "codebook.yaml"
    text = codebook.read_text(encoding="utf-8")
    entry = "    reads_facts_of: earlier   # the synthesis and the 2011 claims read the facts of every theme above\n"
    assert entry in text
    codebook.write_text(text.replace(entry, entry + "  - id: toy\n    nl: Speelgoed\n    en: Toy chapter\n"),
                        encoding="utf-8")
    (root / "src" / "analysis" / "themes" / "toy.py").write_text(TOY_MODULE, encoding="utf-8")
    messages = root / "src" / "analysis" / "core" / "messages.yaml"
    messages.write_text(messages.read_text(encoding="utf-8") + TOY_MESSAGES, encoding="utf-8")
    notebook = nbformat.read(root / "notebooks" / "01_participants.ipynb", as_version=4)
    cells = [c for c in notebook.cells if "chapter.show(" not in c.source]
    for cell in cells:
        cell.source = cell.source.replace('"participants"', f'"{TOY}"')
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    run = next(i for i, c in enumerate(cells) if "chapter.run()" in c.source)
    cells.insert(run + 1, nbformat.v4.new_code_cell('chapter.show("respondents")'))
    notebook.cells = cells
    nbformat.write(notebook, root / "notebooks" / "07_toy.ipynb")
    return {"data/codebook.yaml", "src/analysis/themes/toy.py", "src/analysis/core/messages.yaml",
            "notebooks/07_toy.ipynb"}


def test_a_seventh_theme_touches_only_the_readme_files_and_builds(tmp_path):
    root = tmp_path / "project"
    for folder in ("src", "data", "notebooks"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
    touched = _add_toy_theme(root)
    listed = [f.replace("<id>", TOY).replace("NN_", "07_") for f in _readme_files()]
    assert len(listed) <= 5 and touched <= set(listed), (touched, listed)

    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(root / "src"), MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, "-m", "analysis", "build", "--only", TOY, "--out", str(out)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (out / TOY / "facts.json").is_file()
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Toy chapter" in report and "respondents answered" in report
