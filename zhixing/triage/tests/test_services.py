"""Triage on real cases: at registration, after property is found, on tags, a judge's override and
its clearing, re-triage that writes nothing twice, and a court's own rules saved as versions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhixing.cases.choices import LogAction, Track
from zhixing.cases.exceptions import Conflict, Locked, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.log import verify_log
from zhixing.cases.models import EnforcementCase, LogEntry
from zhixing.property import measures
from zhixing.supervision.models import CaseLock
from zhixing.triage import services
from zhixing.triage.choices import ConditionKind, DecisionSource, Tag
from zhixing.triage.models import CaseTag, TriageDecision, TriagePolicy
from zhixing.triage.selectors import case_panel, court_rules

YUAN = 100
BANK = {"bank": "中国工商银行北京海淀支行", "account": "6222020200001234", "balance": "80,000.00"}
FLAT = {"certificate_number": "京(2020)海淀区不动产权第0001234号", "address": "北京市海淀区某路1号", "area": "89.5"}


def decisions(case) -> list[TriageDecision]:
    return list(TriageDecision.objects.filter(case=case).order_by("id"))


def notes(case) -> list[str]:
    return list(LogEntry.objects.filter(case=case, action=LogAction.TRIAGE).order_by("seq").values_list("summary", flat=True))


def found(actor, case, kind, details):
    respondent = case.parties.get(role="respondent")
    return measures.asset_register(actor=actor, case=case, kind=kind, details=details, owner_party=respondent,
                                   found_on=timezone.localdate(), found_via="onsite")


# ---------------------------------------------------------------- registration


def test_registration_triages_the_case_and_the_registration_entry_says_by_which_rule(make_case):
    small = make_case(amount_fen=50_000 * YUAN)
    large = make_case(amount_fen=50_000 * YUAN + 1)
    assert (small.track, large.track) == (Track.FAST, Track.ORDINARY)
    first = decisions(small)[0]
    assert first.source == DecisionSource.RULES and first.decided_by is None and first.policy is None
    assert first.rule["position"] == 7 and "50,000元以下" in first.rule["text"] and "孟州" in first.rule["citation"]
    assert first.facts["claim_amount_fen"] == 5_000_000 and first.facts["party_count"] == 2
    entry = LogEntry.objects.get(case=small)  # one act, one entry: registration and its triage
    assert entry.after["triage"]["track"] == "fast" and "50,000元以下" in entry.after["triage"]["rule"]
    assert decisions(large)[0].rule["position"] is None  # no rule held: the default track
    assert EnforcementCase.objects.get(pk=small.pk).track == Track.FAST


def test_a_courts_own_rules_apply_to_the_cases_it_registers_after_saving_them(make_case, bureau_head, courts):
    services.triage_policy_save(
        actor=bureau_head, court=courts["court"], default_track=Track.ORDINARY, weights={"fast": 1, "ordinary": 2, "special": 4},
        rules=[{"kind": ConditionKind.AMOUNT_AT_MOST, "params": {"max_fen": 100_000 * YUAN}, "track": Track.FAST,
                "team_type": "execution_110", "reason": "10万元以下小标的", "citation": "山阳区法院（seed 003）"}],
    )
    case = make_case(amount_fen=80_000 * YUAN)
    assert case.track == Track.FAST
    decision = decisions(case)[0]
    assert decision.policy.version == 1 and decision.team_type == "execution_110"
    assert court_rules(courts["court"].pk).weight(Track.SPECIAL) == 4


# ---------------------------------------------------------------- facts change


def test_finding_real_estate_makes_a_small_case_ordinary_and_logs_why(make_case, judge):
    case = make_case(amount_fen=30_000 * YUAN)
    found(judge, case, "real_estate", FLAT)
    case.refresh_from_db()
    assert case.track == Track.ORDINARY
    last = decisions(case)[-1]
    assert last.reason == "登记财产" and last.rule["position"] == 3 and last.facts["disposal_assets"] == 1
    assert notes(case) == ["繁简分流：快执 → 普执（发现须评估、拍卖处置的财产（不动产、车辆、船舶、股权等），或已启动评估拍卖 → 普执）"]
    assert verify_log() == []


def test_finding_cash_that_covers_the_claim_makes_a_large_case_fast(make_case, judge):
    case = make_case(amount_fen=80_000 * YUAN)
    assert case.track == Track.ORDINARY
    found(judge, case, "bank_deposit", BANK)  # 80,000.00 yuan: exactly the claim
    case.refresh_from_db()
    assert case.track == Track.FAST and decisions(case)[-1].rule["kind"] == ConditionKind.CASH_COVERS_CLAIM


def test_property_that_changes_nothing_writes_nothing(make_case, judge):
    case = make_case(amount_fen=30_000 * YUAN)
    found(judge, case, "bank_deposit", {**BANK, "balance": "100.00"})
    assert len(decisions(case)) == 1 and notes(case) == []


def test_retriage_is_idempotent_and_skips_closed_cases(make_case, judge):
    case = make_case(amount_fen=30_000 * YUAN)
    EnforcementCase.objects.filter(pk=case.pk).update(claim_amount_fen=90_000 * YUAN)  # as if corrected
    first = services.retriage(case=case, actor=judge, why="标的更正")
    second = services.retriage(case=case, actor=judge, why="标的更正")
    assert (first.changed, second.changed, second.checked) == (1, 0, 1)
    assert len(decisions(case)) == 2 and len(notes(case)) == 1
    EnforcementCase.objects.filter(pk=case.pk).update(status="closed", closing_type="performed",
                                                      closed_on=timezone.localdate())
    assert services.retriage(case=case, actor=judge, why="x").checked == 0


def test_retriage_records_the_rule_for_a_case_that_had_no_decision_without_a_log_entry(make_case, judge):
    case = make_case(amount_fen=30_000 * YUAN)
    TriageDecision.objects.filter(case=case).delete()  # e.g. cases from before triage existed
    result = services.retriage(case=case, actor=None, why="首次")
    assert (result.changed, result.recorded) == (0, 1)
    assert decisions(case)[0].rule["position"] == 7 and notes(case) == []


# ---------------------------------------------------------------- tags


def test_a_special_subject_tag_sends_the_case_to_the_special_track_and_removing_it_brings_it_back(make_case, clerk, judge):
    case = make_case(amount_fen=30_000 * YUAN)
    tag = services.case_tag_add(actor=clerk, case=case, tag=Tag.FINANCING_PLATFORM, note="被执行人为某区城投公司")
    case.refresh_from_db()
    assert case.track == Track.SPECIAL
    assert notes(case) == ["标记案件：涉政府投融资平台",
                           "繁简分流：快执 → 特执（涉党政机关、民生、金融、黑恶、政府投融资平台 → 特执）"]
    with pytest.raises(Conflict):
        services.case_tag_add(actor=judge, case=case, tag=Tag.FINANCING_PLATFORM)
    with pytest.raises(ValidationFailed) as exc:
        services.case_tag_remove(actor=judge, tag=tag, reason=" ")
    assert exc.value.errors[0].field == "reason"
    services.case_tag_remove(actor=judge, tag=tag, reason="登记错误")
    case.refresh_from_db()
    assert case.track == Track.FAST
    tag.refresh_from_db()
    assert tag.removed_by == judge and tag.removal_reason == "登记错误"  # kept, not deleted
    assert CaseTag.objects.count() == 1


def test_a_respondent_who_cannot_be_found_makes_a_small_case_ordinary(make_case, clerk):
    case = make_case(amount_fen=10_000 * YUAN)
    services.case_tag_add(actor=clerk, case=case, tag=Tag.RESPONDENT_MISSING)
    case.refresh_from_db()
    assert case.track == Track.ORDINARY and "下落不明" in decisions(case)[-1].rule["text"]


def test_only_staff_who_register_or_handle_may_tag(make_case, judge, finance, supervisor, other_judge):
    case = make_case()
    with pytest.raises(NotAllowed):
        services.case_tag_add(actor=finance, case=case, tag=Tag.LIVELIHOOD)
    with pytest.raises(NotAllowed):
        services.case_tag_add(actor=supervisor, case=case, tag=Tag.LIVELIHOOD)
    with pytest.raises(NotFound):
        services.case_tag_add(actor=other_judge, case=case, tag=Tag.LIVELIHOOD)
    with pytest.raises(ValidationFailed):
        services.case_tag_add(actor=judge, case=case, tag="vip")


# ---------------------------------------------------------------- overrides


def test_an_override_needs_a_reason_sticks_through_retriage_and_the_panel_shows_what_the_rules_say(make_case, judge):
    case = make_case(amount_fen=30_000 * YUAN)
    with pytest.raises(ValidationFailed) as exc:
        services.triage_override(actor=judge, case=case, track=Track.SPECIAL, reason="")
    assert exc.value.errors[0].field == "reason"
    decision = services.triage_override(actor=judge, case=case, track=Track.SPECIAL, reason="涉众，群体上访风险")
    assert decision.rule["rules_track"] == Track.FAST and decision.decided_by == judge
    case.refresh_from_db()
    assert case.track == Track.SPECIAL
    entry = LogEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry.summary == "繁简分流改定：快执 → 特执（规则判定为快执）" and entry.reason == "涉众，群体上访风险"

    EnforcementCase.objects.filter(pk=case.pk).update(claim_amount_fen=90_000 * YUAN)
    assert services.retriage(case=case, actor=judge, why="x").overridden == 1
    case.refresh_from_db()
    assert case.track == Track.SPECIAL
    panel = case_panel(case)
    assert panel.overridden and panel.differs and panel.now.track == Track.ORDINARY

    with pytest.raises(Conflict):
        services.triage_override(actor=judge, case=case, track=Track.SPECIAL, reason="再改一次")
    cleared = services.triage_override_clear(actor=judge, case=case, reason="风险已化解")
    case.refresh_from_db()
    assert cleared.source == DecisionSource.CLEARED and case.track == Track.ORDINARY
    with pytest.raises(Conflict):
        services.triage_override_clear(actor=judge, case=case)
    assert verify_log() == []


def test_who_may_override(make_case, clerk, bureau_head, supervisor, other_judge):
    case = make_case()
    with pytest.raises(NotAllowed):
        services.triage_override(actor=clerk, case=case, track=Track.SPECIAL, reason="x")
    with pytest.raises(NotAllowed):
        services.triage_override(actor=supervisor, case=case, track=Track.SPECIAL, reason="x")
    with pytest.raises(NotFound):
        services.triage_override(actor=other_judge, case=case, track=Track.SPECIAL, reason="x")
    services.triage_override(actor=bureau_head, case=case, track=Track.ORDINARY, reason="局长指定")
    with pytest.raises(ValidationFailed) as exc:
        services.triage_override(actor=bureau_head, case=case, track=Track.FAST, reason="x", team_type="special")
    assert exc.value.errors[0].field == "team_type"


def test_a_locked_case_refuses_an_override_and_a_tag(make_case, judge):
    case = make_case()
    CaseLock.objects.create(court_id=case.court_id, case=case, sequence=1, rule_codes="enforcement_notice",
                            reason="红色预警超过锁定期限", locked_on=timezone.localdate())
    with pytest.raises(Locked):
        services.triage_override(actor=judge, case=case, track=Track.SPECIAL, reason="x")
    with pytest.raises(Locked):
        services.case_tag_add(actor=judge, case=case, tag=Tag.FINANCIAL)
    assert TriageDecision.objects.filter(case=case).count() == 1


# ---------------------------------------------------------------- a court's rules


def rule(**kw) -> dict:
    return {"kind": ConditionKind.AMOUNT_AT_MOST, "params": {"max_fen": 5_000_000}, "track": Track.FAST, "team_type": "",
            "reason": "小额快执", "citation": "孟州（seed 003）", **kw}


WEIGHTS = {"fast": 1, "ordinary": 2, "special": 3}


def test_saving_rules_makes_a_new_version_and_saving_the_same_again_changes_nothing(bureau_head, courts):
    court = courts["court"]
    first = services.triage_policy_save(actor=bureau_head, court=court, rules=[rule()], default_track="ordinary", weights=WEIGHTS)
    again = services.triage_policy_save(actor=bureau_head, court=court, rules=[rule()], default_track="ordinary", weights=WEIGHTS)
    second = services.triage_policy_save(actor=bureau_head, court=court, rules=[rule(), rule(kind="case_type",
                                         params={"case_types": ["执保"]}, reason="保全快执")],
                                         default_track="ordinary", weights=WEIGHTS, note="加保全")
    assert (first.pk == again.pk, first.version, second.version) == (True, 1, 2)
    assert TriagePolicy.objects.filter(court=court).count() == 2
    assert [r.position for r in second.rules.order_by("position")] == [1, 2]
    assert list(first.rules.values_list("reason", flat=True)) == ["小额快执"]  # the old version is kept


def test_bad_rules_are_refused_naming_the_rule_and_field(bureau_head, courts):
    with pytest.raises(ValidationFailed) as exc:
        services.triage_policy_save(
            actor=bureau_head, court=courts["court"], default_track="slow", weights={"fast": 0, "ordinary": 2, "special": 3},
            rules=[rule(params={}), rule(kind="parties_at_least", params={"count": 1}, reason=""),
                   rule(kind="case_type", params={"case_types": []}), rule(kind="nonsense"),
                   rule(track="special", team_type="fast")],
        )
    fields = {e.field: e.message for e in exc.value.errors}
    assert "请填写标的额上限" in fields["rules[0].params.max_fen"]
    assert "第2条规则" in fields["rules[1].params.count"] and "第2条规则须写明理由" in fields["rules[1].reason"]
    assert "rules[2].params.case_types" in fields and "rules[3].kind" in fields and "rules[4].team_type" in fields
    assert "default_track" in fields and "weights.fast" in fields
    assert not TriagePolicy.objects.exists()


def test_only_the_courts_leaders_edit_its_rules(judge, other_judge, courts, bureau_head):
    with pytest.raises(NotAllowed):
        services.triage_policy_save(actor=judge, court=courts["court"], rules=[], default_track="ordinary", weights=WEIGHTS)
    with pytest.raises(NotAllowed):  # another court's head
        services.triage_policy_save(actor=bureau_head, court=courts["other"], rules=[], default_track="ordinary",
                                    weights=WEIGHTS)


def test_a_preset_is_saved_as_a_version(bureau_head, courts, make_case):
    policy = services.triage_policy_from_preset(actor=bureau_head, court=courts["court"], preset="shanyang")
    assert policy.note.startswith("采用山阳模式")
    assert make_case(amount_fen=100_000 * YUAN).track == Track.FAST
