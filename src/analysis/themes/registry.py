"""The report's themes, declared once: order, number, module, notebook and what each reads.

The list comes from the codebook's ``themes:`` (the single source of truth); everything else is
derived from a theme's id, so the build, the notebooks, the conclusion, the tests and the
benchmarks all import the same list from here:

- number: position in the codebook list, from 1 (the chapter number and the notebook prefix);
- module: ``analysis.themes.<id>`` (its ``analyse`` computes the chapter);
- notebook: ``notebooks/NN_<id>.ipynb``;
- messages: prefix of the theme's keys in ``messages.yaml`` (``<prefix>_question`` ...), the id's
  first letter unless the codebook entry sets ``messages``;
- reads_facts_of: themes whose ``facts.json`` the theme reads (codebook ``reads_facts_of``:
  ``earlier`` for every theme above it, or a list of ids); such a theme is built after them, and
  its ``analyse`` finds their typed facts in ``ctx.facts_of``.

Every theme module declares the dataclass of its facts (:func:`analysis.report.facts.declare`); loading
the registry imports every theme module, so the facts schema is the registry's themes. Every theme
module has one entry point, ``analyse(frame, ctx) -> ThemeResult``:
:func:`analyse_all` runs them all in report order (calibration, the earlier wave's verdicts),
:func:`read_facts_of` gives a notebook the facts its theme reads.
"""
from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.core.errors import Problem, SurveyDataError
from analysis.core.paths import NOTEBOOKS_DIR
from analysis.core.yamlfile import safe_load
from analysis.report import facts as facts_schema
from analysis.survey.codebook import LANGUAGES, Codebook, load_codebook


@dataclass(frozen=True)
class Theme:
    """One theme of the report (a chapter, a module and a notebook)."""

    key: str
    number: int
    titles: dict[str, str]
    messages: str
    reads_facts_of: tuple[str, ...] = ()

    @property
    def module(self) -> str:
        """Import path of the module whose ``analyse`` computes this chapter."""
        return f"analysis.themes.{self.key}"

    @property
    def notebook(self) -> Path:
        """The stored notebook of this theme."""
        return NOTEBOOKS_DIR / f"{self.number:02d}_{self.key}.ipynb"

    @property
    def question_key(self) -> str:
        """Message key of the question the chapter opens with."""
        return f"{self.messages}_question"

    def title(self, lang: str = "en") -> str:
        """The chapter title in `lang` (the codebook's theme label)."""
        return self.titles[lang]


@lru_cache(maxsize=8)
def _theme_attributes(path: Path) -> dict[str, dict[str, Any]]:
    """Theme id -> the attributes of its codebook entry beyond id and labels (``messages``,
    ``reads_facts_of``); :class:`~analysis.survey.codebook.Codebook` keeps only ids and labels."""
    with open(path, encoding="utf-8") as fh:
        raw = safe_load(fh)
    return {t["id"]: {k: v for k, v in t.items() if k != "id" and k not in LANGUAGES} for t in raw["themes"]}


def read_themes(codebook: Codebook | None = None,
                attributes: dict[str, dict[str, Any]] | None = None) -> tuple[Theme, ...]:
    """The themes of `codebook` (the bundled one by default), in report order.

    `attributes` (theme id -> ``messages``/``reads_facts_of``) default to those in the codebook file.
    """
    codebook = codebook or load_codebook()
    if attributes is None:
        attributes = _theme_attributes(Path(codebook.path))
    ids = codebook.theme_ids
    themes = []
    for number, (key, titles) in enumerate(codebook.themes, start=1):
        attrs = attributes.get(key, {})
        reads = attrs.get("reads_facts_of") or ()
        if reads == "earlier":
            reads = ids[:number - 1]
        elif isinstance(reads, str):
            reads = [reads]
        unknown = [t for t in reads if t not in ids[:number - 1]]
        if unknown:
            raise ValueError(f"theme {key!r} in {codebook.path} reads facts of {unknown}: "
                             f"a theme reads only themes listed before it ({ids[:number - 1]})")
        themes.append(Theme(key=key, number=number, titles=dict(titles), messages=str(attrs.get("messages", key[0])),
                            reads_facts_of=tuple(reads)))
    return tuple(themes)


#: The bundled codebook's themes, in report order.
THEMES: tuple[Theme, ...] = read_themes()
#: Theme ids in report order.
THEME_KEYS: tuple[str, ...] = tuple(t.key for t in THEMES)


def theme(key: str) -> Theme:
    """The theme with id `key` (KeyError naming the themes otherwise)."""
    for candidate in THEMES:
        if candidate.key == key:
            return candidate
    raise KeyError(f"{key!r} is not a theme; themes are {list(THEME_KEYS)}")


def read_facts_of(key: str, output_dir: str | Path) -> dict[str, Any]:
    """The typed facts of the themes theme `key` reads, from their ``facts.json`` under `output_dir`
    (their notebooks must have run first)."""
    facts = {}
    missing = []
    for other in theme(key).reads_facts_of:
        path = Path(output_dir) / other / "facts.json"
        if not path.exists():
            missing.append(Problem(str(path), f"facts file not found; run the notebook of the {other} theme first",
                                   expected=f"{other}/facts.json in the output directory"))
            continue
        facts[other] = facts_schema.read(other, path)
    if missing:
        raise SurveyDataError(missing)
    return facts


def analyse_all(frame: Any, ctx: Any) -> dict[str, Any]:
    """Every theme's result on `frame`, by theme id, computed in report order, each theme given the facts
    of the themes it reads. For the numbers and sentences: figures drawn are closed after each theme."""
    import matplotlib.pyplot as plt

    results: dict[str, Any] = {}
    for registered in THEMES:
        theme_ctx = dataclasses.replace(ctx, facts_of={k: results[k].facts for k in registered.reads_facts_of})
        results[registered.key] = importlib.import_module(registered.module).analyse(frame, theme_ctx)
        plt.close("all")
    return results


# Each theme module declares its facts dataclass into the facts schema when it is imported: with the
# registry loaded, the schema (analysis.report.facts.SCHEMA) holds every theme's facts.
for _registered in THEMES:
    importlib.import_module(_registered.module)
