"""Reading an export file into a raw table of text cells, without losing a character.

The reader's job is only to get the cells out exactly as the file holds them and to say what it
detected (format, encoding, separator, decimal mark). Interpreting the cells against the codebook
is the job of :mod:`analysis.survey.validation`.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.files import file_digest
from analysis.core.errors import Problem, SurveyDataError
from analysis.survey.layouts import Layout, recognise

#: Byte sequences that are valid multi-byte UTF-8 (used to recognise mixed encodings).
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
#: What UTF-8 text looks like after it was wrongly decoded as cp1252 ("Ã«" for "ë").
_MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u017d\u017e\u0178\u0192\u02c6\u02dc]")


@dataclass
class RawTable:
    """Cells of an export as text: a header, rows, and where each row sits in the file."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    detected: dict[str, str] = field(default_factory=dict)
    sha256: str = ""
    #: Things the user should know although the file was readable (e.g. an XLSX file named .csv).
    notes: list[str] = field(default_factory=list)
    #: Blank rows skipped between respondents (not respondents, so not in the frame).
    blank_rows: int = 0
    #: SPSS only: column -> {stored value as text: value label}.
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The survey tool's layout (see :mod:`analysis.survey.layouts`): qualtrics, surveymonkey, ..., plain.
    layout: str = "plain"
    #: Column -> question text as the export's header rows state it.
    questions: dict[str, str] = field(default_factory=dict)
    #: Columns the layout recognised as the tool's own or as personal data (validation drops them).
    metadata_columns: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (written to the data log so outputs trace back to inputs)."""
    return file_digest(path)


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode an export's bytes, returning (text, encoding); refuse rather than guess.

    UTF-8 (with or without BOM) and UTF-16 with BOM are recognised by their bytes; otherwise
    cp1252 (what Dutch Excel writes) is accepted only if every byte is defined in it and the result
    does not look like UTF-8 read as cp1252 (a sign of mixed encodings).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _encoding_error(name, data, exc, "UTF-8 (the file starts with a UTF-8 BOM)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _encoding_error(name, data, exc, "UTF-16 (the file starts with a UTF-16 BOM)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if utf8_error.reason == "unexpected end of data" and _UTF8_MULTIBYTE.search(data):
        raise SurveyDataError([Problem(
            name, "the file ends in the middle of a character: it was cut off",
            line=data.count(b"\n") + 1, expected="the complete export")])
    if _UTF8_MULTIBYTE.search(data):
        line = data[: utf8_error.start].count(b"\n") + 1
        raise SurveyDataError([Problem(
            name, "mixed encodings: part of the file is UTF-8 and part is not",
            line=line, value=data[utf8_error.start:utf8_error.start + 1].hex(),
            expected="one encoding for the whole file (save it again as UTF-8 CSV)")])
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _encoding_error(name, data, exc, "UTF-8 or Windows-1252 text")
    if _MOJIBAKE.search(text):
        line = text[: _MOJIBAKE.search(text).start()].count("\n") + 1
        raise SurveyDataError([Problem(
            name, "the encoding cannot be determined: the text looks like UTF-8 that was converted "
            "to Windows-1252 before", line=line,
            expected="the export as the survey tool wrote it, in UTF-8 or Windows-1252")])
    # Latin-1 and Windows-1252 agree on every letter Dutch uses; a byte 0x80-0x9F that is a control
    # character in Latin-1 is a printable sign (’ € …) in Windows-1252, which is what Excel means.
    return text, "cp1252"


#: Characters that never occur in a text export: C0/C1 controls other than tab, CR, LF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def check_text(text: str, name: str) -> None:
    """Refuse decoded text that holds control characters (garbage) or replacement characters."""
    bad = _CONTROL.search(text)
    if bad:
        line = text[: bad.start()].count("\n") + 1
        raise SurveyDataError([Problem(
            name, "the file is not a text table (it holds control characters, as binary or corrupted "
            "files do)", line=line, value=f"U+{ord(bad.group()):04X}",
            expected="a CSV, XLSX or SPSS .sav export")])
    lost = text.find("\ufffd")
    if lost >= 0:
        line = text[:lost].count("\n") + 1
        context = text[max(0, lost - 20):lost + 20].replace("\n", " ").strip()
        raise SurveyDataError([Problem(
            name, "the file already holds replacement characters (\ufffd): characters were lost when it "
            "was saved", line=line, value=context,
            expected="the original export from the survey tool, saved as UTF-8")])


def _encoding_error(name: str, data: bytes, exc: UnicodeDecodeError, expected: str) -> SurveyDataError:
    line = data[: exc.start].count(b"\n") + 1
    return SurveyDataError([Problem(
        name, "the encoding cannot be determined; the file is refused rather than read with "
        "replacement characters", line=line, value=data[exc.start:exc.start + 1].hex(),
        expected=expected)])


def _sniff_delimiter(first_line: str) -> str:
    """The separator of a CSV header line: the most frequent of ; , tab outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {d: unquoted.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff"))


_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+$")


def _detect_decimal(rows: list[list[str]], delimiter: str) -> tuple[str, str]:
    """(decimal mark, how it was decided) from the numbers in the cells.

    Each distinct cell text is looked at once (counted in C by :class:`collections.Counter`): an
    export of 100,000 respondents has ten million cells but few distinct ones with a decimal mark.
    """
    from collections import Counter
    from itertools import chain

    comma = point = 0
    for cell, times in Counter(chain.from_iterable(rows)).items():
        if "," in cell and _DECIMAL_COMMA.match(cell.strip()):
            comma += times
        elif "." in cell and _DECIMAL_POINT.match(cell.strip()):
            point += times
    if comma == point == 0:
        return ("," if delimiter == ";" else "."), "assumed from the separator (no decimal numbers in the file)"
    mark = "," if comma > point else "."
    basis = f"seen in {max(comma, point)} cells"
    if comma and point:
        basis += f"; {min(comma, point)} cells use the other mark"
    return mark, basis


def read_csv_table(path: Path, format: str | None = None) -> RawTable:
    """Read a CSV export (UTF-8/cp1252, comma/semicolon/tab) into a :class:`RawTable`.

    The survey tool's layout (header rows, its own columns) is recognised, or forced by `format`.
    """
    name = str(path)
    data = _read_bytes(path)
    if not data.strip():
        raise SurveyDataError([Problem(name, "the file is empty", expected="a header row and one row per respondent")])
    if _looks_binary(data):
        raise SurveyDataError([Problem(name, "the file is not a text table (it holds binary data)",
                                       expected="a CSV, XLSX or SPSS .sav export")])
    text, encoding = decode_text(data, name)
    check_text(text, name)
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    blank = 0
    try:
        start = 1
        for row in reader:
            if "".join(row).strip():  # a row with a non-blank cell
                records.append((start, row))
            elif records:
                blank += 1
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SurveyDataError([Problem(name, f"the file is not a readable CSV table ({exc})",
                                       line=reader.line_num + 1, expected="a delimited text table")])
    if not records:
        raise SurveyDataError([Problem(name, "the file is empty", expected="a header row and one row per respondent")])
    if len(records[0][1]) < 2:
        header = records[0][1]
        raise SurveyDataError([Problem(name, "the file is not a table (its first line has one column)",
                                       line=1, value=header[0][:60] if header else "",
                                       expected="a header row with the codebook's column names, separated by ; or ,")])
    layout = recognise([r for _, r in records[:3]], name, format=format)
    body = _body_rows(records[layout.header_rows:], layout)
    rows = [r for _, r in body]
    decimal, decimal_basis = _detect_decimal(rows, delimiter)
    notes = []
    if body and not text.endswith(("\n", "\r")):
        notes.append(f"the file does not end with a line break: check that it is complete "
                     f"(the last row, line {body[-1][0]}, may have been cut off)")
    table = RawTable(
        path=path, header=[h.strip() for h in layout.header], rows=rows,
        lines=[ln for ln, _ in body],
        detected={"format": "csv", "encoding": encoding, "delimiter": delimiter, "decimal": decimal,
                  "decimal_basis": decimal_basis},
        sha256=hashlib.sha256(data).hexdigest(), notes=notes, blank_rows=blank,
    )
    return _with_layout(table, layout)


def _body_rows(body: list[tuple[int, list[str]]], layout: Layout) -> list[tuple[int, list[str]]]:
    """Respondent rows; in a tool layout, empty cells beyond the header are not fields (SurveyMonkey
    trims trailing empty header cells, so its rows are longer than its header)."""
    if layout.name == "plain":
        return body
    width = len(layout.header)
    out = []
    for line, row in body:
        if len(row) > width and not any(c.strip() for c in row[width:]):
            row = row[:width]
        out.append((line, row))
    return out


def _with_layout(table: RawTable, layout: Layout) -> RawTable:
    """Record the layout on the table: what was detected, question texts, tool columns, notes."""
    table.layout = layout.name
    table.detected["layout"] = layout.name + (f" ({layout.flavour})" if layout.flavour else "")
    table.detected["layout_basis"] = layout.basis
    if layout.header_rows > 1:
        table.detected["header_rows"] = str(layout.header_rows)
    table.questions = {h: q for h, q in zip(table.header, layout.questions) if h}
    table.metadata_columns = list(layout.metadata)
    table.notes.extend(layout.notes)
    return table


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SurveyDataError([Problem(str(path), f"the file cannot be read ({exc.strerror or exc})",
                                       expected="a readable survey export (check permissions)")])


def _cell_text(value: object) -> str:
    """A spreadsheet/SPSS cell as the text a CSV export would hold ('3' for 3.0, '' for empty)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def read_xlsx_table(path: Path, sheet: str | None = None, format: str | None = None) -> RawTable:
    """Read the first sheet (or the sheet named `sheet`) of an XLSX export (layout as for CSV)."""
    import warnings

    import openpyxl

    name = str(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            # from bytes, so that a workbook saved under another name (.csv) is still read
            book = openpyxl.load_workbook(io.BytesIO(_read_bytes(path)), read_only=True, data_only=True)
    except SurveyDataError:
        raise
    except Exception as exc:  # openpyxl raises several unrelated types for broken files
        raise SurveyDataError([Problem(name, f"the file is not a readable XLSX workbook ({type(exc).__name__})",
                                       expected="an .xlsx file saved by Excel or the survey tool")])
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise SurveyDataError([Problem(name, "the sheet does not exist", value=sheet,
                                           expected=f"one of the sheets {book.sheetnames}")])
        if not book.sheetnames:
            raise SurveyDataError([Problem(name, "the workbook has no sheets", expected="a sheet with the export")])
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        title = ws.title
        if not hasattr(ws, "iter_rows"):
            raise SurveyDataError([Problem(name, "the sheet is a chart, not a table", value=title,
                                           expected="a worksheet with a header row")])
        records = [(i, [_cell_text(v) for v in row]) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)]
    except SurveyDataError:
        raise
    except Exception as exc:  # corrupt sheet XML inside a valid zip
        raise SurveyDataError([Problem(name, f"the workbook's sheet cannot be read ({type(exc).__name__})",
                                       expected="an .xlsx file saved by Excel or the survey tool")])
    finally:
        book.close()
    non_blank = [(i, r) for i, r in records if any(c.strip() for c in r)]
    if not non_blank:
        raise SurveyDataError([Problem(name, f"the sheet '{title}' is empty",
                                       expected="a header row and one row per respondent")])
    layout = recognise([r for _, r in non_blank[:3]], name, format=format, trim=True)
    header_row, header = non_blank[layout.header_rows - 1][0], layout.header
    body = non_blank[layout.header_rows:]
    blank = sum(1 for i, r in records if i > header_row and not any(c.strip() for c in r)
                and i < (body[-1][0] if body else 0))
    width = len(header)
    rows = []
    for _, r in body:
        # trailing empty cells of a sheet are empty answers; non-empty ones beyond the header are extra fields
        r = r + [""] * (width - len(r))
        extra = r[width:]
        rows.append(r[:width] + [c for c in extra if c != ""])
    table = RawTable(path=path, header=[h.strip() for h in header], rows=rows, lines=[i for i, _ in body],
                     detected={"format": "xlsx", "sheet": title}, sha256=file_sha256(path), blank_rows=blank)
    return _with_layout(table, layout)


def read_sav_table(path: Path, format: str | None = None) -> RawTable:
    """Read an SPSS .sav export: codes as stored, value labels kept for validation.

    User-defined missing values (often "don't know") are read as their codes, not as empty cells,
    so that no answer is lost; the codebook decides what they mean.
    """
    import pyreadstat

    name = str(path)
    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=True)
    except Exception as exc:  # pyreadstat raises ReadstatError and others
        raise SurveyDataError([Problem(name, f"the file is not a readable SPSS .sav file ({exc})",
                                       expected="an SPSS .sav export")])
    header = [str(c) for c in frame.columns]
    rows = [[_cell_text(v) for v in record] for record in frame.itertuples(index=False, name=None)]
    detected = {"format": "sav", "encoding": str(meta.file_encoding or "")}
    labels = {str(col): {_cell_text(v): str(lab) for v, lab in vals.items()}
              for col, vals in (meta.variable_value_labels or {}).items()}
    notes = []
    missing = {col: rng for col, rng in (getattr(meta, "missing_ranges", None) or {}).items() if rng}
    if missing:
        notes.append(f"SPSS user-missing values are defined for {len(missing)} column(s); they were read as "
                     "their codes (the codebook decides which codes mean \"don't know\")")
    layout = recognise([header], name, format=format, is_sav=True)
    # rows are numbered as SPSS cases (1 = first respondent)
    table = RawTable(path=path, header=header, rows=rows, lines=list(range(1, len(rows) + 1)),
                     detected=detected, sha256=file_sha256(path), notes=notes, value_labels=labels)
    table = _with_layout(table, layout)
    table.questions = {col: str(text) for col, text in zip(meta.column_names, meta.column_labels or []) if text}
    return table


def read_table(path: str | Path, sheet: str | None = None, format: str | None = None) -> RawTable:
    """Read any supported export (CSV, XLSX, SPSS .sav) into a :class:`RawTable`.

    The file format is recognised from the file's first bytes, not only from its name, so an XLSX
    workbook saved as ``.csv`` is still read as a workbook (and the log says so). The survey tool's
    layout is recognised from the header rows, or forced with `format` (one of
    :data:`analysis.survey.layouts.FORMATS`).
    """
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise SurveyDataError([Problem(name, "the file does not exist", expected="a path to a survey export")])
    if path.is_dir():
        raise SurveyDataError([Problem(name, "this is a folder, not a file", expected="a path to a survey export")])
    try:
        with open(path, "rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise SurveyDataError([Problem(name, f"the file cannot be read ({exc.strerror or exc})",
                                       expected="a readable survey export (check permissions)")])
    suffix = path.suffix.lower()
    is_zip = magic.startswith(b"PK\x03\x04")
    is_sav = magic[:4] in (b"$FL2", b"$FL3")
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise SurveyDataError([Problem(name, "this is an old Excel (.xls) workbook, which is not supported",
                                       expected="the export saved as .xlsx or as CSV")])
    if sheet is not None and not is_zip:
        raise SurveyDataError([Problem(name, "a sheet was named but the file is not a workbook", value=sheet,
                                       expected="--sheet only with .xlsx files")])
    if is_zip:
        table = read_xlsx_table(path, sheet, format=format)
        if suffix not in (".xlsx", ".xlsm"):
            table.notes.append(f"the file is named {suffix or 'without extension'} but is an XLSX workbook; "
                               "it was read as a workbook")
        return table
    if is_sav:
        table = read_sav_table(path, format=format)
        if suffix not in (".sav", ".zsav"):
            table.notes.append(f"the file is named {suffix or 'without extension'} but is an SPSS file; "
                               "it was read as SPSS")
        return table
    if suffix in (".sav", ".zsav"):
        raise SurveyDataError([Problem(name, "the file is named .sav but is not an SPSS data file",
                                       value=magic[:4].decode("latin-1").strip() or None,
                                       expected="an SPSS .sav export (it starts with '$FL2')")])
    if suffix in (".xlsx", ".xlsm"):
        raise SurveyDataError([Problem(name, "the file is named .xlsx but is not an XLSX workbook",
                                       expected="an .xlsx file saved by Excel or the survey tool")])
    return read_csv_table(path, format=format)
