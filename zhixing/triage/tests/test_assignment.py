"""分案 by weighted load on real cases: the team of the track, the least-loaded judge, absences,
fairness over many generated cases, idempotent retries, locked cases, and an absent judge's cases
spread over the team — every assignment through cases.services.case_assign, logged."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.cases import services as case_services
from zhixing.cases.choices import LogAction, Track
from zhixing.cases.exceptions import NotAllowed, ValidationFailed
from zhixing.cases.models import EnforcementCase, LogEntry, NodeRecord
from zhixing.supervision.models import CaseLock
from zhixing.testing.fixtures import make_user
from zhixing.triage import assignment, services
from zhixing.triage.choices import Tag
from zhixing.triage.rules import DEFAULT_WEIGHTS

YUAN = 100


def loads(court) -> dict[str, int]:
    return {j.name: j.load for j in assignment.judge_loads(court.pk)}


def test_each_case_goes_to_a_team_of_its_track_and_its_least_loaded_judge(make_case, judges, teams, command_centre, courts,
                                                                          clerk):
    fast, ordinary = make_case(amount_fen=10_000 * YUAN), make_case(amount_fen=90_000 * YUAN)
    special = make_case(amount_fen=10_000 * YUAN)
    services.case_tag_add(actor=clerk, case=special, tag=Tag.ORGANISED_CRIME)
    case_services.case_assign(actor=command_centre, case=make_case(amount_fen=10_000 * YUAN), handler=judges["fast"][0])

    result = assignment.assign_auto(actor=command_centre, court=courts["court"])

    assert len(result.done) == 3 and not result.skipped
    fast.refresh_from_db(), ordinary.refresh_from_db(), special.refresh_from_db()
    assert (fast.team, fast.handler) == (teams["fast"], judges["fast"][1])  # 张法官 already has one case
    assert ordinary.team.team_type == "ordinary" and ordinary.handler.display_name == "普执甲"  # lowest id of three at 0
    assert (special.team, special.handler) == (teams["special"], judges["special"][0])
    entry = LogEntry.objects.filter(case=ordinary, action=LogAction.ASSIGN).get()
    assert "按繁简分流（普执）与承办负荷自动分案" in entry.reason and "分案前负荷 0" in entry.reason
    assert NodeRecord.objects.filter(case=ordinary, node_code="assign").exists()  # the assign deadline is met
    assert loads(courts["court"])["吴法官"] == DEFAULT_WEIGHTS[Track.FAST]


def test_a_special_case_goes_to_an_ordinary_team_when_the_court_has_no_special_team(make_case, judges, teams, command_centre,
                                                                                    courts, clerk):
    teams["special"].active = False
    teams["special"].save()
    case = make_case()
    services.case_tag_add(actor=clerk, case=case, tag=Tag.FINANCIAL)
    assignment.assign_auto(actor=command_centre, court=courts["court"])
    case.refresh_from_db()
    assert case.track == Track.SPECIAL and case.team.team_type == "ordinary"


def test_absent_judges_get_no_new_cases(make_case, judges, command_centre, courts, bureau_head):
    today = timezone.localdate()
    assignment.absence_record(actor=bureau_head, user=judges["fast"][0], starts_on=today, ends_on=today, reason="年休假")
    cases = [make_case(amount_fen=10_000 * YUAN) for _ in range(3)]
    assignment.assign_auto(actor=command_centre, court=courts["court"])
    assert {EnforcementCase.objects.get(pk=c.pk).handler for c in cases} == {judges["fast"][1]}


def test_an_absence_needs_a_judge_dates_in_order_and_a_reason(judges, bureau_head, clerk, judge):
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as exc:
        assignment.absence_record(actor=bureau_head, user=clerk, starts_on=today, ends_on=today - dt.timedelta(days=1),
                                  reason="")
    assert {e.field for e in exc.value.errors} == {"user", "ends_on", "reason"}
    with pytest.raises(NotAllowed):
        assignment.absence_record(actor=judge, user=judges["fast"][1], starts_on=today, ends_on=today, reason="病假")


def test_fairness_after_many_generated_cases_loads_differ_by_at_most_one_case_weight(make_case, judges, command_centre,
                                                                                    courts, clerk):
    """N generated cases of random amounts and subjects: among the judges eligible for each track,
    the highest and lowest weighted loads differ by at most the heaviest single weight (3)."""
    rng = random.Random(7)
    for _ in range(40):
        case = make_case(amount_fen=rng.choice([10_000, 40_000, 60_000, 200_000]) * YUAN)
        if rng.random() < 0.15:
            services.case_tag_add(actor=clerk, case=case, tag=Tag.LIVELIHOOD)
    result = assignment.assign_auto(actor=command_centre, court=courts["court"])
    assert len(result.done) == 40
    by_name = loads(courts["court"])
    for group in (["张法官", "吴法官"], ["普执甲", "普执乙", "普执丙"]):
        values = [by_name[name] for name in group]
        assert max(values) - min(values) <= max(DEFAULT_WEIGHTS.values()), (group, values)
    assert sum(by_name.values()) == sum(DEFAULT_WEIGHTS[c.track] for c in EnforcementCase.objects.all())


def test_a_second_run_assigns_nothing_and_a_case_assigned_meanwhile_is_left_alone(make_case, judges, command_centre, courts,
                                                                                 bureau_head):
    case = make_case()
    assert len(assignment.assign_auto(actor=command_centre, court=courts["court"]).done) == 1
    assert assignment.assign_auto(actor=command_centre, court=courts["court"]).done == []
    other = make_case()
    proposal = assignment.preview(courts["court"], [other])[0]
    case_services.case_assign(actor=bureau_head, case=other, handler=judges["ordinary"][0])  # someone was quicker
    with pytest.raises(Exception) as exc:
        assignment._assign_one(command_centre, other.pk, proposal, "自动", expect_handler=None)
    assert "已由他人分案" in str(exc.value)
    other.refresh_from_db()
    assert other.handler == judges["ordinary"][0] and case.pk != other.pk


def test_a_locked_case_is_reported_and_the_others_are_assigned(make_case, judges, command_centre, courts):
    locked, free = make_case(), make_case()
    CaseLock.objects.create(court_id=locked.court_id, case=locked, sequence=1, rule_codes="enforcement_notice",
                            reason="红色预警超过锁定期限", locked_on=timezone.localdate())
    result = assignment.assign_auto(actor=command_centre, court=courts["court"])
    assert [o.case_id for o in result.done] == [free.pk]
    assert result.skipped[0].case_id == locked.pk and "锁死" in result.skipped[0].refused
    assert "未分案 1 件" in result.text


def test_who_may_auto_assign(make_case, clerk, supervisor, courts, judges):
    make_case()
    with pytest.raises(NotAllowed):
        assignment.assign_auto(actor=clerk, court=courts["court"])
    with pytest.raises(NotAllowed):
        assignment.assign_auto(actor=supervisor, court=courts["court"])


def test_an_absent_judges_open_cases_are_spread_over_the_team_each_logged(make_case, judges, teams, bureau_head, courts):
    away, stays = judges["ordinary"]
    third = make_user("ord9", courts["court"], Role.JUDGE, "普执丁", teams["ordinary"])
    cases = [make_case(amount_fen=90_000 * YUAN) for _ in range(6)]
    for case in cases:
        case_services.case_assign(actor=bureau_head, case=case, handler=away)
    case_services.case_assign(actor=bureau_head, case=make_case(amount_fen=90_000 * YUAN), handler=stays)

    preview = assignment.reassign_preview(judge=away)
    assert {p.judge.name for p in preview} == {"普执乙", "普执丁"}
    with pytest.raises(ValidationFailed):
        assignment.reassign_absent(actor=bureau_head, judge=away, reason="")
    result = assignment.reassign_absent(actor=bureau_head, judge=away, reason="休产假")

    assert len(result.done) == 6
    handlers = [EnforcementCase.objects.get(pk=c.pk).handler for c in cases]
    assert away not in handlers and set(handlers) == {third, stays}
    after = loads(courts["court"])
    assert after["普执甲"] == 0 and abs(after["普执乙"] - after["普执丁"]) <= DEFAULT_WEIGHTS[Track.ORDINARY]
    entry = LogEntry.objects.filter(case=cases[0], action=LogAction.ASSIGN).order_by("-seq").first()
    assert entry.reason.startswith("普执甲休产假，按承办负荷改派") and entry.before["handler"] == "普执甲"
    assert assignment.reassign_absent(actor=bureau_head, judge=away, reason="休产假").done == []  # nothing left


def test_a_judge_alone_in_the_team_has_their_cases_spread_over_teams_of_the_track(make_case, judges, bureau_head):
    alone = judges["ordinary2"][0]
    case = make_case(amount_fen=90_000 * YUAN)
    case_services.case_assign(actor=bureau_head, case=case, handler=alone)
    assignment.reassign_absent(actor=bureau_head, judge=alone, reason="借调")
    case.refresh_from_db()
    assert case.handler in judges["ordinary"]


def test_the_assign_command_assigns_and_its_dry_run_only_lists(make_case, judges, command_centre, courts, capsys):
    case = make_case()
    call_command("assign", "--auto", "--court", "京0108", "--user", "centre", "--dry-run")
    out = capsys.readouterr().out
    assert case.case_number in out and "预览" in out
    assert EnforcementCase.objects.get(pk=case.pk).handler is None
    call_command("assign", "--auto", "--court", "京0108", "--user", "centre")
    assert "已分案 1 件" in capsys.readouterr().out
    call_command("assign", "--auto", "--court", "京0108", "--user", "centre")
    assert "已分案 0 件" in capsys.readouterr().out


def test_the_triage_command_re_triages_open_cases_once(make_case, judge, capsys):
    case = make_case(amount_fen=10_000 * YUAN)
    EnforcementCase.objects.filter(pk=case.pk).update(claim_amount_fen=90_000 * YUAN)
    call_command("triage", "--court", "京0108")
    assert "分流改变 1 件（快执→普执 1 件）" in capsys.readouterr().out
    call_command("triage")
    assert "分流改变 0 件" in capsys.readouterr().out
