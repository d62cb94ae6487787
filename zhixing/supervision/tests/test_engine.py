"""The deadline engine at its boundaries: the day before, the day of and the day after each change of
warning, across 国庆 and 春节 with their make-up workdays; pauses, extensions, rule versions and
idempotency. Expected dates are worked out by hand from the 2025/2026 holiday notices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from zhixing.cases import services as case_services
from zhixing.cases.models import LogEntry
from zhixing.cases.rules import NODES_BY_CODE
from zhixing.supervision import policies
from zhixing.supervision import services as sv
from zhixing.supervision.engine import supervise, supervise_cases
from zhixing.supervision.models import (
    Deadline,
    EscalationEvent,
    RuleVersion,
    SupervisionPolicy,
    SupervisionRun,
)

D = dt.date


def deadline(case, rule_code: str) -> Deadline:
    return Deadline.objects.get(case=case, rule_code=rule_code)


def levels(case, rule_code: str, days: list[dt.date]) -> list[int]:
    out = []
    for day in days:
        supervise_cases([case.pk], as_of=day)
        out.append(deadline(case, rule_code).level)
    return out


def record(case, node_code: str, on: dt.date, actor):
    if not NODES_BY_CODE[node_code].by_service:
        return case_services.node_record(actor=actor, case=case, node_code=node_code, occurred_on=on)
    with transaction.atomic():  # money's nodes (to the engine a node is a node; zhixing.money writes them)
        row = case_services.record_service_node(case=case, node_code=node_code, occurred_on=on, actor=actor)
        supervise_cases([case.pk])
    return row


@pytest.fixture
def policy(courts):
    return SupervisionPolicy.objects.create(court=courts["court"], yellow_lead_days=3)


# ---------------------------------------------------------------- calendar days, 国庆 2025


def test_notice_within_3_days_rolls_off_national_day_2025(make_case, policy):
    # Filed Sunday 2025-09-28 (a make-up workday). Day 3 is 10-01, a holiday; the holiday runs to
    # 10-08, so the period ends on Thursday 10-09 (CPL Art. 85).
    case = make_case(filed_on=D(2025, 9, 28))
    row = deadline(case, "enforcement_notice")
    assert (row.start_on, row.due_on) == (D(2025, 9, 28), D(2025, 10, 9))
    # yellow from 3 days before (10-06), orange on the day, red the day after
    assert levels(case, "enforcement_notice", [D(2025, 10, 5), D(2025, 10, 6), D(2025, 10, 8), D(2025, 10, 9), D(2025, 10, 10)]) == [
        0, 1, 1, 2, 3
    ]


def test_first_network_query_10_days_and_met_by_the_query(make_case, judge, policy):
    case = make_case(filed_on=D(2025, 9, 24))  # + 10 = 10-04, in the holiday → 10-09
    assert deadline(case, "first_network_query").due_on == D(2025, 10, 9)
    assert levels(case, "first_network_query", [D(2025, 10, 8), D(2025, 10, 9), D(2025, 10, 10)]) == [1, 2, 3]
    record(case, "network_query", D(2025, 10, 10), judge)
    row = deadline(case, "first_network_query")
    assert (row.status, row.met_on, row.level) == ("met", D(2025, 10, 10), 0)


# ---------------------------------------------------------------- working days, 春节 2026


def test_payout_zhejiang_7_working_days_across_spring_festival(make_case, judge, courts, bureau_head, policy):
    # A court adopts Zhejiang's stricter 7 working days (seed 002 §(四)5) instead of the national 30 days.
    policies.court_rule_adopt(actor=bureau_head, court=courts["court"], rule_code="payout", amount=7,
                              unit="working_days", citation="浙江高院意见（七个工作日内发放完毕）")
    case = make_case(filed_on=D(2026, 1, 5))
    record(case, "funds_received", D(2026, 2, 11), judge)
    # Wed 02-11 → Thu 12 (1), Fri 13 (2), Sat 14 make-up workday (3), 15–23 holiday, Tue 24 (4) … Fri 27 (7)
    row = deadline(case, "payout")
    assert (row.start_on, row.due_on) == (D(2026, 2, 11), D(2026, 2, 27))
    assert row.rule_version.court_id == courts["court"].pk
    assert levels(case, "payout", [D(2026, 2, 23), D(2026, 2, 24), D(2026, 2, 26), D(2026, 2, 27), D(2026, 2, 28)]) == [
        0, 1, 1, 2, 3
    ]
    record(case, "payout_prepared", D(2026, 3, 2), judge)
    record(case, "payout_done", D(2026, 3, 2), judge)
    row = deadline(case, "payout")
    assert (row.status, row.met_on) == ("met", D(2026, 3, 2))
    assert row.met_on > row.due_on  # paid late: kept for the indicators


def test_payout_national_30_days_without_a_local_rule(make_case, judge, policy):
    case = make_case(filed_on=D(2026, 1, 5))
    record(case, "funds_received", D(2026, 2, 11), judge)
    assert deadline(case, "payout").due_on == D(2026, 3, 13)  # 30 calendar days, a Friday


def test_a_court_rule_looser_than_the_law_is_refused(courts, bureau_head, judge):
    # Zhejiang verifies clues within 7 *working* days; the law (财产调查规定 Art. 2) says 7 days —
    # 7 working days always end later, so it cannot replace the national rule.
    with pytest.raises(sv.ValidationFailed) as err:
        policies.court_rule_adopt(actor=bureau_head, court=courts["court"], rule_code="clue_verification",
                                  amount=7, unit="working_days", citation="浙江高院意见")
    assert "不得宽于法定期限" in str(err.value.errors[0]) and "财产调查" in str(err.value.errors[0])
    with pytest.raises(sv.NotAllowed):
        policies.court_rule_adopt(actor=judge, court=courts["court"], rule_code="payout", amount=7,
                                  unit="working_days", citation="x")
    assert not RuleVersion.objects.filter(court=courts["court"]).exists()


# ---------------------------------------------------------------- the 6-month period: pauses and extension


def test_close_period_rolls_off_a_sunday(make_case):
    case = make_case(filed_on=D(2026, 1, 5))
    assert deadline(case, "close_period").due_on == D(2026, 7, 6)  # 07-05 is a Sunday


def test_suspension_days_do_not_count_and_a_running_one_pauses_the_warning(make_case, judge, policy):
    case = make_case(filed_on=D(2026, 1, 5))
    pause = sv.suspension_start(actor=judge, case=case, kind="interruption", start_on=D(2026, 2, 1),
                                reason="（2026）京0108执异1号裁定中止")
    supervise_cases([case.pk], as_of=D(2026, 7, 20))  # still suspended, past the unpaused date
    row = deadline(case, "close_period")
    assert (row.status, row.level) == ("paused", 0)
    sv.suspension_end(actor=judge, suspension=pause, end_on=D(2026, 2, 11))
    row = deadline(case, "close_period")
    # 10 days not counted: 07-05 + 10 = 07-15, a Wednesday
    assert (row.status, row.paused_days, row.due_on) == ("pending", 10, D(2026, 7, 15))
    assert levels(case, "close_period", [D(2026, 7, 14), D(2026, 7, 15), D(2026, 7, 16)]) == [1, 2, 3]
    actions = list(LogEntry.objects.filter(case=case).values_list("action", flat=True))
    assert actions[-2:] == ["suspend", "resume"]


def test_extension_must_be_asked_5_days_before_and_approved_by_the_president(make_case, judge, courts):
    from zhixing.accounts.choices import Role
    from zhixing.testing.fixtures import make_user

    president = make_user("president", courts["court"], Role.PRESIDENT, "院长")
    case = make_case(filed_on=D(2026, 1, 5))  # due 2026-07-06
    with pytest.raises(sv.ValidationFailed) as late:
        sv.extension_request(actor=judge, case=case, reason="财产正在拍卖", requested_on=D(2026, 7, 2))
    assert "2026-07-01" in str(late.value.errors[0])
    ext = sv.extension_request(actor=judge, case=case, reason="财产正在拍卖", requested_on=D(2026, 7, 1))
    with pytest.raises(sv.NotAllowed):
        sv.extension_decide(actor=judge, extension=ext, approve=True)
    sv.extension_decide(actor=president, extension=ext, approve=True, note="同意")
    row = deadline(case, "close_period")
    # 9 months from 01-05 = 10-05, in the 2026 National Day holiday (10-01–10-07) → Thursday 10-08
    assert (row.extension_months, row.due_on) == (3, D(2026, 10, 8))
    entry = LogEntry.objects.filter(case=case, action="extension").last()
    assert "2026-07-06 → 2026-10-08" in entry.summary and entry.actor_name == "院长"


# ---------------------------------------------------------------- 五超 and the other rules


def test_property_found_not_controlled_within_15_days(make_case, judge, policy):
    case = make_case(filed_on=D(2026, 3, 2))
    record(case, "property_found", D(2026, 4, 1), judge)  # + 15 = 04-16, Thursday
    row = deadline(case, "property_control")
    assert row.due_on == D(2026, 4, 16)
    assert levels(case, "property_control", [D(2026, 4, 15), D(2026, 4, 16), D(2026, 4, 17)]) == [1, 2, 3]
    from zhixing.property import measures

    owner = case.parties.filter(role="respondent").first()
    flat = {"certificate_number": "京(2020)海淀区不动产权第1号", "address": "海淀区1号", "area": "80"}
    link = measures.asset_register(actor=judge, case=case, kind="real_estate", details=flat, owner_party=owner,
                                   found_on=D(2026, 4, 1), found_via="network_query")
    measures.measure_take(actor=judge, case=case, asset=link.asset, kind="seal", started_on=D(2026, 4, 20))
    row = deadline(case, "property_control")
    assert (row.status, row.met_on) == ("met", D(2026, 4, 20))
    assert deadline(case, "measure_realty").due_on == D(2029, 4, 19)  # the seal's own three years


def _measure(case, period_class: str, started_on: dt.date, *, status="active", ended_on=None, key="1"):
    """A control measure as the property app stores it (the engine reads the table, not the service)."""
    from zhixing.property.models import Asset, ControlMeasure

    asset = Asset.objects.create(kind="real_estate", identity_key=f"{case.pk}-{period_class}-{key}", owner_name="甲",
                                 owner_identity="110101199003070011", description="房产")
    measure = ControlMeasure.objects.create(
        court_id=case.court_id, case=case, asset=asset, kind="seal", period_class=period_class, started_on=started_on,
        status=status, ended_on=ended_on, recorded_at=timezone.now(),
    )
    supervise_cases([case.pk], as_of=started_on)
    return measure


def test_a_seal_runs_three_years_with_its_renewal_reminder_30_days_before(make_case, judge):
    case = make_case(filed_on=D(2026, 3, 2))
    _measure(case, "immovable", D(2026, 4, 20))
    measure = deadline(case, "measure_realty")
    # in force from 04-20 itself: three years end on 2029-04-19 (the measure's own end date)
    assert (measure.start_on, measure.due_on) == (D(2026, 4, 20), D(2029, 4, 19))
    assert levels(case, "measure_realty", [D(2029, 3, 19), D(2029, 3, 20), D(2029, 4, 19), D(2029, 4, 20)]) == [0, 1, 2, 3]
    assert not Deadline.objects.filter(case=case, rule_code__in=["measure_bank", "measure_movables"]).exists()


def test_the_oldest_running_measure_of_a_class_is_due_and_a_renewal_or_release_moves_it(make_case):
    case = make_case(filed_on=D(2025, 1, 6))
    first = _measure(case, "deposit", D(2025, 1, 10), key="a")
    _measure(case, "deposit", D(2025, 6, 1), key="b")
    assert deadline(case, "measure_bank").due_on == D(2026, 1, 9)
    # 续行: the first ends (renewed) and its successor starts the next year
    first.status, first.ended_on = "renewed", D(2025, 12, 20)
    first.save()
    _measure(case, "deposit", D(2025, 12, 20), key="c")
    assert (deadline(case, "measure_bank").start_on, deadline(case, "measure_bank").due_on) == (D(2025, 6, 1), D(2026, 5, 31))
    # releasing every running freeze ends the watch, met on the last release
    from zhixing.property.models import ControlMeasure

    ControlMeasure.objects.filter(case=case, status="active").update(status="released", ended_on=D(2026, 2, 2))
    supervise_cases([case.pk], as_of=D(2026, 2, 2))
    row = deadline(case, "measure_bank")
    assert (row.status, row.met_on, row.level) == ("met", D(2026, 2, 2), 0)


def test_a_queued_seal_has_no_period_until_it_takes_effect(make_case):
    case = make_case(filed_on=D(2025, 1, 6))
    _measure(case, "immovable", D(2025, 2, 1), status="queued")
    assert not Deadline.objects.filter(case=case, rule_code="measure_realty").exists()


def test_clues_each_need_verifying_and_the_oldest_open_one_runs(make_case, judge):
    case = make_case(filed_on=D(2026, 3, 2))
    record(case, "clue_received", D(2026, 3, 10), judge)
    record(case, "clue_verified", D(2026, 3, 12), judge)
    row = deadline(case, "clue_verification")
    assert (row.status, row.met_on) == ("met", D(2026, 3, 12))
    record(case, "clue_received", D(2026, 4, 1), judge)
    record(case, "clue_received", D(2026, 4, 3), judge)
    row = deadline(case, "clue_verification")
    assert (row.status, row.start_on, row.due_on) == ("pending", D(2026, 4, 1), D(2026, 4, 8))


def test_second_investigation_after_two_and_a_half_months(make_case, judge, policy):
    case = make_case(filed_on=D(2026, 3, 2))  # 2 months → 05-02, + 15 = 05-17 (Sunday) → 05-18
    record(case, "network_query", D(2026, 3, 3), judge)
    row = deadline(case, "second_investigation")
    assert (row.status, row.due_on) == ("pending", D(2026, 5, 18))
    assert levels(case, "second_investigation", [D(2026, 5, 17), D(2026, 5, 18), D(2026, 5, 19)]) == [1, 2, 3]
    record(case, "traditional_query", D(2026, 5, 20), judge)
    record(case, "network_query", D(2026, 6, 1), judge)
    row = deadline(case, "second_investigation")
    assert (row.status, row.met_on) == ("met", D(2026, 5, 20))  # the second of three investigations


def test_closing_voids_open_rules_and_starts_the_archive_month(make_case, judge, clerk):
    case = make_case(filed_on=D(2026, 6, 1))
    case_services.case_close(actor=judge, case=case, closing_type="performed", performed_amount_fen=5_000_000,
                             closed_on=D(2026, 10, 30))
    assert deadline(case, "close_period").status == "met"
    assert deadline(case, "second_investigation").status == "void"
    archive = deadline(case, "archive")
    assert (archive.status, archive.due_on) == ("pending", D(2026, 11, 30))
    case_services.case_archive(actor=clerk, case=case, archived_on=D(2026, 11, 20))
    assert deadline(case, "archive").status == "met"


# ---------------------------------------------------------------- escalation, versions, idempotency


def test_red_escalates_after_working_days_and_each_step_is_recorded(make_case, courts, policy):
    case = make_case(filed_on=D(2026, 2, 4))  # notice due 02-07 (Sat, rest) → 02-09 Monday; red from 02-10
    assert deadline(case, "enforcement_notice").due_on == D(2026, 2, 9)
    # team lead after 2 working days (11, 12); the head after 5: 13, 14 (a make-up Saturday), then
    # the Spring Festival 15–23, then 24
    escalations = []
    for day in (D(2026, 2, 10), D(2026, 2, 11), D(2026, 2, 12), D(2026, 2, 23), D(2026, 2, 24)):
        supervise_cases([case.pk], as_of=day)
        escalations.append(deadline(case, "enforcement_notice").escalation)
    assert escalations == [0, 0, 1, 1, 2]
    steps = EscalationEvent.objects.filter(case=case, rule_code="enforcement_notice", as_of__lt=D(2026, 3, 1))
    assert list(steps.values_list("escalation", "as_of")) == [(1, D(2026, 2, 12)), (2, D(2026, 2, 24))]


def test_a_running_case_keeps_its_rule_version_until_re_based(make_case, judge, courts, bureau_head, admin_user):
    before = make_case(filed_on=D(2026, 1, 5))
    record(before, "funds_received", D(2026, 2, 11), judge)
    assert deadline(before, "payout").due_on == D(2026, 3, 13)  # national 30 days
    policies.court_rule_adopt(actor=bureau_head, court=courts["court"], rule_code="payout", amount=7,
                              unit="working_days", citation="浙江高院意见")
    supervise(as_of=D(2026, 2, 20))
    assert deadline(before, "payout").due_on == D(2026, 3, 13)  # not silently moved
    after = make_case(filed_on=D(2026, 1, 6))
    record(after, "funds_received", D(2026, 2, 11), judge)
    assert deadline(after, "payout").due_on == D(2026, 2, 27)
    with pytest.raises(sv.NotAllowed):
        sv.deadline_rebase(actor=judge, case=before, rule_code="payout", reason="适用新规则")
    sv.deadline_rebase(actor=admin_user, case=before, rule_code="payout", reason="本院规则自2月起适用于在办案件")
    assert deadline(before, "payout").due_on == D(2026, 2, 27)
    entry = LogEntry.objects.filter(case=before, action="rebase").get()
    assert "2026-03-13 → 2026-02-27" in entry.summary and entry.before["version"] == 1


def test_a_changed_national_rule_is_a_new_version_and_running_cases_keep_theirs(make_case, monkeypatch):
    import dataclasses

    from zhixing.supervision import rules

    case = make_case(filed_on=D(2026, 1, 5))
    old = deadline(case, "assign")
    changed = tuple(dataclasses.replace(r, amount=5) if r.code == "assign" else r for r in rules.RULES)
    monkeypatch.setattr(policies, "RULES", changed)
    policies.ensure_rule_versions()
    versions = list(RuleVersion.objects.filter(rule_code="assign", court=None).order_by("version").values_list("version", "amount"))
    assert versions == [(1, 7), (2, 5)]
    fresh = make_case(filed_on=D(2026, 1, 5))
    supervise(as_of=D(2026, 1, 8))
    assert deadline(case, "assign").rule_version_id == old.rule_version_id
    assert (deadline(fresh, "assign").due_on, deadline(case, "assign").due_on) == (D(2026, 1, 12), D(2026, 1, 12))
    # 01-10 (5 days) is a Saturday → 01-12; 7 days → 01-12 too: compare the versions, not only the dates
    assert deadline(fresh, "assign").rule_version.version == 2


def test_supervise_is_idempotent_and_says_what_it_changed(make_case, capsys, policy):
    for day in (D(2025, 9, 28), D(2026, 1, 5), D(2026, 3, 2)):
        make_case(filed_on=day)
    call_command("supervise", "--as-of", "2026-04-01")
    first = capsys.readouterr().out.strip()
    call_command("supervise", "--as-of", "2026-04-01")
    second = capsys.readouterr().out.strip()
    assert first.startswith("督办完成（基准日 2026-04-01，3 件）")
    assert "期限变更 0，预警变更 0，升级督办 0，新锁定 0" in second
    assert "预警变更 0" not in first
    assert SupervisionRun.objects.count() == 2
    call_command("supervise", "--as-of", "2026-04-02", verbosity=2)
    steps = capsys.readouterr().out.strip().splitlines()[-1]
    assert steps.startswith("各步用时（秒）：facts ") and "summaries" in steps
    with pytest.raises(CommandError):
        call_command("supervise", "--as-of", "2026-02-30")


# ---------------------------------------------------------------- locks
# Locks are dated from real "today": an unlock is approved today, and its grace runs from today.


def lock_policy(court, *, lock_from: dt.date, rules: str = "enforcement_notice") -> SupervisionPolicy:
    return SupervisionPolicy.objects.create(court=court, lock_from=lock_from, lock_after_red_days=10, lock_rules=rules)


def test_a_case_red_for_longer_than_n_days_is_locked_and_only_the_remedy_is_allowed(make_case, judge, courts):
    today = timezone.localdate()
    case = make_case(filed_on=today - dt.timedelta(days=10))
    lock_policy(courts["court"], lock_from=D(2026, 1, 1))
    lock_on = deadline(case, "enforcement_notice").due_on + dt.timedelta(days=1 + 10)
    assert supervise(as_of=lock_on - dt.timedelta(days=1)).locks == 0
    assert supervise(as_of=lock_on).locks == 1
    assert supervise(as_of=lock_on).locks == 0
    lock = sv.active_lock(case.pk)
    assert lock.sequence == 1 and "发出执行通知书" in lock.reason
    assert LogEntry.objects.filter(case=case, action="lock").count() == 1
    with pytest.raises(sv.Locked) as refused:
        record(case, "network_query", today, judge)
    assert refused.value.http_status == 423 and "程序锁死" in refused.value.message
    record(case, "enforcement_notice", today, judge)  # the remedy
    assert deadline(case, "enforcement_notice").status == "met"
    assert sv.active_lock(case.pk) is not None  # the lock stays until an unlock is approved


def test_unlocking_needs_one_level_up_and_after_a_second_lock_the_intermediate_court(
    make_case, judge, bureau_head, supervisor, courts
):
    from zhixing.accounts.choices import Role
    from zhixing.testing.fixtures import make_user

    today = timezone.localdate()
    case = make_case(filed_on=today - dt.timedelta(days=30))
    lock_policy(courts["court"], lock_from=D(2026, 1, 1))
    supervise(as_of=today)
    request = sv.unlock_request(actor=judge, case=case, reason="当事人下落不明，已公告送达")
    with pytest.raises(sv.NotAllowed):
        sv.unlock_decide(actor=judge, request=request, approve=True)
    with pytest.raises(sv.NotAllowed):
        sv.unlock_decide(actor=supervisor, request=request, approve=True)  # first lock: the court itself decides
    sv.unlock_decide(actor=bureau_head, request=request, approve=True, note="同意")
    assert sv.active_lock(case.pk) is None
    # still red, but not locked again within the grace period (10 days from the unlock)
    assert supervise(as_of=today + dt.timedelta(days=9)).locks == 0
    assert supervise(as_of=today + dt.timedelta(days=10)).locks == 1  # the notice is still not sent
    lock = sv.active_lock(case.pk)
    assert lock.sequence == 2
    second = sv.unlock_request(actor=judge, case=case, reason="已安排送达")
    assert second.approver_court == courts["mid"]
    with pytest.raises(sv.NotAllowed):
        sv.unlock_decide(actor=bureau_head, request=second, approve=True)
    mid_head = make_user("mid_head", courts["mid"], Role.BUREAU_HEAD, "中院执行局长")
    sv.unlock_decide(actor=mid_head, request=second, approve=True, note="限期三日内送达")
    assert sv.active_lock(case.pk) is None
    actions = list(LogEntry.objects.filter(case=case).values_list("action", flat=True))
    assert actions.count("lock") == 2 and actions.count("unlock_request") == 2 and actions.count("unlock") == 2


def test_a_lock_policy_counts_red_days_only_from_when_it_was_switched_on(make_case, courts):
    today = timezone.localdate()
    case = make_case(filed_on=D(2025, 3, 3))  # red since 2025
    lock_policy(courts["court"], lock_from=today - dt.timedelta(days=5), rules="")
    assert supervise(as_of=today + dt.timedelta(days=4)).locks == 0
    assert supervise(as_of=today + dt.timedelta(days=5)).locks == 1
    assert sv.active_lock(case.pk) is not None


def test_a_deferral_ends_within_three_months_plus_three(make_case, judge):
    case = make_case(filed_on=D(2025, 1, 6))
    pause = sv.suspension_start(actor=judge, case=case, kind="deferral", start_on=D(2025, 2, 3), reason="提供担保暂缓执行")
    with pytest.raises(sv.ValidationFailed) as err:
        sv.suspension_end(actor=judge, suspension=pause, end_on=D(2025, 8, 4))
    assert "2025-08-03" in str(err.value.errors[0]) and "暂缓执行措施" in str(err.value.errors[0])
    sv.suspension_end(actor=judge, suspension=pause, end_on=D(2025, 8, 3))
    assert deadline(case, "close_period").paused_days == (D(2025, 8, 3) - D(2025, 2, 3)).days


@pytest.mark.parametrize("started_on", [D(2026, 3, 1), D(2024, 2, 29), D(2024, 3, 1), D(2025, 8, 31), D(2026, 1, 31)])
@pytest.mark.parametrize("period_class,rule_code", [("deposit", "measure_bank"), ("movable", "measure_movables"),
                                                    ("immovable", "measure_realty")])
def test_the_supervised_expiry_is_the_measures_own_statutory_end(make_case, started_on, period_class, rule_code):
    from zhixing.property.measures import statutory_end
    from zhixing.property.rules import PERIOD_CLASSES

    case = make_case(filed_on=D(2024, 1, 2))
    _measure(case, period_class, started_on)
    assert deadline(case, rule_code).due_on == statutory_end(PERIOD_CLASSES[period_class], started_on)


def test_the_first_run_stores_exactly_what_the_comparing_run_stores(make_case, judge, courts, monkeypatch):
    """A new installation's first run inserts every deadline at once instead of comparing; both paths
    must store the same deadlines, count the same changes, escalate and lock the same cases."""
    from zhixing.supervision import engine
    from zhixing.supervision.models import CaseLock

    cases = [make_case(filed_on=day) for day in (D(2025, 9, 28), D(2026, 1, 5), D(2026, 3, 2), D(2026, 3, 30))]
    record(cases[1], "network_query", D(2026, 1, 9), judge)
    record(cases[2], "funds_received", D(2026, 3, 5), judge)
    lock_policy(courts["court"], lock_from=D(2025, 1, 1))
    fields = ("case_id", "rule_code", "rule_version_id", "team_id", "handler_id", "start_on", "due_on", "met_on",
              "status", "paused_days", "extension_months", "level", "escalation", "red_since")

    def run(first_path: bool):
        Deadline.objects.all().delete()
        CaseLock.objects.all().delete()
        EscalationEvent.objects.all().delete()
        monkeypatch.setattr(engine, "FIRST_RUN_PATH", first_path)
        result = supervise(as_of=D(2026, 4, 20))
        stored = sorted(Deadline.objects.values_list(*fields))
        events = sorted(EscalationEvent.objects.values_list("case_id", "rule_code", "escalation"))
        locks = sorted(CaseLock.objects.values_list("case_id", "rule_codes"))
        return (result.deadlines, result.warnings, result.escalations, result.locks), stored, events, locks

    first, compared = run(True), run(False)
    assert first == compared
    counts, stored, events, locks = first
    assert counts[0] == len(stored) > 20 and counts[1] > 0 and events and locks
    assert supervise(as_of=D(2026, 4, 20)).deadlines == 0  # and the next run finds nothing to change
