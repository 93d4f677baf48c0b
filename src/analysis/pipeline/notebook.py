"""What a theme notebook calls: load the survey, run the theme, show its sections.

A notebook holds parameters and calls; every sentence, table and figure comes from here and
from :mod:`analysis.themes`. Paths default to the project root, so a notebook opened in JupyterLab
runs top to bottom with no parameter changed.
"""
from __future__ import annotations

import base64
import html
import importlib
from pathlib import Path

from IPython.display import HTML, Markdown, display

from analysis.survey.codebook import load_codebook
from analysis.coding import Coding
from analysis.pipeline import validated
from analysis.pipeline.parameters import BuildParameters, load_comparison, load_survey
from analysis.core.paths import NOTEBOOK_OUTPUT_DIR
from analysis.themes.registry import THEMES, read_facts_of, theme as registered_theme
from analysis.protection.quotes import read_approved_quotes
from analysis.report.tables import table_html
from analysis.themes.base import Context
from analysis.themes.result import Block, ThemeResult
from analysis.themes.earlier_wave import comparison

__all__ = ["BuildParameters", "ThemeNotebook"]

THEME_NUMBERS = {t.key: t.number for t in THEMES}


def figure_html(png: Path, alt: str, caption: str, table_id: str | None = None, table_link: str | None = None) -> str:
    """A figure as the report shows it: the PNG inline with its text alternative, a caption, and a
    link to the table with the same values."""
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    link = f' <a href="#{html.escape(table_id)}">{html.escape(table_link)}</a>' if table_id and table_link else ""
    return (f'<figure class="survey-figure"><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
            f'<figcaption>{html.escape(caption)}{link}</figcaption></figure>')


def _table_of(figure: Block, blocks: list[Block]) -> Block | None:
    """The table block of a section that shows a figure's values (``x_figure`` -> ``x``,
    ``x_distribution`` -> ``x_summary``)."""
    wanted = {figure.name.removesuffix("_figure"), figure.name.removesuffix("_distribution") + "_summary"}
    return next((b for b in blocks if b is not figure and b.name in wanted and b.table is not None), None)


class ThemeNotebook:
    """One theme chapter: parameters in, displayed chapter and written files out."""

    def __init__(self, theme: str, params: BuildParameters | None = None):
        self.theme = theme
        self.registered = registered_theme(theme)
        self.params = params or BuildParameters()
        self.data_path = self.params.data
        self.output_dir = Path(self.params.output_dir) if self.params.output_dir else NOTEBOOK_OUTPUT_DIR
        loaded = validated.read(self.params)  # run by the build: the frame it validated
        if loaded is None:  # opened alone: the build's loader, same checks, same frame
            self.survey, self.load_log = load_survey(self.params)
            earlier = load_comparison(self.params)  # the earlier wave (--compare), or None
        else:
            (self.survey, self.load_log), earlier = loaded["survey"], loaded["earlier"]
        wave = self.survey.attrs.get("wave")
        self.ctx = Context(lang=self.params.lang, rules=self.params.publication_rules(),
                           level=float(self.params.level),
                           weights=self.params.weights, synthetic=bool(self.survey.attrs.get("synthetic")),
                           codebook=load_codebook().for_wave(wave) if wave else load_codebook(),
                           compare=None if earlier is None else comparison(earlier[0], self.survey,
                                                                           self.params.compare_label),
                           approved_quotes=read_approved_quotes(self.params.quotes_approved),
                           coding=Coding.load(self.params.coding, self.survey) if self.params.coding else None)
        self.result: ThemeResult | None = None

    def run(self) -> None:
        """Compute the theme, write its files under output_dir/<theme>/, and show its opening."""
        module = importlib.import_module(self.registered.module)
        self.ctx.facts_of = read_facts_of(self.theme, self.output_dir)
        self.result = module.analyse(self.survey, self.ctx)
        self.result.save(self.output_dir, self.ctx)
        display(Markdown(f"# {self.registered.number}. {self.result.title}"))
        if self.ctx.synthetic:
            marker = html.escape(self.ctx.t("synthetic_marker"))
            display(HTML(f'<div class="synthetic-banner"><strong>{marker}</strong> '
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
            self._show_block(block, section.blocks)

    def _table_id(self, block: Block) -> str:
        return f"table-{self.theme}-{block.name}"

    def _show_block(self, block: Block, siblings: list[Block] | None = None) -> None:
        if block.figure is not None:
            png = next(p for p in block.files if p.suffix == ".png")
            table = _table_of(block, siblings or [])
            display(HTML(figure_html(png, block.alt or block.caption, block.caption,
                                     self._table_id(table) if table is not None else None,
                                     self.ctx.t("show_as_table"))))
            return
        frame = block.display
        if frame is None and block.table is not None:
            frame = block.table.marked()
        if frame is not None:
            display(HTML(table_html(frame, block.caption, self._table_id(block),
                                    self.ctx.t("suppressed_title", k=self.ctx.k))))

    def summary(self) -> None:
        """The chapter's closing summary, built from computed values; with an earlier wave
        (``--compare``) the chapter's "Change since ..." part comes first."""
        if any(s.key == "change" for s in self.result.sections):
            self.show("change")
        display(Markdown(f"## {self.ctx.t('h_summary')}"))
        display(Markdown("\n".join(f"- {line}" for line in self.result.summary)))

