"""Clues, lawyer orders, audits and person leads: deadlines, late verification, who may act, the
log entries, the pages and the API. Today is Wednesday 2026-11-25."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from zhixing.cases.choices import LogAction
from zhixing.cases.exceptions import DomainError, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.models import LogEntry, NodeRecord
from zhixing.property import clues
from zhixing.property.models import AuditStatus, CaseAsset, ClueOutcome, LeadOutcome

D = dt.date
TODAY = D(2026, 11, 25)
BANK = {"bank": "招商银行北京分行", "account": "6214 8301 0000 5678", "balance": "12,345.67"}


pytestmark = pytest.mark.usefixtures("on_25_november_2026")


@pytest.fixture
def case(make_case):
    return make_case(filed_on=D(2026, 9, 1))


@pytest.fixture
def company_case(make_case):
    return make_case(filed_on=D(2026, 9, 1), respondent_kind="legal_person")


def respondent(case):
    return case.parties.get(role="respondent")


def entries(case, action):
    return list(LogEntry.objects.filter(case_id=case.pk, action=action).order_by("seq"))


# ---------------------------------------------------------------- clues


def test_a_clue_is_due_in_7_calendar_days_and_an_urgent_one_in_3(clerk, case):
    # Received Friday 2026-11-20: 7 calendar days → Friday 11-27 (7 working days would be 12-01, looser).
    normal = clues.clue_receive(actor=clerk, case=case, source="applicant", description="被执行人在招商银行有存款",
                                provider="申请人", received_on=D(2026, 11, 20))
    urgent = clues.clue_receive(actor=clerk, case=case, source="public", description="被执行人正在转移车辆",
                                urgent=True, received_on=D(2026, 11, 20))
    assert (normal.verify_due, urgent.verify_due) == (D(2026, 11, 27), D(2026, 11, 23))
    logged = entries(case, LogAction.CLUE)
    assert len(logged) == 2 and "2026-11-27" in logged[0].summary and "紧急" in logged[1].summary
    assert NodeRecord.objects.filter(case_id=case.pk, node_code="clue_received").count() == 2


def test_a_clue_needs_a_description_and_a_known_source(clerk, case):
    with pytest.raises(ValidationFailed) as exc:
        clues.clue_receive(actor=clerk, case=case, source="rumour", description=" ")
    assert {e.field for e in exc.value.errors} == {"source", "description"}


def test_a_late_verification_is_allowed_and_the_log_says_how_late(clerk, judge, case):
    clue = clues.clue_receive(actor=clerk, case=case, source="applicant", description="线索", received_on=D(2026, 11, 10))
    assert clue.verify_due == D(2026, 11, 17)
    clues.clue_verify(actor=judge, clue=clue, outcome=ClueOutcome.NOT_FOUND, verified_on=D(2026, 11, 20), note="银行回复无此账户")
    entry = entries(case, LogAction.CLUE_VERIFY)[-1]
    assert "超过核查期限 2026-11-17 共3日" in entry.summary and entry.after["days_late"] == 3
    assert NodeRecord.objects.filter(case_id=case.pk, node_code="clue_verified").exists()
    with pytest.raises(DomainError):
        clues.clue_verify(actor=judge, clue=clue, outcome=ClueOutcome.FOUND, verified_on=TODAY, note="again")


def test_a_true_clue_registers_the_asset_found_via_the_clue(clerk, judge, case):
    clue = clues.clue_receive(actor=clerk, case=case, source="applicant", description="招行存款", asset_kind="bank_deposit",
                              received_on=D(2026, 11, 23))
    clues.clue_verify(actor=judge, clue=clue, outcome=ClueOutcome.FOUND, verified_on=TODAY, note="属实",
                      asset={"details": BANK, "owner_party": respondent(case)})
    link = CaseAsset.objects.get(case=case)
    assert (link.found_via, link.clue_id, link.asset.value_fen) == ("clue", clue.pk, 1_234_567)
    assert entries(case, LogAction.ASSET) and "超过" not in entries(case, LogAction.CLUE_VERIFY)[-1].summary


def test_another_courts_staff_and_the_supervisor_cannot_touch_clues(clerk, other_judge, supervisor, case):
    with pytest.raises(NotFound):
        clues.clue_receive(actor=other_judge, case=case, source="applicant", description="x")
    clue = clues.clue_receive(actor=clerk, case=case, source="applicant", description="x")
    with pytest.raises(NotAllowed):
        clues.clue_verify(actor=supervisor, clue=clue, outcome=ClueOutcome.NOT_FOUND, verified_on=TODAY, note="x")


# ---------------------------------------------------------------- audits


def test_an_audit_is_only_for_a_company_respondent_and_is_decided_within_10_days(judge, case, company_case):
    with pytest.raises(ValidationFailed) as exc:
        clues.audit_apply(actor=judge, case=case, party=respondent(case), applied_on=D(2026, 11, 2))
    assert exc.value.errors[0].field == "party" and "法人或非法人组织" in exc.value.message
    audit = clues.audit_apply(actor=judge, case=company_case, party=respondent(company_case), applied_on=D(2026, 11, 2))
    assert audit.decide_due == D(2026, 11, 12)
    with pytest.raises(ValidationFailed) as no_auditor:
        clues.audit_decide(actor=judge, audit=audit, granted=True, decided_on=D(2026, 11, 13))
    assert no_auditor.value.errors[0].field == "auditor"
    clues.audit_decide(actor=judge, audit=audit, granted=True, decided_on=D(2026, 11, 13), auditor="某某会计师事务所",
                       fee_fen=2_000_000)
    clues.audit_finish(actor=judge, audit=audit, result="查实转移资产200万元", evasion_found=True)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.DONE and audit.evasion_found is True and audit.fee_fen == 2_000_000
    logged = entries(company_case, LogAction.INVESTIGATION)
    assert len(logged) == 3
    assert "2026-11-12" in logged[0].summary and "超过决定期限1日" in logged[1].summary
    assert "由被执行人承担" in logged[2].summary


# ---------------------------------------------------------------- lawyer orders and leads


def test_a_lawyer_order_must_be_valid_after_its_issue_and_is_returned_with_a_result(judge, case):
    common = dict(actor=judge, case=case, number="（2026）京0108执调1号", lawyer="钱律师", law_firm="某律师事务所",
                  licence_number="11101200010000000", target="某银行", scope="被执行人账户流水", issued_on=D(2026, 11, 20))
    with pytest.raises(ValidationFailed) as exc:
        clues.lawyer_order_issue(**common, valid_until=D(2026, 11, 20))
    assert exc.value.errors[0].field == "valid_until"
    order = clues.lawyer_order_issue(**common, valid_until=D(2026, 12, 20))
    clues.lawyer_order_return(actor=judge, order=order, returned_on=TODAY, result="发现另一账户")
    logged = entries(case, LogAction.INVESTIGATION)
    assert len(logged) == 2 and "钱律师" in logged[0].summary and "发现另一账户" in logged[1].summary


def test_a_person_lead_and_its_outcome_are_logged(bailiff, case):
    lead = clues.person_lead_record(actor=bailiff, case=case, party=respondent(case), source="grid_worker",
                                    content="被执行人近期在某小区出现", received_on=D(2026, 11, 24))
    clues.person_lead_outcome(actor=bailiff, lead=lead, outcome=LeadOutcome.LOCATED, outcome_on=TODAY, note="已传唤到庭")
    logged = entries(case, LogAction.PERSON_LEAD)
    assert len(logged) == 2 and "网格员" in logged[0].summary and "已找到" in logged[1].summary


# ---------------------------------------------------------------- pages and API


def test_the_page_shows_overdue_clues_and_a_verify_form_post_works(client, clerk, judge, case):
    clue = clues.clue_receive(actor=clerk, case=case, source="applicant", description="某处房产线索", received_on=D(2026, 11, 10))
    client.force_login(judge)
    page = client.get(f"/property/cases/{case.pk}/").content.decode()
    assert "某处房产线索" in page and "已超期8日" in page
    url = f"/property/clues/{clue.pk}/verify/"
    bad = client.post(url, {f"verify-{clue.pk}-outcome": "not_found", f"verify-{clue.pk}-verified_on": "2026-11-01",
                            f"verify-{clue.pk}-note": "无"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "早于收到日期" in bad.content.decode()
    ok = client.post(url, {f"verify-{clue.pk}-outcome": "not_found", f"verify-{clue.pk}-verified_on": "2026-11-25",
                           f"verify-{clue.pk}-note": "不动产登记中心无记录"})
    assert ok.status_code == 302
    clue.refresh_from_db()
    assert clue.outcome == ClueOutcome.NOT_FOUND


def test_a_clue_found_true_on_the_page_registers_its_asset_in_the_same_form(client, clerk, judge, case):
    clue = clues.clue_receive(actor=clerk, case=case, source="applicant", description="被执行人在招商银行有存款")
    client.force_login(judge)
    url, p = f"/property/clues/{clue.pk}/verify/", f"verify-{clue.pk}-"
    owner = respondent(case)
    data = {p + "outcome": "found", p + "verified_on": "2026-11-25", p + "note": "查询属实", p + "kind": "bank_deposit",
            p + "owner_party": owner.pk, p + "d_bank": "招商银行", p + "d_account": "6214 0000 1111"}
    missing = client.post(url, data, HTTP_HX_REQUEST="true")  # no balance: the kind's rule, named
    assert missing.status_code == 422 and "余额" in missing.content.decode()
    assert not CaseAsset.objects.filter(case=case).exists()
    clue.refresh_from_db()
    assert clue.outcome == ClueOutcome.PENDING  # nothing half-written
    assert client.post(url, data | {p + "d_balance": "3,000.50"}).status_code == 302
    link = CaseAsset.objects.get(case=case)
    assert (link.found_via, link.clue_id, link.asset.value_fen) == ("clue", clue.pk, 300_050)


def test_the_supervisor_may_not_post_a_clue(client, supervisor, case):
    client.force_login(supervisor)
    response = client.post(f"/property/clues/cases/{case.pk}/", {"clue-source": "applicant", "clue-description": "x",
                                                                 "clue-received_on": "2026-11-25"})
    assert response.status_code == 403


def test_api_receives_and_verifies_a_clue(client, clerk, judge, case):
    client.force_login(clerk)
    created = client.post(f"/api/v1/property/cases/{case.pk}/clues", json.dumps(
        {"source": "applicant", "description": "招行存款", "urgent": True, "received_on": "2026-11-24"}),
        content_type="application/json")
    assert created.status_code == 201 and created.json()["verify_due"] == "2026-11-27"
    client.force_login(judge)
    verified = client.post(f"/api/v1/property/clues/{created.json()['id']}/verify", json.dumps(
        {"outcome": "found", "verified_on": "2026-11-25", "note": "属实",
         "asset": {"kind": "bank_deposit", "details": BANK, "owner_party_id": respondent(case).pk}}),
        content_type="application/json")
    assert verified.status_code == 200, verified.content
    assert verified.json()["outcome"] == "found"
    assets = client.get(f"/api/v1/property/cases/{case.pk}/assets").json()
    assert assets[0]["found_via"] == "clue"


def test_api_refuses_a_clue_without_a_description_with_422(client, clerk, case):
    client.force_login(clerk)
    response = client.post(f"/api/v1/property/cases/{case.pk}/clues", json.dumps({"source": "applicant", "description": ""}),
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "description"


def test_a_clue_due_on_a_rest_day_is_due_the_next_workday_as_supervision_counts_it(clerk, case):
    from zhixing.supervision.models import Deadline

    # received Saturday 2026-11-14: day 7 is Saturday 11-21, so the last day is Monday 11-23 (CPL Art. 85)
    clue = clues.clue_receive(actor=clerk, case=case, source="public", description="举报线索", received_on=D(2026, 11, 14))
    assert clue.verify_due == D(2026, 11, 23)
    assert Deadline.objects.get(case=case, rule_code="clue_verification").due_on == clue.verify_due
