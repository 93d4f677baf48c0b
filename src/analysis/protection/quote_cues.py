"""Personal details that a cue word announces or that are written loosely, for
:func:`~analysis.protection.quotes.scrub_quote` (issue 21: what an adversarial review still got past).

- identifying numbers after a cue word ("pasnummer 87654321", "BVH-nummer 2011012345", "paspoort
  NW1234567", "IMEI 35...", "badge 4711", "KvK: 12345678", "pv-nummer PL1234-..."): a cue of
  :data:`ID_CUES`, then ":", "-", "nr" or "nummer" if written, then a token with three or more digits
  or a letter-and-digit code;
- an exact age ("ik ben 36 jaar", "52 jaar oud", "(58)" after a role or a place, ", 34" after a
  place) and a year of birth ("ik ben van 1975", "geboren in 1975");
- a date written with the day in words ("geboren op twaalf maart 1975");
- e-mail addresses with a comma for the dot or without a top-level domain ("kim@politie,nl",
  "kim@politie"), domains with spaces around the dot ("wijkagentkim . nl");
- number plates with spaces between the groups ("12 ABC 3", "12 abc 3"), where no group is a word.

Each pattern needs its cue or its form: "in 2011 hadden we 3 twitteraccounts", "team van 12
agenten", "B1-niveau", "Web 2.0", "P2000" and "112" stay.
"""
from __future__ import annotations

import re
from typing import Iterator

from analysis.protection.quote_lookups import lookup_lists
from analysis.protection.quote_names import Finding

#: Words that announce an identifying number (any case; a hyphen or nothing before "nummer").
ID_CUES = ("pasnummer", "pas-nummer", "paspoort", "paspoortnummer", "identiteitskaart", "id-kaart", "idkaart",
           "id-nummer", "bvh", "bvh-nummer", "bvh-registratie", "imei", "imei-nummer", "rijbewijs",
           "rijbewijsnummer", "badge", "badgenummer", "dienstnummer", "kvk", "kvk-nummer", "pv", "pv-nummer",
           "proces-verbaal", "mutatienummer", "mutatie", "registratienummer", "zaaknummer", "dossiernummer",
           "klantnummer", "kenmerk", "politienummer", "legitimatie", "legitimatienummer", "bsn-nummer", "sofinummer",
           "burgerservicenummer", "aangiftenummer", "ticketnummer", "accountnummer")
_CUE = "|".join(re.escape(c) for c in sorted(ID_CUES, key=len, reverse=True))
_ID_NUMBER = re.compile(
    rf"(?i)(?<![\w-])(?:{_CUE})(?:[ -]?(?:nummer|nr\.?|no\.?))?(?:\s*[:#=-]\s*|\s+is\s+|\s+)"
    r"((?=[\w./-]*\d{3}|[a-z]{1,4}-?\d)[a-z0-9][\w./-]*\w)")

_AGE = r"(?:1[6-9]|[2-9]\d)"  # from 16: an officer's or a resident's age, not "12 jaar" of service
# what may follow an age: the end of a clause, "oud", "jong" or "en" ("ik ben 36 jaar en ...");
# "ik ben 25 jaar in dienst", "ik ben 20 jaar agent" are years of service
_AGE_END = r"(?=\s*(?:[,.;:!?)]|$|oud\b|jong\b|en\b))"
# "ik ben 36 jaar", "ik word 40", "leeftijd: 52", "36 jaar oud"
_AGE_CUED = re.compile(
    rf"(?i)\b(?:ik\s+ben|ben\s+ik|ik\s+word|ik\s+werd|leeftijd\s*:?|i\s+am|aged?)\s+"
    rf"({_AGE}(?:\s*(?:jaar|jr\.?|years?)(?:\s+oud)?)?){_AGE_END}|\b({_AGE}\s+(?:jaar|years)\s+oud)\b")
# "ik ben van 1975", "geboren in 1975", "geboortejaar 1975"
_BIRTH_YEAR = re.compile(r"(?i)\b(?:ik\s+ben\s+van\s+|geboren\s+(?:in\s+)?|geb\.\s*(?:in\s+)?|geboortejaar\s*:?\s*)"
                         r"((?:19|20)\d{2}|'\d{2})(?!\d)")
# "(58)", ", 34" or ", 52 jaar" after a place name, a role or a tag (see _ages): "Tilburg, 34", "[naam], 52 jaar"
_AGE_AFTER_WORD = re.compile(rf"(\[[^\]]+\]|[^\W\d_][\w-]*)\s*(\(\s*{_AGE}\s*\)|,\s*{_AGE}(?:\s+jaar)?{_AGE_END})")
#: Roles that, with a place, can point at one person (and after which a bracketed number is an age).
ROLES = re.compile(r"(?i)(?:wijk|hoofd|buurt|jeugd|motor)?agente?|brigadier|(?:hoofd)?inspecteur|teamchef|"
                    r"teamleider|korpschef|commissaris|woordvoerder|rechercheur|coördinator|coordinator|chef|"
                    r"collega|burgemeester|officier|woordvoerster|districtschef|politiechef|bureauchef|"
                    r"(?:team|district|politie)?chef|leidinggevende|operationeel\s+specialist|specialist")

_DAY_WORDS = ("een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|zestien|"
              "zeventien|achttien|negentien|twintig|(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen)entwintig|"
              "dertig|eenendertig|eerste|tweede|derde|vierde|vijfde")
_MONTH_NAMES = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
_DATE_IN_WORDS = re.compile(rf"(?i)\b(?:{_DAY_WORDS})\s+(?:{_MONTH_NAMES})\s+(?:(?:19|20)\d{{2}}|'\d{{2}})(?!\d)")

# "kim@politie,nl" (a comma for the dot), "kim@politie" (no top-level domain); plain addresses are
# quote_detectors' job
_EMAIL_LOOSE = re.compile(r"(?i)(?<![\w.+-])[\w.+-]*\w@[\w-]+(?:(?:[.,][\w-]+)*,[a-z]{2,6}(?![\w.-])|(?!\.?[\w-]))")
# "wijkagentkim . nl": a word, a dot with a space around it, a common top-level domain (lower case)
_SPACED_DOMAIN = re.compile(r"(?<![\w.@])[a-z0-9][\w-]{2,}(?:\s*\.\s+|\s+\.\s*)(?:nl|com|org|net|info|be)(?![\w.-])")

# the sidecodes with spaces between the groups ("12 ABC 3"); dashed and plain plates are in quote_detectors
_PLATE_SPACED = re.compile(r"(?i)(?<![\w.,-])(?:\d{2} [a-z]{3} \d|\d [a-z]{3} \d{2}|[a-z]{2} \d{3} [a-z]|"
                           r"[a-z] \d{3} [a-z]{2}|[a-z]{3} \d{2} [a-z]|[a-z] \d{2} [a-z]{3}|\d [a-z]{2} \d{3}|"
                           r"\d{3} [a-z]{2} \d)(?![\w-]|[.,]\d)")


def _identifiers(text: str) -> Iterator[Finding]:
    for m in _ID_NUMBER.finditer(text):
        yield Finding(m.start(1), m.end(1), "number")


def _ages(text: str) -> Iterator[Finding]:
    for pattern in (_AGE_CUED, _BIRTH_YEAR):
        for m in pattern.finditer(text):
            group = next(g for g in range(1, pattern.groups + 1) if m.group(g))
            yield Finding(m.start(group), m.end(group), "age")
    lists = lookup_lists()
    for m in _AGE_AFTER_WORD.finditer(text):
        word = m.group(1)
        if word.startswith("[") or word in lists.places or ROLES.fullmatch(word):
            digits = re.search(r"\d", m.group(2)).start()
            start = m.start(2) if m.group(2).startswith("(") else m.start(2) + digits
            yield Finding(start, m.end(2), "age")


def _regex_finder(pattern: re.Pattern, kind: str):
    def find(text: str) -> Iterator[Finding]:
        for m in pattern.finditer(text):
            yield Finding(m.start(), m.end(), kind)
    return find


def _spaced_plates(text: str) -> Iterator[Finding]:
    words = lookup_lists().words
    for m in _PLATE_SPACED.finditer(text):
        letters = [g for g in m.group().split() if g.isalpha()]
        if not any(g.lower() in words for g in letters):
            yield Finding(m.start(), m.end(), "plate")


CUE_DETECTORS = [_identifiers, _ages, _regex_finder(_DATE_IN_WORDS, "date"), _regex_finder(_EMAIL_LOOSE, "email"),
                 _regex_finder(_SPACED_DOMAIN, "url"), _spaced_plates]
