"""tables.xlsx: every published table of a build in one workbook, in report order."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from analysis.core.files import fix_zip_timestamps


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
