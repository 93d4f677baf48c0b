"""The theme registry: the codebook's `themes:` list is the one declaration of the report's themes;
build, notebooks, conclusion and benchmarks take order, numbers, modules and notebooks from it.

Reference: issue 8 item 2 (the theme list was declared four times: codebook, build.py, notebook.py,
themes/conclusion.py).
"""
from __future__ import annotations

import dataclasses
import importlib

import pytest

from analysis.pipeline import build as build_module
from analysis.pipeline import notebook
from analysis.survey.codebook import load_codebook
from analysis.core.paths import NOTEBOOKS_DIR
from analysis.themes.registry import THEME_KEYS, THEMES, read_themes, theme
from analysis.report import facts as facts_schema
from analysis.report.text import catalogue


def test_registry_follows_the_codebook_theme_list():
    codebook = load_codebook()
    assert THEME_KEYS == tuple(codebook.theme_ids)
    assert [t.number for t in THEMES] == list(range(1, len(codebook.theme_ids) + 1))
    for entry in THEMES:
        assert entry.title("en") == codebook.theme_label(entry.key, "en")
        assert entry.title("nl") == codebook.theme_label(entry.key, "nl")


def test_every_theme_has_its_module_notebook_and_question():
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")) == [t.notebook.name for t in THEMES]
    for entry in THEMES:
        module = importlib.import_module(entry.module)
        assert module.THEME == entry.key and callable(module.analyse)
        assert entry.notebook.name == f"{entry.number:02d}_{entry.key}.ipynb" and entry.notebook.is_file()
        assert entry.question_key in catalogue(), entry.question_key


def test_the_facts_schema_is_the_registry_themes_each_declared_in_its_module():
    assert set(facts_schema.SCHEMA) == set(THEME_KEYS)
    for entry in THEMES:
        assert facts_schema.SCHEMA[entry.key].__module__ == entry.module


def test_the_conclusion_reads_every_other_theme():
    assert theme("conclusion").reads_facts_of == tuple(k for k in THEME_KEYS if k != "conclusion")
    assert all(not t.reads_facts_of for t in THEMES if t.key != "conclusion")


def test_build_and_notebook_take_the_list_from_the_registry():
    assert build_module.NOTEBOOKS == {t.key: t.notebook for t in THEMES}
    assert notebook.THEME_NUMBERS == {t.key: t.number for t in THEMES}


def test_a_theme_cannot_read_a_later_theme():
    codebook = load_codebook()
    with pytest.raises(ValueError, match="reads only themes listed before it"):
        read_themes(codebook, {"participants": {"reads_facts_of": ["barriers"]}})


def test_a_new_theme_in_the_codebook_gets_the_next_number_and_its_own_names():
    codebook = load_codebook()
    themes = codebook.themes + (("outlook", {"en": "Outlook", "nl": "Vooruitblik"}),)
    attrs = {"outlook": {"messages": "x", "reads_facts_of": "earlier"}}
    added = read_themes(dataclasses.replace(codebook, themes=themes), attrs)[-1]
    assert (added.number, added.module, added.notebook.name, added.question_key) == \
        (7, "analysis.themes.outlook", "07_outlook.ipynb", "x_question")
    assert added.reads_facts_of == THEME_KEYS


def test_unknown_theme_and_missing_fact_sources_are_refused_before_any_notebook(monkeypatch, capsys):
    def no_notebook(*args, **kwargs):
        pytest.fail("a notebook was executed")
    monkeypatch.setattr(build_module, "execute", no_notebook)
    assert build_module.build(only=["conclusion", "participants"]) == 2
    missing = [k for k in theme("conclusion").reads_facts_of if k != "participants"]
    assert f"missing: {', '.join(missing)}" in capsys.readouterr().err
    assert build_module.build(only=["outlook"]) == 2
    assert "unknown theme(s) ['outlook']" in capsys.readouterr().err
