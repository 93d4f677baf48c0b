"""Scrubbing free-text quotes: planted personal data of 16 kinds goes, ordinary survey text stays.

References: the BSN 11-test and IBAN mod-97 check (ISO 13616) with their published example
numbers (NL91 ABNA 0417 1643 00, GB29 NWBK 6016 1331 9268 19, DE89 3704 0044 0532 0130 00,
BE68 5390 0754 7034); the RDW sidecodes of Dutch number plates; RFC 5952 / RFC 3849 (2001:db8::/32)
for IPv6; deduce (vmenger/deduce) for names.
"""
from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.protection import quote_lookups
from analysis.core.paths import PROJECT_ROOT
from analysis.protection.quotes import TAGS, scrub_quote

#: (kind, planted text). Each is put in an answer, scrubbed, and must be gone with its tag in place.
PLANTED: list[tuple[str, str]] = [
    ("name", "collega piet de vries zei"),
    ("name", "Jan van der Berg"),
    ("name", "Van den Heuvel"),
    ("name", "J. de Vries"),
    ("name", "mevrouw Jansen"),
    ("name", "dhr. Bakker"),
    ("name", "agent Mulder"),
    ("name", "Bas van der Veen"),
    ("name", "Kees Bakker"),
    ("email", "j.jansen@politie.nl"),
    ("email", "piet.de.vries+enquete@gmail.com"),
    ("email", "INFO@WIJKAGENT-NOORD.NL"),
    ("obfuscated email", "jan [at] politie [dot] nl"),
    ("obfuscated email", "jan(at)politie.nl"),
    ("obfuscated email", "jan at politie dot nl"),
    ("obfuscated email", "k.smit (at) hotmail (punt) com"),
    ("obfuscated email", "jan @ politie.nl"),  # spaces around the @ (adversarial review)
    ("obfuscated email", "piet@ hotmail.com"),
    ("phone", "(020) 555 1235"),
    ("phone", "020-5551235"),
    ("phone", "+31 6 1234 5678"),
    ("phone", "0031612345678"),
    ("phone", "06-12345678"),
    ("phone", "06 12 34 56 78"),
    ("phone", "+31 (0)20 555 1235"),
    ("phone", "+32 2 123 45 67"),
    ("url", "https://www.politie.nl/nieuws/2011?id=5"),
    ("url", "www.wijkagentnoord.nl"),
    ("url", "politiebureau-noord.nl/contact"),
    ("url", "http://bit.ly/abc123"),
    ("url", "twitter.com/wijkagent_piet"),
    ("handle", "@wijkagent_piet"),
    ("handle", "@politie.utrecht"),
    ("handle", "@JanJansen1980"),
    ("handle", "@p_de_vries"),
    ("bsn", "123456782"),
    ("bsn", "123.456.782"),
    ("bsn", "1234.56.782"),
    ("bsn", "111 222 333"),
    ("iban", "NL91 ABNA 0417 1643 00"),
    ("iban", "NL91ABNA0417164300"),
    ("iban", "nl91abna0417164300"),
    ("iban", "BE68 5390 0754 7034"),
    ("iban", "DE89 3704 0044 0532 0130 00"),
    ("iban", "GB29 NWBK 6016 1331 9268 19"),
    ("postcode", "1234 AB"),
    ("postcode", "2514AB"),
    ("postcode", "3011 XC 12"),
    ("postcode", "1012JS 5a"),
    ("address", "Kerkstraat 12a"),
    ("address", "Laan van Meerdervoort 200"),
    ("address", "Van Speijkstraat 3"),
    ("address", "Lange Voorhout 9"),
    ("address", "Burgemeester de Monchyplein 1"),
    ("address", "Postbus 20"),
    ("address", "Stationsweg 45-47"),
    ("plate", "12-ABC-3"),
    ("plate", "AB-12-CD"),
    ("plate", "1-ABC-23"),
    ("plate", "XB12FN"),
    ("plate", "87-tkv-2"),
    ("plate", "GBX-12-R"),
    ("ip", "192.168.1.10"),
    ("ip", "10.0.0.254"),
    ("ip", "2001:db8::8a2e:370:7334"),
    ("ip", "fe80::1ff:fe23:4567:890a"),
    ("date", "12-03-1980"),
    ("date", "12/3/80"),
    ("date", "12 maart 1980"),
    ("date", "1980-03-12"),
    ("date", "3 mrt. '80"),
    ("date", "12.03.1980"),
    ("personnel number", "personeelsnummer 123456"),
    ("personnel number", "pers.nr. 1234567"),
    ("personnel number", "personeelsnr: 12345678"),
    ("personnel number", "p-nummer 654321"),
    ("personnel number", "stamnummer 7654321"),
    ("number", "pasnummer 87654321"),
    ("number", "paspoort NW1234567"),
    ("number", "BVH-nummer 2011012345"),
    ("age", "ik ben 36 jaar"),
    ("age", "ik ben van 1975"),
]
_TAG_KIND = {"obfuscated email": "email", "personnel number": "personnel"}
# Words in a planted text that may stay: the title or verb around a name, tussenvoegsels.
_MAY_STAY = {"collega", "zei", "mevrouw", "dhr", "agent", "van", "der", "den", "pasnummer", "paspoort", "nummer", "bvh",
             "ben"}
_BEFORE, _AFTER = "Volgens mij is het ", " en verder niets."


def _secrets(text: str) -> set[str]:
    """What must be gone: the planted text, each run of digits, each word longer than two letters."""
    parts = {text} | set(re.findall(r"\d{2,}", text))
    parts |= {w for w in re.findall(r"[^\W\d_]{3,}", text) if w.lower() not in _MAY_STAY}
    tags = " ".join(t for tags in TAGS.values() for t in tags.values()).lower()
    return {p for p in parts if p.lower() not in tags}


def test_the_table_plants_at_least_60_strings_of_16_kinds():
    assert len(PLANTED) >= 60
    assert len({kind for kind, _ in PLANTED}) == 16
    assert {_TAG_KIND.get(kind, kind) for kind, _ in PLANTED} == set(TAGS["nl"])


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("kind, planted", PLANTED, ids=[f"{k}:{t}" for k, t in PLANTED])
def test_planted_personal_data_is_replaced_by_its_tag(kind, planted, lang):
    clean = scrub_quote(_BEFORE + planted + _AFTER, lang)
    for secret in _secrets(planted):
        assert not re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", clean, re.IGNORECASE), (secret, clean)
    assert TAGS[lang][_TAG_KIND.get(kind, kind)] in clean, clean
    assert clean.startswith(_BEFORE.rstrip()) and clean.endswith(_AFTER.lstrip()), clean


def test_one_answer_with_everything_in_it():
    text = ("Mail j.jansen@politie.nl of bel 06-12345678, zie www.politie.nl en volg @wijkagent_piet. "
            "Ik woon op Kerkstraat 12a, 1234 AB Den Haag. Groet, Jansen")
    assert scrub_quote(text, "nl") == ("Mail [e-mail] of bel [telefoon], zie [url] en volg [handle]. "
                                       "Ik woon op [adres], [postcode] Den Haag. Groet, [naam]")


def test_the_one_argument_call_keeps_the_english_tags():
    assert scrub_quote("Bel 06-12345678 of mail jan@politie.nl, groet Piet de Vries") == \
        "Bel [phone] of mail [e-mail], groet [name]"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang"):
        scrub_quote("tekst", "de")


def test_numbers_that_fail_their_check_are_not_called_bsn_or_iban():
    # 123456789 fails the 11-test, NL92... fails mod 97: ordinary numbers stay ordinary
    assert scrub_quote("Ordernummer 123456789 ontvangen.", "nl") == "Ordernummer 123456789 ontvangen."
    assert "[iban]" not in scrub_quote("Code NL92ABNA0417164300 klopt niet.", "nl")


#: Ordinary answers, written like the survey's open answers: all must come out unchanged.
ORDINARY = [
    "Twitter en Facebook worden bij ons vooral door de wijkagent gebruikt.",
    "Sinds 2011 twittert bijna elk basisteam; in 25 korpsen is er een coördinator.",
    "80% van mijn collega's weet niet hoe je een bericht op Hyves terugvindt.",
    "Opsporing kan veel winnen met crowdsourcing, maar de handhaving loopt achter.",
    "In Den Haag en Rotterdam werkt Burgernet al goed samen met social media.",
    "Via LinkedIn en YouTube bereiken we andere doelgroepen dan via de krant.",
    "De Koninklijke Marechaussee en het KLPD delen kennis via het forum van de Politieacademie.",
    "Het OM moet duidelijker zeggen wat als bewijs mag worden gebruikt.",
    "Monitoring van Twitter tijdens evenementen leverde in Amsterdam-Amstelland 3 keer bruikbare tips op.",
    "Leidinggevenden zien social media nog als speeltje; de werkvloer is veel verder.",
    "Geen toegang tot Facebook op de werkplek, alleen via mijn eigen telefoon.",
    "De burger verwacht binnen 1 uur antwoord, ook in het weekend.",
    "Bij de rellen van vorig jaar hebben we 12 verdachten kunnen identificeren via foto's op internet.",
    "Het ministerie van Veiligheid en Justitie zou het beleid moeten trekken.",
    "In Utrecht, Limburg-Zuid en Haaglanden experimenteren teams met webcare.",
    "Ongeveer de helft van de 400 meldingen per week komt nu digitaal binnen.",
    "De meldkamer gebruikt C2000 en P2000, social media komen daar nog niet bij.",
    "Bel bij spoed altijd 112 en anders 0900-8844, niet via Twitter.",
    "Van de politie wordt verwacht dat zij ook online zichtbaar is in de wijk.",
    "Capaciteit is het grootste probleem: er is 1 fte voor 3 districten.",
    "De wijkagent van de wijk Schilderswijk twittert dagelijks over overlast.",
    "De officier van justitie moet meekijken bij digitaal buurtonderzoek.",
    "De bakker op de hoek kreeg een melding via Burgernet; in het bos bij Ede vonden we de jongen.",
    "Amber Alert en NL-Alert laten zien wat mogelijk is. Groot probleem is de capaciteit.",
    "Er zijn 2.500 volgers op ons account; versie 2.0 van het protocol is in maart klaar.",
]


@pytest.mark.parametrize("answer", ORDINARY)
def test_ordinary_survey_answers_come_out_unchanged(answer):
    assert scrub_quote(answer, "nl") == answer


@pytest.mark.parametrize("answer, expected", [
    # accepted: a full date is replaced even when it is not a date of birth (it can date an incident)
    ("Wij hebben per 1 januari 2012 een nieuw beleid.", "Wij hebben per [datum] een nieuw beleid."),
    # accepted: public figures are named people too
    ("Mark Rutte en Ivo Opstelten zetten het op de agenda.", "[naam] en [naam] zetten het op de agenda."),
])
def test_accepted_changes_to_ordinary_text(answer, expected):
    assert scrub_quote(answer, "nl") == expected


_PII_BITS = [p for _, p in PLANTED] + ["[naam]", "[url]", "[", "]", "@", ".", " ", "-", "(at)", " de ", "Van ", "\n"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PII_BITS), st.text(max_size=12)), max_size=8).map("".join),
       st.sampled_from(["nl", "en"]))
def test_scrubbing_is_idempotent_and_never_raises(text, lang):
    once = scrub_quote(text, lang)
    assert scrub_quote(once, lang) == once


def test_the_lookup_tables_are_built_once_outside_the_package_and_reused(tmp_path):
    model, home = quote_lookups.load_deduce(tmp_path)
    pickle = home / "cache" / "lookup_structs.pickle"
    assert home.parent == tmp_path and pickle.is_file()
    assert not list(tmp_path.glob(".building-*"))
    built = pickle.stat().st_mtime_ns
    again, home_again = quote_lookups.load_deduce(tmp_path)
    assert home_again == home and pickle.stat().st_mtime_ns == built
    assert [a.text for a in again.deidentify("Gesproken met Jan Jansen").annotations] == ["Jan Jansen"]
    package = Path(quote_lookups.deduce_module().__file__).parent
    assert not list(package.rglob("*.pickle")), "deduce wrote into its (possibly read-only) package"


def test_an_unwritable_cache_folder_falls_back_to_a_private_temporary_one(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    model, home = quote_lookups.load_deduce(blocker / "cache")  # cannot be created, even by root
    assert not str(home).startswith(str(tmp_path)) and oct(home.stat().st_mode)[-3:] == "700"
    assert [a.tag for a in model.deidentify("Gesproken met mevrouw Jansen").annotations] == ["persoon"]


def test_importing_deduce_leaves_the_callers_logging_alone():
    code = ("import logging; from analysis.protection.quotes import scrub_quote; scrub_quote('Jan de Vries');"
            "root = logging.getLogger(); print(root.level, len(root.handlers))")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.split() == [str(logging.WARNING), "0"]
