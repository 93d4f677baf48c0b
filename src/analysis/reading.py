"""Reading an export file into a raw table of text cells, without losing a character.

The reader's job is only to get the cells out exactly as the file holds them and to say what it
detected (format, encoding, separator, decimal mark). Interpreting the cells against the codebook
is the job of :mod:`analysis.validation`.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem, SurveyDataError

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


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (written to the data log so outputs trace back to inputs)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


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
    return text, "cp1252"


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
    head = data[:4096]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def read_csv_table(path: Path) -> RawTable:
    """Read a CSV export (UTF-8/cp1252, comma/semicolon/tab) into a :class:`RawTable`."""
    name = str(path)
    data = path.read_bytes()
    if not data.strip():
        raise SurveyDataError([Problem(name, "the file is empty", expected="a header row and one row per respondent")])
    if _looks_binary(data):
        raise SurveyDataError([Problem(name, "the file is not a text table (it holds binary data)",
                                       expected="a CSV, XLSX or SPSS .sav export")])
    text, encoding = decode_text(data, name)
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        start = 1
        for row in reader:
            if any(cell.strip() for cell in row):
                records.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SurveyDataError([Problem(name, f"the file is not a readable CSV table ({exc})",
                                       line=reader.line_num + 1, expected="a delimited text table")])
    if not records:
        raise SurveyDataError([Problem(name, "the file is empty", expected="a header row and one row per respondent")])
    (_, header), body = records[0], records[1:]
    if len(header) < 2:
        raise SurveyDataError([Problem(name, "the file is not a table (its first line has one column)",
                                       line=1, value=header[0][:60] if header else "",
                                       expected="a header row with the codebook's column names, separated by ; or ,")])
    decimal = "," if delimiter == ";" else "."
    return RawTable(
        path=path, header=[h.strip() for h in header], rows=[r for _, r in body],
        lines=[ln for ln, _ in body],
        detected={"format": "csv", "encoding": encoding, "delimiter": delimiter, "decimal": decimal},
        sha256=file_sha256(path),
    )


def _cell_text(value: object) -> str:
    """A spreadsheet/SPSS cell as the text a CSV export would hold ('3' for 3.0, '' for empty)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def read_xlsx_table(path: Path, sheet: str | None = None) -> RawTable:
    """Read the first sheet (or the sheet named `sheet`) of an XLSX export."""
    import openpyxl

    name = str(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for broken files
        raise SurveyDataError([Problem(name, f"the file is not a readable XLSX workbook ({type(exc).__name__})",
                                       expected="an .xlsx file saved by Excel or the survey tool")])
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise SurveyDataError([Problem(name, "the sheet does not exist", value=sheet,
                                           expected=f"one of {book.sheetnames}")])
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        records = [(i, [_cell_text(v) for v in row]) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)]
    finally:
        book.close()
    records = [(i, r) for i, r in records if any(c.strip() for c in r)]
    if not records:
        raise SurveyDataError([Problem(name, f"the sheet '{ws.title}' is empty",
                                       expected="a header row and one row per respondent")])
    (_, header), body = records[0], records[1:]
    while header and header[-1] == "":
        header = header[:-1]
    width = len(header)
    rows = []
    for _, r in body:
        extra = r[width:]
        rows.append(r[:width] + [c for c in extra if c != ""])
    return RawTable(path=path, header=[h.strip() for h in header], rows=rows, lines=[i for i, _ in body],
                    detected={"format": "xlsx", "sheet": ws.title}, sha256=file_sha256(path))


def read_sav_table(path: Path) -> RawTable:
    """Read an SPSS .sav export (codes as stored; value labels are kept in ``detected``)."""
    import pyreadstat

    name = str(path)
    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as exc:  # pyreadstat raises ReadstatError and others
        raise SurveyDataError([Problem(name, f"the file is not a readable SPSS .sav file ({exc})",
                                       expected="an SPSS .sav export")])
    header = [str(c) for c in frame.columns]
    rows = [[_cell_text(v) for v in record] for record in frame.itertuples(index=False, name=None)]
    table = RawTable(path=path, header=header, rows=rows, lines=list(range(2, len(rows) + 2)),
                     detected={"format": "sav", "encoding": str(meta.file_encoding or "")},
                     sha256=file_sha256(path))
    table.value_labels = meta.variable_value_labels  # type: ignore[attr-defined]
    return table


def read_table(path: str | Path, sheet: str | None = None) -> RawTable:
    """Read any supported export (CSV, XLSX, SPSS .sav) into a :class:`RawTable`."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise SurveyDataError([Problem(name, "the file does not exist", expected="a path to a survey export")])
    if path.is_dir():
        raise SurveyDataError([Problem(name, "this is a folder, not a file", expected="a path to a survey export")])
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise SurveyDataError([Problem(name, f"the file cannot be read ({exc.strerror})",
                                       expected="a readable survey export")])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or (magic.startswith(b"PK") and suffix not in (".csv", ".txt")):
        return read_xlsx_table(path, sheet)
    if sheet is not None:
        raise SurveyDataError([Problem(name, "a sheet was named but the file is not a workbook", value=sheet,
                                       expected="--sheet only with .xlsx files")])
    if suffix in (".sav", ".zsav") or magic == b"$FL2":
        return read_sav_table(path)
    return read_csv_table(path)
