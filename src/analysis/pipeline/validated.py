"""The validated survey, read and checked once by the build and handed to every notebook it runs.

The build's pre-flight reads and validates the export (and the earlier wave's, ``--compare``);
:func:`write` pickles the result (pandas dtypes, categoricals and ``attrs`` kept exactly) into the
build's cache folder, with the parameters it was loaded with. The build's kernels find the file
through the environment variable :data:`ENV_VAR`; :func:`read` returns its contents only when the
notebook's parameters are the same, so a notebook opened alone (no variable) or run with other
parameters loads the export itself.
"""
from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analysis.pipeline.parameters import BuildParameters

#: Environment variable of the build's kernels: the path of the pickled validated survey.
ENV_VAR = "POLITIE20_VALIDATED_SURVEY"
#: File name of the pickled validated survey in the build's cache folder.
FILE_NAME = "validated_survey.pickle"


def write(path: Path, params: BuildParameters, survey: tuple[Any, Any], earlier: tuple[Any, Any] | None) -> Path:
    """Pickle the survey frame and load log (and the earlier wave's, or None) loaded with `params`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        pickle.dump({"parameters": params, "survey": survey, "earlier": earlier}, handle,
                    protocol=pickle.HIGHEST_PROTOCOL)
    return path


def read(params: BuildParameters) -> dict[str, Any] | None:
    """The build's validated survey (``survey`` and ``earlier``) when the kernel was given one
    (:data:`ENV_VAR`) and it was loaded with `params`; None otherwise."""
    path = os.environ.get(ENV_VAR)
    if not path or not Path(path).is_file():
        return None
    with Path(path).open("rb") as handle:
        stored = pickle.load(handle)  # written by this user's build into its own cache folder
    return stored if stored["parameters"] == params else None
