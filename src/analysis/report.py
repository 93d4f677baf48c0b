"""Assemble one self-contained HTML report from the executed theme notebooks.

nbconvert renders each executed notebook with its ``basic`` template (body only: no require.js,
MathJax or mermaid from a CDN), with code, prompts and markdown source cells left out; figures are
already embedded as data URIs. This module wraps the six fragments in one page with a synthetic
data banner, a table of contents and a methods appendix, all text from the message catalogue.
"""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter

from .text import fmt_number, message

_HEADING = re.compile(r"<h([12])([^>]*)>(.*?)</h\1>", re.S)
_TAG = re.compile(r"<[^>]+>")

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 0; color: #1a1a1a; line-height: 1.5; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 2rem 4rem; }
header.report { background: #12355b; color: white; padding: 1.5rem 2rem; }
header.report h1 { margin: 0; font-size: 1.6rem; color: white; }
header.report p { margin: .3rem 0 0; opacity: .9; }
.synthetic-banner { background: #fde0dd; border: 2px solid #b2182b; color: #67000d; padding: .8rem 1rem;
                    margin: 1rem 0; border-radius: 4px; }
nav.toc { background: #f4f6f8; border: 1px solid #d0d7de; padding: .8rem 1.5rem; margin: 1rem 0; }
nav.toc ol { margin: .2rem 0; } nav.toc ol ol { font-size: .92em; }
section.theme { border-top: 3px solid #12355b; margin-top: 2.5rem; }
h1 { font-size: 1.5rem; color: #12355b; } h2 { font-size: 1.15rem; color: #12355b; margin-top: 1.8rem; }
a.anchor-link { display: none; }
figure.survey-table { margin: 1rem 0; overflow-x: auto; }
figure.survey-table figcaption { font-size: .85rem; color: #444; margin-bottom: .3rem; }
table.survey-table { border-collapse: collapse; font-size: .85rem; }
table.survey-table th, table.survey-table td { border-bottom: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left; }
table.survey-table th { background: #eef2f6; }
td.suppressed { color: #b2182b; font-weight: bold; }
img { max-width: 100%; height: auto; }
blockquote { border-left: 3px solid #9ecae1; margin: .4rem 0; padding: .1rem .8rem; color: #333; background: #f7fbff; }
section.methods { border-top: 3px solid #12355b; margin-top: 2.5rem; font-size: .95rem; }
.jp-OutputPrompt, .jp-InputPrompt, .prompt { display: none; }
"""


def render_notebook(path: Path) -> str:
    """Body HTML of one executed notebook: outputs only, figures embedded."""
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, exclude_markdown=True, exclude_raw=True)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = [c for c in notebook.cells
                      if not {"parameters", "injected-parameters"} & set(c.get("metadata", {}).get("tags", []))]
    body, _ = exporter.from_notebook_node(notebook)
    return body


def _slug(text: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    slug, i = base, 2
    while slug in used:
        slug, i = f"{base}-{i}", i + 1
    used.add(slug)
    return slug


def _with_ids(fragment: str, used: set[str], toc: list[tuple[int, str, str]]) -> str:
    """Give every h1/h2 a unique id and collect it for the table of contents."""
    def replace(match: re.Match) -> str:
        level, text = int(match.group(1)), match.group(3)
        plain = html.unescape(_TAG.sub("", text)).replace("¶", "").strip()
        slug = _slug(plain, used)
        toc.append((level, slug, plain))
        return f'<h{level} id="{slug}">{text}</h{level}>'
    return _HEADING.sub(replace, fragment)


def methods_appendix(lang: str, context: dict[str, Any]) -> str:
    """The methods appendix: provenance, intervals, tests, small-cell rule, caveats."""
    lines = [f"<h1>{html.escape(message('m_heading', lang))}</h1>"]
    for key in ("m_provenance", "m_intervals", "m_ratings", "m_tests", "m_models", "m_small_cells", "m_quotes", "m_coding",
                "m_selection", "m_synthetic" if context["synthetic"] else "m_real"):
        lines.append(f"<h2>{html.escape(message(key + '_h', lang))}</h2>")
        lines.append(f"<p>{html.escape(message(key, lang, **context))}</p>")
    return "\n".join(lines)


def assemble(notebooks: list[Path], lang: str, context: dict[str, Any]) -> str:
    """The full report page (str) from executed notebooks in order."""
    used: set[str] = set()
    toc: list[tuple[int, str, str]] = []
    sections = []
    for path in notebooks:
        fragment = _with_ids(render_notebook(path), used, toc)
        sections.append(f'<section class="theme">{fragment}</section>')
    appendix = _with_ids(methods_appendix(lang, context), used, toc)
    items, open_sub = [], False
    for level, slug, text in toc:
        if level == 1:
            if open_sub:
                items.append("</ol></li>")
                open_sub = False
            items.append(f'<li><a href="#{slug}">{html.escape(text)}</a>')
            items.append("<ol>")
            open_sub = True
        else:
            items.append(f'<li><a href="#{slug}">{html.escape(text)}</a></li>')
    if open_sub:
        items.append("</ol></li>")
    banner = ""
    if context["synthetic"]:
        banner = (f'<div class="synthetic-banner" role="note"><strong>{html.escape(message("synthetic_marker", lang))}</strong> '
                  f'{html.escape(message("synthetic_banner", lang))}</div>')
    title = html.escape(message("report_title", lang))
    subtitle = html.escape(message("report_subtitle", lang, n=fmt_number(context["n"], lang), source=context["source"]))
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{CSS}</style>
</head>
<body>
<header class="report"><h1>{title}</h1><p>{subtitle}</p></header>
<main>
{banner}
<nav class="toc"><strong>{html.escape(message("toc", lang))}</strong><ol>{"".join(items)}</ol></nav>
{"".join(sections)}
<section class="methods">{appendix}</section>
</main>
</body>
</html>
"""
