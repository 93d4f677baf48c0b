"""The draft's and validate's column matching: no confident wrong line, the wave, quiet pipes, mixed synthetic rows.

Evidence: the LimeSurvey 6.14 exports of this survey in data/examples/limesurvey/ (written by
LimeSurvey itself, see PROVENANCE.md there): full and abbreviated headings in Dutch and English. The
true export column -> codebook column of each is the generated mapping of the code headings
(politie20_2026_mapping.yaml); the full and abbreviated exports hold the same columns in the same order.
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.core.errors import SurveyDataError
from analysis.survey.loader import load
from analysis.survey.draft_headers import match_headers, strip_decorations
from analysis.survey.mapping_draft import draft_mapping
from analysis.survey.reading import read_table
from analysis.survey.summary import problems_overview
from support import write_rows

ROOT = Path(__file__).resolve().parents[1]
LIMESURVEY = ROOT / "data" / "examples" / "limesurvey"
EXPORT_2026 = ROOT / "data" / "raw" / "politie20_survey_2026_synthetic.csv"
EXPORT_2011 = ROOT / "data" / "raw" / "politie20_survey_2011_synthetic.csv"
EXPORTS = [f"responses_{lang}_{heading}_{answers}.csv" for lang in ("nl", "en")
           for heading in ("full", "abbreviated") for answers in ("short", "long")]


def _truth(path: Path) -> dict[str, str | None]:
    """Export column -> its true codebook column, by position in the code-heading export."""
    lang = path.name.split("_")[1]
    codes = read_table(LIMESURVEY / f"responses_{lang}_code_short.csv").header
    mapping = yaml.safe_load((LIMESURVEY / "politie20_2026_mapping.yaml").read_text(encoding="utf-8"))["columns"]
    header = read_table(path).header
    assert len(header) == len(codes)
    return {h: mapping.get(c) for h, c in zip(header, codes)}


def _wrong(draft, truth: dict[str, str | None]) -> list[tuple[str, str, str | None]]:
    return [(h, t, truth[h]) for h, t in draft.columns.items() if t is not None and t != truth[h]]


@pytest.mark.parametrize("name", EXPORTS)
def test_limesurvey_draft_has_no_wrong_line_and_leaves_the_doubtful_as_todo(name):
    """Before: 'Voor welke toep..  [Voorlichting]' drafted to enf_public_information at score 100 (the
    statement alone matched another grid's), 'Importance for ..  [use as evidence]' to sol_evidence."""
    path = LIMESURVEY / name
    truth = _truth(path)
    draft = draft_mapping(path)
    assert draft.wave == "2026"
    assert _wrong(draft, truth) == []
    exact = [line for line in draft.text.splitlines() if "# score 100" in line and not line.lstrip().startswith("#")]
    assert exact
    for line in exact:  # a line at the top score is right
        (header, target), = yaml.safe_load(line).items()
        assert truth[header] == target
    mapped = sum(1 for t in draft.columns.values() if t is not None)
    assert mapped >= 0.8 * sum(1 for t in truth.values() if t is not None)  # still useful
    ignored = {h for h in truth if h.endswith(("[Overige]", "[Other]"))}  # typed 'other' text: TODO or left out
    unmatched = [h for h, t in truth.items() if t is not None and draft.columns.get(h) is None
                 and h not in draft.todo and h not in ignored]
    assert unmatched == []  # every column it does not map is a TODO line (typed 'other' text may be left out)


def test_limesurvey_question_number_prefix_is_stripped(tmp_path):
    """LimeSurvey can put the question number before a full-text heading ('8 - Hoe belangrijk ...
    [Publieksvoorlichting]', issue 20's export of another questionnaire): before, two option columns so
    prefixed were drafted to rating items at score 100. Here every question heading of the Dutch full
    export carries its number."""
    heading = "Hoe belangrijk is dit? [Publieksvoorlichting]"
    assert strip_decorations(f"8 - {heading}") == heading
    source = LIMESURVEY / "responses_nl_full_short.csv"
    with open(source, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    numbers: dict[str, int] = {}
    for k, heading in enumerate(rows[0][7:], start=7):
        question = heading.split(" [")[0]
        rows[0][k] = f"{numbers.setdefault(question, len(numbers) + 1)} - {heading}"
    path = write_rows(tmp_path / "numbered.csv", rows, delimiter=";")
    truth = dict(zip(rows[0], _truth(source).values()))
    draft = draft_mapping(path)
    assert _wrong(draft, truth) == []
    assert sum(1 for t in draft.columns.values() if t is not None) >= 95


def _header_targets(headers: list[str], codebook) -> dict[str, str | None]:
    return {m.header: m.target for m in match_headers([(h, h) for h in headers], codebook)}


def test_a_target_two_columns_match_stays_with_the_closer_or_with_none(codebook):
    """Before, the second column took its next-best match (a guess)."""
    exact, close = "Hoe schat u uw eigen kennis van social media in?", "Hoe schat u uw kennis van social media in?"
    assert _header_targets([exact, close], codebook) == {exact: "knowledge", close: None}
    same = [exact, exact.rstrip("?")]  # equal after normalisation: neither is sure
    assert _header_targets(same, codebook) == {h: None for h in same}


def test_a_weak_match_is_a_todo_in_the_draft_and_in_validate(tmp_path, bundled_rows):
    """Before, validate printed '"What year are you in?": organisation  # score 86', which passes if pasted."""
    rows = [r + ["x"] for r in bundled_rows]
    rows[0][-1] = "What year are you in?"
    path = write_rows(tmp_path / "extra.csv", rows)
    draft = draft_mapping(path)
    assert "What year are you in?" in draft.todo
    with pytest.raises(SurveyDataError) as info:
        load(path)
    overview = problems_overview(info.value)
    line = next(line for line in overview.splitlines() if "What year" in line)
    assert line.startswith('  "What year are you in?": null  # TODO')


def test_validate_overview_maps_what_the_draft_maps(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    rows[0][rows[0].index("knowledge")] = "Hoe schat u uw eigen kennis van social media in?"
    path = write_rows(tmp_path / "renamed.csv", rows)
    with pytest.raises(SurveyDataError) as info:
        load(path)
    overview = problems_overview(info.value)
    assert '"Hoe schat u uw eigen kennis van social media in?": knowledge  # score 100' in overview
    pasted = "\n".join(line for line in overview.splitlines() if not line.startswith("unmapped"))
    (tmp_path / "m.yaml").write_text(pasted + "\n", encoding="utf-8")
    assert len(load(path, mapping=tmp_path / "m.yaml")) == len(rows) - 1


def test_validate_hint_leaves_a_column_whose_match_another_column_fills_as_todo(tmp_path, bundled_rows, capsys):
    """An extra platform option ("[Instagram]", as a survey run with one more option exports it) is a TODO
    in the draft because the Twitter column matches platforms_twitter better; before, validate's hint,
    matching the unmapped column alone, printed it as 'platforms_twitter  # score 94: check it'."""
    from analysis.pipeline.cli import main

    extra = "Welke social media gebruikt u voor uw werk? (meerdere antwoorden mogelijk) [Instagram]"
    rows = [r + ([extra] if k == 0 else ["0"]) for k, r in enumerate(bundled_rows)]
    path = write_rows(tmp_path / "extra_option.csv", rows)
    assert main(["validate", str(path)]) == 2
    line = next(line for line in capsys.readouterr().err.splitlines() if line.startswith(f"  {json.dumps(extra)}"))
    assert "null  # TODO its best match platforms_twitter" in line


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=ROOT,
                          **kwargs)


def test_draft_and_validate_name_the_wave_of_the_2026_export():
    """Before, validate refused the 2026 wave ('unknown column platforms_instagram') and the draft proposed
    thr_disinformation: thr_privacy (matched against the 2011 questionnaire)."""
    draft = draft_mapping(EXPORT_2026)
    assert draft.wave == "2026" and "# wave: 2026" in draft.text
    assert "thr_privacy" not in draft.text
    assert draft_mapping(EXPORT_2026, wave="2011").wave_basis == "given"
    done = _cli("validate", str(EXPORT_2026))
    assert done.returncode == 0, done.stderr
    assert "2026" in next(line for line in done.stdout.splitlines() if "detected:" in line)
    drafted = _cli("mapping", "draft", str(LIMESURVEY / "responses_en_full_short.csv"))
    assert drafted.returncode == 0 and drafted.stdout.startswith("# Mapping drafted")
    assert "for wave 2026" in drafted.stderr


@pytest.mark.parametrize("args", [("mapping", "draft", str(LIMESURVEY / "responses_nl_full_short.csv")),
                                  ("validate", str(EXPORT_2011))])
def test_output_piped_into_a_reader_that_stops_ends_quietly(args):
    """`... | head -1`: before, a BrokenPipeError traceback."""
    process = subprocess.Popen([sys.executable, "-m", "analysis", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=ROOT)
    process.stdout.close()  # the reader is gone before anything is written
    stderr = process.stderr.read().decode()
    assert process.wait() == 0
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_mixed_synthetic_rows_are_refused_with_their_lines_and_the_other_problems(tmp_path, bundled_rows):
    """Before: 'line None', and only after every other problem had been fixed."""
    rows = [list(r) for r in bundled_rows]
    synthetic, knowledge = rows[0].index("synthetic"), rows[0].index("knowledge")
    rows[3][synthetic] = "0"
    rows[5][knowledge] = "77"
    path = write_rows(tmp_path / "mixed.csv", rows)
    with pytest.raises(SurveyDataError) as info:
        load(path)
    mixed = [p for p in info.value.problems if "mixes rows marked synthetic" in p.message]
    assert [(p.line, p.respondent, p.value) for p in mixed] == [(4, rows[3][rows[0].index("respondent_id")], "0")]
    assert any(p.column == "knowledge" and p.line == 6 for p in info.value.problems)


def test_validate_hints_use_the_wave_the_loader_checked_against(tmp_path):
    """Issue 20: the hints were matched against the wave the unmapped columns alone match best (2011 on a tie),
    so a 2026 export whose mapping lacks the line for a 2026-only question got a TODO instead of its target."""
    rows = list(csv.reader(EXPORT_2026.open(encoding="utf-8")))
    header = rows[0]
    header[header.index("thr_disinformation")] = "Hoe groot is deze bedreiging voor de toekomst: desinformatie"
    header[header.index("knowledge")] = "Hoe schat u uw eigen kennis van social media in?"
    path = write_rows(tmp_path / "renamed_2026.csv", rows)
    (tmp_path / "lacking.yaml").write_text("columns:\n  organisation: organisation\n", encoding="utf-8")
    with pytest.raises(SurveyDataError) as info:
        load(path, mapping=tmp_path / "lacking.yaml")
    assert info.value.wave == "2026"
    overview = problems_overview(info.value)
    assert "# codebook wave 2026 (the wave the export's columns fit best)" in overview
    assert ('"Hoe groot is deze bedreiging voor de toekomst: desinformatie": thr_disinformation  # score 100'
            in overview)
    assert "# codebook wave 2011 (given)" in problems_overview(info.value, wave="2011")
    pasted = "\n".join(line for line in overview.splitlines() if not line.startswith("unmapped"))
    (tmp_path / "pasted.yaml").write_text(pasted + "\n", encoding="utf-8")
    assert load(path, mapping=tmp_path / "pasted.yaml").attrs["wave"] == "2026"
