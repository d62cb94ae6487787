"""Bundles built through the real case services (Mengzhou, seed 003), handed to one team, kept in step
with the cases by rerunning the detection."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from zhixing.bundles import selectors, services
from zhixing.bundles.choices import RelationKind
from zhixing.bundles.detection import relate
from zhixing.bundles.models import Bundle, BundleHandover
from zhixing.cases import services as case_services
from zhixing.cases.choices import LogAction, PartyRole
from zhixing.cases.exceptions import DomainError, NotAllowed, ValidationFailed
from zhixing.cases.models import EnforcementCase, LogEntry, Party
from zhixing.courts.choices import TeamType
from zhixing.courts.models import Team
from zhixing.supervision.models import CaseLock

from .conftest import company, person, register


def bundle(kind: str, *, cross: bool = False, court=None, key: str | None = None) -> Bundle:
    bundles = Bundle.objects.filter(kind=kind, cross_court=cross, dissolved_at__isnull=True)
    if court is not None:
        bundles = bundles.filter(scope_court=court)
    if key is not None:
        bundles = bundles.filter(key=key)
    return bundles.get()


def ids(cases) -> set[int]:
    return {c.pk for c in cases}


def test_the_fourteen_mengzhou_cases_form_one_mutual_bundle(mengzhou, courts):
    relate()
    mutual = bundle(RelationKind.MUTUAL)
    assert set(selectors.bundle_case_ids(mutual)) == ids(mengzhou.against_company + mengzhou.by_company)
    assert mutual.case_count == 14 and mutual.scope_court == courts["court"]
    assert "焦作某科技有限公司" in mutual.label and "互为申请人、被执行人" in mutual.label
    company = mengzhou.company["credit_code"]
    assert set(selectors.bundle_case_ids(bundle(RelationKind.SAME_RESPONDENT, court=courts["court"]))) == ids(mengzhou.against_company)
    assert set(selectors.bundle_case_ids(bundle(RelationKind.SAME_APPLICANT, key=company))) == ids(mengzhou.by_company)
    # Each of the five applies twice against the company: five more same-applicant bundles of two.
    assert Bundle.objects.filter(kind=RelationKind.SAME_APPLICANT, case_count=2).count() == 5
    cross = bundle(RelationKind.SAME_RESPONDENT, cross=True)
    assert cross.key == company and cross.scope_court == courts["mid"] and cross.court_count == 2
    assert set(selectors.bundle_case_ids(cross)) == ids(mengzhou.against_company) | {mengzhou.elsewhere.pk}


def test_the_bureau_head_hands_the_bundle_to_one_team_and_each_case_logs_it(mengzhou, bureau_head, head_team):
    relate()
    mutual = bundle(RelationKind.MUTUAL)
    done = services.bundle_handover(actor=bureau_head, bundle=mutual, team=head_team, reason="同一公司互负债务，集中办理")
    cases = EnforcementCase.objects.filter(pk__in=selectors.bundle_case_ids(mutual))
    assert {(c.team_id, c.handler_id) for c in cases} == {(head_team.pk, head_team.leader_id)}
    assert sorted(done.reassigned) == sorted(ids(cases)) and done.unchanged == [] and done.skipped == []
    for case in cases:
        entry = LogEntry.objects.filter(case=case, action=LogAction.ASSIGN).latest("seq")
        assert entry.actor_id == bureau_head.pk
        assert f"关联组#{mutual.pk}" in entry.reason and "同一公司互负债务，集中办理" in entry.reason
        assert "孙法官" in entry.summary
    mutual.refresh_from_db()
    assert mutual.last_handover == done and done.team == head_team and done.actor == bureau_head
    assert "已将 14 件案件交由速执团队" in services.handover_message(done)


def test_a_retry_of_the_same_handover_changes_nothing(mengzhou, bureau_head, head_team):
    relate()
    mutual = bundle(RelationKind.MUTUAL)
    first = services.bundle_handover(actor=bureau_head, bundle=mutual, team=head_team, reason="集中办理")
    entries = LogEntry.objects.count()
    again = services.bundle_handover(actor=bureau_head, bundle=mutual, team=head_team, reason="集中办理")
    assert again == first and LogEntry.objects.count() == entries and BundleHandover.objects.count() == 1


def test_cases_of_another_court_are_left_to_that_court_and_the_message_says_so(mengzhou, bureau_head, head_team):
    relate()
    cross = bundle(RelationKind.SAME_RESPONDENT, cross=True)
    done = services.bundle_handover(actor=bureau_head, bundle=cross, team=head_team, reason="同一被执行人")
    assert sorted(done.reassigned) == sorted(ids(mengzhou.against_company))
    assert [s["case_id"] for s in done.skipped] == [mengzhou.elsewhere.pk]
    assert "北京市西城区人民法院" in done.skipped[0]["why"]
    mengzhou.elsewhere.refresh_from_db()
    assert mengzhou.elsewhere.team_id != head_team.pk
    assert "其他法院的 1 件未改派" in services.handover_message(done)


def test_judges_and_supervisors_may_not_hand_a_bundle_over(mengzhou, judge, supervisor, head_team):
    relate()
    mutual = bundle(RelationKind.MUTUAL)
    for actor in (judge, supervisor):
        with pytest.raises(NotAllowed):
            services.bundle_handover(actor=actor, bundle=mutual, team=head_team, reason="集中办理")
    assert not BundleHandover.objects.exists()


def test_it_refuses_another_courts_team_a_missing_reason_and_a_team_without_leader(mengzhou, bureau_head, head_team, courts):
    relate()
    mutual = bundle(RelationKind.MUTUAL)
    foreign = Team.objects.create(court=courts["other"], name="西城普执", team_type=TeamType.ORDINARY)
    with pytest.raises(ValidationFailed) as refused:
        services.bundle_handover(actor=bureau_head, bundle=mutual, team=foreign, reason="集中办理")
    assert refused.value.errors[0].field == "team"
    with pytest.raises(ValidationFailed) as refused:
        services.bundle_handover(actor=bureau_head, bundle=mutual, team=head_team, reason="  ")
    assert refused.value.errors[0].field == "reason" and "执行日志" in refused.value.errors[0].message
    leaderless = Team.objects.create(court=courts["court"], name="普执二组", team_type=TeamType.ORDINARY)
    with pytest.raises(ValidationFailed) as refused:
        services.bundle_handover(actor=bureau_head, bundle=mutual, team=leaderless, reason="集中办理")
    assert refused.value.errors[0].field == "handler"
    assert not BundleHandover.objects.exists()


def test_one_locked_case_stops_the_whole_handover(mengzhou, bureau_head, head_team):
    relate()
    mutual = bundle(RelationKind.MUTUAL)
    locked = mengzhou.by_company[-1]
    CaseLock.objects.create(court=locked.court, case=locked, sequence=1, rule_codes="close_period",
                            reason="超过执行期限", locked_on=timezone.localdate())
    with pytest.raises(DomainError) as refused:
        services.bundle_handover(actor=bureau_head, bundle=mutual, team=head_team, reason="集中办理")
    assert locked.case_number in refused.value.message and "本次打包交办未执行" in refused.value.message
    assert not EnforcementCase.objects.filter(team=head_team).exists()
    assert not BundleHandover.objects.exists()


def test_a_bundle_dissolves_when_its_cases_no_longer_relate_and_comes_back_with_its_history(
        judge, bureau_head, head_team, courts):
    debtor = company("某建材有限公司", 42)
    first = register(judge, "京0108", [person("甲", 21)], [debtor])
    second = register(judge, "京0108", [person("乙", 22)], [debtor])
    assert relate().created == 1
    pair = bundle(RelationKind.SAME_RESPONDENT)
    services.bundle_handover(actor=bureau_head, bundle=pair, team=head_team, reason="同一被执行人")
    case_services.case_close(actor=judge, case=second, closing_type="withdrawn", performed_amount_fen=0, reason="撤回申请")
    result = relate()
    assert (result.created, result.changed, result.dissolved) == (0, 0, 1)
    pair.refresh_from_db()
    assert pair.dissolved_at is not None and selectors.bundle_case_ids(pair) == [] and pair.handovers.count() == 1
    third = register(judge, "京0108", [person("丙", 23)], [debtor])
    assert relate().created == 1
    pair.refresh_from_db()
    assert pair.is_active and set(selectors.bundle_case_ids(pair)) == {first.pk, third.pk} and pair.last_handover_id


def test_a_new_case_of_a_known_respondent_changes_its_bundle(mengzhou, judge):
    relate()
    company_bundle = bundle(RelationKind.SAME_RESPONDENT, court=mengzhou.against_company[0].court)
    newcomer = register(judge, "京0108", [person("新申请人", 31)], [mengzhou.company])
    result = relate()
    assert result.changed == 2 and result.created == 0 and result.dissolved == 0  # the court's and the cross-court one
    company_bundle.refresh_from_db()
    assert company_bundle.case_count == 11 and newcomer.pk in selectors.bundle_case_ids(company_bundle)


def test_the_worklist_figures_follow_the_cases_at_each_run_without_counting_as_changes(mengzhou, command_centre, judge,
                                                                                       head_team):
    relate()
    company = bundle(RelationKind.SAME_RESPONDENT, court=mengzhou.against_company[0].court)
    assert (company.teams, company.unassigned) == ("", 10)
    case_services.case_assign(actor=command_centre, case=mengzhou.against_company[0], handler=head_team.leader,
                              team=head_team)
    assert relate().changes == 0
    company.refresh_from_db()
    assert (company.teams, company.unassigned) == ("速执团队", 9)


def test_the_command_prints_a_summary_and_a_second_run_changes_nothing(mengzhou, capsys):
    call_command("relate")
    first = capsys.readouterr().out
    assert "关联案件检测完成（全部法院" in first and "新增关联组 0" not in first
    call_command("relate")
    assert "新增关联组 0，变动 0，解散 0" in capsys.readouterr().out
    call_command("relate", "--court", "京0108")
    assert "北京市海淀区人民法院，1 个法院" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有这个法院代字"):
        call_command("relate", "--court", "京9999")


def test_a_basic_courts_run_leaves_the_cross_court_bundles_alone(mengzhou, courts):
    relate()
    cross = bundle(RelationKind.SAME_RESPONDENT, cross=True)
    Party.objects.filter(case=mengzhou.elsewhere, role=PartyRole.RESPONDENT).update(
        credit_code=company("另一公司", 43)["credit_code"])
    assert relate(court=courts["other"]).changes == 0  # 京0102 alone: its own scope only
    cross.refresh_from_db()
    assert cross.is_active
    relate(court=courts["mid"])
    cross.refresh_from_db()
    assert not cross.is_active
