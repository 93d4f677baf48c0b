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
  [dot] nl", "jan @ politie . nl", "kim_at_politie_nl"), every Dutch phone format (also "6 12 34 56 78"),
  handles (also "@ kim", "twitter: kim_01", "zoek op wijkagent_kim" and any word with an underscore),
  URLs without a scheme, short or messenger links ("t.me/kim", "wa.me/316...") or defanged ("hxxps://",
  "politie[.]nl"), names written in lower case after a title ("collega piet de vries"), after a cue
  ("met pieter en joost") or on their own when deduce's first-name list holds them and they are no
  ordinary word ("ik heb kim gebeld"; not "de brand": ``data/reference/words_on_name_lists.txt``),
  and ``data/reference/names_nl.txt``. A role in a place ("wijkagent in Houten") is no name.

Characters that show nothing (zero-width spaces, soft hyphens) are taken out of the answer first.

The detectors read the answer with every dash written as "-", every special space as a space and
names in capitals ("PIETER DE VRIES") capitalised (:func:`detection_form`), so "06–12345678" with an
en dash is a phone number; what they find is cut from the answer as written.

Where findings overlap they are merged into one, tagged with the most specific kind among them.
Scrubbing repeats until nothing changes, so a scrubbed quote scrubs to itself. Anything all of
this misses is why quotes from real data are also read by a person before they are published.

The detectors: :mod:`~analysis.protection.quote_detectors`; deduce and the lookup lists they use:
:mod:`~analysis.protection.quote_lookups`. The review file that approves quotes for publication is
read and written with the functions at the end of this module.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from analysis.protection.quote_cues import ROLES
from analysis.protection.quote_detectors import ADDRESSES, DETECTORS
from analysis.protection.quote_names import INTERFIX_WORD, PUBLIC_TERMS, Finding
from analysis.protection.quote_lookups import NAMES_THAT_ARE_WORDS, lookup_lists

#: The tag that replaces each kind of personal data, per report language.
TAGS: dict[str, dict[str, str]] = {
    "nl": {"name": "[naam]", "email": "[e-mail]", "phone": "[telefoon]", "url": "[url]", "handle": "[handle]",
           "bsn": "[bsn]", "iban": "[iban]", "postcode": "[postcode]", "address": "[adres]", "plate": "[kenteken]",
           "ip": "[ip-adres]", "date": "[datum]", "personnel": "[personeelsnummer]",
           "number": "[nummer]", "age": "[leeftijd]"},
    "en": {"name": "[name]", "email": "[e-mail]", "phone": "[phone]", "url": "[url]", "handle": "[handle]",
           "bsn": "[bsn]", "iban": "[iban]", "postcode": "[postcode]", "address": "[address]", "plate": "[plate]",
           "ip": "[ip address]", "date": "[date]", "personnel": "[personnel number]",
           "number": "[id number]", "age": "[age]"},
}
#: The language of the tags when none is given: English, as before ``lang`` existed.
DEFAULT_LANG = "en"

# Which kind names overlapping findings (first wins): "jan@politie.nl" is an e-mail address, not a name
# and a URL; "Laan van Meerdervoort 200" an address, though deduce sees a name in it; "2514AB" a
# postcode, though it is also the form of an old number plate.
_PRIORITY = ["email", "iban", "url", "ip", "personnel", "bsn", "number", "phone", "postcode", "plate", "address",
             "date", "age", "handle", "name"]

# A tag already in the text (from either language) is never scrubbed again.
_TAG = re.compile("|".join(sorted({re.escape(t) for tags in TAGS.values() for t in tags.values()},
                                  key=len, reverse=True)))


# --------------------------------------------------------------------------- scrubbing

# Every dash and invisible space a keyboard or word processor writes, as "-" and " " (one character
# each, so positions stay): "06–12345678" (en dash) and "123—456—782" (em dash) are numbers.
_SAME_LENGTH = str.maketrans({**{ch: "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63"},
                              **{ch: " " for ch in "\u00a0\u2007\u202f\u2028\u2029"}})
# Characters that show nothing, taken out before scrubbing: "k\u200bim" (a zero-width space inside) is "kim".
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"))
_CAPITAL_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]{2,}(?:-[^\W\d_]{2,})*(?![\w'’-])")
# a letter O written for a zero in a number: "O6-12345678", "O2O-5551235" (not "CO2": a letter before it)
_LETTER_O_DIGIT = re.compile(r"(?<![^\W\d_])[Oo](?=\d)|(?<=\d)[Oo](?![^\W\d_])")


def _capitalised_name(word: str) -> str:
    """An all-capitals word as deduce and our lists read it: "PIETER" -> "Pieter", "DE" -> "de"."""
    lists, lower = lookup_lists(), word.lower()
    if "-" in word:  # "ANNE-MARIE" -> "Anne-Marie" when every part is a name
        parts = [_capitalised_name(part) for part in word.split("-")]
        return "-".join(parts) if all(p[:1].isupper() and not p.isupper() for p in parts) else word
    if not word.isupper():
        return word
    if INTERFIX_WORD.match(word):
        return lower if len(lower) == len(word) else word
    known = lower in lists.first_names or lower in lists.surnames
    form = word.capitalize() if known and (lower not in lists.words or lower in NAMES_THAT_ARE_WORDS) else word
    return form if len(form) == len(word) else word  # "İ" lower-cases to two characters


def detection_form(text: str) -> str:
    """`text` as the detectors read it, of the same length (so a finding's span cuts the original):
    dashes and special spaces made plain, a letter O between or before digits a zero ("O6-12345678"),
    names in capitals ("JAN DE VRIES", "ANNE-MARIE") capitalised."""
    plain = _LETTER_O_DIGIT.sub("0", text.translate(_SAME_LENGTH))
    words = list(_CAPITAL_WORD.finditer(plain))
    forms = [_capitalised_name(m.group()) for m in words]
    out, pos = [], 0
    for k, (m, form) in enumerate(zip(words, forms)):
        # an interfix in capitals stays as written unless a name in capitals follows it
        named = any(f != w.group() and f[:1].isupper() for f, w in zip(forms[k + 1:k + 4], words[k + 1:k + 4]))
        out += [plain[pos:m.start()], form if form[:1].isupper() or named else m.group()]
        pos = m.end()
    out.append(plain[pos:])
    return "".join(out)


def _merged(findings: list[Finding]) -> list[Finding]:
    """Overlapping findings as one, of the kind that comes first in ``_PRIORITY`` (ties: the longer)."""
    merged: list[tuple[int, int, Finding]] = []
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if merged and f.start < merged[-1][1]:
            start, end, best = merged[-1]
            if (-_PRIORITY.index(f.kind), f.end - f.start) > (-_PRIORITY.index(best.kind), best.end - best.start):
                best = f
            merged[-1] = (start, max(end, f.end), best)
        else:
            merged.append((f.start, f.end, f))
    return [Finding(start, end, best.kind) for start, end, best in merged]


def _scrub_once(text: str, tags: dict[str, str]) -> str:
    protected = [m.span() for pattern in (_TAG, PUBLIC_TERMS) for m in pattern.finditer(text)]
    form = detection_form(text)
    findings = [f for detect in DETECTORS for f in detect(form)
                if f.end > f.start and not any(f.start < b and a < f.end for a, b in protected)]
    out, pos = [], 0
    for f in _merged(findings):
        out += [text[pos:f.start], tags[f.kind]]
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def strip_addresses(text: str) -> str:
    """`text` with e-mail addresses (also obfuscated ones), URLs and social-media handles replaced by
    a space: the words an automatic coder may read. An address's words are not the respondent's
    ("wijkagent-mulder.nl" is no answer about neighbourhood officers). Cheap (regular expressions
    only), so it runs on every answer of a large export, where :func:`scrub_quote` runs only on the
    answers a reader or reviewer sees."""
    return ADDRESSES.sub(" ", text)


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
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    for _ in range(len(text) + 1):  # each round replaces at least one character that is not a tag
        scrubbed = _scrub_once(text, tags)
        if scrubbed == text:
            break
        text = scrubbed
    return text


# --------------------------------------------------------------------------- review before publication

#: Columns of ``outputs/analyst/quotes_review.csv``; a reviewer fills in ``approved`` (yes/no). ``check``
#: names what the scrubber cannot judge and the reviewer must (:func:`review_check`).
REVIEW_COLUMNS = ["theme", "question", "text", "hash", "check", "approved"]

#: The ``check`` of an answer that names a role and a place: it may describe one person.
ROLE_AND_PLACE = "role + place: could this describe one person?"
_PLACE_AFTER = re.compile(r"(?i)\b(?:bureau|district|basisteam|team|regio|korps|gemeente|eiland)\s+([A-Z][\w'-]+)")
_WORDS = re.compile(r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2}|\w+")


def review_check(text: str) -> str:
    """What a reviewer must weigh before approving a scrubbed answer ("" when nothing stands out).

    A role and a place together ("de enige agent op Schiermonnikoog", "de teamchef van bureau
    Zaandam") can point at one person though no detail in them is personal data by itself; the
    scrubber keeps both (places are no personal data), so the reviewer is asked (:data:`ROLE_AND_PLACE`).
    """
    words = [m.group() for m in _WORDS.finditer(text)]
    places = lookup_lists().places
    has_place = _PLACE_AFTER.search(text) or any(
        " ".join(w.split()[:k]) in places for w in words if w[:1].isupper() for k in range(1, 4))
    has_role = any(ROLES.fullmatch(w.lower()) for w in words)
    return ROLE_AND_PLACE if has_place and has_role else ""


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
