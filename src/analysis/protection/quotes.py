"""Free-text answers made safe to quote: personal data replaced by a tag in the report language.

``scrub_quote("Bel Jan de Vries op 06-12345678", lang="nl")`` gives ``"Bel [naam] op [telefoon]"``.

Two sources find what to replace, and every character that either finds is replaced:

- deduce (PyPI ``deduce``, LGPL-3.0-or-later), the de-identification method for Dutch text, finds
  names (first names and surnames from its lookup lists, initials, tussenvoegsels, titles such as
  "mevrouw Jansen") and, as a second opinion, dates, phone numbers, e-mail addresses, URLs and BSNs.
  Its lookup lists ship inside the package: nothing is downloaded. Place names are recognised
  (so that "Den Haag" is not taken for a person) but kept: a city is not personal data here.
- our own patterns, for what deduce misses or was not built for (it targets medical records):
  BSN with the 11-test, IBAN with its mod-97 check, postcodes, street addresses, number plates of
  every Dutch sidecode, IPv4/IPv6, dates, personnel numbers, obfuscated e-mail ("jan [at] politie
  [dot] nl"), every Dutch phone format, handles, URLs without a scheme, names written in lower
  case after a title ("collega piet de vries"), and ``data/reference/names_nl.txt``.

Where findings overlap they are merged into one, tagged with the most specific kind among them.
Scrubbing repeats until nothing changes, so a scrubbed quote scrubs to itself. Anything all of
this misses is why quotes from real data are also read by a person before they are published.
"""
from __future__ import annotations

import atexit
import ipaddress
import json
import logging
import os
import re
import unicodedata
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

from analysis.core.paths import REFERENCE_DIR

#: The tag that replaces each kind of personal data, per report language.
TAGS: dict[str, dict[str, str]] = {
    "nl": {"name": "[naam]", "email": "[e-mail]", "phone": "[telefoon]", "url": "[url]", "handle": "[handle]",
           "bsn": "[bsn]", "iban": "[iban]", "postcode": "[postcode]", "address": "[adres]", "plate": "[kenteken]",
           "ip": "[ip-adres]", "date": "[datum]", "personnel": "[personeelsnummer]"},
    "en": {"name": "[name]", "email": "[e-mail]", "phone": "[phone]", "url": "[url]", "handle": "[handle]",
           "bsn": "[bsn]", "iban": "[iban]", "postcode": "[postcode]", "address": "[address]", "plate": "[plate]",
           "ip": "[ip address]", "date": "[date]", "personnel": "[personnel number]"},
}
#: The language of the tags when none is given: English, as before ``lang`` existed.
DEFAULT_LANG = "en"

# Which kind names overlapping findings (first wins): "jan@politie.nl" is an e-mail address, not a name
# and a URL; "Laan van Meerdervoort 200" an address, though deduce sees a name in it; "2514AB" a
# postcode, though it is also the form of an old number plate.
_PRIORITY = ["email", "iban", "url", "ip", "personnel", "bsn", "phone", "postcode", "plate", "address", "date",
             "handle", "name"]

# A tag already in the text (from either language) is never scrubbed again.
_TAG = re.compile("|".join(sorted({re.escape(t) for tags in TAGS.values() for t in tags.values()},
                                  key=len, reverse=True)))


@dataclass(frozen=True)
class _Finding:
    start: int
    end: int
    kind: str


# --------------------------------------------------------------------------- deduce

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
# deduce tag -> our kind. "locatie" (place names, postcodes, streets) is left out on purpose:
# place names stay, and our own patterns find postcodes and addresses without taking the city along.
_DEDUCE_KINDS = {"persoon": "name", "datum": "date", "telefoonnummer": "phone", "emailadres": "email",
                 "url": "url", "bsn": "bsn"}


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


def _deduce_module() -> Any:
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


def _load_deduce(root: Path) -> tuple[Any, Path]:
    """A Deduce object and the folder its tables came from.

    Never writes into the deduce package (which may be read-only). The tables are built once in
    ``root`` (a private staging folder renamed into place, so parallel processes never read half a
    file); when ``root`` cannot be written, in a private temporary folder removed at exit.
    """
    deduce = _deduce_module()
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
def _deduce() -> Any:
    """The one Deduce object of this process, built on first use."""
    return _load_deduce(cache_root())[0]


# Public service numbers (free, paid, the police's own 0900-8844) are not personal data.
_SERVICE_NUMBER = re.compile(r"^(?:0800|090[069]|0970|112$|144$)")


def _deduce_findings(text: str) -> Iterator[_Finding]:
    for annotation in _deduce().deidentify(text).annotations:
        kind = _DEDUCE_KINDS.get(annotation.tag)
        if kind == "phone" and _SERVICE_NUMBER.match(re.sub(r"\D", "", annotation.text)):
            continue
        if kind == "name" and _is_place(annotation.text):
            continue
        if kind:
            yield _Finding(annotation.start_char, annotation.end_char, kind)


def _is_place(name: str) -> bool:
    """"In Den Haag" at the start of a sentence: deduce reads a first name "In" and a surname."""
    places = _lists().places
    first, _, rest = name.partition(" ")
    return name in places or (first.lower() in _lists().words and rest[:1].isupper() and rest in places)


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
_NAMES_THAT_ARE_WORDS = {"bakker", "visser", "bos", "vos", "mulder", "dekker", "brouwer", "smit", "jan", "post",
                         "wijk", "groot", "klein", "jong", "berg", "dijk", "veen", "boer", "koning", "kok", "wit",
                         "mark", "roos", "bas", "tom", "pim", "rik", "rob"}
# Words on deduce's name lists that are (almost) never a name in a survey answer.
_NOT_NAMES = {"de", "van", "den", "der", "ben", "will", "wil", "mei", "juni", "mag", "kan", "ad", "at", "so", "dat",
              "die", "dit", "sterk", "agent", "meer", "ster", "zon", "maan", "hof", "laan", "kamp", "brink", "beek"}


@dataclass(frozen=True)
class _Lists:
    first_names: frozenset[str]  # lower case
    surnames: frozenset[str]     # lower case
    words: frozenset[str]        # lower case: ordinary Dutch words, including the names above
    streets: frozenset[str]      # street names of two or more words, as written
    places: frozenset[str]       # Dutch place names, as written

    def is_name(self, word: str, first: bool, also_words: bool) -> bool:
        """Whether a lower-case ``word`` is a known first name / surname (``also_words``: even "bakker")."""
        if word not in (self.first_names if first else self.surnames):
            return False
        return word not in self.words or (also_words and word in _NAMES_THAT_ARE_WORDS)


@lru_cache(maxsize=1)
def _lists() -> _Lists:
    base = _deduce_module().deduce._LOOKUP_LIST_PATH / "src"
    words = {w.lower() for w in _read_list(base / "whitelist/lst_common_word")}
    words |= {w.lower() for w in _read_list(base / "whitelist/lst_stop_word")}
    words |= _NAMES_THAT_ARE_WORDS | _NOT_NAMES
    first = {n.lower() for n in _read_list(base / "names/lst_first_name")}
    surnames = {n.lower() for n in _read_list(base / "names/lst_surname") | _read_list(base / "names/lst_interfix_surname")}
    streets = {s for s in _read_list(base / "locations/lst_street") if " " in s and s[:1].isupper()}
    places = set().union(*(_read_list(folder) for folder in (base / "locations/lst_placename").glob("lst_*")))
    return _Lists(frozenset(first), frozenset(surnames), frozenset(words), frozenset(streets), frozenset(places))


@lru_cache(maxsize=1)
def _names_file() -> tuple[re.Pattern, re.Pattern]:
    """names_nl.txt as two patterns: any case, and capitalised only (names that are also words)."""
    anycase, capitalised = [], []
    for line in (REFERENCE_DIR / "names_nl.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            (capitalised if line in _NAMES_THAT_ARE_WORDS | _NOT_NAMES else anycase).append(line)

    def pattern(names: list[str], flags: int) -> re.Pattern:
        names = sorted(names, key=len, reverse=True)
        return re.compile(r"(?<![\w@])(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", flags)

    upper = [n[0].upper() + n[1:] for n in capitalised] + [n.upper() for n in capitalised]
    return pattern(anycase, re.IGNORECASE), pattern(upper, 0)


# --------------------------------------------------------------------------- patterns

_WORD_CHARS = r"A-Za-zÀ-ÖØ-öø-ÿ"
_INTERFIX = r"(?:van|de|der|den|het|'t|ter|ten|te|op|in|aan|uit|bij|la|le|du|da|di|el|von|zu|vd|v\.d\.|v\.)"

# -- e-mail, plain and obfuscated
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_AT = r"(?:\s*[\[({<]\s*(?:at|@|apenstaartje)\s*[\])}>]\s*|\s+(?:at|apenstaartje)\s+|\s+@\s*|\s*@\s+)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|punt|\.)\s*[\])}>]\s*|\s+(?:dot|punt)\s+|\.)"
_EMAIL_OBFUSCATED = re.compile(rf"(?<![\w.])[\w+-]+(?:\.[\w+-]+)*{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,6}}(?!\w)",
                               re.IGNORECASE)

# -- URLs
_TLDS = ("nl|com|org|net|be|eu|info|uk|io|gov|edu|nu|tv|biz|ly|gl|co|int|frl|amsterdam|online|app|fr|"
         "social|onion|mobi")
_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\d?\.)[^\s<>\"'\[\]]+"
    rf"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})(?![\w-])(?:[/?#][^\s<>\"'\[\]]*)?",
    re.IGNORECASE)
_TRAILING = ".,;:!?)'\"»”’"

# -- handles (@name, also with dots and underscores)
_HANDLE = re.compile(r"(?<![\w@.])@\w(?:[\w.]*\w)?")

# -- IBAN (mod 97), national lengths where known
_IBAN_LENGTH = {"NL": 18, "BE": 16, "DE": 22, "FR": 27, "GB": 22, "ES": 24, "IT": 27, "LU": 20, "AT": 20,
                "CH": 21, "IE": 22, "PL": 28, "PT": 25, "DK": 18, "SE": 24, "NO": 15, "FI": 18, "CZ": 24}
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?=[ ]?[A-Za-z0-9])")

# -- BSN: nine digits, optionally grouped with dots, spaces or dashes
_BSN = re.compile(r"(?<![\w.,-])\d(?:[ .-]?\d){8}(?!\d|[.,-]\d)")

# -- phone numbers: a run of digits and separators, checked for a valid number of digits
_PHONE_RUN = re.compile(r"(?<![\w.,/])[+(]?\d[\d()+./ \t-]*\d\)?")
_PHONE_SEPARATOR = re.compile(r"[ \t()./-]{1,4}")

# -- postcodes, with an optional house number
_POSTCODE_UNITS = {"mg", "gr", "kg", "km", "cm", "mm", "ml", "cl", "dl", "kb", "mb", "gb", "tb", "pk", "kw", "ct",
                   "st", "nd", "rd", "th", "am", "pm", "uur", "hz", "eu", "ha"}
_POSTCODE = re.compile(r"(?<![\w-])[1-9]\d{3}(?:\s?(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2})(?![\w])"
                       r"(?:,?\s+(?:nr\.?\s*)?\d{1,5}(?:[-\s]?[a-zA-Z](?![\w]))?(?![\w]))?")

# -- street addresses: street name + house number
_HOUSE_NUMBER = r"\d{1,5}(?:\s?[-/]?\s?(?:[a-zA-Z](?![\w])|\d{1,3}(?!\d)|hs|bis|I{1,3}(?![\w])))?(?![\w])"
_STREET_SUFFIX = (r"(?:straat|str\.|laan|gracht|plein|kade|singel|dreef|steeg|plantsoen|boulevard|weg|dijk|hof|park|"
                  r"pad|markt|baan|dam|wal|veld|ring|kamp|haven|burgwal|vaart|kanaal|erf|hoeve|poort|dwarsstraat)")
_STREET_LEAD = r"(?:[A-Z][\w'.-]*\s+(?:(?:[A-Z][\w'.-]*|" + _INTERFIX + r")\s+){0,2})?"
_ADDRESS = re.compile(
    # Kerkstraat 12a, Van Speijkstraat 3, Burgemeester de Monchyplein 1, kerkstraat 12 (lower case only for
    # the unmistakable suffixes)
    rf"\b{_STREET_LEAD}(?:[A-Z][\w'-]*{_STREET_SUFFIX}|[a-z][\w'-]*(?:straat|laan|gracht|plein|kade|singel|steeg|"
    rf"dreef|plantsoen))\s+(?:nr\.?\s*)?{_HOUSE_NUMBER}"
    # Laan van Meerdervoort 200, Plein 1813 ... Oude Delft 12, Lange Voorhout 9 (prefix-type names)
    rf"|\b(?:Laan|Plein|Weg|Kade|Dreef|Singel|Gracht|Dijk|Straat|Hof|Park|Markt|Wal|Steeg|Haven|Boulevard|"
    rf"Burgemeester|Burg\.|Generaal|Koningin|Koning|Prins|Prinses|Graaf|Sint|St\.|Dokter|Dr\.|Professor|Prof\.|"
    rf"President|Admiraal|Pastoor|Meester|Mr\.|Oude|Nieuwe|Lange|Korte|Hoge|Lage|Eerste|Tweede|Derde)\s+"
    rf"(?:{_INTERFIX}\s+){{0,3}}[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){{0,2}}\s+(?:nr\.?\s*)?{_HOUSE_NUMBER}"
    rf"|\b[Pp]ostbus\s+\d{{1,5}}(?!\d)")
# Any capitalised run of words followed by a house number: an address when deduce's street list
# knows the name (two or more words: single-word entries such as "Groep" or "Bus" are too common).
_STREET_CANDIDATE = re.compile(rf"\b([A-Z][\w'.-]*(?:\s+(?:[A-Z][\w'.-]*|{_INTERFIX})){{1,4}})\s+{_HOUSE_NUMBER}")

# -- number plates: all Dutch sidecodes, with dashes (any case) or without (capitals)
_SIDECODES = ["XX-99-99", "99-99-XX", "99-XX-99", "XX-99-XX", "XX-XX-99", "99-XX-XX", "99-XXX-9", "9-XXX-99",
              "XX-999-X", "X-999-XX", "XXX-99-X", "X-99-XXX", "9-XX-999", "999-XX-9"]


def _sidecode(code: str, dashes: bool) -> str:
    parts = [p.replace("X", "[A-Z]").replace("9", r"\d") for p in code.split("-")]
    return "-".join(parts) if dashes else "".join(parts)


_PLATE_DASHED = re.compile(r"(?<![\w-])(?:" + "|".join(_sidecode(c, True) for c in _SIDECODES) + r")(?![\w-])",
                           re.IGNORECASE)
_PLATE_PLAIN = re.compile(r"(?<![\w-])(?:" + "|".join(_sidecode(c, False) for c in _SIDECODES) + r")(?![\w-])")
_PLATE_AFTER_WORD = re.compile(r"(?i)\bkenteken(?:nummer|plaat)?\s*(?:is\s+|:\s*)?"
                               r"((?=(?:[a-z0-9]-?){6}(?![\w-]))[a-z0-9]{1,3}-?[a-z0-9]{1,3}-?[a-z0-9]{1,3})")

# -- IP addresses
_IPV4 = re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
                   r"(?:/\d{1,2})?(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?"
                   r"(?:/\d{1,3})?(?![\w:])")

# -- dates (of birth and others): day, month and year
_MONTHS = (r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
           r"january|february|march|may|june|july|august|october|"
           r"jan|feb|mrt|mar|apr|jun|jul|aug|sept|sep|okt|oct|nov|dec)")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:(?:19|20)\d{2}|'\d{2}|’\d{2})"
_DATE = re.compile(
    rf"(?<![\w.,/-]){_DAY}([-/.]){_MONTH}\1(?:(?:19|20)\d{{2}}|\d{{2}})(?![\w]|[-/.]\d)"
    rf"|(?<![\w.,/-])(?:19|20)\d{{2}}([-/.]){_MONTH}\2{_DAY}(?![\w]|[-/.]\d)"
    rf"|(?<![\w]){_DAY}(?:e|ste|de)?\.?\s*(?:van\s+)?{_MONTHS}\.?,?\s*{_YEAR}(?!\w)"
    rf"|(?<![\w]){_MONTHS}\.?\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}(?!\w)",
    re.IGNORECASE)

# -- personnel numbers: a number after a word that announces one
_PERSONNEL = re.compile(
    r"(?i)\b(?:personeels|pers\.?\s?|p-?|dienst|stam|medewerkers?|werknemers?|registratie|salaris|"
    r"personnel\s|employee\s|staff\s)(?:nummer|nr\.?|no\.?|number|id|#)\s*(?:[:=#]\s*|is\s+)?"
    r"[a-z]{0,2}-?\d{4,10}(?!\d)")

# -- names: titles and roles after which a (lower-case) name may follow
_TITLES = (r"(?:mevrouw|mevr\.?|mw\.?|meneer|mijnheer|dhr\.?|de\s+heer|heer|mej\.?|juffrouw|collega|"
           r"(?:hoofd|wijk|buurt|motor|jeugd|verkeers)?agent(?:e)?|brigadier|(?:hoofd)?inspecteur|commissaris|"
           r"rechercheur|teamchef|teamleider|korpschef|chef|burgemeester|officier|wethouder|"
           r"dr\.?|drs\.?|ir\.?|ing\.?|prof\.?|mr\.?|ds\.?|zuster|broeder|buurman|buurvrouw|"
           r"mrs\.?|mr\.?|ms\.?|miss|sir|officer|sergeant|detective|constable|colleague)")
_TITLE_THEN = re.compile(rf"(?i)(?<!\w){_TITLES}\s+")
_TOKEN = re.compile(rf"(?:[{_WORD_CHARS}]\.\s?)+|[{_WORD_CHARS}][{_WORD_CHARS}'’-]*")
_FULL_NAME = re.compile(rf"([{_WORD_CHARS}][\w'-]*)\s+((?:{_INTERFIX}\s+)*)([{_WORD_CHARS}][\w'-]*)(?![\w@])")
_WORD_START = re.compile(rf"(?<![\w@'’-])[{_WORD_CHARS}]")
_INTERFIX_AND_STOP = {"in", "de", "het", "van", "op", "te", "een", "en", "bij", "aan", "uit", "met", "voor"}
# Public names that look like a person's name.
_PUBLIC_TERMS = re.compile(r"\bAmber\s+Alert\b", re.IGNORECASE)
_INTERFIX_WORD = re.compile(rf"^{_INTERFIX}$", re.IGNORECASE)


def _strip_trailing(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _TRAILING:
        # a closing bracket that belongs to the URL, as in wikipedia.org/wiki/X_(Y), stays
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end


def _regex(pattern: re.Pattern, kind: str, group: int = 0) -> Callable[[str], Iterator[_Finding]]:
    def find(text: str) -> Iterator[_Finding]:
        for m in pattern.finditer(text):
            yield _Finding(m.start(group), m.end(group), kind)
    return find


def _urls(text: str) -> Iterator[_Finding]:
    for m in _URL.finditer(text):
        end = _strip_trailing(text, m.start(), m.end())
        if end > m.start() and re.search(r"[A-Za-z]", text[m.start():end]):
            yield _Finding(m.start(), end, "url")


def _bsn_valid(digits: str) -> bool:
    if len(digits) != 9 or digits == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1))) - int(digits[8])
    return total % 11 == 0


def _bsns(text: str) -> Iterator[_Finding]:
    for m in _BSN.finditer(text):
        if _bsn_valid(re.sub(r"\D", "", m.group())):
            yield _Finding(m.start(), m.end(), "bsn")


def _iban_valid(code: str) -> bool:
    length = _IBAN_LENGTH.get(code[:2])
    if (length and len(code) != length) or not 15 <= len(code) <= 34:
        return False
    number = "".join(str(int(ch, 36)) for ch in code[4:] + code[:4])
    return int(number) % 97 == 1


def _ibans(text: str) -> Iterator[_Finding]:
    for m in _IBAN_START.finditer(text):
        # walk on over letters and digits (single spaces allowed between them), remembering every
        # place where a group ends; the longest valid IBAN wins
        code, ends, i = m.group().upper(), [], m.end()
        while i < len(text) and len(code) < 34:
            if text[i] == " " and i + 1 < len(text) and text[i + 1].isascii() and text[i + 1].isalnum():
                i += 1
            if not (text[i].isascii() and text[i].isalnum()):
                break
            code += text[i].upper()
            i += 1
            if i == len(text) or not (text[i].isascii() and text[i].isalnum()):
                ends.append((i, code))
        for end, candidate in reversed(ends):
            if _iban_valid(candidate):
                yield _Finding(m.start(), end, "iban")
                break


def _phone_valid(lead: str, digits: str) -> bool:
    if lead == "+" or digits.startswith("00"):
        number = digits if lead == "+" else digits[2:]
        if number.startswith("31"):
            rest = number[2:]
            return len(rest[1:] if rest.startswith("0") else rest) == 9
        return 8 <= len(number) <= 15 and not number.startswith("0")
    return digits.startswith("0") and len(digits) == 10


def _phones(text: str) -> Iterator[_Finding]:
    for run in _PHONE_RUN.finditer(text):
        groups = [(m.start(), m.end()) for m in re.finditer(r"\d+", run.group())]
        base = run.start()
        i = 0
        while i < len(groups):
            before = run.group()[:groups[i][0]]
            lead = "+" if before.rstrip(" ").endswith("+") else ""
            found = None
            digits = ""
            for j in range(i, len(groups)):
                if j > i and not _PHONE_SEPARATOR.fullmatch(run.group()[groups[j - 1][1]:groups[j][0]]):
                    break
                digits += run.group()[groups[j][0]:groups[j][1]]
                if len(digits) > 16:
                    break
                if (lead or digits.startswith("0")) and _phone_valid(lead, digits):
                    found = j
            if found is None:
                i += 1
                continue
            start = base + groups[i][0]
            for mark in ("+", "("):
                if start > 0 and text[start - 1] == mark:
                    start -= 1
            end = base + groups[found][1]
            if end < len(text) and text[end] == ")" and "(" in text[start:end]:
                end += 1
            yield _Finding(start, end, "phone")
            i = found + 1


def _postcodes(text: str) -> Iterator[_Finding]:
    for m in _POSTCODE.finditer(text):
        letters = re.match(r"\d{4}\s?([A-Za-z]{2})", m.group()).group(1)
        if letters.lower() not in _POSTCODE_UNITS:
            yield _Finding(m.start(), m.end(), "postcode")


def _listed_streets(text: str) -> Iterator[_Finding]:
    streets = _lists().streets
    for m in _STREET_CANDIDATE.finditer(text):
        words = list(re.finditer(r"\S+", m.group(1)))
        for k in range(len(words) - 1):  # the longest known street name that ends before the number
            name = " ".join(w.group() for w in words[k:])
            if name[:1].isupper() and name in streets:
                yield _Finding(m.start(1) + words[k].start(), m.end(), "address")
                break


def _plates(text: str) -> Iterator[_Finding]:
    for pattern in (_PLATE_DASHED, _PLATE_PLAIN):
        for m in pattern.finditer(text):
            yield _Finding(m.start(), m.end(), "plate")
    for m in _PLATE_AFTER_WORD.finditer(text):
        yield _Finding(m.start(1), m.end(1), "plate")


def _ips(text: str) -> Iterator[_Finding]:
    for m in _IPV4.finditer(text):
        yield _Finding(m.start(), m.end(), "ip")
    for m in _IPV6.finditer(text):
        address = m.group().split("/")[0]
        if sum(1 for part in address.split(":") if part) < 2:
            continue
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            continue
        yield _Finding(m.start(), m.end(), "ip")


def _name_tail(text: str, pos: int, after_title: bool) -> int:
    """End of the name that starts at ``pos`` (``pos`` itself when there is none).

    A name is: initials, then words that are capitalised (and not ordinary words) or that are
    known first names / surnames in lower case, with tussenvoegsels between them.
    """
    lists = _lists()
    end, i, have_first, count = pos, pos, False, 0
    while True:
        m = _TOKEN.match(text, i)
        if not m:
            break
        word = m.group().rstrip()
        lower = word.lower()
        if "." in word and re.fullmatch(rf"(?:[{_WORD_CHARS}]\.\s?)+", m.group()):  # initials
            if not re.fullmatch(r"(?:[A-Z]\.\s?)+", m.group()):
                break
            end, have_first = i + len(word), True
        elif _INTERFIX_WORD.match(word):
            pass  # only part of the name when a name word follows
        elif word[:1].isupper() and (lower not in lists.words or lower in _NAMES_THAT_ARE_WORDS):
            end = m.end()
        elif count == 0 and lists.is_name(lower, first=True, also_words=True):
            end, have_first = m.end(), True
        elif (have_first or (after_title and count == 0)) and lists.is_name(lower, first=False, also_words=have_first):
            end = m.end()
        else:
            break
        count += 1
        nxt = re.match(r"[ \t]+", text[m.end():])
        if not nxt or count > 6:
            break
        i = m.end() + nxt.end()
    return end


def _names_after_titles(text: str) -> Iterator[_Finding]:
    for m in _TITLE_THEN.finditer(text):
        end = _name_tail(text, m.end(), after_title=True)
        if end > m.end():
            yield _Finding(m.end(), end, "name")


def _full_names(text: str) -> Iterator[_Finding]:
    """A known first name, tussenvoegsels and a known surname: "piet de vries", "Bas van der Veen".

    In lower case neither name may be an ordinary word. Capitalised, deduce finds "Kees Bakker"
    itself, but not always with a tussenvoegsel between.
    """
    lists = _lists()
    for start in _WORD_START.finditer(text):
        m = _FULL_NAME.match(text, start.start())
        if not m:
            continue
        first, interfix, last = m.group(1), m.group(2), m.group(3)
        if first.islower() and last.islower():
            word_like = first in _NAMES_THAT_ARE_WORDS or last in _NAMES_THAT_ARE_WORDS
            found = (lists.is_name(first, first=True, also_words=True)
                     and lists.is_name(last, first=False, also_words=True)
                     and (bool(interfix) if word_like else (interfix or first not in lists.surnames)))
        else:
            found = (first[:1].isupper() and last[:1].isupper() and bool(interfix)
                     and first.lower() in lists.first_names and last.lower() in lists.surnames
                     and first.lower() not in _INTERFIX_AND_STOP | _NOT_NAMES)
        if found:
            yield _Finding(m.start(), m.end(), "name")


def _listed_names(text: str) -> Iterator[_Finding]:
    for pattern in _names_file():
        for m in pattern.finditer(text):
            yield _Finding(m.start(), m.end(), "name")


_DETECTORS: list[Callable[[str], Iterator[_Finding]]] = [
    _regex(_EMAIL, "email"), _regex(_EMAIL_OBFUSCATED, "email"), _urls, _regex(_HANDLE, "handle"), _ibans, _bsns,
    _phones, _postcodes, _regex(_ADDRESS, "address"), _listed_streets, _plates, _ips, _regex(_DATE, "date"),
    _regex(_PERSONNEL, "personnel"), _names_after_titles, _full_names, _listed_names, _deduce_findings,
]


# --------------------------------------------------------------------------- scrubbing

def _merged(findings: list[_Finding]) -> list[_Finding]:
    """Overlapping findings as one, of the kind that comes first in ``_PRIORITY`` (ties: the longer)."""
    merged: list[tuple[int, int, _Finding]] = []
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if merged and f.start < merged[-1][1]:
            start, end, best = merged[-1]
            if (-_PRIORITY.index(f.kind), f.end - f.start) > (-_PRIORITY.index(best.kind), best.end - best.start):
                best = f
            merged[-1] = (start, max(end, f.end), best)
        else:
            merged.append((f.start, f.end, f))
    return [_Finding(start, end, best.kind) for start, end, best in merged]


def _scrub_once(text: str, tags: dict[str, str]) -> str:
    protected = [m.span() for pattern in (_TAG, _PUBLIC_TERMS) for m in pattern.finditer(text)]
    findings = [f for detect in _DETECTORS for f in detect(text)
                if f.end > f.start and not any(f.start < b and a < f.end for a, b in protected)]
    out, pos = [], 0
    for f in _merged(findings):
        out += [text[pos:f.start], tags[f.kind]]
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


# case-sensitive here (a top-level domain in lower case): "de wijk.Nu is" is a missing space, not a URL
_ADDRESSES = re.compile("|".join(f"(?:{p.pattern})" for p in (_EMAIL, _URL, _HANDLE, _EMAIL_OBFUSCATED)))


def strip_addresses(text: str) -> str:
    """`text` with e-mail addresses (also obfuscated ones), URLs and social-media handles replaced by
    a space: the words an automatic coder may read. An address's words are not the respondent's
    ("wijkagent-mulder.nl" is no answer about neighbourhood officers). Cheap (regular expressions
    only), so it runs on every answer of a large export, where :func:`scrub_quote` runs only on the
    answers a reader or reviewer sees."""
    return _ADDRESSES.sub(" ", text)


def scrub_quote(text: str, lang: str = DEFAULT_LANG) -> str:
    """The answer with personal data replaced by tags such as ``[naam]`` / ``[name]`` (see ``TAGS``).

    Finds names, e-mail addresses (also written as ``jan [at] politie [dot] nl``), phone numbers,
    URLs, social-media handles, BSNs, IBANs, postcodes, street addresses, number plates, IP
    addresses, dates and personnel numbers. Place names, organisations and ordinary numbers stay.
    ``lang`` is the report language of the tags ("nl" or "en"). The result scrubs to itself.
    """
    if lang not in TAGS:
        raise ValueError(f"scrub_quote: lang must be one of {sorted(TAGS)}, not {lang!r}")
    tags = TAGS[lang]
    # one form of every character (NFKC): a decomposed "é" (as macOS writes it) or full-width digits
    # and "@" would otherwise hide a name, number or address from the patterns
    text = unicodedata.normalize("NFKC", text)
    for _ in range(len(text) + 1):  # each round replaces at least one character that is not a tag
        scrubbed = _scrub_once(text, tags)
        if scrubbed == text:
            break
        text = scrubbed
    return text


# --------------------------------------------------------------------------- review before publication

#: Columns of ``outputs/analyst/quotes_review.csv``; a reviewer fills in ``approved`` (yes/no).
REVIEW_COLUMNS = ["theme", "question", "text", "hash", "approved"]


def quote_hash(question: str, text: str) -> str:
    """A short fingerprint of a scrubbed quote and its question: an approval holds only for this text."""
    import hashlib

    return hashlib.sha256(f"{question}\n{text}".encode("utf-8")).hexdigest()[:16]


def read_approved_quotes(path: str | Path | None) -> frozenset[str] | None:
    """Hashes of the quotes a person approved in a review file (None when no file is given).

    A row counts when ``approved`` is yes/ja/y/j/1/true/x and its hash still matches its text
    (an edited text must be reviewed again).
    """
    if path is None:
        return None
    import csv

    approved = set()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
        fh.seek(0)
        # Dutch Excel saves CSV with ";" between fields
        delimiter = ";" if first.count(";") > first.count(",") else ","
        for row in csv.DictReader(fh, delimiter=delimiter):
            mark = (row.get("approved") or "").strip().lower()
            if mark in {"yes", "ja", "y", "j", "1", "true", "x"} and quote_hash(
                    row.get("question", ""), review_text(row.get("text", ""))) == (row.get("hash") or "").strip():
                approved.add(row["hash"].strip())
    return frozenset(approved)


#: A cell starting with one of these is a formula to a spreadsheet program.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def review_cell(text: str) -> str:
    """A scrubbed answer as the review CSV holds it: a leading apostrophe before a text that a
    spreadsheet would run as a formula ("=HYPERLINK(...)"); :func:`review_text` takes it off."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def review_text(cell: str) -> str:
    """The scrubbed answer of a review CSV cell (the inverse of :func:`review_cell`)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START) else cell
