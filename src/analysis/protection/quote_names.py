"""Names of persons in a text, for :func:`~analysis.protection.quotes.scrub_quote`: after a title or
role ("collega piet de vries"), as a first name, tussenvoegsels and a surname, after a cue word ("met
pieter en joost"), on their own in lower case ("ik heb kim gebeld"), and from ``names_nl.txt``.

A first name in lower case is a known first name of deduce's list (vmenger/deduce) that is not an
ordinary Dutch word (:meth:`~analysis.protection.quote_lookups.Lists.is_name`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from analysis.protection.quote_lookups import NAMES_THAT_ARE_WORDS, NOT_NAMES, lookup_lists, names_file

@dataclass(frozen=True)
class Finding:
    """A span of text (``start`` to ``end``) that holds personal data of one kind."""

    start: int
    end: int
    kind: str


WORD_CHARS = r"A-Za-zÀ-ÖØ-öø-ÿ"
INTERFIX = r"(?:van|de|der|den|het|'t|ter|ten|te|op|in|aan|uit|bij|la|le|du|da|di|el|von|zu|vd|v\.d\.|v\.)"
# -- names: titles and roles after which a (lower-case) name may follow
_TITLES = (r"(?:mevrouw|mevr\.?|mw\.?|meneer|mijnheer|dhr\.?|de\s+heer|heer|mej\.?|juffrouw|collega|"
           r"(?:hoofd|wijk|buurt|motor|jeugd|verkeers)?agent(?:e)?|brigadier|(?:hoofd)?inspecteur|commissaris|"
           r"rechercheur|teamchef|teamleider|korpschef|chef|burgemeester|officier|wethouder|"
           r"dr\.?|drs\.?|ir\.?|ing\.?|prof\.?|mr\.?|ds\.?|zuster|broeder|buurman|buurvrouw|"
           r"mrs\.?|mr\.?|ms\.?|miss|sir|officer|sergeant|detective|constable|colleague)")
_TITLE_THEN = re.compile(rf"(?i)(?<!\w){_TITLES}\s+")
_TOKEN = re.compile(rf"(?:[{WORD_CHARS}]\.\s?)+|[{WORD_CHARS}][{WORD_CHARS}'’-]*")
_FULL_NAME = re.compile(rf"([{WORD_CHARS}][\w'-]*)\s+((?:{INTERFIX}\s+)*)([{WORD_CHARS}][\w'-]*)(?![\w@])")
_WORD_START = re.compile(rf"(?<![\w@'’-])[{WORD_CHARS}]")
# Surnames that are also words ("bakker", "visser") are a name straight after a title or role:
# "wijkagent bakker", "collega visser" (not "agent wijk", "agent groot": words that also follow a role).
SURNAMES_AFTER_ROLE = {"bakker", "visser", "bos", "vos", "mulder", "dekker", "brouwer", "smit", "kok", "boer", "koning"}
_INTERFIX_AND_STOP = {"in", "de", "het", "van", "op", "te", "een", "en", "bij", "aan", "uit", "met", "voor"}
# Public names that look like a person's name.
PUBLIC_TERMS = re.compile(r"\bAmber\s+Alert\b", re.IGNORECASE)
INTERFIX_WORD = re.compile(rf"^{INTERFIX}$", re.IGNORECASE)
# -- first names in lower case: the words after which one names a person, and the words that join names
# (not a word cut short, "voor han.." in an abbreviated heading, nor part of an address)
_NAME_TOKEN = re.compile(rf"(?<![\w@.])[{WORD_CHARS}][{WORD_CHARS}'’-]*(?![\w@]|\.\w|\.\.|…)|[,&+/]")
_NAME_JOINS = {"en", "of", ",", "&", "+", "/", "and"}
_NAME_CUES = _NAME_JOINS | {"met", "van", "aan", "door", "bij", "voor", "zoals", "namens", "tegen", "via", "with",
                            "collega", "collega's", "collega’s", "collegas", "heet", "genaamd", "zei", "belde", "vroeg",
                            "sprak", "spraken", "mailde", "appte"}


def _name_tail(text: str, pos: int, after_title: bool) -> int:
    """End of the name that starts at ``pos`` (``pos`` itself when there is none).

    A name is: initials, then words that are capitalised (and not ordinary words) or that are
    known first names / surnames in lower case, with tussenvoegsels between them.
    """
    lists = lookup_lists()
    end, i, have_first, count = pos, pos, False, 0
    while True:
        m = _TOKEN.match(text, i)
        if not m:
            break
        word = m.group().rstrip()
        lower = word.lower()
        if "." in word and re.fullmatch(rf"(?:[{WORD_CHARS}]\.\s?)+", m.group()):  # initials
            if not re.fullmatch(r"(?:[A-Z]\.\s?)+", m.group()):
                break
            end, have_first = i + len(word), True
        elif INTERFIX_WORD.match(word):
            pass  # only part of the name when a name word follows
        elif word[:1].isupper() and (lower not in lists.words or lower in NAMES_THAT_ARE_WORDS):
            end = m.end()
        elif count == 0 and lists.is_name(lower, first=True, also_words=True):
            end, have_first = m.end(), True
        elif (have_first or (after_title and count == 0)) and lists.is_name(
                lower, first=False, also_words=have_first or (after_title and lower in SURNAMES_AFTER_ROLE)):
            end = m.end()
        else:
            break
        count += 1
        nxt = re.match(r"[ \t]+", text[m.end():])
        if not nxt or count > 6:
            break
        i = m.end() + nxt.end()
    return end


# "wijkagent in Houten", "agent te Den Haag": where someone works, not who ("agent van Houten" is a name)
_AT_PLACE = re.compile(r"(?i)(?:in|te|uit|bij|op|aan)\s+(.+)")


def _names_after_titles(text: str) -> Iterator[Finding]:
    for m in _TITLE_THEN.finditer(text):
        end = _name_tail(text, m.end(), after_title=True)
        place = _AT_PLACE.fullmatch(text, m.end(), end)
        if end > m.end() and not (place and place.group(1) in lookup_lists().places):
            yield Finding(m.end(), end, "name")


def _full_names(text: str) -> Iterator[Finding]:
    """A known first name, tussenvoegsels and a known surname: "piet de vries", "Bas van der Veen".

    In lower case neither name may be an ordinary word. Capitalised, deduce finds "Kees Bakker"
    itself, but not always with a tussenvoegsel between.
    """
    lists = lookup_lists()
    for start in _WORD_START.finditer(text):
        m = _FULL_NAME.match(text, start.start())
        if not m:
            continue
        first, interfix, last = m.group(1), m.group(2), m.group(3)
        if first.islower() and last.islower():
            word_like = first in NAMES_THAT_ARE_WORDS or last in NAMES_THAT_ARE_WORDS
            found = (lists.is_name(first, first=True, also_words=True)
                     and lists.is_name(last, first=False, also_words=True)
                     and (bool(interfix) if word_like else (interfix or first not in lists.surnames)))
        else:
            found = (first[:1].isupper() and last[:1].isupper() and bool(interfix)
                     and first.lower() in lists.first_names and last.lower() in lists.surnames
                     and first.lower() not in _INTERFIX_AND_STOP | NOT_NAMES)
        if found:
            yield Finding(m.start(), m.end(), "name")


def _is_lower_first_name(word: str) -> bool:
    return word.islower() and len(word) > 2 and lookup_lists().is_name(word, first=True, also_words=False)


def _cued_first_names(text: str) -> Iterator[Finding]:
    """First names in lower case that name someone: after a cue ("met pieter", "collega kim", "van
    marieke") or next to another first name ("pieter en joost", "sanne, kim"). A first name on its own
    elsewhere is left: deduce's list holds words such as "lente" that are names too."""
    tokens = list(_NAME_TOKEN.finditer(text))
    names = [_is_lower_first_name(t.group()) for t in tokens]
    for k, token in enumerate(tokens):
        if not names[k]:
            continue
        before = tokens[k - 1].group().lower() if k else ""
        neighbours = [names[j] for j in (k - 2, k - 1, k + 1, k + 2) if 0 <= j < len(tokens)
                      and (abs(j - k) == 1 or tokens[(j + k) // 2].group().lower() in _NAME_JOINS)]
        if before in _NAME_CUES or any(neighbours):
            yield Finding(token.start(), token.end(), "name")


def _lone_first_names(text: str) -> Iterator[Finding]:
    """A first name on its own, in any case but capitals ("ik heb kim gebeld", "kIm zei"), when it is
    no ordinary word (:meth:`~analysis.protection.quote_lookups.Lists.is_lone_first_name`). Words in
    capitals are acronyms ("ICT") unless :func:`~analysis.protection.quotes.detection_form` made
    them a name first."""
    lists = lookup_lists()
    for token in _NAME_TOKEN.finditer(text):
        word = token.group()
        if len(word) > 2 and not word.isupper() and lists.is_lone_first_name(word.lower()):
            yield Finding(token.start(), token.end(), "name")


def _listed_names(text: str) -> Iterator[Finding]:
    for pattern in names_file():
        for m in pattern.finditer(text):
            yield Finding(m.start(), m.end(), "name")


NAME_DETECTORS = [_names_after_titles, _full_names, _cued_first_names, _lone_first_names, _listed_names]
