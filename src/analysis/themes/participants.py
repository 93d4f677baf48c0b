"""Theme 1, participants: who took part, coverage of the 2011 police forces, who is already active."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.protection import publication
from analysis.protection.disclosure import SUPPRESSED, is_hidden
from analysis.core.paths import REFERENCE_DIR
from analysis.themes.derived import ACTIVE_CODES, active_indicator, citizen_facing
from analysis.report import facts as facts_schema
from analysis.report.facts import Association, MultiSelect, Number, Share, WaveChange
from analysis.themes.comparison import change_part
from analysis.themes.base import Context, option_shares, test_sentence
from analysis.themes.result import Block, Section, ThemeResult, published, published_value
from analysis.themes.tables import category_table, share_by_group

THEME = "participants"


@dataclass
class ActiveByCitizenFacing:
    citizen_facing_pct: Number = None
    other_pct: Number = None
    test: Association | None = None


@facts_schema.declare(THEME)
@dataclass
class ParticipantsFacts:
    n_respondents: int
    synthetic: bool
    regional_forces_total: int
    regional_forces_represented: int
    organisations_represented: int
    profile_pct: dict[str, dict[str, Number]]
    active: Share
    platforms: MultiSelect
    active_by_citizen_facing: ActiveByCitizenFacing
    active_by_age_test: Association | None = None
    change: WaveChange | None = None

    def synthesis(self, ctx: Context) -> str:
        """The conclusion's sentence on this theme."""
        return ctx.t("c_syn_participants", n=ctx.num(self.n_respondents), active=ctx.pct(self.active.pct))


def coverage(frame: pd.DataFrame, ctx: Context) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per police force of 2011 (reference list): represented or not, respondents (suppressed)."""
    forces = pd.read_csv(REFERENCE_DIR / "police_forces_2011.csv")
    counts = frame["organisation"].value_counts()
    table = pd.DataFrame({
        "code": forces["code"],
        "force": forces["name"],
        "kind": forces["kind"],
        "count": [int(counts.get(c, 0)) for c in forces["code"]],
    })
    table["represented"] = table["count"] > 0
    groups = ctx.codebook["organisation"].code_attr("group")
    present = {c for c, n in counts.items() if n > 0}
    facts = {
        "regional_forces_total": int((table["kind"] == "regional").sum()),
        "regional_forces_represented": int(((table["kind"] == "regional") & table["represented"]).sum()),
        "organisations_represented": len([c for c in present if groups.get(c) != "other"]),
    }
    return table, facts


def _organisations_section(frame: pd.DataFrame, ctx: Context) -> tuple[Section, dict[str, Any]]:
    """Composition by organisation type and the coverage of the 2011 police forces; the coverage facts."""
    org = ctx.codebook["organisation"]
    group_codes: dict[str, list[Any]] = {}
    for code, group in org.code_attr("group").items():
        group_codes.setdefault(group, []).append(code)
    group_labels = {g.code: g.labels[ctx.lang] for g in org.groups}
    rows = {group_labels[g]: codes for g, codes in group_codes.items()}
    org_block, org_fig, _ = category_table(frame, "organisation", rows, ctx, "organisation_types",
                                           ctx.t("p_caption_org"), ctx.t("p_title_org"), describes_sample=True)
    cov_table, cov_facts = coverage(frame, ctx)
    # Exact counts per force are not published, and the bands (or represented yes/no) are withheld
    # where, with the published number of regional police respondents, they would pin a small count.
    cov_pub = publication.organisation_coverage(cov_table.drop(columns=["represented"]), ctx.rules)
    cov_display = pd.DataFrame({ctx.t("col_force"): cov_pub["force"],
                                ctx.t("col_represented"): [SUPPRESSED if is_hidden(r) else ctx.t("word_yes") if r
                                                           else ctx.t("word_no") for r in cov_pub["represented"]],
                                ctx.t("col_respondents_band"): [str(b) for b in cov_pub["respondents"]]})
    cov_block = Block("force_coverage", ctx.t("p_caption_coverage"), table=cov_pub, display=cov_display)
    return Section("organisations", ctx.t("p_h_organisations"), [
        ctx.t("p_composition", n=ctx.num(len(frame)), orgs=ctx.num(cov_facts["organisations_represented"]),
              forces=ctx.num(cov_facts["regional_forces_represented"]),
              forces_total=ctx.num(cov_facts["regional_forces_total"])),
    ], [org_block, org_fig, cov_block]), cov_facts


#: The profile questions and the message keys of their figure titles.
PROFILE = (("role", "p_title_role"), ("age_band", "p_title_age"), ("use_frequency", "p_title_frequency"),
           ("knowledge", "p_title_knowledge"))
#: The profile questions whose tables describe who took part (no interval); the others estimate use.
COMPOSITION = ("role", "age_band")


def _without_prefer_not_to_say(frame: pd.DataFrame, ctx: Context) -> tuple[pd.DataFrame, dict[str, int]]:
    """The frame with "prefer not to say" (a non-substantive code, e.g. age 9) blanked in the profile
    questions (it is not in the base of a profile table), and how many chose it per question."""
    profile_frame = frame.copy()
    withheld = {}
    for item_id, _ in PROFILE:
        item = ctx.codebook[item_id]
        if item.dont_know_codes:
            codes = pd.to_numeric(frame[item_id].astype(object), errors="coerce")
            withheld[item_id] = int(codes.isin(item.dont_know_codes).sum())
            profile_frame[item_id] = frame[item_id].where(~codes.isin(item.dont_know_codes))
    return profile_frame, withheld


def _profile_tables(frame: pd.DataFrame, ctx: Context, citizen_codes: dict[Any, bool],
                    sizes_shown: bool) -> tuple[list[Block], dict[str, dict[str, Any]], dict[str, int]]:
    """A table and figure per profile question, their shares as facts, and the "prefer not to say" counts."""
    profile_frame, withheld = _without_prefer_not_to_say(frame, ctx)
    blocks, facts = [], {}
    for item_id, title_key in PROFILE:
        item = ctx.codebook[item_id]
        labels = item.code_labels(ctx.lang)
        rows = {label: [code] for code, label in labels.items() if code not in item.dont_know_codes}
        # weekly + daily is the published share of active respondents: a public sum of this table
        groups = ({label: code in ACTIVE_CODES for code, label in labels.items()} if item_id == "use_frequency" else
                  {label: citizen_codes.get(code, False) for code, label in labels.items()}
                  if item_id == "role" and sizes_shown else None)
        describes = item_id in COMPOSITION
        caption = ctx.t("p_caption_composition" if describes else "p_caption_profile",
                        question=item.label(ctx.lang, short=False))
        block, fig, pub = category_table(profile_frame, item_id, rows, ctx, item_id, caption, ctx.t(title_key),
                                         public_groups=groups, describes_sample=describes)
        blocks += [block, fig]
        facts[item_id] = {str(code): published(p) for code, p in
                          zip([c for c in labels if c not in item.dont_know_codes], pub["pct"])}
    return blocks, facts, withheld


def _active_section(frame: pd.DataFrame, ctx: Context, active: pd.Series, cf_block: Block, cf_pcts: tuple[Any, Any],
                    public_sums: dict[Any, bool] | None) -> tuple[Section, dict[str, Any]]:
    """Who is active by role and age: shares per group and tests of association; their facts."""
    cb = ctx.codebook
    age_labels = {c: text for c, text in cb["age_band"].code_labels(ctx.lang).items()
                  if c in cb["age_band"].substantive_codes}
    by_age, by_age_fig, _ = share_by_group(frame, active, frame["age_band"], age_labels, ctx, "active_by_age",
                                           ctx.t("p_caption_active_age"), ctx.t("p_title_active_age"))
    age_band = frame["age_band"].astype(object).where(frame["age_band"].isin(cb["age_band"].substantive_codes))
    test_frame = pd.DataFrame({"active": active, "role": frame["role"].astype(object),
                               "citizen_facing": citizen_facing(frame, ctx), "age_band": age_band})
    role_sentence, role_test = test_sentence(ctx, test_frame, "citizen_facing", "active", ctx.t("p_what_role"))
    age_sentence, age_test = test_sentence(ctx, test_frame, "age_band", "active", ctx.t("p_what_age"))
    by_role, by_role_fig, _ = share_by_group(frame, active, frame["role"], cb["role"].code_labels(ctx.lang), ctx,
                                             "active_by_role", ctx.t("p_caption_active_role"),
                                             ctx.t("p_title_active_role"), public_sums=public_sums)
    cf_pct, other_pct = cf_pcts
    facts = {"active_by_citizen_facing": {"citizen_facing_pct": published(cf_pct), "other_pct": published(other_pct),
                                          "test": role_test or None},
             "active_by_age_test": age_test or None}
    return Section("active", ctx.t("p_h_active"), [
        ctx.t("p_active_citizen", cf=ctx.pct(cf_pct), other=ctx.pct(other_pct)),
        role_sentence, age_sentence, ctx.t("p_active_model_pointer"),
    ], [cf_block, by_role_fig, by_role, by_age_fig, by_age]), facts


def analyse(frame: pd.DataFrame, ctx: Context) -> ThemeResult:
    """Who took part (organisations, forces, profile, platforms) and who is already active."""
    cb = ctx.codebook
    n = len(frame)
    facts: dict[str, Any] = {"n_respondents": n, "synthetic": ctx.synthetic}
    organisations, cov_facts = _organisations_section(frame, ctx)
    facts.update(cov_facts)
    # the citizen-facing totals (active by role group) are published below: the roles' tables are
    # protected against them where they are shown (a hidden total is no public sum, and declaring it
    # would claim more than the reader knows)
    active = active_indicator(frame)
    citizen_codes = {c.code: bool(c.attrs.get("citizen_facing")) for c in cb["role"].codes}
    cf_block, _, cf_pub = share_by_group(frame, active, citizen_facing(frame, ctx),
                                         {1.0: ctx.t("group_citizen_facing"), 0.0: ctx.t("group_other_roles")}, ctx,
                                         "active_by_citizen_facing", ctx.t("p_caption_active_citizen"), None)
    # the group sizes alone give the roles' sums away (citizen-facing n = the sum of its roles' counts);
    # the active-by-role table declares its sums of n, active and not active: all three must be shown
    sizes_shown = len(cf_pub) == 2 and not cf_pub.mask[["n"]].to_numpy().any()
    coarse_shown = sizes_shown and not cf_pub.mask[["count"]].to_numpy().any()
    blocks, facts["profile_pct"], withheld = _profile_tables(frame, ctx, citizen_codes, sizes_shown)
    _, _, active_pub = share_by_group(frame, active, pd.Series(1, index=frame.index), {1: ctx.t("group_all")}, ctx,
                                      "active_share", "", None)
    a = {c: published_value(active_pub, c) for c in ("n", "pct", "pct_low", "pct_high")}
    facts["active"] = {"n": published(a["n"]), "pct": published(a["pct"]), "low": published(a["pct_low"]),
                       "high": published(a["pct_high"])}
    profile = Section("profile", ctx.t("p_h_profile"), [
        ctx.t("p_active_share", pct=ctx.pct(a["pct"]), ci=ctx.interval(a["pct_low"], a["pct_high"]),
              n=ctx.num(a["n"])),
        *[ctx.t("p_withheld", question=cb[i].label(ctx.lang), n=ctx.count(n_withheld))
          for i, n_withheld in withheld.items() if n_withheld],
    ], blocks)
    table_b, fig_b, sentences, facts["platforms"] = option_shares(frame, cb["platforms"], ctx,
                                                                  ctx.t("p_title_platforms"))
    platforms = Section("platforms", ctx.t("p_h_platforms"), sentences, [fig_b, table_b])
    cf_pct = published_value(cf_pub, "pct", ("group", 1.0))
    other_pct = published_value(cf_pub, "pct", ("group", 0.0))
    active_part, active_facts = _active_section(frame, ctx, active, cf_block, (cf_pct, other_pct),
                                                citizen_codes if coarse_shown else None)
    facts.update(active_facts)
    part, facts["change"] = change_part(THEME, frame, ctx)
    summary = [
        ctx.t("p_summary_1", n=ctx.num(n), orgs=ctx.num(cov_facts["organisations_represented"]),
              forces=ctx.num(cov_facts["regional_forces_represented"])),
        ctx.t("p_summary_2", pct=ctx.pct(a["pct"]), cf=ctx.pct(cf_pct), other=ctx.pct(other_pct)),
    ]
    sections = [organisations, profile, platforms, active_part, *part,
                Section("caveat", ctx.t("h_caveat"), [ctx.t("p_caveat")])]
    return ThemeResult(THEME, cb.theme_label(THEME, ctx.lang), ctx.t("p_question"), sections, summary, facts)
