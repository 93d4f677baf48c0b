"""Seeded synthetic respondents, generated from the codebook, following the 2011 summary.

The real 2011 microdata were never published. This generator produces an export with the same
columns and codes as a real one, so that the whole pipeline can be shown and tested. Every row is
marked ``synthetic = 1`` and every artefact built from it says so. Figures from these data
illustrate the method; they are not findings.

Model (one latent structure per respondent):
- ``activity``: how active a respondent is with social media, from role and age effects (citizen-
  facing roles and younger respondents more active, as the summary reports), an organisation effect
  (respondents cluster in organisations) and individual noise.
- ``enthusiasm``: a general positive view of social media, correlated with activity.
- each rating item: latent = item location + loading x enthusiasm + grid factor + noise, cut at
  fixed thresholds into the five answer codes; items of one grid share a respondent-level factor,
  so they correlate as real grids do.
- multi-select options: a thresholded latent per option, driven by activity.
- non-response: "don't know" (more often with low self-rated knowledge), item non-response, and
  break-off towards the end of the questionnaire.

All numbers that encode the summary's findings are in :data:`DESIGN`, in one readable place.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.survey.codebook import Codebook, Item, load_codebook
from analysis.survey.synth_open import open_answers
from analysis.core.paths import SYNTHETIC_N, SYNTHETIC_SEED

#: Cut points that turn a latent value into the five answer codes.
THRESHOLDS = np.array([-1.5, -0.5, 0.5, 1.5])

#: The published summary's qualitative findings, as generator parameters.
DESIGN: dict[str, Any] = {
    # Participants: 18 of the 25 regional forces took part; more than 30 organisations or units.
    "regional_forces_absent": [3, 8, 11, 14, 19, 21, 23],  # codes of the 7 forces with no respondent
    "organisation_group_shares": {
        "regional_police": 0.60, "national_police": 0.07, "marechaussee": 0.06, "academy": 0.06,
        "ministry": 0.06, "other_security": 0.07, "foreign_police": 0.05, "other": 0.03,
    },
    "role_shares": {1: 0.17, 2: 0.14, 3: 0.14, 4: 0.07, 5: 0.08, 6: 0.12, 7: 0.10, 8: 0.06, 9: 0.05, 10: 0.07},
    # "Vooral de jongere ... collega's, meestal ... wijkagenten en communicatie afdelingen"
    "role_activity": {1: 0.8, 2: 0.9, 3: 0.0, 4: 0.2, 5: 0.1, 6: -0.3, 7: -0.1, 8: 0.1, 9: 0.2, 10: -0.2},
    "age_shares": {1: 0.06, 2: 0.25, 3: 0.31, 4: 0.27, 5: 0.09, 9: 0.02},
    "age_activity": {1: 0.6, 2: 0.45, 3: 0.0, 4: -0.35, 5: -0.6, 9: 0.0},
    "organisation_sd": 0.35,
    # Item locations (higher = larger/more/agree). Orderings follow the summary.
    "locations": {
        # "De grootste kansen ... opsporing, waarna handhaving en intake en noodhulp volgen."
        "opp_investigation": 1.35, "opp_public_order": 1.1, "opp_intake_emergency": 0.95,
        "opp_prevention": 0.75, "opp_events": 0.75, "opp_recruitment": 0.55, "opp_image": 0.55,
        "opp_knowledge_sharing": 0.3,
        # "vooral de mentaliteit/cultuur en de kennis en vaardigheden", then embedding, capacity
        "bar_culture": 1.15, "bar_skills": 1.0, "bar_embedding": 0.65, "bar_capacity": 0.6,
        "bar_evidence": 0.35, "bar_law_privacy": 0.2, "bar_access": 0.1, "bar_management": 0.0,
        # growing flow of information and interaction with citizens first
        "thr_information_flow": 0.95, "thr_citizen_interaction": 0.85, "thr_capacity": 0.6,
        "thr_training": 0.55, "thr_privacy": 0.5, "thr_suspects": 0.45, "thr_loss_of_control": 0.35,
        "thr_misuse": 0.35,
        # "Het nut ... bij handhaving ... scoort hoog"; "Opsporingsmogelijkheden scoren zeer hoog"
        "enf_usefulness": 1.15, "inv_usefulness": 1.5,
        "enf_information_gathering": 1.15, "enf_public_information": 1.1, "enf_crowd_management": 1.0,
        "enf_monitoring_area": 0.9, "enf_monitoring_topic": 0.85, "enf_network_analysis": 0.7,
        "enf_message_reach": 0.6, "enf_countering_rumours": 0.55,
        # "betrouwbaarheid ... is minder belangrijk dan bij opsporing"
        "enf_reliability": 0.2, "inv_reliability": 0.95,
        "inv_digital_canvassing": 1.2, "inv_finding_witnesses": 1.2, "inv_first_hour": 1.0,
        "inv_open_closed_sources": 0.95, "inv_crowdsourcing": 0.9, "inv_evidence": 0.8,
        "inv_later_stage": 0.75, "inv_cocreation": 0.7,
        # "zaken die nog niet ideaal zijn opgelost"
        "sol_smart_monitoring": -0.75, "sol_infiltration": -0.95, "sol_validation": -0.85,
        "sol_evidence": -0.65, "sol_crowdsourcing_prosecution": -0.5,
        # Conclusion: not embedded, no clear vision, steady growth, driven from both sides
        "st_embedded": -0.7, "st_vision": -0.55, "st_growth": 1.35, "st_driven_work_floor": 0.85,
        "st_driven_management": 0.3, "st_evidence_lacking": 0.7, "st_priority": 0.25,
        "st_beyond_experiments": 0.6,
        "value_estimation": 0.0,
    },
    # How strongly enthusiasm moves an item (barriers and "solved" barely depend on it).
    "loadings": {"opp_": 0.6, "enf_": 0.55, "inv_": 0.55, "st_": 0.45, "bar_": 0.15, "thr_": 0.1, "sol_": 0.1},
    "grid_factor_sd": 0.55,
    "noise_sd": {"default": 0.95, "st_priority": 1.5},
    # "De vraag of inzet ... overschat of onderschat wordt blijft ... onbeantwoord": two camps.
    "value_estimation_camps": {"share_underestimated": 0.5, "under": -1.1, "over": 0.9, "sd": 0.8},
    # Multi-select: baseline latent location per option (higher = ticked more often).
    "option_locations": {
        "platforms": {"twitter": 0.5, "facebook": 0.0, "hyves": -0.6, "linkedin": 0.25, "youtube": -0.4,
                      "blogs": -0.7, "forums": 0.7, "other": -1.8},
        # "netwerken, uitwisselen van informatie/kennis met deskundigen en (steeds meer) met burgers"
        "uses_made": {"networking": 0.75, "expert_exchange": 0.6, "citizen_exchange": 0.35,
                      "public_info": 0.45, "witness_appeals": -0.15, "recruitment": -0.5,
                      "monitoring": -0.45, "crowdsourcing": -1.2},
        # "Weerstand zit er in allerlei lagen van de organisaties."
        "resistance": {"work_floor": -0.35, "middle_management": 0.1, "top_management": -0.2,
                       "support_departments": -0.45, "justice_partners": -0.6},
        # current practice in enforcement: far below the rated importance
        "enf_practice": {"information_gathering": 0.1, "public_information": 0.4, "crowd_management": -0.55,
                         "monitoring_area": -0.5, "monitoring_topic": -0.65, "network_analysis": -1.3,
                         "message_reach": -1.0, "countering_rumours": -0.85, "reliability": -1.45},
    },
    "option_activity_loading": 0.7,
    # Non-response
    "dont_know_base": 0.035,
    "dont_know_extra": {"sol_": 0.10, "value_estimation": 0.12, "thr_": 0.03},
    "item_nonresponse": 0.02,
    # Share of respondents who stop after the given theme (the rest complete the questionnaire).
    "break_off_after": {"participants": 0.04, "opportunities": 0.05, "barriers": 0.04, "enforcement": 0.04},
    "open_answer_rate": 0.3,
}

#: What changes in a later wave, as overrides of :data:`DESIGN` (everything not named stays as in
#: 2011, so the comparison of two synthetic waves has a known truth; :data:`PLANTED_CHANGES` lists it).
WAVE_DESIGN: dict[str, dict[str, Any]] = {
    "2026": {
        # more daily use: half of the weekly users now use social media daily (who is active at all,
        # weekly or daily, does not change, and neither do the platforms, which depend on any use)
        "weekly_to_daily": 0.5,
        "locations": {
            "bar_culture": 0.35,          # mentality and culture much less of a barrier (was 1.15)
            "bar_law_privacy": 0.6,       # reworded after the GDPR: not compared
            "thr_disinformation": 1.05,   # new item
        },
        "option_locations": {
            "platforms": {"instagram": 0.05},            # new option (Hyves dropped)
            "uses_made": {"crowdsourcing": -0.2},        # more crowdsourcing (was -1.2)
        },
    },
}
#: The changes planted in each later wave against 2011: column -> what moved (the benchmark's truth;
#: every other comparable column is unchanged).
PLANTED_CHANGES: dict[str, dict[str, str]] = {
    "2026": {"use_frequency": "more daily use", "bar_culture": "less of a barrier",
             "uses_made_crowdsourcing": "more crowdsourcing"},
}


def design(wave: str | None = None) -> dict[str, Any]:
    """The generator's parameters for `wave`: :data:`DESIGN` with the wave's overrides."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DESIGN.items()}
    out["option_locations"] = {k: dict(v) for k, v in DESIGN["option_locations"].items()}
    for key, value in WAVE_DESIGN.get(wave or "", {}).items():
        if key == "option_locations":
            for item, locations in value.items():
                out[key][item].update(locations)
        elif isinstance(value, dict):
            out[key].update(value)
        else:
            out[key] = value
    return out


#: How many phrases each open question had before the coding frame (their draws stay in the stream).
_FORMER_PHRASE_COUNTS = {"opportunities_open": 5, "barriers_open": 5, "enforcement_open": 4, "investigation_open": 4}


def _cut(latent: np.ndarray) -> np.ndarray:
    """Latent values -> answer codes 1..5."""
    return np.searchsorted(THRESHOLDS, latent) + 1


def _draw(rng: np.random.Generator, shares: dict[Any, float], n: int) -> np.ndarray:
    keys = list(shares)
    p = np.array([shares[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _prefix_value(table: dict[str, float], item_id: str, default: float = 0.0) -> float:
    if item_id in table:
        return table[item_id]
    for prefix, value in table.items():
        if item_id.startswith(prefix):
            return value
    return default


def generate(n: int, seed: int, codebook: Codebook | None = None, with_codes: bool = False,
             wave: str | None = None, population: tuple[int, int] | None = None) -> Any:
    """Generate `n` synthetic respondents as export rows (column -> cell text), seeded by `seed`.

    `wave` (default: the codebook's wave) selects the questionnaire (items asked in that wave)
    and the design (:data:`DESIGN` with the wave's :data:`WAVE_DESIGN` changes). `population`
    (seed, n of an earlier wave) keeps that wave's organisations (their sizes and effects), so two
    waves sample the same population and differ only where the design says; by default (and for the
    first wave) the organisations are drawn from `seed` itself.
    With `with_codes`, returns ``(rows, planted)``: also the codes each open answer was written from.
    """
    codebook = (codebook or load_codebook()) if wave is None else (codebook or load_codebook()).for_wave(wave)
    if population is None and codebook.wave_ids and codebook.wave != codebook.wave_ids[0]:
        population = (SYNTHETIC_SEED, SYNTHETIC_N)
    rng = np.random.default_rng(seed)
    d = design(codebook.wave)
    rows, latent = _participants(rng, n, codebook, d, population)
    reached = _reached(rng, n, codebook, d)
    answering = _answers(rng, n, codebook, d, rows, latent, reached)
    texts, planted = open_answers(answering, seed, codebook)
    for item_id, by_row in texts.items():
        for i, text in by_row.items():
            rows[i][item_id] = text
    rows = [{k: str(v) for k, v in row.items()} for row in rows]
    return (rows, planted) if with_codes else rows


def _participants(rng: np.random.Generator, n: int, codebook: Codebook, d: dict[str, Any],
                  population: tuple[int, int] | None) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """Who answers: organisation, role, age, use and knowledge per respondent (the first columns), and
    their latent ``activity``, ``enthusiasm``, ``use_frequency`` and ``knowledge``."""
    org_item = codebook["organisation"]
    groups = org_item.code_attr("group")
    absent = set(d["regional_forces_absent"])
    # the organisations (sizes and effects) are the population: an earlier wave's when given
    pop_rng = rng if population is None else np.random.default_rng(population[0])
    org_shares: dict[Any, float] = {}
    for group, share in d["organisation_group_shares"].items():
        members = [c for c, g in groups.items() if g == group and c not in absent]
        member_weights = pop_rng.dirichlet(np.full(len(members), 4.0))
        for code, w in zip(members, member_weights):
            org_shares[code] = share * w
    if population is not None:
        _draw(pop_rng, org_shares, population[1])  # the earlier wave's respondents, replayed
    organisation = _draw(rng, org_shares, n)
    org_effect_by_code = {c: pop_rng.normal(0, d["organisation_sd"]) for c in org_item.category_codes}
    role = _draw(rng, d["role_shares"], n)
    age = _draw(rng, d["age_shares"], n)
    activity = (np.array([d["role_activity"][r] for r in role])
                + np.array([d["age_activity"][a] for a in age])
                + np.array([org_effect_by_code[o] for o in organisation])
                + rng.normal(0, 0.8, n))
    enthusiasm = 0.6 * activity + rng.normal(0, 0.8, n)
    use_frequency = _cut(0.7 + 0.9 * activity + rng.normal(0, 0.7, n))
    if d.get("weekly_to_daily"):
        use_frequency = np.where((use_frequency == 4) & (rng.random(n) < d["weekly_to_daily"]), 5, use_frequency)
    knowledge = _cut(0.6 + 0.7 * activity + rng.normal(0, 0.7, n))
    rows: list[dict[str, Any]] = [
        {"respondent_id": f"S{i + 1:04d}", "synthetic": 1, "organisation": organisation[i], "role": role[i],
         "age_band": age[i], "use_frequency": use_frequency[i], "knowledge": knowledge[i]}
        for i in range(n)
    ]
    latent = {"activity": activity, "enthusiasm": enthusiasm, "use_frequency": use_frequency, "knowledge": knowledge}
    return rows, latent


def _reached(rng: np.random.Generator, n: int, codebook: Codebook, d: dict[str, Any]) -> dict[str, np.ndarray]:
    """Break-off: per theme, which respondents reached it (the last theme each reached is drawn)."""
    themes = codebook.theme_ids
    stop_shares = dict(d["break_off_after"])
    stop_shares["conclusion"] = 1.0 - sum(stop_shares.values())
    last_theme = _draw(rng, stop_shares, n)
    return {t: np.array([themes.index(lt) >= themes.index(t) for lt in last_theme]) for t in themes}


def _answers(rng: np.random.Generator, n: int, codebook: Codebook, d: dict[str, Any], rows: list[dict[str, Any]],
             latent: dict[str, np.ndarray], reached: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The answers to every other item, written into `rows` in questionnaire order (open answers left
    empty); returns, per open question, who answers it."""
    grid_factors: dict[str, np.ndarray] = {}
    answering: dict[str, np.ndarray] = {}
    dont_know_scale = np.exp(-0.45 * (latent["knowledge"] - 3))
    for item in codebook.items:
        if item.id in rows[0] or item.type in ("identifier", "flag", "weight"):
            continue
        present = reached[item.theme]
        skipped = rng.random(n) < d["item_nonresponse"]
        shown = present & ~skipped
        if item.type == "rating":
            values = _rating_values(item.id, item.grid, rng, n, latent["enthusiasm"], grid_factors, d)
            p_dk = (d["dont_know_base"] + _prefix_value(d["dont_know_extra"], item.id)) * dont_know_scale
            dk = rng.random(n) < p_dk
            for i in range(n):
                rows[i][item.id] = (item.dont_know_codes[0] if dk[i] else int(values[i])) if shown[i] else ""
        elif item.type == "multi":
            _multi_answers(rng, n, item, d, rows, latent, shown)
        elif item.type == "open":
            answers = rng.random(n) < d["open_answer_rate"]
            # Draws of the former phrase generator, kept so that the columns after this one do not move.
            rng.integers(0, _FORMER_PHRASE_COUNTS[item.id], n), rng.integers(0, 6, n), rng.integers(0, 8, n)
            rng.integers(10_000_000, 99_999_999, n)
            answering[item.id] = present & answers & ~skipped
            for i in range(n):
                rows[i][item.id] = ""
        else:
            raise ValueError(f"the generator has no rule for item {item.id!r} of type {item.type!r}")
    return answering


def _multi_answers(rng: np.random.Generator, n: int, item: Item, d: dict[str, Any], rows: list[dict[str, Any]],
                   latent: dict[str, np.ndarray], shown: np.ndarray) -> None:
    """The option columns of a multi-select item: a thresholded latent per option, driven by activity."""
    for option in item.options:
        col = f"{item.id}_{option.code}"
        loc = d["option_locations"][item.id][option.code]
        ticked = (loc + d["option_activity_loading"] * latent["activity"] + rng.normal(0, 1, n)) > 0
        if item.id == "platforms":
            ticked &= latent["use_frequency"] > 1  # who never uses social media for work ticks none
        for i in range(n):
            rows[i][col] = int(ticked[i]) if shown[i] else ""


def planted_open_codes(n: int, seed: int, codebook: Codebook | None = None) -> pd.DataFrame:
    """The codes the generator wrote each open answer from (the truth the synthetic coders and the
    automatic first pass are measured against): one row per answer, columns ``item``,
    ``respondent_id`` and ``codes`` (the planted codes, in frame order, separated by ";")."""
    import pandas as pd

    codebook = codebook or load_codebook()
    rows, planted = generate(n, seed, codebook, with_codes=True)
    chosen = {(p["item"], p["row"], p["code"]) for p in planted}
    records = [{"item": item.id, "respondent_id": row["respondent_id"],
                "codes": ";".join(c.code for c in item.frame if (item.id, i, c.code) in chosen)}
               for item in codebook.items if item.type == "open"
               for i, row in enumerate(rows) if row[item.id]]
    return pd.DataFrame(records, columns=["item", "respondent_id", "codes"])


def _rating_values(item_id: str, grid: str | None, rng: np.random.Generator, n: int,
                   enthusiasm: np.ndarray, grid_factors: dict[str, np.ndarray],
                   d: dict[str, Any] = DESIGN) -> np.ndarray:
    if item_id == "value_estimation":
        camps = d["value_estimation_camps"]
        under = rng.random(n) < camps["share_underestimated"]
        latent = np.where(under, camps["under"], camps["over"]) + rng.normal(0, camps["sd"], n)
        return _cut(latent)
    if grid is not None and grid not in grid_factors:
        grid_factors[grid] = rng.normal(0, d["grid_factor_sd"], n)
    shared = grid_factors[grid] if grid is not None else 0.0
    loading = _prefix_value(d["loadings"], item_id)
    sd = d["noise_sd"].get(item_id, d["noise_sd"]["default"])
    latent = d["locations"][item_id] + loading * (enthusiasm - enthusiasm.mean()) + shared + rng.normal(0, sd, n)
    return _cut(latent)


def write_export(rows: list[dict[str, str]], path: str | Path, codebook: Codebook | None = None) -> Path:
    """Write generated rows as a UTF-8 CSV export in codebook column order (deterministic bytes)."""
    codebook = codebook or load_codebook()
    columns = [c for c in codebook.columns() if c in rows[0]]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row[c] for c in columns])
    return path
