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
from .disclosure import SUPPRESSED
from .parameters import BuildParameters, load_survey
from .paths import NOTEBOOK_OUTPUT_DIR
from .registry import THEMES, theme as registered_theme
from .themes.base import Block, Context, ThemeResult

__all__ = ["BuildParameters", "ThemeNotebook", "table_html"]

THEME_NUMBERS = {t.key: t.number for t in THEMES}


def table_html(frame: pd.DataFrame, caption: str) -> str:
    """A reader's table: escaped cells, suppressed cells marked, caption on top."""
    body = frame.to_html(index=False, escape=True, na_rep="–", border=0, classes="survey-table")
    body = body.replace(f"<td>{SUPPRESSED}</td>", f'<td class="suppressed">{SUPPRESSED}</td>')
    return f'<figure class="survey-table"><figcaption>{html.escape(caption)}</figcaption>{body}</figure>'


class ThemeNotebook:
    """One theme chapter: parameters in, displayed chapter and written files out."""

    def __init__(self, theme: str, params: BuildParameters | None = None):
        self.theme = theme
        self.registered = registered_theme(theme)
        self.params = params or BuildParameters()
        self.data_path = self.params.data
        self.output_dir = Path(self.params.output_dir) if self.params.output_dir else NOTEBOOK_OUTPUT_DIR
        self.survey, self.load_log = load_survey(self.params)  # the build's loader: same checks, same frame
        self.ctx = Context(lang=self.params.lang, min_cell=int(self.params.min_cell), level=float(self.params.level),
                           weights=self.params.weights, synthetic=bool(self.survey.attrs.get("synthetic")),
                           codebook=load_codebook())
        self.result: ThemeResult | None = None

    def run(self) -> None:
        """Compute the theme, write its files under output_dir/<theme>/, and show its opening."""
        module = importlib.import_module(self.registered.module)
        if self.registered.reads_facts_of:
            facts = module.read_theme_facts(self.output_dir)
            self.result = module.analyse(self.survey, self.ctx, facts)
        else:
            self.result = module.analyse(self.survey, self.ctx)
        self.result.save(self.output_dir)
        display(Markdown(f"# {self.registered.number}. {self.result.title}"))
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

