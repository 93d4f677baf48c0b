"""Command line: ``python -m analysis {synth, validate, build, check-release, mapping draft, examples, coding,
questionnaire, weights}``.

Problems with input are printed as a list and exit with status 2; tracebacks only with --debug. Output
piped into a program that stops reading (``| head``) ends quietly with status 0.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from analysis.core.errors import SurveyDataError
from analysis.pipeline.weights import add_parser as add_weights
from analysis.survey.layouts import FORMATS
from analysis.core.paths import SYNTHETIC_CODING, SYNTHETIC_EXPORT, SYNTHETIC_N, SYNTHETIC_SEED, SYNTHETIC_WAVES

EXIT_INVALID = 2


def _cmd_synth(args: argparse.Namespace) -> int:
    from analysis.survey.synth import generate, write_export

    from analysis.survey.codebook import load_codebook

    seed, n, out = SYNTHETIC_WAVES[args.wave]
    n, seed, out = args.n or n, args.seed if args.seed is not None else seed, args.out or out
    codebook = load_codebook().for_wave(args.wave)
    path = write_export(generate(n, seed, codebook), out, codebook)
    print(f"wrote {n} synthetic respondents of wave {args.wave} (seed {seed}) to {path}")
    return 0


def _filled_columns(args: argparse.Namespace) -> frozenset[str]:
    """The codebook columns the export's columns fill after its mapping (none when it cannot be read)."""
    from analysis.survey.mapping import Mapping
    from analysis.survey.reading import read_table

    try:
        table = read_table(args.path, sheet=args.sheet, format=args.format)
        renamed = Mapping.read(args.mapping).columns if args.mapping else {}
    except SurveyDataError:
        return frozenset()
    return frozenset(renamed.get(h, h) for h in table.header) - {None}


def _cmd_validate(args: argparse.Namespace) -> int:
    from analysis.core.errors import Problem
    from analysis.survey.summary import problems_overview, validation_summary
    from analysis.survey.loader import load_with_log

    try:
        frame, log = load_with_log(args.path, mapping=args.mapping, sheet=args.sheet, format=args.format,
                                   wave=args.wave)
    except SurveyDataError as exc:
        if args.debug:
            raise
        print(exc.report(), file=sys.stderr)
        overview = problems_overview(exc, wave=args.wave, taken=_filled_columns(args))
        if overview:
            print(overview, file=sys.stderr)
        return EXIT_INVALID
    except Exception as exc:  # a reader bug must still not greet a researcher with a traceback
        if args.debug:
            raise
        raise SurveyDataError([Problem(str(args.path), f"the file could not be processed ({type(exc).__name__}: {exc})",
                                       expected="a CSV, XLSX or SPSS .sav export; run with --debug and report "
                                       "this if the file looks fine")]) from None
    print(validation_summary(frame, log))
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from analysis.pipeline.build import build
    from analysis.pipeline.parameters import BuildParameters

    return build(BuildParameters.from_namespace(vars(args)), only=args.only, pdf=args.pdf, force=args.force,
                 jobs=args.jobs)


def _cmd_mapping_draft(args: argparse.Namespace) -> int:
    """The draft to --out (a summary on standard output) or, without --out, the draft on standard output
    and the summary on standard error."""
    from analysis.survey.mapping_draft import draft_mapping

    draft = draft_mapping(args.path, sheet=args.sheet, format=args.format, wave=args.wave)
    report = sys.stdout
    if args.out is None:
        sys.stdout.write(draft.text)
        report = sys.stderr
    else:
        args.out.write_text(draft.text, encoding="utf-8")
    where = args.out if args.out is not None else "standard output"
    wave = f" for wave {draft.wave} ({draft.wave_basis})" if draft.wave else ""
    print(f"wrote a draft mapping to {where}{wave}: {len(draft.columns)} column(s) mapped"
          + (f", {len(draft.todo)} TODO line(s) to decide" if draft.todo else ", nothing left to decide"), file=report)
    for item in draft.todo:
        print(f"  TODO {item}", file=report)
    return 0


def _cmd_examples(args: argparse.Namespace) -> int:
    from analysis.survey.examples import write_examples

    for path in write_examples(args.out, n=args.n):
        print(f"wrote {path}")
    return 0


def _cmd_questionnaire(args: argparse.Namespace) -> int:
    from analysis.survey.questionnaire import write_questionnaire

    from analysis.core.errors import Problem

    if args.out.is_dir():
        raise SurveyDataError([Problem(str(args.out), "this is a folder, not a file",
                                       expected=f"a file path, e.g. {args.out / ('questionnaire.' + args.format)}")])
    langs = (args.lang,) if args.lang else ("nl", "en")
    for path in write_questionnaire(args.wave, args.format, args.out, langs=langs):
        print(f"wrote {path}")
    return 0


def _cmd_coding(args: argparse.Namespace) -> int:
    from analysis.pipeline.cli_coding import command

    return command(args)


def _cmd_check_release(args: argparse.Namespace) -> int:
    from analysis.protection.release import compare_releases

    comparison = compare_releases(args.new, args.old)
    print(comparison.report())
    return 0 if comparison.ok else 1


def _cmd_notebooks(args: argparse.Namespace) -> int:
    from analysis.pipeline.stored_notebooks import refresh_stored_notebooks

    return refresh_stored_notebooks()


def _add_parameter_options(command: argparse.ArgumentParser) -> None:
    """One option per :class:`~analysis.pipeline.parameters.BuildParameters` field (its metadata says which);
    values are checked by the parameters, not here, so every error reads the same."""
    from dataclasses import fields

    from analysis.pipeline.parameters import BuildParameters, available_languages

    for spec in fields(BuildParameters):
        default = spec.default
        options = dict(spec.metadata["argparse"])
        if "type" in options and options["type"] in (int, float):
            options["type"] = _number_or_text(options["type"])
        help_text = spec.metadata["help"]
        if spec.name == "lang":
            help_text += f": {', '.join(available_languages())}"
        if default is not None:
            help_text += f" (default: {default})"
        command.add_argument(spec.metadata["flag"], dest=spec.name, default=default, help=help_text, **options)


def _number_or_text(kind: type) -> Any:
    """An argparse type that converts to `kind` when it can and keeps the text otherwise, so that
    :meth:`BuildParameters.check` reports a bad value like every other parameter problem."""
    def convert(text: str) -> Any:
        try:
            return kind(text)
        except ValueError:
            return text
    convert.__name__ = kind.__name__
    return convert


def _add_validate(sub: Any) -> None:
    """The ``validate`` command's options."""
    validate = sub.add_parser("validate", help="check an export against the codebook and summarise it")
    validate.add_argument("path", type=Path)
    validate.add_argument("--mapping", type=Path, help="YAML mapping of export columns/values to the codebook")
    validate.add_argument("--sheet", help="sheet of an XLSX export (default: the first)")
    validate.add_argument("--format", choices=FORMATS,
                          help="the survey tool's layout (default: recognised from the file)")
    validate.add_argument("--wave", choices=list(SYNTHETIC_WAVES), default=None,
                          help="the codebook wave of the export (default: the first wave whose questionnaire it fits)")
    validate.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    validate.set_defaults(func=_cmd_validate)


def _add_draft(sub: Any) -> None:
    """The ``mapping draft`` command's options."""
    mapping = sub.add_parser("mapping", help="draft a mapping file for a survey-tool export")
    mapping_sub = mapping.add_subparsers(dest="mapping_command", required=True)
    draft = mapping_sub.add_parser("draft", help="match the export's columns and answers to the codebook")
    draft.add_argument("path", type=Path, help="the survey-tool export")
    draft.add_argument("--out", type=Path, default=None, help="YAML mapping file to write (default: standard output)")
    draft.add_argument("--wave", choices=list(SYNTHETIC_WAVES), default=None,
                       help="the codebook wave of the export (default: the wave whose questions match most columns)")
    draft.add_argument("--sheet", help="sheet of an XLSX export (default: the first)")
    draft.add_argument("--format", choices=FORMATS, help="the survey tool's layout (default: recognised from the file)")
    draft.set_defaults(func=_cmd_mapping_draft)


def parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per task, each with its options."""
    top = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    top.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = top.add_subparsers(dest="command", required=True)
    for add in (_add_synth, _add_validate, _add_build, _add_draft, _add_examples, _add_questionnaire, _add_coding,
                _add_check_release, add_weights):
        add(sub)
    notebooks = sub.add_parser("notebooks",
                               help="re-run notebooks/ in place on the bundled data (stored outputs for nbval)")
    notebooks.set_defaults(func=_cmd_notebooks)
    return top


def _add_synth(sub: Any) -> None:
    synth = sub.add_parser("synth", help="generate the seeded synthetic export")
    synth.add_argument("--wave", choices=list(SYNTHETIC_WAVES), default="2011",
                       help="wave: its questionnaire (codebook) and the changes in synth.WAVE_DESIGN (default: 2011)")
    synth.add_argument("--n", type=int, default=None, help=f"number of respondents (default: {SYNTHETIC_N} for 2011)")
    synth.add_argument("--seed", type=int, default=None, help=f"random seed (default: {SYNTHETIC_SEED} for 2011)")
    synth.add_argument("--out", type=Path, default=None,
                       help=f"CSV file to write (default: {SYNTHETIC_EXPORT} for 2011)")
    synth.set_defaults(func=_cmd_synth)


def _add_build(sub: Any) -> None:
    build = sub.add_parser("build", help="run the theme notebooks and assemble the report")
    _add_parameter_options(build)
    build.add_argument("--only", nargs="+", metavar="THEME",
                       help="a report of only these themes: the output folder then holds only them (a full build "
                       "reruns only the changed chapters anyway, see README 'Incremental and parallel builds')")
    build.add_argument("--pdf", action="store_true", help="also write report.pdf (print layout of report.html)")
    build.add_argument("--force", action="store_true",
                       help="run every theme notebook, even those whose inputs are unchanged since the last build")
    build.add_argument("--jobs", type=int, default=None, metavar="N",
                       help="theme notebooks run at once (default: one per core)")
    build.set_defaults(func=_cmd_build)


def _add_examples(sub: Any) -> None:
    examples = sub.add_parser("examples", help="write a small example export per survey tool from the bundled data")
    examples.add_argument("--out", type=Path, default=Path("data/examples"), help="directory to write to")
    examples.add_argument("--n", type=int, default=40, help="number of respondents per example")
    examples.set_defaults(func=_cmd_examples)


def _add_questionnaire(sub: Any) -> None:
    questionnaire = sub.add_parser("questionnaire", help="the questionnaire of a wave: a LimeSurvey survey file "
                                   "(.lss, with the mapping of its export) or the printable questionnaire (HTML, PDF)")
    questionnaire.add_argument("--wave", required=True, choices=list(SYNTHETIC_WAVES),
                               help="the wave to field (a wave of the codebook)")
    questionnaire.add_argument("--format", choices=("lss", "html", "pdf"), required=True, help="what to write")
    questionnaire.add_argument("--out", type=Path, required=True, help="file to write (lss: its mapping beside it)")
    questionnaire.add_argument("--lang", choices=("nl", "en"),
                               help="html, pdf: only this language (default: Dutch, then English)")
    questionnaire.set_defaults(func=_cmd_questionnaire)


def _add_coding(sub: Any) -> None:
    coding = sub.add_parser("coding", help="code open answers: coders' sheets, agreement, adjudication")
    steps = coding.add_subparsers(dest="action", required=True)
    export = steps.add_parser("export", help="one XLSX per coder with the scrubbed answers and the coding frame")
    export.add_argument("--coders", type=int, default=2, help="number of coders (one sheet each)")
    export.add_argument("--seed", type=int, default=SYNTHETIC_SEED, help="seed of each coder's row order")
    export.add_argument("--draft", action="store_true", help="fill the sheets with the automatic first pass")
    imported = steps.add_parser("import", help="check filled sheets; agreement, adjudication, final codes")
    imported.add_argument("sheets", nargs="+", type=Path, metavar="SHEET")
    for step in (export, imported):
        step.add_argument("--data", type=Path, default=SYNTHETIC_EXPORT, help="survey export the answers come from")
        step.add_argument("--mapping", type=Path, help="YAML mapping of export columns/values to the codebook")
        step.add_argument("--sheet", help="sheet of an XLSX export (default: the first)")
        step.add_argument("--out", type=Path, required=True, help="folder to write")
    simulate = steps.add_parser("simulate", help="synthetic coders with a known error rate on the bundled export")
    simulate.add_argument("--out", type=Path, default=SYNTHETIC_CODING, help="folder to write")
    simulate.add_argument("--error-rate", type=float, default=0.03, help="share of code cells each coder gets wrong")
    simulate.add_argument("--seed", type=int, default=SYNTHETIC_SEED, help="seed of row orders and coder errors")
    coding.set_defaults(func=_cmd_coding)


def _add_check_release(sub: Any) -> None:
    check = sub.add_parser("check-release", help="compare two builds' published tables: exit 1 when a difference "
                           "isolates fewer than k respondents (late responses, one report per organisation)")
    check.add_argument("new", type=Path, metavar="NEW_OUT", help="output folder of the new build")
    check.add_argument("old", type=Path, metavar="OLD_OUT", help="output folder of the earlier build")
    check.set_defaults(func=_cmd_check_release)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()  # inside the try: a reader that stopped is noticed here, not at exit
        return status
    except SurveyDataError as exc:
        if args.debug:
            raise
        print(exc.report(), file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """Standard output's reader stopped (``| head``): what is left unwritten goes nowhere, status 0."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
