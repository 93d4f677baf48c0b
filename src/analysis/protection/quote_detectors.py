"""What finds personal data in a text, for :func:`~analysis.protection.quotes.scrub_quote`.

Each detector gives :class:`Finding` spans of one kind: our own patterns (BSN with the 11-test, IBAN
with its mod-97 check, postcodes, street addresses, number plates of every Dutch sidecode, IPv4/IPv6,
dates, personnel numbers, e-mail also obfuscated, every Dutch phone format, handles also after "@ ", a
platform name or an account cue, URLs without a scheme, short or defanged), the names of
:mod:`~analysis.protection.quote_names` and deduce's findings (:data:`DETECTORS`).
"""
from __future__ import annotations

import ipaddress
import re
from typing import Callable, Iterator

from analysis.protection.quote_cues import CUE_DETECTORS
from analysis.protection.quote_lookups import deduce_model, lookup_lists
from analysis.protection.quote_names import INTERFIX, NAME_DETECTORS, Finding

# --------------------------------------------------------------------------- deduce

# deduce tag -> our kind. "locatie" (place names, postcodes, streets) is left out on purpose:
# place names stay, and our own patterns find postcodes and addresses without taking the city along.
_DEDUCE_KINDS = {"persoon": "name", "datum": "date", "telefoonnummer": "phone", "emailadres": "email",
                 "url": "url", "bsn": "bsn"}

# Public service numbers (free, paid, the police's own 0900-8844) are not personal data.
_SERVICE_NUMBER = re.compile(r"^(?:0800|090[069]|0970|112$|144$)")


def _deduce_findings(text: str) -> Iterator[Finding]:
    for annotation in deduce_model().deidentify(text).annotations:
        kind = _DEDUCE_KINDS.get(annotation.tag)
        if kind == "phone" and _SERVICE_NUMBER.match(re.sub(r"\D", "", annotation.text)):
            continue
        if kind == "name" and _is_place(annotation.text):
            continue
        if kind:
            yield Finding(annotation.start_char, annotation.end_char, kind)


def _is_place(name: str) -> bool:
    """"In Den Haag" at the start of a sentence: deduce reads a first name "In" and a surname."""
    places = lookup_lists().places
    first, _, rest = name.partition(" ")
    return name in places or (first.lower() in lookup_lists().words and rest[:1].isupper() and rest in places)


# --------------------------------------------------------------------------- patterns


# -- e-mail, plain and obfuscated
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_AT = r"(?:\s*[\[({<]\s*(?:at|a|@|apenstaartje)\s*[\])}>]\s*|\s+(?:at|apenstaartje)\s+|\s+@\s*|\s*@\s+)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|punt|\.)\s*[\])}>]\s*|\s+(?:dot|punt)\s+|\.)"
# "jan @ politie . nl": a dot with spaces around it, before a known top-level domain only
_SPACED_DOT = r"(?:\s+\.\s*|\s*\.\s+)"
_TLDS = ("nl|com|org|net|be|eu|info|uk|io|gov|edu|nu|tv|biz|ly|gl|co|int|frl|amsterdam|online|app|fr|"
         "social|onion|mobi|me|to|gd|cc|im|ai|gg|ms|ws|li|sh|de")
_EMAIL_OBFUSCATED = re.compile(rf"(?<![\w.])[\w+-]+(?:\.[\w+-]+)*{_AT}[\w-]+(?:(?:{_DOT}|{_SPACED_DOT})[\w-]+)*"
                               rf"(?:{_DOT}[a-z]{{2,6}}|{_SPACED_DOT}(?:{_TLDS}))(?!\w)", re.IGNORECASE)
# "kim_at_politie_nl", "jan-at-politie-dot-nl": the whole address one word
_EMAIL_WORDS = re.compile(rf"(?i)(?<![\w.-])[a-z0-9][\w.+-]*?[_-](?:at|apenstaartje)[_-][a-z0-9][a-z0-9-]*?"
                          rf"(?:[_-](?:dot|punt)[_-]|[_.])(?:{_TLDS})(?![a-z0-9])")

# -- URLs
_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\d?\.)[^\s<>\"'\[\]]+"
    rf"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})(?![\w-])(?:[/?#][^\s<>\"'\[\]]*)?"
    # any host with a path ("t.me/kim", "vk.ru/kim"): a top-level domain of letters, then "/" and a word
    r"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,6}/\w[^\s<>\"'\[\]]*",
    re.IGNORECASE)
_TRAILING = ".,;:!?)'\"»”’"

# -- defanged URLs, as security advisories write them: hxxps://, www[.]politie[.]nl, politie(dot)nl
_DEFANGED_DOT = r"(?:\s*[\[({]\s*(?:\.|dot|punt)\s*[\])}]\s*|\s+dot\s+)"
_URL_DEFANGED = re.compile(
    r"\b(?:hxxps?|h\*\*ps?|fxp|https?)\s*(?:\[:\]|\(:\)|:)\s*//[^\s<>\"']+"
    rf"|(?<![\w@.-])(?:[a-z0-9-]+(?:{_DEFANGED_DOT}|\.))+(?:{_TLDS})(?![\w-])"
    r"(?:[/?#][^\s<>\"']*)?",
    re.IGNORECASE)

# -- handles (@name, also with dots and underscores; "@ name"; after a platform: "twitter: name")
_HANDLE = re.compile(r"(?<![\w@.])@\w(?:[\w.]*\w)?")
_HANDLE_TOKEN = r"@?\s*([\w](?:[\w.]*\w)?)"
_HANDLE_SPACED = re.compile(r"(?<![\w@.])@\s+([A-Za-z_](?:[\w.]*\w)?)")
_PLATFORM_HANDLE = re.compile(
    r"(?i)\b(?:twitter|tweakers|insta(?:gram)?|ig|facebook|fb|linkedin|tiktok|snapchat|snap|youtube|yt|hyves|"
    r"mastodon|threads|telegram|skype|signal|whatsapp|bluesky|github)"
    rf"(?:[ -]?(?:account|naam|handle|profiel|pagina|id))?\s*(?:[:=]|\s@)\s*{_HANDLE_TOKEN}")
# Words after which an account name follows: "zoek op x", "volg x", "mijn account is x", "op twitter als x".
_ACCOUNT_CUE = re.compile(
    r"(?i)\b(?:zoek(?:en|t)?(?:\s+(?:ons|mij|me))?\s+(?:op|naar)|volg(?:en|t)?(?:\s+(?:ons|mij|me))?\s*:?|"
    r"\w*(?:account|gebruikersnaam|username|handle)(?:naam)?(?:\s+(?:is|heet|was))?\s*:?|"
    r"(?:twitter|insta(?:gram)?|facebook|linkedin|tiktok|snapchat|telegram|mastodon|bluesky|threads)"
    r"\s+(?:is|heet|als))"
    r"\s*@?\s*([^\W_][\w]*(?:[._][\w]+)*)")
# A word with an underscore inside is an account name wherever it stands ("wijkagent_kim"), but in an address.
_UNDERSCORED = re.compile(r"(?<![\w@./-])[^\W_]+(?:_[^\W_]+)+(?![\w@/-]|\.\w)")
# Words an account name is made of besides names: "wijkagentkim", "politie_utrecht".
_ACCOUNT_WORDS = re.compile(r"(?:wijk|buurt|hoofd|jeugd)?agent(?:e)?|politie|recherche|team|bureau|wijk|officer|"
                            r"cop|brigadier|agent|inspecteur")

# -- IBAN (mod 97), national lengths where known
_IBAN_LENGTH = {"NL": 18, "BE": 16, "DE": 22, "FR": 27, "GB": 22, "ES": 24, "IT": 27, "LU": 20, "AT": 20,
                "CH": 21, "IE": 22, "PL": 28, "PT": 25, "DK": 18, "SE": 24, "NO": 15, "FI": 18, "CZ": 24}
# the countries of the SWIFT IBAN registry: "in 2011 ongeveer 120" is no IBAN ("IN" has none)
_IBAN_COUNTRIES = set("AD AE AL AT AZ BA BE BG BH BI BR BY CH CR CY CZ DE DJ DK DO EE EG ES FI FK FO FR GB GE GI GL GR "
                      "GT HR HU IE IL IQ IS IT JO KW KZ LB LC LI LT LU LV LY MC MD ME MK MN MR MT MU NI NL NO OM PK PL "
                      "PS PT QA RO RS RU SA SC SD SE SI SK SM SO ST SV TL TN TR UA VA VG XK YE".split())
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2} ?\d{2}(?=[ ./-]{0,3}[A-Za-z0-9])")
# between groups of an IBAN: one or two spaces, a dot, a hyphen or a slash
_IBAN_SEPARATOR = re.compile(r"[ ]?[./-][ ]?| {1,2}")

# -- BSN: nine digits, optionally grouped with dots, spaces or dashes
# (or with commas, in groups of three: "123,456,782")
_BSN = re.compile(r"(?<![\w.,-])(?:\d(?:(?:[ ./-]| [./-] ?)?\d){8}|\d{3},\d{3},\d{3})(?!\d|[.,-]\d)")

# -- phone numbers: a run of digits and separators, checked for a valid number of digits
# (a line break may stand between the groups: "06\n12 34 56 78")
_PHONE_RUN = re.compile(r"(?<![\w.,/])[+(]?\d[\d()+./ \t\r\n-]*\d\)?")
_PHONE_SEPARATOR = re.compile(r"[ \t()./-]{1,4}|[ \t()./-]{0,3}\r?\n[ \t()./-]{0,3}")
# Belgian landlines have nine digits, written "02/123 45 67" or "050 12 34 56" (the BIPT numbering plan)
_PHONE_BE = re.compile(r"(?<![\w.,/+-])0(?:[1-9][ ./-]{1,3}\d{3}|[1-9]\d[ ./-]{1,3}\d{2})[ .-]\d{2}[ .-]\d{2}"
                       r"(?!\w|[.,/-]\d)")

# -- postcodes, with an optional house number
_POSTCODE_UNITS = {"mg", "gr", "kg", "km", "cm", "mm", "ml", "cl", "dl", "kb", "mb", "gb", "tb", "pk", "kw", "ct",
                   "st", "nd", "rd", "th", "am", "pm", "uur", "hz", "eu", "ha"}
_POSTCODE = re.compile(r"(?<![\w-])[1-9]\d{3}(?:\s?(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2})(?![\w])"
                       r"(?:,?\s+(?:nr\.?\s*)?\d{1,5}(?:[-\s]?[a-zA-Z](?![\w]))?(?![\w]))?")

# "1234 ab": lower case with a space, when the letters are no word (checked in _postcodes)
_POSTCODE_LOWER_SPACED = re.compile(r"(?<![\w.,-])[1-9]\d{3} ((?!sa|sd|ss)[a-z]{2})(?![\w-])")

# -- street addresses: street name + house number
_HOUSE_NUMBER = r"\d{1,5}(?:\s?[-/]?\s?(?:[a-zA-Z](?![\w])|\d{1,3}(?!\d)|hs|bis|I{1,3}(?![\w])))?(?![\w])"
_STREET_SUFFIX = (r"(?:straat|str\.|laan|gracht|plein|kade|singel|dreef|steeg|plantsoen|boulevard|weg|dijk|hof|park|"
                  r"pad|markt|baan|dam|wal|veld|ring|kamp|haven|burgwal|vaart|kanaal|erf|hoeve|poort|dwarsstraat)")
_STREET_LEAD = r"(?:[A-Z][\w'.-]*\s+(?:(?:[A-Z][\w'.-]*|" + INTERFIX + r")\s+){0,2})?"
_ADDRESS = re.compile(
    # Kerkstraat 12a, Van Speijkstraat 3, Burgemeester de Monchyplein 1, kerkstraat 12 (lower case only for
    # the unmistakable suffixes)
    rf"\b{_STREET_LEAD}(?:[A-Z][\w'-]*{_STREET_SUFFIX}|[a-z][\w'-]*(?:straat|laan|gracht|plein|kade|singel|steeg|"
    rf"dreef|plantsoen))\s+(?:nr\.?\s*)?{_HOUSE_NUMBER}"
    # Laan van Meerdervoort 200, Plein 1813 ... Oude Delft 12, Lange Voorhout 9 (prefix-type names)
    rf"|\b(?:Laan|Plein|Weg|Kade|Dreef|Singel|Gracht|Dijk|Straat|Hof|Park|Markt|Wal|Steeg|Haven|Boulevard|"
    rf"Burgemeester|Burg\.|Generaal|Koningin|Koning|Prins|Prinses|Graaf|Sint|St\.|Dokter|Dr\.|Professor|Prof\.|"
    rf"President|Admiraal|Pastoor|Meester|Mr\.|Oude|Nieuwe|Lange|Korte|Hoge|Lage|Eerste|Tweede|Derde)\s+"
    rf"(?:{INTERFIX}\s+){{0,3}}[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){{0,2}}\s+(?:nr\.?\s*)?{_HOUSE_NUMBER}"
    rf"|\b[Pp]ostbus\s+\d{{1,5}}(?!\d)")
# Any capitalised run of words followed by a house number: an address when deduce's street list
# knows the name (two or more words: single-word entries such as "Groep" or "Bus" are too common).
_STREET_CANDIDATE = re.compile(rf"\b([A-Z][\w'.-]*(?:\s+(?:[A-Z][\w'.-]*|{INTERFIX})){{1,4}})\s+{_HOUSE_NUMBER}")

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


def _strip_trailing(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _TRAILING:
        # a closing bracket that belongs to the URL, as in wikipedia.org/wiki/X_(Y), stays
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end


def _regex(pattern: re.Pattern, kind: str, group: int = 0) -> Callable[[str], Iterator[Finding]]:
    def find(text: str) -> Iterator[Finding]:
        for m in pattern.finditer(text):
            yield Finding(m.start(group), m.end(group), kind)
    return find


def _urls(text: str) -> Iterator[Finding]:
    for m in _URL.finditer(text):
        end = _strip_trailing(text, m.start(), m.end())
        if end > m.start() and re.search(r"[A-Za-z]", text[m.start():end]):
            yield Finding(m.start(), end, "url")


def _defanged_urls(text: str) -> Iterator[Finding]:
    for m in _URL_DEFANGED.finditer(text):
        if not re.match(r"(?i)h(?:xx|\*\*)ps?|fxp", m.group()) and not re.search(r"[\[({]|\sdot\s", m.group()):
            continue  # a plain URL is :func:`_urls`' job
        yield Finding(m.start(), _strip_trailing(text, m.start(), m.end()), "url")


def _looks_like_handle(token: str) -> bool:
    """Whether a word after "twitter:" is an account name: "wijkagent_henk", "kim.dewit", "JanJansen",
    "pietjansen" (names run together), not "handig" or "Snel"."""
    if re.search(r"[_\d.]|[a-z][A-Z]", token):
        return True
    lists, lower = lookup_lists(), token.lower()
    if lower in lists.words:
        return False
    known = lists.first_names | lists.surnames
    # a name and an account word run together, either way round: "wijkagentkim", "kimagent"
    return lower in known or any((lower[:k] in known or _ACCOUNT_WORDS.fullmatch(lower[:k])) and lower[k:] in known
                                 or lower[:k] in known and _ACCOUNT_WORDS.fullmatch(lower[k:])
                                 for k in range(2, len(lower) - 1))


def _account_like(token: str) -> bool:
    """Whether a word after an account cue ("zoek op", "volg") is an account name, not an ordinary word:
    "kim.politie", "henk_01", "WijkagentKim", "wijkagentkim" (an account word and a name run together)."""
    if re.search(r"[^\W\d_]", token) and re.search(r"[_\d.]|[a-z][A-Z]", token):
        return True
    lists, lower = lookup_lists(), token.lower()
    return any(_ACCOUNT_WORDS.fullmatch(lower[:k]) and lower[k:] in lists.first_names | lists.surnames
               for k in range(2, len(lower) - 1))


def _handles(text: str) -> Iterator[Finding]:
    """ "@ wijkagent_kim" (a space after the @), an account name after a platform ("twitter: x") or an
    account cue ("zoek op x", "mijn account is x"), and any word with an underscore inside."""
    for m in _ACCOUNT_CUE.finditer(text):
        if _account_like(m.group(1)):
            yield Finding(m.start(1), m.end(1), "handle")
    for m in _UNDERSCORED.finditer(text):
        yield Finding(m.start(), m.end(), "handle")
    for m in _HANDLE_SPACED.finditer(text):
        if m.group(1).lower() not in lookup_lists().words:
            yield Finding(m.start(), m.end(), "handle")
    for m in _PLATFORM_HANDLE.finditer(text):
        if _looks_like_handle(m.group(1)) or ("@" in m.group() and m.group(1).lower() not in lookup_lists().words):
            yield Finding(m.start(1), m.end(1), "handle")


def _bsn_valid(digits: str) -> bool:
    if len(digits) != 9 or digits == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1))) - int(digits[8])
    return total % 11 == 0


def _bsns(text: str) -> Iterator[Finding]:
    for m in _BSN.finditer(text):
        if _bsn_valid(re.sub(r"\D", "", m.group())):
            yield Finding(m.start(), m.end(), "bsn")


def _iban_valid(code: str) -> bool:
    length = _IBAN_LENGTH.get(code[:2])
    if code[:2] not in _IBAN_COUNTRIES or (length and len(code) != length) or not 15 <= len(code) <= 34:
        return False
    number = "".join(str(int(ch, 36)) for ch in code[4:] + code[:4])
    return int(number) % 97 == 1


def _ibans(text: str) -> Iterator[Finding]:
    for m in _IBAN_START.finditer(text):
        # walk on over letters and digits (single spaces allowed between them), remembering every
        # place where a group ends; the longest valid IBAN wins
        code, ends, i = m.group().upper().replace(" ", ""), [], m.end()
        while i < len(text) and len(code) < 34:
            gap = _IBAN_SEPARATOR.match(text, i)
            if gap and gap.end() < len(text) and text[gap.end()].isascii() and text[gap.end()].isalnum():
                i = gap.end()
            if not (text[i].isascii() and text[i].isalnum()):
                break
            code += text[i].upper()
            i += 1
            if i == len(text) or not (text[i].isascii() and text[i].isalnum()):
                ends.append((i, code))
        for end, candidate in reversed(ends):
            if _iban_valid(candidate):
                yield Finding(m.start(), end, "iban")
                break


def _phone_valid(lead: str, digits: str) -> bool:
    if lead == "+" or digits.startswith("00"):
        number = digits if lead == "+" else digits[2:]
        if number.startswith("31"):
            rest = number[2:]
            return len(rest[1:] if rest.startswith("0") else rest) == 9
        return 8 <= len(number) <= 15 and not number.startswith("0")
    return digits.startswith("0") and len(digits) == 10 or digits.startswith("6") and len(digits) == 9


def _phones(text: str) -> Iterator[Finding]:
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
                # a mobile number without its 0 ("6 12 34 56 78", "612345678"), not "612.345.678"
                mobile = digits.startswith("6") and groups[i][1] - groups[i][0] in (1, 9)
                if (lead or digits.startswith("0") or mobile) and _phone_valid(lead, digits):
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
            yield Finding(start, end, "phone")
            i = found + 1


def _postcodes(text: str) -> Iterator[Finding]:
    for m in _POSTCODE.finditer(text):
        letters = re.match(r"\d{4}\s?([A-Za-z]{2})", m.group()).group(1)
        if letters.lower() not in _POSTCODE_UNITS:
            yield Finding(m.start(), m.end(), "postcode")
    for m in _POSTCODE_LOWER_SPACED.finditer(text):  # "1234 ab", not "2011 en" (a word)
        if m.group(1) not in _POSTCODE_UNITS | lookup_lists().words:
            yield Finding(m.start(), m.end(), "postcode")


def _listed_streets(text: str) -> Iterator[Finding]:
    streets = lookup_lists().streets
    for m in _STREET_CANDIDATE.finditer(text):
        words = list(re.finditer(r"\S+", m.group(1)))
        for k in range(len(words) - 1):  # the longest known street name that ends before the number
            name = " ".join(w.group() for w in words[k:])
            if name[:1].isupper() and name in streets:
                yield Finding(m.start(1) + words[k].start(), m.end(), "address")
                break


def _plates(text: str) -> Iterator[Finding]:
    for pattern in (_PLATE_DASHED, _PLATE_PLAIN):
        for m in pattern.finditer(text):
            yield Finding(m.start(), m.end(), "plate")
    for m in _PLATE_AFTER_WORD.finditer(text):
        yield Finding(m.start(1), m.end(1), "plate")


def _ips(text: str) -> Iterator[Finding]:
    for m in _IPV4.finditer(text):
        yield Finding(m.start(), m.end(), "ip")
    for m in _IPV6.finditer(text):
        address = m.group().split("/")[0]
        if sum(1 for part in address.split(":") if part) < 2:
            continue
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            continue
        yield Finding(m.start(), m.end(), "ip")



DETECTORS: list[Callable[[str], Iterator[Finding]]] = [
    _regex(_EMAIL, "email"), _regex(_EMAIL_OBFUSCATED, "email"), _regex(_EMAIL_WORDS, "email"), _urls, _defanged_urls,
    _regex(_HANDLE, "handle"), _handles, _ibans, _bsns, _phones, _regex(_PHONE_BE, "phone"), _postcodes,
    _regex(_ADDRESS, "address"), _listed_streets, _plates, _ips, _regex(_DATE, "date"), _regex(_PERSONNEL, "personnel"),
    *CUE_DETECTORS, *NAME_DETECTORS, _deduce_findings,
]


# case-sensitive here (a top-level domain in lower case): "de wijk.Nu is" is a missing space, not a URL
#: E-mail addresses (also obfuscated ones), URLs and social-media handles.
ADDRESSES = re.compile("|".join(f"(?:{p.pattern})" for p in (_EMAIL, _URL, _HANDLE, _EMAIL_OBFUSCATED)))
