"""Byte-level file helpers shared by every layer: a file's digest, and zip (xlsx) files and PDF fonts
written with fixed timestamps so the same content gives the same bytes."""
from __future__ import annotations

import hashlib
import os
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["file_digest", "fix_zip_timestamps", "fixed_source_date"]

#: The date written where a tool stamps the time of writing: the 2011 report's date (5 October 2011).
FIXED_DATE = (2011, 10, 5, 0, 0, 0)
_FIXED_EPOCH = "1317772800"  # FIXED_DATE in seconds since 1970, UTC


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fix_zip_timestamps(path: Path) -> None:
    """Rewrite a zip (xlsx) with fixed entry timestamps, so the same tables give the same bytes."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info, content in entries:
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2011-10-05T00:00:00Z", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)


@contextmanager
def fixed_source_date() -> Iterator[None]:
    """Within the block, tools that honour ``SOURCE_DATE_EPOCH`` (reproducible-builds.org) stamp
    :data:`FIXED_DATE` instead of now, unless the caller set it: fontTools does so in the fonts that
    WeasyPrint embeds in a PDF (``head.modified``), which otherwise differ from run to run."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ.setdefault("SOURCE_DATE_EPOCH", _FIXED_EPOCH)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
