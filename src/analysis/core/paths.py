"""The one place that knows where things are.

Paths are anchored at the project root (found from this file), so the same code runs from
JupyterLab in ``notebooks/``, from papermill with any working directory, and from the tests.
"""
from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = PROJECT_ROOT / "data"
CODEBOOK_PATH = DATA_DIR / "codebook.yaml"
REFERENCE_DIR = DATA_DIR / "reference"
RAW_DIR = DATA_DIR / "raw"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
#: Where notebooks opened interactively write their files (the build passes its own directory).
NOTEBOOK_OUTPUT_DIR = OUTPUTS_DIR / "interactive"

#: Seed and size of the bundled synthetic export (stated in the README; a test regenerates it).
SYNTHETIC_SEED = 2011
SYNTHETIC_N = 420
SYNTHETIC_EXPORT = RAW_DIR / "politie20_survey_2011_synthetic.csv"
#: The synthetic export of each wave: seed, number of respondents and file (``synth --wave``).
SYNTHETIC_WAVES = {
    "2011": (SYNTHETIC_SEED, SYNTHETIC_N, SYNTHETIC_EXPORT),
    "2026": (2026, 380, RAW_DIR / "politie20_survey_2026_synthetic.csv"),
}
#: Two synthetic coders' sheets of the bundled export, adjudicated (``python -m analysis coding simulate``).
SYNTHETIC_CODING = DATA_DIR / "coding"
