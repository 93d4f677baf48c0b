"""Theme computations, claims, quotes, text and figures: behaviour a reader relies on."""
from __future__ import annotations

import json
from types import SimpleNamespace

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.report import facts as facts_schema
from analysis.report.claims import RULES, check_claims, evaluate, read_claims
from analysis.protection.disclosure import HIDDEN, SUPPRESSED, Published
from analysis.core.errors import SurveyDataError
from analysis.report.figures import proportion_bars, save_figure
from analysis.protection.quotes import scrub_quote
from analysis.report.text import catalogue, fmt_p, fmt_pct, message
from analysis.themes import enforcement, opportunities
from analysis.themes.base import Context
from analysis.themes.registry import analyse_all
from analysis.protection.rules import Rules

from support import K


@pytest.fixture(scope="module")
def results(survey):
    ctx = Context(lang="en", rules=Rules(k=K), synthetic=True)
    return analyse_all(survey, ctx)


@pytest.fixture(scope="module")
def saved(results, tmp_path_factory) -> dict:
    """Every theme's results saved once (tables, figures, facts.json), by theme: the folder written.
    Saving draws every figure, so the tests that read the files share one save."""
    root = tmp_path_factory.mktemp("saved")
    return {theme: result.save(root) for theme, result in results.items()}


def test_every_message_has_both_languages_and_the_same_placeholders():
    import string
    for key, texts in catalogue().items():
        assert set(texts) == {"en", "nl"}, key
        fields = [{f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in ("en", "nl")]
        assert fields[0] == fields[1], key


def test_every_published_table_respects_the_small_cell_rule(results):
    for theme, result in results.items():
        for name, table in result.tables().items():
            for column in table.columns:
                if column in ("n", "count") or column.endswith(("_count", "_n")):
                    values = [v for v in table[column] if v != SUPPRESSED]
                    assert all(float(v) == 0 or float(v) >= K for v in values), (theme, name, column)


def test_sentences_are_built_from_the_published_numbers(results, survey):
    """The opportunities sentence quotes the first row of its own published table."""
    result = results["opportunities"]
    table = result.tables()["opportunity_ratings_summary"]
    first = table.iloc[0]
    sentence = result.section("ratings").paragraphs[0]
    assert f"{first['top2_pct']:.0f}%" in sentence and f"n = {int(first['n'])}" in sentence


def test_facts_are_json_and_carry_the_key_numbers(saved):
    for folder in saved.values():
        facts = json.loads((folder / "facts.json").read_text())
        assert facts
    assert json.loads((saved["participants"] / "facts.json").read_text())["n_respondents"] == 420


def test_quotes_are_scrubbed():
    text = "Mail j.jansen@politie.nl of bel 06-12345678, zie www.politie.nl en volg @wijkagent_piet. Groet, Jansen"
    clean = scrub_quote(text)
    for leaked in ("jansen@", "12345678", "politie.nl", "@wijkagent", "Jansen"):
        assert leaked not in clean
    assert "[e-mail]" in clean and "[phone]" in clean and "[url]" in clean and "[handle]" in clean and "[name]" in clean


def test_no_shown_quote_contains_contact_details(results):
    for section in (s for r in results.values() for s in r.sections if s.key == "open"):
        for line in section.paragraphs[1:]:
            assert "@" not in line.replace("[handle]", "") and "http" not in line and "06-" not in line


def test_numbers_in_dutch_use_a_decimal_comma():
    assert fmt_p(0.0312, "nl") == "p = 0,03" and fmt_p(0.0312, "en") == "p = 0.03"
    assert fmt_p(0.0001, "en") == "p < 0.001"
    assert fmt_pct(41.6, "nl") == "42%" and fmt_pct(SUPPRESSED, "en") == SUPPRESSED
    assert message("fewer_than_k", "nl", k=5) == "minder dan 5"


def _facts_for_claims(results) -> dict:
    return {theme: result.facts for theme, result in results.items()}


def test_every_claim_names_a_known_rule():
    for claim in read_claims():
        assert claim["rule"] in RULES, claim["id"]
        assert claim["nl"] and claim["en"]


def test_claim_verdicts_follow_their_rules():
    """A majority claim is supported only when the one-sided test shows it, contradicted when a test
    shows the opposite (detailed tests of every rule: tests/test_claims.py)."""
    def active(pct, low, high):
        return {"participants": SimpleNamespace(active=facts_schema.Share(pct=pct, low=low, high=high))}
    claim = {"id": "a", "theme": "participants", "nl": "x", "en": "x", "rule": "share_above",
             "fact": "participants.active", "threshold": 50}
    verdicts = [evaluate([claim], active(*v))[0]["verdict"] for v in ((60.0, 55.0, 65.0), (52.0, 46.0, 58.0),
                                                                      (40.0, 35.0, 45.0))]
    assert verdicts == ["supported", "not_supported", "contradicted"]


def test_a_claim_naming_an_unknown_fact_fails_instead_of_being_not_testable():
    claim = {"id": "e", "theme": "barriers", "nl": "x", "en": "x", "rule": "split", "fact": "barriers.missing"}
    with pytest.raises(SurveyDataError, match="barriers.missing"):
        evaluate([claim], {"barriers": SimpleNamespace()})


def test_every_claim_fact_path_is_in_the_facts_schema():
    check_claims(read_claims())  # raises SurveyDataError naming the claim otherwise
    for claim in read_claims():
        if "fact" in claim:
            assert facts_schema.resolve(claim["fact"]) is not None


def test_facts_json_writes_whole_counts_without_a_decimal_point(results, tmp_path):
    import json
    from analysis.report import facts as facts_module
    path = tmp_path / "facts.json"
    facts_module.write(results["participants"].facts, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["active"]["n"] == 420 and isinstance(data["active"]["n"], int)  # was 420.0
    assert isinstance(data["platforms"]["cochran_df"], int) and isinstance(data["active"]["pct"], float)
    assert facts_module.as_json(2.5) == 2.5 and facts_module.as_json(407.0) == 407
    assert isinstance(facts_module.as_json(407.0), int)


def test_facts_survive_the_file_round_trip_typed(results, saved):
    for theme, result in results.items():
        assert facts_schema.read(theme, saved[theme] / "facts.json") == result.facts


def test_a_facts_file_with_a_renamed_key_is_refused(saved, tmp_path):
    path = tmp_path / "participants" / "facts.json"
    path.parent.mkdir()
    data = json.loads((saved["participants"] / "facts.json").read_text())
    data["active_share"] = data.pop("active")
    path.write_text(json.dumps(data))
    with pytest.raises(SurveyDataError, match="active_share"):
        facts_schema.read("participants", path)


def test_suppressed_facts_make_a_claim_not_testable():
    facts = {"participants": SimpleNamespace(active=facts_schema.Share(pct=HIDDEN, low=HIDDEN, high=HIDDEN))}  # noqa
    claim = {"id": "a", "theme": "participants", "nl": "x", "en": "x", "rule": "share_above",
             "fact": "participants.active", "threshold": 50}
    assert evaluate([claim], facts)[0]["verdict"] == "not_testable"


def test_figures_are_byte_identical_when_drawn_twice(tmp_path):
    values = pd.DataFrame({"label": ["a", "b"], "pct": [40.0, 10.0], "pct_low": [30.0, 5.0], "pct_high": [50.0, 20.0]})
    hidden = pd.DataFrame({"label": [False, False], "pct": [False, True], "pct_low": [False, True],
                           "pct_high": [False, True]})
    table = Published(values, hidden)
    files = []
    for run in range(2):
        fig = proportion_bars(table, "label", "Title", "Base: n = 10.", "SYNTHETIC", "%", "note")
        files.append(save_figure(fig, tmp_path / f"run{run}" / "figure"))
        plt.close(fig)
    for first, second in zip(*files):
        assert first.read_bytes() == second.read_bytes(), first.suffix
    svg = files[0][1].read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg


def test_gap_table_compares_importance_with_practice(survey):
    ctx = Context(rules=Rules(k=K))
    gap = enforcement.importance_practice_gap(survey, ctx)
    assert len(gap) == 9
    assert (gap["gap_pp"].diff().dropna() <= 0).all()  # sorted, largest gap first
    row = gap.iloc[0]
    assert row["gap_pp"] == pytest.approx(row["important_pct"] - row["used_pct"])


def test_weights_of_one_change_nothing_and_other_weights_change_shares(survey):
    """Respondent weights reach the theme tables; counts and bases stay unweighted."""
    plain = opportunities.analyse(survey, Context(rules=Rules(k=K))).tables()["opportunity_ratings_summary"]
    ones = survey.assign(weight=1.0)
    weighted = Context(rules=Rules(k=K), weights="weight")
    same = opportunities.analyse(ones, weighted).tables()["opportunity_ratings_summary"]
    pd.testing.assert_frame_equal(plain, same)
    skewed = survey.assign(weight=[3.0 if i % 2 else 1.0 for i in range(len(survey))])
    other = opportunities.analyse(skewed, weighted).tables()["opportunity_ratings_summary"]
    assert list(other["n"]) == list(plain.set_index("item").loc[other["item"], "n"])
    assert not plain.set_index("item")["top2_pct"].equals(other.set_index("item")["top2_pct"])


def test_a_model_that_cannot_be_estimated_says_so_instead_of_blaming_small_groups(survey):
    """Complete separation (every citizen-facing respondent daily, everyone else never): no finite
    odds ratio, so no model, and the text names that reason, not the small-cell rule."""
    from analysis.themes import barriers
    from analysis.themes.derived import citizen_facing
    ctx = Context(rules=Rules(k=5), synthetic=True)
    frame = survey.copy()
    facing = citizen_facing(frame, ctx)
    codes = ctx.codebook["use_frequency"].substantive_codes
    frame["use_frequency"] = frame["use_frequency"].astype(object)
    frame.loc[facing == 1, "use_frequency"] = max(codes)
    frame.loc[facing == 0, "use_frequency"] = min(codes)
    result = barriers.analyse(frame, ctx)
    plt.close("all")
    assert result.facts.activity_model is None
    assert ctx.t("b_model_not_estimable") in result.section("activity").paragraphs


def _one_sided_by_filtering(pairs, a, b, key=("item_a", "item_b")):
    """Brute force: filter the table for the row (a, b), else (b, a), as the sentences read it."""
    values = pairs.values if isinstance(pairs, Published) else pairs
    for first, second, column in ((a, b, "p_greater"), (b, a, "p_less")):
        rows = [i for i in range(len(values))
                if values[key[0]].iloc[i] == first and values[key[1]].iloc[i] == second]
        if rows:
            if isinstance(pairs, Published) and pairs.is_hidden(rows[0], column):
                return None
            value = values[column].iloc[rows[0]]
            return None if pd.isna(value) else float(value)
    return None


def test_one_sided_and_first_test_read_the_pairwise_table_as_filtering_does():
    from analysis.themes.base import first_test, one_sided, one_sided_ps

    table = pd.DataFrame({"item_a": ["a", "a", "b", "c", "a", "d"], "item_b": ["b", "c", "c", "a", "b", "a"],
                          "p_greater": [0.01, 0.2, float("nan"), 0.03, 0.9, 0.5],
                          "p_less": [0.99, 0.8, 0.4, 0.97, 0.1, 0.5]})
    mask = pd.DataFrame(False, index=table.index, columns=table.columns)
    mask.loc[5, "p_less"] = True
    items = ["a", "b", "c", "d", "e"]
    for pairs in (table, Published(table, mask)):
        ps = one_sided_ps(pairs)
        for a in items:
            for b in items:
                assert one_sided(pairs, a, b) == ps.get((a, b)) == _one_sided_by_filtering(pairs, a, b)
        assert first_test(pairs, "a", ["a", "b", "c"]) == (0.2, "c")  # the first (a, b) row counts
        assert first_test(pairs, "c", ["a", "b", "c"]) == (0.4, "b")
    assert first_test(Published(table, mask), "a", ["a", "d"]) == (None, "d")  # hidden
    assert first_test(table, "a", ["a", "d"]) == (0.5, "d")
