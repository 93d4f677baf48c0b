"""Analysis of the 2011 Politie 2.0 survey on social media in police and security organisations.

The package holds all logic: codebook, loading and validation, statistics, small-cell protection,
figures, theme computations and the build. Notebooks call it; they never re-implement it.
"""
from .codebook import Codebook, load_codebook
from .errors import Problem, SurveyDataError
from .validation import Mapping, load, load_with_log

__all__ = ["Codebook", "Mapping", "Problem", "SurveyDataError", "load", "load_codebook", "load_with_log"]
