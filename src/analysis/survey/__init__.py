"""The survey in: what was asked, and how an export becomes the survey frame.

- :mod:`~analysis.survey.codebook`: the codebook (items, types, codes, labels, themes, waves).
- :mod:`~analysis.survey.reading` and :mod:`~analysis.survey.layouts`: reading CSV/XLSX/SAV files
  and recognising tool layouts (header rows, metadata columns), with :mod:`~analysis.survey.tool_headings`
  (the tools' own column headings in their interface languages).
- :mod:`~analysis.survey.loader`: the one loader, ``load`` and ``load_with_log`` (an export -> the
  survey frame of its wave, weights checked), used by the build, the notebooks, ``validate`` and coding.
- :mod:`~analysis.survey.validation`: the checks that turn a raw table into the validated frame
  (``validate_table``), in steps: :mod:`~analysis.survey.mapping` (the ``Mapping`` and its checks),
  :mod:`~analysis.survey.headers` (the header), :mod:`~analysis.survey.multiselect` (one-cell
  multi-selects), :mod:`~analysis.survey.cells` (cell converters), with
  :mod:`~analysis.survey.matching` (how texts are compared) and :mod:`~analysis.survey.loadlog`
  (``LoadLog``, what the load did).
- :mod:`~analysis.survey.draft_headers`: matching an export's headings to codebook columns (no
  confident wrong match: weak, shared or tied matches stay unmatched).
- :mod:`~analysis.survey.mapping_draft`, :mod:`~analysis.survey.summary`: drafting a mapping and
  summarising problems for a new export.
- :mod:`~analysis.survey.tool_exports`: the bundled survey written in the survey tools' layouts;
  :mod:`~analysis.survey.examples`: the registry of those layouts and the bundled example exports.
- :mod:`~analysis.survey.synth`: the seeded synthetic exports, with their open answers from
  :mod:`~analysis.survey.synth_open`.
- :mod:`~analysis.survey.questionnaire` and :mod:`~analysis.survey.limesurvey_lss`: the questionnaire
  of a wave for fielding (a LimeSurvey survey file with the mapping of its export, a printable page).
- :mod:`~analysis.survey.margins`: the population margins of a wave for raking, read and checked
  against the codebook and the respondents.

Imports only :mod:`analysis.core`.
"""
