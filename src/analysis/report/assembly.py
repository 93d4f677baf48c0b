"""Assemble one self-contained HTML report from the executed theme notebooks.

nbconvert renders each executed notebook with its ``basic`` template (body only: no require.js,
MathJax or mermaid from a CDN), with code, prompts and markdown source cells left out; figures are
already embedded as data URIs. This module wraps the six fragments in one page with a synthetic
data banner, a table of contents, a methods appendix and the questionnaire of the reported wave as
an appendix, all text from the message catalogue.

The page is written for WCAG 2.1 AA (checked in a browser by ``make a11y``): the page language is
set per build, there is one ``h1`` (the report title; a notebook's chapter heading moves down one
level inside the report), headings go down one level at a time, tables carry a caption and header
cells with scope, figures carry a text alternative, and the colours meet AA contrast. The same page
prints: :func:`write_pdf` renders it with a print stylesheet (page numbers, one chapter per page
run, figures never split, the synthetic-data marker on every page).
"""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter

from analysis.core.files import fixed_source_date
from analysis.report.text import fmt_number, message
from analysis.survey.codebook import load_codebook
from analysis.survey.questionnaire import QUESTION_STYLE, build_questionnaire, questions_html

_HEADING = re.compile(r"<h([23])([^>]*)>(.*?)</h\1>", re.S)
_ANY_HEADING_TAG = re.compile(r"<(/?)h([1-5])\b")
_CELL_ID = re.compile(r' id="cell-id=[^"]*"')  # notebook cell ids repeat across notebooks
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 0; color: #1a1a1a; background: #ffffff; \
line-height: 1.5; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 2rem 4rem; }
a { color: #0b5394; } a:visited { color: #5b2a86; }
a:focus-visible { outline: 3px solid #b35806; outline-offset: 2px; }
.skip-link { position: absolute; left: -999rem; top: 0; background: #ffffff; padding: .5rem 1rem; }
.skip-link:focus { left: 1rem; z-index: 10; }
header.report { background: #12355b; color: #ffffff; padding: 1.5rem 2rem; }
header.report h1 { margin: 0; font-size: 1.6rem; color: #ffffff; }
header.report p { margin: .3rem 0 0; }
.synthetic-banner { background: #fde0dd; border: 2px solid #b2182b; color: #67000d; padding: .8rem 1rem;
                    margin: 1rem 0; border-radius: 4px; }
nav.toc { background: #f4f6f8; border: 1px solid #d0d7de; padding: .8rem 1.5rem; margin: 1rem 0; }
nav.toc h2 { margin: 0; font-size: 1rem; color: #1a1a1a; }
nav.toc ol { margin: .2rem 0; padding-left: 1.2rem; list-style: none; } nav.toc ol ol { font-size: .92em; }
section.theme { border-top: 3px solid #12355b; margin-top: 2.5rem; }
h2 { font-size: 1.5rem; color: #12355b; } h3 { font-size: 1.15rem; color: #12355b; margin-top: 1.8rem; }
table.survey-table { border-collapse: collapse; font-size: .85rem; margin: 1rem 0; }
table.survey-table caption { caption-side: top; text-align: left; font-size: .85rem; color: #444444; \
margin-bottom: .3rem; }
table.survey-table th, table.survey-table td { border-bottom: 1px solid #d0d7de; padding: .25rem .6rem; \
text-align: left;
                                               vertical-align: top; }
table.survey-table thead th { background: #eef2f6; }
table.survey-table tbody th { font-weight: normal; }
td.suppressed { color: #b2182b; font-weight: bold; }
td.suppressed abbr { text-decoration: underline dotted; cursor: help; }
figure.survey-figure { margin: 1rem 0; }
figure.survey-figure figcaption { font-size: .85rem; color: #444444; }
img { max-width: 100%; height: auto; }
blockquote { border-left: 3px solid #4a7fb0; margin: .4rem 0; padding: .1rem .8rem; color: #333333; \
background: #f7fbff; }
section.methods, section.questionnaire { border-top: 3px solid #12355b; margin-top: 2.5rem; font-size: .95rem; }
.jp-OutputPrompt, .jp-InputPrompt, .prompt { display: none; }
"""

#: Print stylesheet (the PDF, and a browser's print): A4 pages numbered "page / pages", each
#: chapter from a new page, no figure or table row split across pages, headings kept with what
#: follows. The synthetic-data marker goes into every page's top margin (see :func:`print_css`).
PRINT_CSS = """
@page { size: A4; margin: 22mm 16mm 20mm 16mm; font-family: "DejaVu Sans", Arial, sans-serif;
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #444444; }
        @bottom-left { content: string(report-title); font-size: 8pt; color: #444444; } }
@page :first { @bottom-left { content: none; } }
body { font-size: 10pt; }
main { max-width: none; padding: 0; }
header.report { padding: 1rem 1.2rem; }
header.report h1 { string-set: report-title content(text); }
.skip-link { display: none; }
section.theme, section.methods, section.questionnaire { break-before: page; border-top: none; margin-top: 0; }
h2, h3 { break-after: avoid; }
figure.survey-figure, img { break-inside: avoid; }
figure.survey-figure img { max-height: 230mm; }
table.survey-table { break-inside: auto; }
table.survey-table thead { display: table-header-group; }
table.survey-table tr, table.survey-table caption { break-inside: avoid; }
table.survey-table caption { break-after: avoid; }
nav.toc a::after { content: leader(".") target-counter(attr(href), page); }
nav.toc a { text-decoration: none; color: #1a1a1a; }
blockquote { break-inside: avoid; }
"""


def _css_string(text: str) -> str:
    """A CSS string literal (for generated content)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def print_css(lang: str, synthetic: bool) -> str:
    """The print stylesheet of one build: page numbers, breaks and, for synthetic data, the marker
    on every page."""
    css = PRINT_CSS
    if synthetic:
        css += ("@page { @top-center { content: " + _css_string(message("synthetic_marker", lang)) +
                "; font-size: 9pt; font-weight: bold; color: #67000d; background: #fde0dd;"
                " border: 1.5pt solid #b2182b; padding: 1mm 4mm; } }\n")
    return css

def render_notebook(path: Path) -> str:
    """Body HTML of one executed notebook: outputs only, figures embedded, no cell ids (unique
    only within a notebook)."""
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, exclude_markdown=True, exclude_raw=True)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = [c for c in notebook.cells
                      if not {"parameters", "injected-parameters"} & set(c.get("metadata", {}).get("tags", []))]
    body, _ = exporter.from_notebook_node(notebook)
    return _CELL_ID.sub("", body)


def _slug(text: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    slug, i = base, 2
    while slug in used:
        slug, i = f"{base}-{i}", i + 1
    used.add(slug)
    return slug


def demote_headings(fragment: str) -> str:
    """A notebook's headings one level down (its ``h1`` chapter title becomes the report's ``h2``),
    and without nbconvert's hidden anchor links."""
    fragment = _ANCHOR_LINK.sub("", fragment)
    return _ANY_HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", fragment)


def _with_ids(fragment: str, used: set[str], toc: list[tuple[int, str, str]]) -> str:
    """Give every h2/h3 (chapter, section) a unique id and collect it for the table of contents."""
    def replace(match: re.Match) -> str:
        level, text = int(match.group(1)) - 1, match.group(3)
        plain = html.unescape(_TAG.sub("", text)).replace("¶", "").strip()
        slug = _slug(plain, used)
        toc.append((level, slug, plain))
        return f'<h{level + 1} id="{slug}">{text}</h{level + 1}>'
    return _HEADING.sub(replace, fragment)


def methods_appendix(lang: str, context: dict[str, Any]) -> str:
    """The methods appendix: provenance, intervals, tests, small-cell rule, caveats."""
    lines = [f"<h2>{html.escape(message('m_heading', lang))}</h2>"]
    for key in ("m_provenance", "m_intervals", "m_ratings", "m_tests", "m_models", "m_small_cells", "m_checking",
                "m_quotes", "m_coding", "m_selection", "m_synthetic" if context["synthetic"] else "m_real"):
        lines.append(f"<h3>{html.escape(message(key + '_h', lang))}</h3>")
        text = message(key, lang, **context)
        if key == "m_provenance" and context.get("empty_responses"):
            text += " " + message("m_empty_responses", lang, **context)
        lines.append(f"<p>{html.escape(text)}</p>")
    return "\n".join(lines)


def questionnaire_appendix(lang: str, context: dict[str, Any]) -> str:
    """The questionnaire appendix: the questions of the reported wave (``context["wave"]``) as the survey
    generated from the codebook asks them, numbered, with their answers, in the report's language."""
    questionnaire = build_questionnaire(load_codebook(wave=context["wave"]))
    return "\n".join([f"<h2>{html.escape(message('q_heading', lang))}</h2>",
                      f"<p>{html.escape(message('q_intro', lang, **context))}</p>",
                      questions_html(questionnaire, lang, level=3)])


def _toc_items(toc: list[tuple[int, str, str]]) -> str:
    """The table of contents: chapters with their sections nested."""
    items, open_sub = [], False
    for level, slug, text in toc:
        if level == 1:
            if open_sub:
                items.append("</ol></li>")
            items.append(f'<li><a href="#{slug}">{html.escape(text)}</a><ol>')
            open_sub = True
        else:
            items.append(f'<li><a href="#{slug}">{html.escape(text)}</a></li>')
    return "".join(items) + ("</ol></li>" if open_sub else "")


def assemble(notebooks: list[Path], lang: str, context: dict[str, Any],
             rendered: dict[Path, str] | None = None) -> str:
    """The full report page (str) from executed notebooks in order (`rendered`: notebooks already
    passed through :func:`render_notebook`, e.g. while other notebooks still ran)."""
    used: set[str] = set()
    toc: list[tuple[int, str, str]] = []
    sections = []
    rendered = rendered or {}
    for path in notebooks:
        start = len(toc)
        body = rendered[path] if path in rendered else render_notebook(path)
        fragment = _with_ids(demote_headings(body), used, toc)
        label = f' aria-labelledby="{toc[start][1]}"' if len(toc) > start else ""
        sections.append(f'<section class="theme"{label}>{fragment}</section>')
    for kind, appendix in (("methods", methods_appendix), ("questionnaire", questionnaire_appendix)):
        start = len(toc)
        fragment = _with_ids(appendix(lang, context), used, toc)
        sections.append(f'<section class="{kind}" aria-labelledby="{toc[start][1]}">{fragment}</section>')
    banner = ""
    if context["synthetic"]:
        banner = (f'<div class="synthetic-banner" role="note">'
                  f'<strong>{html.escape(message("synthetic_marker", lang))}</strong> '
                  f'{html.escape(message("synthetic_banner", lang))}</div>')
    title = html.escape(message("report_title", lang))
    subtitle = html.escape(message("report_subtitle", lang, n=fmt_number(context["n"], lang), source=context["source"]))
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{CSS}{QUESTION_STYLE}</style>
<style media="print">{print_css(lang, context["synthetic"])}</style>
</head>
<body>
<a class="skip-link" href="#content">{html.escape(message("skip_to_content", lang))}</a>
<header class="report"><h1>{title}</h1><p>{subtitle}</p></header>
<main id="content" tabindex="-1">
{banner}
<nav class="toc" aria-labelledby="toc-heading">\
<h2 id="toc-heading">{html.escape(message("toc", lang))}</h2><ol>{_toc_items(toc)}</ol></nav>
{"".join(sections)}
</main>
</body>
</html>
"""


def write_pdf(html_path: Path, pdf_path: Path) -> Path:
    """``report.pdf`` from ``report.html``: the same page, laid out with its print stylesheet.

    WeasyPrint renders it (pure Python from PyPI over the system's Pango; no browser, nothing
    fetched: the page is self-contained). The PDF is tagged (PDF/UA-1: structure, language, title
    and the figures' alt texts travel with it), and carries no creation date, so the same page
    gives the same bytes (its fonts stamped with a fixed date too).
    """
    from weasyprint import HTML

    pdf_path = Path(pdf_path)
    with fixed_source_date():
        HTML(filename=str(html_path), base_url=str(Path(html_path).parent)).write_pdf(
            pdf_path, pdf_variant="pdf/ua-1", pdf_identifier=b"politie20-survey-report")
    return pdf_path
