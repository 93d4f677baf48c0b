"""Survey tools' own column headings, in each interface language the tool writes them in.

LimeSurvey writes its metadata columns under headings in the language of its interface, not of the
survey: "Response ID" in English, "Respons-id" in Dutch, "Antwort ID" in German. The headings below
are LimeSurvey 6.14.0's own: the field map (``application/helpers/common_helper.php``, e.g.
``$fieldmap["seed"]['question'] = gT("Seed")``) translated by its language files
``locale/<lang>/<lang>.mo`` (release tree of the first commit ``fc6e5382`` of the public repository
``dvdgp9/happy-ebone``, the 6.14.0 release). With "abbreviated headings" LimeSurvey cuts a heading to
15 characters and writes ``.. `` after it ("Datum laatste a.. ", data/examples/limesurvey/).

Qualtrics names its metadata columns in English whatever the interface language; its "Legacy" export
(before 2017) numbers them ``V1``...``V10`` in the first header row and names them in the second
(``ResponseID``, ``ResponseSet``, ... ``Finished``: ropensci/qualtRics,
tests/testthat/files/sample_legacy.csv); SPSS files written by Qualtrics keep them as variables, with
SPSS's spelling of "Duration (in seconds)" (``Duration__in_seconds_``: Roche/pyreadstat,
tests/test_basic.py on its Qualtrics-written test_width.sav).
"""
from __future__ import annotations

#: LimeSurvey field -> heading, per interface language (LimeSurvey 6.14.0 locale files, msgid in ``en``).
LIMESURVEY_HEADINGS: dict[str, dict[str, str]] = {
    "en": {"id": "Response ID", "submitdate": "Date submitted", "lastpage": "Last page",
           "startlanguage": "Start language", "seed": "Seed", "token": "Access code", "startdate": "Date started",
           "datestamp": "Date last action", "ipaddr": "IP address", "refurl": "Referrer URL",
           "interviewtime": "Total time"},
    "nl": {"id": "Respons-id", "submitdate": "Datum verzonden", "lastpage": "Laatste pagina",
           "startlanguage": "Begin taal", "seed": "Plaats", "token": "Toegangscode", "startdate": "Startdatum",
           "datestamp": "Datum laatste actie", "ipaddr": "IP-adres", "refurl": "Verwijzer URL",
           "interviewtime": "Totaaltijd"},
    "de": {"id": "Antwort ID", "submitdate": "Datum Abgeschickt", "lastpage": "Letzte Seite",
           "startlanguage": "Start-Sprache", "seed": "Zufallsstartwert", "token": "Zugangscode",
           "startdate": "Datum gestartet", "datestamp": "Datum letzte Aktivität", "ipaddr": "IP-Adresse",
           "refurl": "Weiterleitungs-URL", "interviewtime": "Gesamtzeit"},
    "fr": {"id": "ID de la réponse", "submitdate": "Date de soumission", "lastpage": "Dernière page",
           "startlanguage": "Langue de départ", "seed": "Tête de série", "token": "Code d'accès",
           "startdate": "Date de lancement", "datestamp": "Date de la dernière action", "ipaddr": "Adresse IP",
           "refurl": "URL référente", "interviewtime": "Temps total :"},
}
#: Headings of the informal language variants (nl-informal, de-informal) and older versions that differ.
LIMESURVEY_OTHER_HEADINGS = ("Verwijzer-URL", "Zufallswert", "Token", "Temps total")
#: LimeSurvey fields whose headings show that a table is a LimeSurvey export.
LIMESURVEY_MARKER_FIELDS = ("id", "submitdate", "lastpage", "startlanguage", "seed")

#: The metadata names of a Qualtrics "Legacy" export's second header row (its first says V1...V10).
QUALTRICS_LEGACY_NAMES = ("ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress",
                          "IPAddress", "Status", "StartDate", "EndDate", "Finished", "LocationAccuracy")
#: Qualtrics metadata as SPSS variables (names that SPSS could not keep are spelled with underscores).
QUALTRICS_SAV_NAMES = ("Duration__in_seconds_", "Q_RecaptchaScore", "Q_TotalDuration")


def limesurvey_headings() -> list[str]:
    """Every LimeSurvey metadata heading in every interface language, with its field codes."""
    out = [field for field in LIMESURVEY_HEADINGS["en"]]
    for headings in LIMESURVEY_HEADINGS.values():
        out += list(headings.values())
    return out + list(LIMESURVEY_OTHER_HEADINGS)


def limesurvey_markers() -> list[str]:
    """The headings that show a LimeSurvey export (response id, dates, last page, language, seed)."""
    return [h[field] for h in LIMESURVEY_HEADINGS.values() for field in LIMESURVEY_MARKER_FIELDS]


def unabbreviated(heading: str, headings: list[str]) -> str:
    """The full heading a LimeSurvey abbreviated heading ("Datum laatste a.. ") stands for, or `heading`."""
    text = heading.strip()
    if not text.endswith("..") or len(text) < 12:
        return heading
    stem = text[:-2].casefold()
    full = [h for h in headings if h.casefold().startswith(stem) and len(h) > len(stem)]
    return full[0] if len(full) == 1 else heading
