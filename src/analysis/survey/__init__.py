"""The survey in: what was asked, and how an export becomes the survey frame.

- :mod:`~analysis.survey.codebook`: the codebook (items, types, codes, labels, themes, waves).
- :mod:`~analysis.survey.reading` and :mod:`~analysis.survey.layouts`: reading CSV/XLSX/SAV files
  and recognising tool layouts (header rows, metadata columns).
- :mod:`~analysis.survey.validation`: the mapping, cell conversion and the checks that turn a
  raw table into the validated frame (``load``, ``load_with_log``).
- :mod:`~analysis.survey.mapping_draft`, :mod:`~analysis.survey.summary`: drafting a mapping and
  summarising problems for a new export.
- :mod:`~analysis.survey.tool_exports`: the bundled example exports in the survey tools' layouts.
- :mod:`~analysis.survey.synth`: the seeded synthetic exports.
- :mod:`~analysis.survey.questionnaire` and :mod:`~analysis.survey.limesurvey_lss`: the questionnaire
  of a wave for fielding (a LimeSurvey survey file with the mapping of its export, a printable page).

Imports only :mod:`analysis.core`.
"""
