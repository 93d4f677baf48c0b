"""The stored theme notebooks in ``notebooks/``: what of them is generated, and their refresh.

A notebook's parameters cell, the chapter cell after it and the parameter documentation in its
first markdown cell are written from :class:`~analysis.pipeline.parameters.BuildParameters`
(:func:`sync_generated_cells`); ``python -m analysis notebooks`` (:func:`refresh_stored_notebooks`)
rewrites them and re-executes every notebook in place with its default parameters (for nbval).
"""
from __future__ import annotations

from pathlib import Path

from analysis.pipeline.parameters import BuildParameters
from analysis.pipeline.workers import execute
from analysis.themes.registry import THEMES

#: Source of the cell after a notebook's parameters cell: the chapter, from the parameters above it.
CHAPTER_CELL = ('from analysis.pipeline.notebook import BuildParameters, ThemeNotebook\n\n'
                'chapter = ThemeNotebook("{theme}", BuildParameters.from_namespace(globals()))\n'
                'chapter.run()')
#: How the generated parameter documentation starts in a notebook's first markdown cell (it runs to the end).
DOC_START = "Parameters"


def _with_parameters_doc(source: str) -> str:
    """A first markdown cell with its parameter documentation (from its last paragraph starting
    with :data:`DOC_START` to the end, or appended) written from :class:`BuildParameters`."""
    paragraphs = source.split("\n\n")
    starts = [i for i, p in enumerate(paragraphs) if p.startswith(DOC_START)]
    kept = paragraphs[:starts[-1]] if starts else paragraphs
    return "\n\n".join([*kept, BuildParameters.parameters_doc()])


def sync_generated_cells(theme: str, path: Path) -> bool:
    """Rewrite a stored notebook's parameter documentation, parameters cell and chapter cell from
    :class:`BuildParameters`; returns whether anything changed."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    cells = notebook.cells
    index = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    doc = next(i for i, c in enumerate(cells) if c.cell_type == "markdown")
    wanted = {doc: _with_parameters_doc(cells[doc].source), index: BuildParameters.parameters_cell(),
              index + 1: CHAPTER_CELL.format(theme=theme)}
    changed = False
    for i, source in wanted.items():
        if cells[i].source != source:
            cells[i].source = source
            changed = True
    if changed:
        nbformat.write(notebook, path)
    return changed


def refresh_stored_notebooks() -> int:
    """Execute the notebooks in notebooks/ in place with their default parameters (for nbval),
    after writing their generated cells from :class:`BuildParameters`."""
    for theme in THEMES:
        sync_generated_cells(theme.key, theme.notebook)
        print(f"refreshing {theme.notebook.name} ...", flush=True)
        execute(theme.notebook, theme.notebook, {})
    return 0
