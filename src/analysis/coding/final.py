"""What a build reads (``build --coding DIR``): :class:`Coding`, the final codes of the open
answers and the coders' agreement, checked against the export they were made from."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.coding.answers import KEY, answer_hash, answers, open_items, wide_codes
from analysis.core.errors import Problem, SurveyDataError
from analysis.survey.codebook import Codebook, Item, load_codebook


@dataclass
class Coding:
    """Final codes of the open answers and the coders' agreement (``build --coding DIR``)."""

    final: pd.DataFrame      # CODED_COLUMNS
    agreement: pd.DataFrame  # AGREEMENT_COLUMNS
    coders: list[str]
    path: Path
    adjudicated: bool = True

    @classmethod
    def load(cls, folder: str | Path, frame: pd.DataFrame | None = None,
             codebook: Codebook | None = None) -> "Coding":
        """Read the output of ``coding import`` (after adjudication) and, given the survey frame,
        check that it codes exactly the export's answers (same respondents, same texts)."""
        folder = Path(folder)
        needed = ["coded_answers.csv", "agreement.csv", "coding.json"]
        missing = [n for n in needed if not (folder / n).is_file()]
        if missing:
            raise SurveyDataError([Problem(str(folder / n), "file of the final coding is missing",
                                           expected="the folder written by 'python -m analysis coding import' "
                                                    "after adjudication") for n in missing])
        final = pd.read_csv(folder / "coded_answers.csv", dtype=str, keep_default_na=False)
        agreement = pd.read_csv(folder / "agreement.csv")
        log = json.loads((folder / "coding.json").read_text(encoding="utf-8"))
        coding = cls(final, agreement, list(log.get("coders", [])), folder, bool(log.get("adjudicated", True)))
        if frame is not None:
            coding.check(frame, codebook or load_codebook())
        return coding

    def check(self, frame: pd.DataFrame, codebook: Codebook) -> None:
        """Raise :class:`SurveyDataError` unless the final codes cover exactly the export's answers,
        each unchanged since it was coded."""
        problems = []
        file = str(self.path / "coded_answers.csv")
        expected = "coded answers made from this export"
        for item in open_items(codebook):
            table = answers(frame, item)
            coded = self.final[self.final["item"] == item.id]
            hashes = dict(zip(coded["respondent_id"], coded["answer_hash"]))
            for key, text in zip(table[KEY], table["text"]):
                if key not in hashes:
                    problems.append(Problem(file, "an answer of the export was not coded", respondent=key,
                                            column=item.id, expected=expected))
                elif hashes[key] != answer_hash(text):
                    problems.append(Problem(file, "the answer changed since it was coded", respondent=key,
                                            column=item.id, expected=expected))
            for key in sorted(set(hashes) - set(table[KEY])):
                problems.append(Problem(file, "a coded answer is not in the export", respondent=key, column=item.id,
                                        expected=expected))
        if problems:
            raise SurveyDataError(problems)

    def covers(self, item_id: str) -> bool:
        """Whether the final codes include the answers to question `item_id`."""
        return bool((self.final["item"] == item_id).any())

    def codes(self, item: Item) -> pd.DataFrame:
        """0/1 per code of `item`'s frame, indexed by respondent id."""
        return wide_codes(self.final[self.final["item"] == item.id], [c.code for c in item.frame])

    def agreement_of(self, item_id: str) -> pd.DataFrame:
        """The rows of agreement.csv for question `item_id`."""
        return self.agreement[self.agreement["item"] == item_id].reset_index(drop=True)
