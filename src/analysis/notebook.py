"""What a theme notebook calls: load the survey, run the theme, show its sections.

A notebook holds parameters and calls; every sentence, table and figure comes from here and
from :mod:`analysis.themes`. Paths default to the project root, so a notebook opened in JupyterLab
runs top to bottom with no parameter changed.
"""
from __future__ import annotations

import html
import importlib
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Image, Markdown, display

from .codebook import load_codebook
from .coding import Coding
from .disclosure import SUPPRESSED
from .errors import Problem, SurveyDataError
from .paths import NOTEBOOK_OUTPUT_DIR, SYNTHETIC_EXPORT
from .themes.base import Block, Context, ThemeResult
from .validation import load

THEME_NUMBERS = {"participants": 1, "opportunities": 2, "barriers": 3, "enforcement": 4, "investigation": 5,
                 "conclusion": 6}


def table_html(frame: pd.DataFrame, caption: str) -> str:
    """A reader's table: escaped cells, suppressed cells marked, caption on top."""
    body = frame.to_html(index=False, escape=True, na_rep="–", border=0, classes="survey-table")
    body = body.replace(f"<td>{SUPPRESSED}</td>", f'<td class="suppressed">{SUPPRESSED}</td>')
    return f'<figure class="survey-table"><figcaption>{html.escape(caption)}</figcaption>{body}</figure>'


class ThemeNotebook:
    """One theme chapter: parameters in, displayed chapter and written files out."""

    def __init__(self, theme: str, data_path: str | None = None, output_dir: str | None = None, lang: str = "en",
                 min_cell: int = 5, level: float = 0.95, mapping: str | None = None, weights: str | None = None,
                 coding: str | None = None):
        if lang not in ("en", "nl"):
            raise ValueError(f"lang must be 'en' or 'nl', not {lang!r}")
        self.theme = theme
        self.data_path = Path(data_path) if data_path else SYNTHETIC_EXPORT
        self.output_dir = Path(output_dir) if output_dir else NOTEBOOK_OUTPUT_DIR
        self.survey = load(self.data_path, mapping=mapping)
        if weights:
            if weights not in self.survey.columns:
                raise SurveyDataError([Problem(str(self.data_path), "the weight column is not in the export",
                                               column=weights, expected="a column of respondent weights")])
            self.survey[weights] = self.survey[weights].fillna(1.0)  # an empty weight counts as 1
        final_codes = Coding.load(coding, self.survey) if coding else None  # None: automatic first pass
        self.ctx = Context(lang=lang, min_cell=int(min_cell), level=float(level), weights=weights,
                           synthetic=bool(self.survey.attrs.get("synthetic")), codebook=load_codebook(),
                           coding=final_codes)
        self.result: ThemeResult | None = None

    def run(self) -> None:
        """Compute the theme, write its files under output_dir/<theme>/, and show its opening."""
        module = importlib.import_module(f"analysis.themes.{self.theme}")
        if self.theme == "conclusion":
            facts = module.read_theme_facts(self.output_dir)
            self.result = module.analyse(self.survey, self.ctx, facts)
        else:
            self.result = module.analyse(self.survey, self.ctx)
        self.result.save(self.output_dir)
        number = THEME_NUMBERS[self.theme]
        display(Markdown(f"# {number}. {self.result.title}"))
        if self.ctx.synthetic:
            display(HTML(f'<div class="synthetic-banner"><strong>{html.escape(self.ctx.t("synthetic_marker"))}</strong> '
                         f'{html.escape(self.ctx.t("synthetic_banner"))}</div>'))
        display(Markdown(f"**{self.ctx.t('h_question')}:** {self.result.question}"))

    def show(self, key: str) -> None:
        """Display one section: heading, sentences, figures and tables."""
        if self.result is None:
            raise RuntimeError("call run() before show()")
        section = self.result.section(key)
        display(Markdown(f"## {section.heading}"))
        for paragraph in section.paragraphs:
            display(Markdown(paragraph))
        for block in section.blocks:
            self._show_block(block)

    def _show_block(self, block: Block) -> None:
        if block.figure is not None:
            png = next(p for p in block.files if p.suffix == ".png")
            display(Image(filename=str(png)))
        elif block.display is not None:
            display(HTML(table_html(block.display, block.caption)))
        elif block.table is not None:
            display(HTML(table_html(block.table.marked(), block.caption)))

    def summary(self) -> None:
        """The chapter's closing summary, built from computed values."""
        display(Markdown(f"## {self.ctx.t('h_summary')}"))
        display(Markdown("\n".join(f"- {line}" for line in self.result.summary)))

