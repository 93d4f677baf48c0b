"""Coding open answers: coders' sheets, agreement, adjudication, and an automatic first pass.

The workflow survey researchers follow (as in ATLAS.ti, MAXQDA or R's ``irr``), tied to the report:

1. :func:`export_sheets` writes one XLSX per coder: the scrubbed answers of each open question
   (one worksheet per question, rows in a different seeded order per coder), one 0/1 column per
   code of the question's coding frame (``frame`` in the codebook) with data validation, and an
   instructions sheet with the codes' definitions.
2. :func:`import_sheets` checks the filled sheets against the export (unknown codes, missing,
   extra or duplicated rows, edited answer texts, values other than 0/1, uncoded rows) and refuses
   them with every problem listed; it writes per code Cohen's kappa (two coders) and
   Krippendorff's alpha (nominal, any number of coders) with bootstrap intervals, percent
   agreement and prevalence (``agreement.csv``), and ``adjudication.xlsx``: every answer, the
   codes the coders agreed on filled in, the disagreements blank for a person to decide (listed
   first). Importing the adjudicated sheet gives the final codes (``coded_answers.csv``).
3. :func:`automatic_codes` is a rule-based first pass from the frame's Dutch hints (Snowball's
   Dutch stemmer): a draft for coders (``export --draft``) and the fallback when nobody coded;
   its agreement with the coders is measured like a coder's.

:class:`Coding` is what a build reads (``build --coding DIR``): the final codes and the agreement.
Sheets and coded answers hold respondent-level text: they are analyst files, never published.

The modules, one job each:

- :mod:`~analysis.coding.answers`: the answers to code (open questions, answer texts as coders see
  them, fingerprints) and the two forms of a coding (0/1 per code, codes joined by ";").
- :mod:`~analysis.coding.automatic`: the automatic first pass (:func:`automatic_codes`).
- :mod:`~analysis.coding.agreement`: agreement per code (``agreement.csv``), built on
  :mod:`analysis.stats.agreement`.
- :mod:`~analysis.coding.workbooks`: the workbooks written, the coders' (:func:`export_sheets`) and
  the adjudicator's.
- :mod:`~analysis.coding.reading`: workbooks read back and checked (:func:`read_sheet`).
- :mod:`~analysis.coding.adjudication`: import and adjudication (:func:`import_sheets`).
- :mod:`~analysis.coding.simulation`: synthetic coders with a known error rate (``coding simulate``).
- :mod:`~analysis.coding.final`: :class:`Coding`, what a build reads.

The command line (``python -m analysis coding``) lives in :mod:`analysis.pipeline.cli_coding`.
"""
from __future__ import annotations

from analysis.coding.adjudication import ImportResult, import_sheets
from analysis.coding.agreement import AGREEMENT_COLUMNS, BOOTSTRAP, BOOTSTRAP_SEED, agreement_table, code_agreement
from analysis.coding.answers import (CODED_COLUMNS, KEY, SEPARATOR, answer_hash, answers, open_items, shown_text,
                                     shown_texts)
from analysis.coding.automatic import automatic_codes
from analysis.coding.final import Coding
from analysis.coding.reading import Sheet, read_sheet
from analysis.coding.simulation import SYNTHETIC_ERROR_RATE, expected_kappa, simulate
from analysis.coding.workbooks import export_sheets

__all__ = [
    "AGREEMENT_COLUMNS", "BOOTSTRAP", "BOOTSTRAP_SEED", "CODED_COLUMNS", "KEY", "SEPARATOR", "SYNTHETIC_ERROR_RATE",
    "Coding", "ImportResult", "Sheet",
    "agreement_table", "answer_hash", "answers", "automatic_codes", "code_agreement", "expected_kappa",
    "export_sheets", "import_sheets", "open_items", "read_sheet", "shown_text", "shown_texts", "simulate",
]
