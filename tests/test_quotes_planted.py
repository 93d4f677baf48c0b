"""Planted personal details that an adversarial review got past ``scrub_quote`` (issue 21, part 5), each
in many forms, and ordinary words and place names that must stay (no over-scrubbing).

Each planted detail is a text and the parts of it that must be gone. :func:`variants` writes each text
as a respondent or an adversary may: mixed case, capitals, a non-breaking space, a line break, an en
dash, a zero-width space or soft hyphen inside the detail, punctuation after it. Sources of the forms:
deduce's first-name list (vmenger/deduce, names/lst_first_name) for names; wa.me and t.me links as
WhatsApp and Telegram publish them ("https://wa.me/31612345678", faq.whatsapp.com; "t.me/username",
core.telegram.org); e-mail addresses obfuscated as spam-harvesting advice writes them ("name [at]
domain [dot] nl", "name(at)domain.nl"); Dutch mobile numbers "06-12345678" and "+31 (0)6" in the
groups people write.
"""
from __future__ import annotations

import re

import pytest

from analysis.protection.quote_lookups import lookup_lists
from analysis.protection.quotes import TAGS, scrub_quote

#: kind -> (planted text, what must be gone). The text stands inside an answer (see ``_answer``).
PLANTED: dict[str, list[tuple[str, list[str]]]] = {
    "name": [("ik heb kim gebeld", ["kim"]), ("met pieter overlegd, en joost was het eens", ["pieter", "joost"]),
             ("gisteren kim gebeld", ["kim"]), ("pieter was het er niet mee eens", ["pieter"]),
             ("toen zei sanne dat het goed was", ["sanne"]), ("dat vond ook anouk", ["anouk"]),
             ("dankzij bram lukt het", ["bram"]), ("inge regelt het account", ["inge"]),
             ("vraag het esther", ["esther"]), ("jeroen twittert veel", ["jeroen"]), ("wim en ik", ["wim"]),
             ("de wijkagent (henk) doet dat", ["henk"]), ("kIm heeft het gedaan", ["kim"])],
    "url": [("t.me/wijkagentkim", ["wijkagentkim"]), ("wa.me/31612345678", ["31612345678"]),
            ("bit.ly/3xYzAbc", ["3xYzAbc"]), ("politie.nl/wijk/kim-de-wit", ["kim-de-wit"]),
            ("tinyurl.com/wijkkim", ["wijkkim"]), ("goo.gl/abcd12", ["abcd12"]), ("youtu.be/xYz12", ["xYz12"]),
            ("x.com/wijkagentkim", ["wijkagentkim"]), ("vk.ru/wijkagentkim", ["wijkagentkim"])],
    "email": [("jan @ politie . nl", ["jan", "politie"]), ("jan [at] politie [dot] nl", ["jan", "politie"]),
              ("kim_at_politie_nl", ["kim", "politie"]), ("jan(at)politie.nl", ["jan", "politie"]),
              ("jan @politie .nl", ["jan", "politie"]), ("jan-at-politie-dot-nl", ["jan", "politie"]),
              ("jan.dewit(a)politie.nl", ["dewit", "politie"]), ("kim_at_gmail_dot_com", ["kim", "gmail"]),
              ("jan {at} politie {dot} nl", ["jan", "politie"]), ("jan at politie punt nl", ["jan", "politie"])],
    "handle": [("zoek op wijkagent_kim", ["wijkagent_kim"]), ("volg wijkagent_henk op twitter", ["wijkagent_henk"]),
               ("mijn account is kim.politie", ["kim.politie"]), ("volg ons: wijkagent_henk", ["wijkagent_henk"]),
               ("mijn twitteraccount is wijkagent.henk", ["wijkagent.henk"]), ("account: kim_de_wit", ["kim_de_wit"]),
               ("zoek naar wijkagent_kim op twitter", ["wijkagent_kim"]), ("volg wijkagent.kim", ["wijkagent.kim"]),
               ("mijn insta is kim.politie", ["kim.politie"]), ("ons account wijkagent_houten", ["wijkagent_houten"]),
               ("op twitter als wijkagent_kim", ["wijkagent_kim"]), ("zoek op wijkagentkim", ["wijkagentkim"])],
    "phone": [("6 12 34 56 78", ["12 34 56 78"]), ("06 - 12 34 56 78", ["12 34 56 78"]),
              ("+31 (0)6 1234 5678", ["1234 5678"]), ("0031 6 12 34 56 78", ["12 34 56 78"]),
              ("0031 6 12345678", ["12345678"]), ("(06) 12 34 56 78", ["12 34 56 78"]),
              ("+31 (0) 6 - 12 34 56 78", ["12 34 56 78"]), ("06/12 34 56 78", ["12 34 56 78"]),
              ("tel. 612345678", ["612345678"]), ("0031(0)6 12345678", ["12345678"])],
}
_BEFORE, _AFTER = "Volgens mij ", " en verder niets."
_INVISIBLE = re.compile("[\u200b\u00ad]")


def variants(text: str) -> list[str]:
    """`text` as written, and as an adversary may write it (each form once)."""
    inside = re.search(r"[^\W\d_]{3,}|\d{3,}", text)
    forms = [text, text.upper(), text.title(), text.replace(" ", "\u00a0"), text.replace(" ", "\n", 1),
             text.replace("-", "\u2013"), text + ".", f"({text})"]
    if inside:  # a zero-width space and a soft hyphen inside the first word or number of the detail
        cut = inside.start() + 1
        forms += [text[:cut] + "\u200b" + text[cut:], text[:cut] + "\u00ad" + text[cut:]]
    return list(dict.fromkeys(forms))


def leaks(secrets: list[str], clean: str) -> list[str]:
    """The secrets still readable in a scrubbed answer (invisible characters and odd spaces ignored)."""
    seen = " ".join(_INVISIBLE.sub("", clean).split())
    return [s for s in secrets if re.search(rf"(?<!\w){re.escape(' '.join(s.split()))}(?!\w)", seen, re.IGNORECASE)]


_CASES = [(kind, form, secrets) for kind, texts in PLANTED.items() for text, secrets in texts
          for form in variants(text)]


def test_the_table_plants_more_than_400_forms_of_five_kinds():
    assert len(_CASES) > 400 and len(PLANTED) == 5


@pytest.mark.parametrize("kind, planted, secrets", _CASES, ids=[f"{k}:{t!r}" for k, t, _ in _CASES])
def test_each_planted_form_is_gone(kind, planted, secrets):
    clean = scrub_quote(_BEFORE + planted + _AFTER, "nl")
    assert not leaks(secrets, clean), clean
    assert "[" in clean, clean  # a tag stands where the detail was


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_each_kind_is_tagged_as_its_kind(kind):
    """The form as written carries its own kind's tag (a phone number is no [datum])."""
    for text, _ in PLANTED[kind]:
        assert TAGS["nl"][kind] in scrub_quote(_BEFORE + text + _AFTER, "nl"), text


# --------------------------------------------------------------------------- no over-scrubbing

#: Answers that name roles, places, platforms, months and weekdays, and words on deduce's first-name
#: list that are ordinary words (data/reference/words_on_name_lists.txt): each must come out unchanged.
ORDINARY = [
    "Ik ben wijkagent in Houten.", "De wijkagent in Houten twittert elke week.",
    "Als wijkagent in Den Haag gebruik ik twitter.", "brigadier in Utrecht sinds 2009", "agent in Zeist",
    "De wijkagent, het korps en de politie zitten op twitter, facebook en hyves.",
    "In januari, februari, maart, april, mei, juni, juli, augustus, september, oktober, november en december.",
    "Op maandag, dinsdag, woensdag, donderdag, vrijdag, zaterdag en zondag twitteren we.",
    "Bij een brand zetten we het op twitter.", "Ik ben geen fan van facebook.", "Het was lente en de zon scheen.",
    "In feite doet het korps er niets mee.", "Daar zit erin dat de burger meeleest.", "Een constant probleem.",
    "Het zijn lieve mensen.", "Het is een leuke job.", "Ook fake accounts melden we.", "Zoek op internet.",
    "Volg de cursus social media.", "Mijn account is nieuw.", "Zoek op twitter naar de politie.",
    "Volg ons op twitter!", "Twitter is handig.", "Het budget is 612.345.678 euro.", "Bel 112 of 0900-8844.",
    "Ik werk 6 dagen en 12 uur per week.", "WhatsApp en de site van de politie.",
    "Tussen 10 en 12 uur, of na 18.30 uur.",
]


@pytest.mark.parametrize("answer", ORDINARY)
def test_ordinary_answers_come_out_unchanged(answer):
    assert scrub_quote(answer, "nl") == answer


@pytest.mark.parametrize("word", ["wijkagent", "twitter", "politie", "korps", "januari", "mei", "augustus",
                                  "maandag", "zondag", "brand", "lente", "fan", "erin", "roos", "mark", "bas"])
def test_an_ordinary_word_is_no_name_on_its_own(word):
    assert scrub_quote(f"het woord {word} hier", "nl") == f"het woord {word} hier"


@pytest.mark.parametrize("word", ["kim", "joost", "pieter", "sanne", "henk", "inge"])
def test_a_first_name_of_deduces_list_is_a_name_on_its_own(word):
    """The other direction: the same sentence with a first name in place of the word loses it."""
    assert word in lookup_lists().first_names
    assert scrub_quote(f"het woord {word} hier", "nl") == "het woord [naam] hier"


def test_every_guarded_word_is_on_deduces_first_name_list():
    """words_on_name_lists.txt only lifts names that deduce's list would otherwise find."""
    lists = lookup_lists()
    assert lists.name_words and lists.name_words <= lists.first_names
