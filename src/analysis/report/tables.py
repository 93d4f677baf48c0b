"""Published tables as readers get them: one in the report's HTML (:func:`table_html`), and all of a
build in tables.xlsx, in report order (:func:`write_tables_workbook`)."""
from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.core.files import fix_zip_timestamps
from analysis.protection.disclosure import SUPPRESSED

if TYPE_CHECKING:  # pandas is imported where used
    import pandas as pd


#: The start of the sheet names of the additional analyses (``build --analyses``).
APPENDIX_PREFIX = "add"


def write_tables_workbook(staging: Path, themes: list[str], path: Path, appendix: list[str] | None = None) -> None:
    """One sheet per published table (the suppressed CSVs), in report order, after a "contents"
    sheet that gives each sheet's chapter and file (sheet names are cut to Excel's 31 characters);
    the tables of the `appendix` folders (the additional analyses) come last, their sheets named
    ``add_<table>``."""
    import pandas as pd
    from openpyxl import Workbook

    book = Workbook()
    contents = book.active
    contents.title = "contents"
    contents.append(["sheet", "chapter", "file"])
    used: set[str] = {"contents"}
    for theme in themes + (appendix or []):
        for csv_path in sorted((staging / theme).glob("*.csv")):
            table = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
            name = f"{theme[:4] if theme in themes else APPENDIX_PREFIX}_{csv_path.stem}"[:31]
            while name in used:
                name = name[:28] + f"_{len(used) % 100:02d}"
            used.add(name)
            contents.append([name, theme, f"{theme}/{csv_path.name}"])
            sheet = book.create_sheet(name)
            sheet.append(list(table.columns))
            for row in table.itertuples(index=False):
                sheet.append([_cell(v) for v in row])
    book.properties.created = pd.Timestamp("2011-10-05").to_pydatetime()  # the 2011 report's date, not the build's
    # the producer named in the xlsx (kept, so tables.xlsx stays byte-identical)
    book.properties.creator = "analysis.build"
    book.save(path)
    fix_zip_timestamps(path)


def _cell(value: str) -> Any:
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in value else number


def _cell_text(value: Any) -> str:
    import pandas as pd

    return "–" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def table_html(frame: pd.DataFrame, caption: str, table_id: str | None = None,
               suppressed_title: str | None = None) -> str:
    """A reader's table: caption, column headers and row headers (first column) with scope,
    escaped cells, suppressed cells marked and explained by an ``abbr`` title."""
    def cell(value: Any) -> str:
        text = _cell_text(value)
        if text == SUPPRESSED and suppressed_title:
            title = html.escape(suppressed_title)
            return f'<td class="suppressed"><abbr title="{title}">{html.escape(text)}</abbr></td>'
        if text == SUPPRESSED:
            return f'<td class="suppressed">{html.escape(text)}</td>'
        return f"<td>{html.escape(text)}</td>"

    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False, name=None):
        first, rest = values[0], values[1:]
        rows.append(f'<tr><th scope="row">{html.escape(_cell_text(first))}</th>{"".join(cell(v) for v in rest)}</tr>')
    ident = f' id="{html.escape(table_id)}"' if table_id else ""
    return (f'<table class="survey-table"{ident}><caption>{html.escape(caption)}</caption>'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
