"""deduce and the lookup lists behind the scrubbing of quotes (:mod:`~analysis.protection.quotes`).

deduce (PyPI ``deduce``, LGPL-3.0-or-later) is loaded once per process, with its largest lists
left empty and its lookup tables cached outside the package (:func:`cache_root`). Its lists of
first names, surnames, ordinary words, streets and places are read once (:func:`lookup_lists`), and
``data/reference/names_nl.txt`` becomes two patterns (:func:`names_file`).
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.core.paths import REFERENCE_DIR

#: Bumped when the slimmed lookup lists below change, so an old cache is not reused.
_LAYOUT = "slim1"
# deduce's largest lists are streets (150,000 names, 770,000 with its spelling variants) and
# healthcare institutions: with them deduce takes minutes to build its lookup tables and 12 s to
# load them in every process; without them 5 s once and 0.5 s per process. Street names are
# matched by our own address patterns (a name followed by a house number) instead.
_EMPTIED_LISTS = ["locations/lst_street", "institutions/lst_healthcare_institution", "institutions/lst_hospital",
                  "institutions/lst_hospital_abbr"]
# Annotators that use the emptied lists, or that tag what is not personal data in survey answers
# (ages such as "45 jaar", any 7+ digit number).
_UNUSED_ANNOTATORS = {"street_lookup", "hospital", "institution", "age", "identifier"}


def cache_root() -> Path:
    """Where the deduce lookup tables are cached: $POLITIE20_CACHE_DIR, else the user's cache folder."""
    if os.environ.get("POLITIE20_CACHE_DIR"):
        return Path(os.environ["POLITIE20_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "politie20-survey"


class _QuietRootLogger:
    """deduce calls logging.basicConfig(DEBUG, stdout) when imported; undo that for the caller's process."""

    def __enter__(self) -> None:
        root = logging.getLogger()
        self._handlers, self._level = list(root.handlers), root.level

    def __exit__(self, *exc: object) -> None:
        root = logging.getLogger()
        for handler in root.handlers[:]:
            if handler not in self._handlers:
                root.removeHandler(handler)
        root.setLevel(self._level)


def deduce_module() -> Any:
    with _QuietRootLogger():
        import deduce
        import deduce.deduce
    return deduce


def _deduce_config(deduce: Any) -> dict:
    config = json.loads(deduce.deduce._BASE_CONFIG_FILE.read_text(encoding="utf-8"))
    config["annotators"] = {name: spec for name, spec in config["annotators"].items()
                            if name not in _UNUSED_ANNOTATORS}
    return config


def _write_slim_lists(deduce: Any, home: Path) -> None:
    """Copy deduce's lookup lists into ``home/src``, with the lists it need not build left empty."""
    source = deduce.deduce._LOOKUP_LIST_PATH / "src"
    skip = {Path(rel).name for rel in _EMPTIED_LISTS}
    shutil.copytree(source, home / "src", ignore=lambda _d, names: [n for n in names
                                                                    if n in skip or n == "__pycache__"])
    for rel in _EMPTIED_LISTS:
        (home / "src" / rel).mkdir(parents=True, exist_ok=True)
        (home / "src" / rel / "items.txt").write_text("", encoding="utf-8")


def _build(deduce: Any, home: Path) -> Any:
    with _QuietRootLogger():
        return deduce.Deduce(load_base_config=False, config=_deduce_config(deduce), lookup_data_path=home,
                             cache_path=home)


def load_deduce(root: Path) -> tuple[Any, Path]:
    """A Deduce object and the folder its tables came from.

    Never writes into the deduce package (which may be read-only). The tables are built once in
    ``root`` (a private staging folder renamed into place, so parallel processes never read half a
    file); when ``root`` cannot be written, in a private temporary folder removed at exit.
    """
    deduce = deduce_module()
    home = root / f"deduce-{deduce.__version__}-{_LAYOUT}"
    if (home / "cache" / "lookup_structs.pickle").is_file():
        try:
            return _build(deduce, home), home
        except Exception:  # a damaged cache: replaced by a fresh one below
            shutil.rmtree(home, ignore_errors=True)
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    except OSError:
        staging = Path(tempfile.mkdtemp(prefix="politie20-deduce-"))
        atexit.register(shutil.rmtree, staging, True)
        _write_slim_lists(deduce, staging)
        return _build(deduce, staging), staging
    try:
        _write_slim_lists(deduce, staging)
        model = _build(deduce, staging)
        try:
            staging.rename(home)
        except OSError:  # another process got there first
            shutil.rmtree(staging, ignore_errors=True)
        return model, home
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


@lru_cache(maxsize=1)
def deduce_model() -> Any:
    """The one Deduce object of this process, built on first use."""
    return load_deduce(cache_root())[0]


# --------------------------------------------------------------------------- name lists

def _read_list(folder: Path) -> set[str]:
    items = set((folder / "items.txt").read_text(encoding="utf-8").splitlines())
    exceptions = folder / "exceptions.txt"
    if exceptions.is_file():
        items -= set(exceptions.read_text(encoding="utf-8").splitlines())
    return {item.strip() for item in items if item.strip()}


# Names in names_nl.txt or deduce's lists that are also ordinary Dutch words: matched when
# capitalised, or in lower case only inside a full name ("jan de vries") or after a title and a
# first name, never as a lower-case word on its own ("de bakker", "in het bos", "jan. t/m mrt.").
NAMES_THAT_ARE_WORDS = {"bakker", "visser", "bos", "vos", "mulder", "dekker", "brouwer", "smit", "jan", "post",
                         "wijk", "groot", "klein", "jong", "berg", "dijk", "veen", "boer", "koning", "kok", "wit",
                         "mark", "roos", "bas", "tom", "pim", "rik", "rob"}
# Words on deduce's name lists that are (almost) never a name in a survey answer.
NOT_NAMES = {"de", "van", "den", "der", "ben", "will", "wil", "mei", "juni", "mag", "kan", "ad", "at", "so", "dat",
              "die", "dit", "sterk", "agent", "meer", "ster", "zon", "maan", "hof", "laan", "kamp", "brink", "beek"}


@dataclass(frozen=True)
class Lists:
    first_names: frozenset[str]  # lower case
    surnames: frozenset[str]     # lower case
    words: frozenset[str]        # lower case: ordinary Dutch words, including the names above
    streets: frozenset[str]      # street names of two or more words, as written
    places: frozenset[str]       # Dutch place names, as written
    name_words: frozenset[str]   # lower case: ordinary words on the first-name list (words_on_name_lists.txt)

    def is_name(self, word: str, first: bool, also_words: bool) -> bool:
        """Whether a lower-case ``word`` is a known first name / surname (``also_words``: even "bakker")."""
        if word not in (self.first_names if first else self.surnames):
            return False
        return word not in self.words or (also_words and word in NAMES_THAT_ARE_WORDS)

    def is_lone_first_name(self, word: str) -> bool:
        """Whether a lower-case ``word`` names a person even with no cue around it: a first name of
        deduce's list that is no ordinary word ("kim", "joost"; not "brand", "lente", "mark")."""
        return self.is_name(word, first=True, also_words=False) and word not in self.name_words


@lru_cache(maxsize=1)
def lookup_lists() -> Lists:
    base = deduce_module().deduce._LOOKUP_LIST_PATH / "src"
    words = {w.lower() for w in _read_list(base / "whitelist/lst_common_word")}
    words |= {w.lower() for w in _read_list(base / "whitelist/lst_stop_word")}
    words |= NAMES_THAT_ARE_WORDS | NOT_NAMES
    first = {n.lower() for n in _read_list(base / "names/lst_first_name")}
    surnames = {n.lower() for n in _read_list(base / "names/lst_surname")
                | _read_list(base / "names/lst_interfix_surname")}
    streets = {s for s in _read_list(base / "locations/lst_street") if " " in s and s[:1].isupper()}
    places = set().union(*(_read_list(folder) for folder in (base / "locations/lst_placename").glob("lst_*")))
    name_words = _reference_words("words_on_name_lists.txt")
    return Lists(frozenset(first), frozenset(surnames), frozenset(words), frozenset(streets), frozenset(places),
                 frozenset(name_words))


def _reference_words(name: str) -> list[str]:
    """The entries of a list in data/reference (one a line, ``#`` starts a comment)."""
    lines = (REFERENCE_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def names_file() -> tuple[re.Pattern, re.Pattern]:
    """names_nl.txt as two patterns: any case, and capitalised only (names that are also words)."""
    anycase, capitalised = [], []
    for line in _reference_words("names_nl.txt"):
        (capitalised if line in NAMES_THAT_ARE_WORDS | NOT_NAMES else anycase).append(line)

    def pattern(names: list[str], flags: int) -> re.Pattern:
        names = sorted(names, key=len, reverse=True)
        return re.compile(r"(?<![\w@])(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", flags)

    upper = [n[0].upper() + n[1:] for n in capitalised] + [n.upper() for n in capitalised]
    return pattern(anycase, re.IGNORECASE), pattern(upper, 0)
