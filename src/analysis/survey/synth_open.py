"""The synthetic open answers: what each answering respondent writes, and the codes it was written from.

Each respondent who answers an open question is given one code of the question's coding frame (a
second one with probability :data:`OPEN_SECOND_CODE`) and writes one of the code's phrases per code,
from a random stream of its own (:data:`OPEN_STREAM`), so that rewriting the answers moves no other
column of :func:`analysis.survey.synth.generate`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from analysis.survey.codebook import Codebook

#: Open answers: each respondent who answers is given one code of the question's coding frame (a
#: second one with probability ``second_code``), drawn with these weights, and writes one of the
#: code's phrases per code. Most phrases use a word of the frame's hints, some do not (a person sees
#: the code, the automatic first pass misses it), and a few carry contact details, so scrubbing is
#: exercised. The codes drawn are the planted truth (:func:`analysis.survey.synth.planted_open_codes`).
OPEN_ANSWERS: dict[str, dict[str, Any]] = {
    "opportunities_open": {
        "weights": {"crowdsourcing": 0.2, "witness_appeals": 0.15, "monitoring": 0.12, "prevention": 0.1,
                    "community": 0.15, "recruitment": 0.06, "knowledge_sharing": 0.1, "other": 0.12},
        "phrases": {
            "crowdsourcing": ["Crowdsourcing bij {topic} wordt nog nauwelijks benut.",
                              "Burgers willen meedenken over {topic}, maar we vragen het ze niet.",
                              "Co-creatie met de wijk rond {topic} zou de kloof dichten.",
                              "Laat mensen online meezoeken als er iets vermist is.",
                              "Burgers samen met ons een zaak laten oplossen, dat gebeurt nog te weinig."],
            "witness_appeals": ["Getuigen oproepen via Twitter na {topic}.",
                                "Een oproep op Facebook levert snel tips op.",
                                "Opsporingsberichten delen via social media, dat bereikt veel meer mensen.",
                                "Wie heeft iets gezien? Die vraag stellen we online nog veel te weinig."],
            "monitoring": ["Monitoren wat er over {topic} gezegd wordt.",
                           "Meelezen op fora om problemen vroeg te signaleren.",
                           "Signalen van onrust oppikken voordat het uit de hand loopt.",
                           "Weten wat er speelt onder jongeren, daar kijken we nu niet naar."],
            "prevention": ["Preventietips over {topic} delen met bewoners.",
                           "Burgers waarschuwen voor oplichting via internet.",
                           "Voorlichting geven waar de doelgroep al zit.",
                           "Uitleggen hoe je je fiets op slot zet, daar zitten mensen echt op te wachten."],
            "community": ["Als wijkagent beter bereikbaar zijn voor de buurt.",
                          "Contact met bewoners houden over {topic}; collega’s zien er nu al het nut van.",
                          "De wijk laten zien wat we doen.",
                          "Zie mijn blog https://wijkagent-{name}.nl over {topic}.",
                          "Dichter bij de mensen staan in plaats van alleen in de auto."],
            "recruitment": ["Werving van nieuwe collega’s via LinkedIn.",
                            "Vacatures en stages delen via social media.",
                            "Jongeren enthousiast maken voor het politievak."],
            "knowledge_sharing": ["Kennisdeling tussen korpsen gebeurt nog nauwelijks.",
                                  "Kennis delen via een intern netwerk in plaats van per mail.",
                                  "Ervaringen van andere regio’s overnemen in plaats van zelf het wiel uitvinden."],
            "other": ["Geen idee, daar heb ik geen zicht op.",
                      "Bel me gerust: 06-{digits}, dan leg ik het uit.",
                      "Goede enquête, succes ermee!",
                      "Moeilijk te zeggen op dit moment."],
        },
    },
    "barriers_open": {
        "weights": {"culture": 0.22, "training": 0.16, "capacity": 0.14, "privacy_law": 0.12, "access": 0.12,
                    "evidence": 0.08, "information_overload": 0.06, "other": 0.1},
        "phrases": {
            "culture": ["De cultuur is het probleem: leidinggevenden zien het als speeltje.",
                        "Veel weerstand op de werkvloer tegen alles wat nieuw is.",
                        "De mentaliteit moet om, men is bang om fouten te maken.",
                        "Mijn chef vindt twitteren tijdverspilling en dat zegt hij ook.",
                        "Men kijkt ernaar alsof het een hobby van een paar jonge collega’s is."],
            "training": ["Er is geen opleiding voor social media.",
                         "Een cursus voor alle wijkagenten zou helpen.",
                         "Collega’s missen de vaardigheden om goed te reageren.",
                         "Niemand heeft ons uitgelegd hoe het werkt."],
            "capacity": ["Te weinig capaciteit om alle berichten te volgen, zeker ’s avonds.",
                         "Geen budget en geen menskracht voor webcare.",
                         "Er zijn simpelweg te weinig handen om dit erbij te doen."],
            "privacy_law": ["Privacy en wetgeving zijn onduidelijk; wie is verantwoordelijk?",
                            "Juridisch is niet duidelijk wat we mogen.",
                            "Welke bevoegdheid hebben we eigenlijk online?",
                            "Niemand weet wat er mag met gegevens van burgers."],
            "access": ["Geen toegang tot Twitter op de werkplek, alleen via mijn eigen telefoon.",
                       "Facebook is geblokkeerd op het politienetwerk.",
                       "We hebben geen smartphone of laptop van de zaak.",
                       "Op het bureau kun je de sites gewoon niet openen."],
            "evidence": ["Niemand weet wat het effect is.",
                         "Resultaten zijn niet meetbaar, dus krijgt het geen prioriteit.",
                         "Het levert vooralsnog weinig op, zo lijkt het."],
            "information_overload": ["De informatiestroom groeit sneller dan wij kunnen bijhouden.",
                                     "Het is niet bij te houden, 24 uur per dag komen er berichten binnen.",
                                     "Het is gewoon te veel om allemaal te lezen."],
            "other": ["Bel me gerust: 06-{digits}, dan leg ik het uit.",
                      "Zie mijn eerdere antwoorden.",
                      "Geen verdere opmerkingen.",
                      "Mail {name}@politie.nl als je meer wilt weten."],
        },
    },
    "enforcement_open": {
        "weights": {"events": 0.25, "monitoring": 0.2, "rumours": 0.16, "reliability": 0.1, "capacity": 0.1,
                    "privacy_law": 0.08, "other": 0.11},
        "phrases": {
            "events": ["Bij evenementen helpt social media enorm.",
                       "Crowd management via social media staat nog in de kinderschoenen.",
                       "Bij voetbalwedstrijden zien we vooraf wat er gepland wordt.",
                       "Bij Koninginnedag konden we de drukte goed sturen."],
            "monitoring": ["Monitoren op onderwerp werkt goed bij {topic}.",
                           "Meelezen in de wijk geeft een goed beeld.",
                           "Signaleren van spanningen in de wijk gaat veel sneller.",
                           "We zien online eerder dan op straat wat er speelt."],
            "rumours": ["Geruchten weerleggen via Twitter werkte goed bij het laatste incident.",
                        "Snelle voorlichting voorkomt onrust.",
                        "Als er onzin rondgaat moeten we er snel bij zijn met de feiten."],
            "reliability": ["Veel berichten zijn niet betrouwbaar.",
                            "Hoe verifiëren we wat burgers melden?",
                            "Nepberichten zorgen voor extra werk.",
                            "Je weet nooit of wat iemand online zet ook klopt."],
            "capacity": ["Geen capaciteit om dit 24/7 te doen.",
                         "De meldkamer heeft hier geen menskracht voor.",
                         "Er is niemand die ’s nachts meekijkt."],
            "privacy_law": ["Privacy van burgers staat op gespannen voet met monitoren.",
                            "Welke bevoegdheden hebben we online bij handhaving?",
                            "Wat mogen we eigenlijk allemaal bekijken?"],
            "other": ["Neem contact op via {name}@politie.nl voor onze ervaringen.",
                      "Weet ik niet.",
                      "Geen aanvulling."],
        },
    },
    "investigation_open": {
        "weights": {"digital_canvassing": 0.2, "witnesses": 0.2, "crowdsourcing": 0.12, "open_sources": 0.14,
                    "evidence": 0.12, "infiltration": 0.06, "privacy_law": 0.06, "other": 0.1},
        "phrases": {
            "digital_canvassing": ["Digitaal buurtonderzoek levert vaak meer op dan aanbellen.",
                                   "Buurtonderzoek via Twitter na een overval werkte goed.",
                                   "Online rondvragen in de straat waar het gebeurde."],
            "witnesses": ["Getuigen vinden we steeds vaker via social media.",
                          "Een oproep met camerabeelden levert veel tips op.",
                          "Mensen die iets gezien hebben melden zich nu sneller."],
            "crowdsourcing": ["In overleg met het OM voorzichtig met crowdsourcing begonnen.",
                              "Burgers laten meezoeken naar een vermiste persoon.",
                              "Samen met het publiek puzzelen aan een zaak."],
            "open_sources": ["Het combineren van open en gesloten bronnen geeft een vollediger beeld.",
                             "Internetrecherche zou standaard moeten zijn.",
                             "Wat verdachten zelf online zetten is goud waard."],
            "evidence": ["Hoe leg je een tweet vast als bewijs?",
                         "Bewijs van internet houdt niet altijd stand bij de rechter.",
                         "Een screenshot is makkelijk te vervalsen."],
            "infiltration": ["Infiltreren in online netwerken is lastig.",
                             "Undercover werken met een nepprofiel, mag dat?",
                             "Meedoen in besloten groepen zonder te zeggen wie je bent."],
            "privacy_law": ["Privacy en wetgeving lopen achter op de praktijk.",
                            "Welke bevoegdheid hebben we bij het bekijken van profielen?",
                            "Het OM moet duidelijker zeggen wat mag."],
            "other": ["Volg ons op @recherche_{name} voor voorbeelden.",
                      "Geen opmerkingen.",
                      "Zie hierboven."],
        },
    },
}
#: Probability that an answer carries a second code (never with the frame's "other" code).
OPEN_SECOND_CODE = 0.25
#: Seed offset of the separate random stream of the open answers' content (so the other columns
#: do not move when the answers change).
OPEN_STREAM = 13
_TOPICS = ["inbraken", "vermissingen", "evenementen", "overlast in de wijk", "fietsendiefstal", "heterdaad"]
_NAMES = ["jansen", "de_vries", "bakker", "visser", "smit", "meijer", "de_boer", "mulder"]



def open_answers(answering: dict[str, np.ndarray], seed: int,
                 codebook: Codebook) -> tuple[dict[str, dict[int, str]], list[dict[str, Any]]]:
    """Texts of the open answers and their planted codes, from their own random stream.

    Returns ``{item: {row: text}}`` and the planted codes as records (item, row, code).
    """
    rng = np.random.default_rng([seed, OPEN_STREAM])
    texts: dict[str, dict[int, str]] = {}
    planted: list[dict[str, Any]] = []
    for item_id, who in answering.items():
        spec = OPEN_ANSWERS[item_id]
        other = next(c.code for c in codebook[item_id].frame if c.other)
        codes = list(spec["weights"])
        p = np.array([spec["weights"][c] for c in codes])
        texts[item_id] = {}
        for i in np.flatnonzero(who):
            first = codes[rng.choice(len(codes), p=p / p.sum())]
            chosen = [first]
            if first != other and rng.random() < OPEN_SECOND_CODE:
                rest = [j for j, c in enumerate(codes) if c not in (first, other)]
                q = p[rest] / p[rest].sum()
                chosen.append(codes[rest[rng.choice(len(rest), p=q)]])
            parts = []
            for code in chosen:
                phrases = spec["phrases"][code]
                parts.append(phrases[rng.integers(len(phrases))].format(
                    topic=_TOPICS[rng.integers(len(_TOPICS))], name=_NAMES[rng.integers(len(_NAMES))],
                    digits=rng.integers(10_000_000, 99_999_999)))
            texts[item_id][int(i)] = " ".join(parts)
            planted += [{"item": item_id, "row": int(i), "code": c} for c in chosen]
    return texts, planted
