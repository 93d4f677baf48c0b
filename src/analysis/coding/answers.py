"""The answers to code and their codes: which questions, which answers, how coders see them, and
the two forms of a coding (0/1 per code, or the codes that apply joined by ";")."""
from __future__ import annotations

import hashlib

import pandas as pd

from analysis.protection.quotes import scrub_quote
from analysis.survey.codebook import Codebook, Item

#: The column that names an answer's respondent (in sheets, coded answers and answer tables).
KEY = "respondent_id"
#: coded_answers.csv: one row per answer; ``codes`` lists the codes that apply, separated by ";".
CODED_COLUMNS = ["item", "respondent_id", "answer_hash", "codes"]
SEPARATOR = ";"


def open_items(codebook: Codebook) -> list[Item]:
    """The open questions that have a coding frame, in questionnaire order."""
    return [i for i in codebook.items if i.type == "open" and i.frame]


def answers(frame: pd.DataFrame, item: Item) -> pd.DataFrame:
    """The non-empty answers to an open question: columns ``respondent_id`` (the export's id, or
    ``row N`` when the export has none) and ``text``, indexed like `frame`."""
    texts = frame[item.id].dropna().astype(str)
    texts = texts[texts.str.strip() != ""]
    if "respondent_id" in frame.columns and frame["respondent_id"].notna().all():
        keys = frame.loc[texts.index, "respondent_id"].astype(str)
    else:
        keys = pd.Series([f"row {frame.index.get_loc(i) + 1}" for i in texts.index], index=texts.index)
    return pd.DataFrame({KEY: keys, "text": texts})


def answer_hash(text: str) -> str:
    """A short fingerprint of an answer, so coded answers are checked against the export they came from."""
    return hashlib.sha256(" ".join(str(text).split()).encode("utf-8")).hexdigest()[:16]


def shown_text(text: str) -> str:
    """An answer as coders see it (and quotes show it): scrubbed, whitespace normalised."""
    return " ".join(scrub_quote(str(text)).split())


def shown_texts(texts: pd.Series) -> pd.Series:
    """:func:`shown_text` of every answer (index kept), each distinct answer scrubbed once."""
    distinct = pd.unique(texts.to_numpy(dtype=object))
    scrubbed = {text: shown_text(text) for text in distinct}
    return pd.Series([scrubbed[t] for t in texts], index=texts.index, dtype=object, name=texts.name)


def joined_codes(wide: pd.DataFrame, key: str) -> str:
    """The codes that apply to answer `key` of a 0/1 frame, joined by :data:`SEPARATOR`."""
    return SEPARATOR.join(c for c in wide.columns if wide.at[key, c])


def wide_codes(part: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """0/1 per code (columns `codes`) from rows with ``respondent_id`` and ``codes`` ("a;b")."""
    lists = [str(v).split(SEPARATOR) if isinstance(v, str) and v else [] for v in part["codes"]]
    return pd.DataFrame([[int(c in chosen) for c in codes] for chosen in lists],
                        index=part["respondent_id"].astype(str).to_numpy(), columns=codes)


def long_codes(codes: dict[str, pd.DataFrame], texts: dict[str, dict[str, str]]) -> pd.DataFrame:
    """The final codes as coded_answers.csv holds them (:data:`CODED_COLUMNS`), from item -> 0/1
    frame; `texts` (item -> respondent id -> answer) gives each answer's fingerprint."""
    rows = [{"item": item_id, "respondent_id": key, "answer_hash": answer_hash(texts[item_id][key]),
             "codes": joined_codes(wide, key)} for item_id, wide in codes.items() for key in wide.index]
    return pd.DataFrame(rows, columns=CODED_COLUMNS)
