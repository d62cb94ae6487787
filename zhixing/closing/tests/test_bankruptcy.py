"""执转破 (法发〔2017〕2号): the candidate finder's thresholds at their boundary, and the transfer's steps in
order — consent, panel, the president's decision (cases suspended, documents made, 5 days to serve),
transfer (30 days for the receiving court), and acceptance closing the open cases as 终结执行."""

from __future__ import annotations

import io

import pytest
from docx import Document

from zhixing.cases.exceptions import Conflict, NotAllowed, ValidationFailed
from zhixing.cases.models import EnforcementCase, LogEntry, Party
from zhixing.closing import bankruptcy
from zhixing.closing.models import PoolEntry, TransferDocument
from zhixing.closing.pool import pool_sync
from zhixing.closing.rules import CandidateThresholds
from zhixing.property.measures import asset_register
from zhixing.supervision.models import Suspension

from .conftest import TODAY, D, at

CODE = "91110108MA01TEST3X"


def company_cases(make_case, n, *, code=CODE, name="某某建材有限公司", amount_fen=5_000_000):
    cases = [make_case(filed_on=D(2026, 6, 1), respondent_kind="legal_person", amount_fen=amount_fen) for _ in range(n)]
    Party.objects.filter(case__in=cases, role="respondent").update(credit_code=code, name=name)
    EnforcementCase.objects.filter(pk__in=[c.pk for c in cases]).update(respondent_names=name)
    return cases


def with_deposit(case, judge, balance_yuan):
    owner = Party.objects.get(case=case, role="respondent")
    asset_register(actor=judge, case=case, kind="bank_deposit", owner_party=owner, found_on=TODAY, found_via="onsite",
                   details={"bank": "中国银行海淀支行", "account": "6217000011112222", "balance": balance_yuan})


def test_candidates_need_enough_cases_and_claims_far_above_assets(make_case, judge, courts):
    cases = company_cases(make_case, 5)  # 5 × 50,000 yuan = 250,000 yuan outstanding
    company_cases(make_case, 4, code="91110108MA01OTHR0Y", name="另一公司")
    with_deposit(cases[0], judge, "125000.00")  # exactly half: claims are twice the assets
    found = bankruptcy.candidates(court_id=courts["court"].pk)
    assert [c.credit_code for c in found] == [CODE]
    candidate = found[0]
    assert (candidate.case_count, candidate.outstanding_fen, candidate.assets_fen) == (5, 25_000_000, 12_500_000)
    assert len(candidate.cases) == 5 and len(candidate.creditors) == 5 and candidate.ratio_text == "200%"
    stricter = CandidateThresholds(5, 0, 20_001, "test")
    assert bankruptcy.candidates(court_id=courts["court"].pk, thresholds=stricter) == []
    fewer = CandidateThresholds(4, 0, 20_000, "test")
    assert {c.credit_code for c in bankruptcy.candidates(court_id=courts["court"].pk, thresholds=fewer)} == {
        CODE, "91110108MA01OTHR0Y"}


def test_a_court_sets_its_own_thresholds(make_case, bureau_head, judge, courts):
    company_cases(make_case, 3)
    assert bankruptcy.candidates(court_id=courts["court"].pk) == []
    with pytest.raises(NotAllowed):
        bankruptcy.threshold_set(actor=judge, min_cases=3, min_outstanding_fen=0, min_claims_to_assets_bp=20_000)
    with pytest.raises(ValidationFailed, match="不应低于100%"):
        bankruptcy.threshold_set(actor=bureau_head, min_cases=3, min_outstanding_fen=0, min_claims_to_assets_bp=5_000)
    bankruptcy.threshold_set(actor=bureau_head, min_cases=3, min_outstanding_fen=0, min_claims_to_assets_bp=20_000, note="三件以上")
    assert [c.case_count for c in bankruptcy.candidates(court_id=courts["court"].pk)] == [3]


def docx_text(transfer_document) -> str:
    doc = Document(io.BytesIO(bytes(transfer_document.file.content)))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def through_transfer(make_case, judge, president, n=5):
    cases = company_cases(make_case, n)
    transfer = bankruptcy.transfer_propose(actor=judge, credit_code=CODE, opinion="五案均无财产可供执行，资不抵债")
    applicant = Party.objects.filter(case=cases[0], role="applicant").first().name
    bankruptcy.transfer_consent(actor=judge, transfer=transfer, consent_by="applicant", party_name=applicant, consent_on=TODAY)
    bankruptcy.transfer_panel(actor=judge, transfer=transfer, panel_on=TODAY, note="同意移送")
    bankruptcy.transfer_decide(actor=president, transfer=transfer, decided_on=TODAY, decision_number="（2026）京0108执移破1号",
                               receiving_court="北京市第一中级人民法院")
    return cases, transfer


def test_the_transfer_runs_in_order_and_acceptance_closes_the_cases(make_case, judge, president):
    cases, transfer = through_transfer(make_case, judge, president)
    transfer.refresh_from_db()
    assert transfer.status == "decided" and transfer.serve_due == D(2026, 11, 30)  # 5 days from Wed 11-25
    assert Suspension.objects.filter(case__in=cases, kind="interruption", end_on__isnull=True).count() == 5
    kinds = set(TransferDocument.objects.filter(transfer=transfer).values_list("kind", flat=True))
    assert kinds == {"consultation", "decision", "suspension", "notice"}
    decision = TransferDocument.objects.get(transfer=transfer, kind="decision")
    text = docx_text(decision)
    assert "某某建材有限公司" in text and "北京市第一中级人民法院" in text and cases[0].case_number in text
    with pytest.raises(Conflict, match="尚未送达"):
        bankruptcy.transfer_send(actor=judge, transfer=transfer, transferred_on=TODAY)
    bankruptcy.transfer_serve(actor=judge, transfer=transfer, served_on=TODAY)
    transfer = bankruptcy.transfer_send(actor=judge, transfer=transfer, transferred_on=TODAY)
    assert transfer.review_due == D(2026, 12, 25)  # 30 days from 11-25, a Friday
    with at(D(2026, 12, 10)):
        bankruptcy.transfer_outcome(actor=judge, transfer=transfer, accepted=True, outcome_on=D(2026, 12, 10),
                                    ruling_number="（2026）京01破申8号")
    for case in EnforcementCase.objects.filter(pk__in=[c.pk for c in cases]):
        assert (case.status, case.closing_type, case.closed_on) == ("closed", "terminated", D(2026, 12, 10))
    assert not Suspension.objects.filter(case__in=cases, end_on__isnull=True).exists()
    close_entry = LogEntry.objects.filter(case=cases[0], action="close").get()
    assert "执转破" in close_entry.reason and "法发〔2014〕26号" in close_entry.reason


def test_steps_out_of_order_and_a_decision_not_by_the_president_are_refused(make_case, judge, bureau_head):
    company_cases(make_case, 5)
    transfer = bankruptcy.transfer_propose(actor=judge, credit_code=CODE, opinion="资不抵债")
    assert bankruptcy.transfer_propose(actor=judge, credit_code=CODE, opinion="资不抵债").pk == transfer.pk  # a retry
    with pytest.raises(Conflict, match="此步骤须在"):
        bankruptcy.transfer_panel(actor=judge, transfer=transfer, panel_on=TODAY)
    with pytest.raises(ValidationFailed, match="不是所移送案件的申请执行人"):
        bankruptcy.transfer_consent(actor=judge, transfer=transfer, consent_by="applicant", party_name="路人甲", consent_on=TODAY)
    bankruptcy.transfer_consent(actor=judge, transfer=transfer, consent_by="respondent", party_name="某某建材有限公司",
                                consent_on=TODAY)
    bankruptcy.transfer_panel(actor=judge, transfer=transfer, panel_on=TODAY)
    with pytest.raises(NotAllowed):
        bankruptcy.transfer_decide(actor=bureau_head, transfer=transfer, decided_on=TODAY, decision_number="1号",
                                   receiving_court="北京一中院")
    with pytest.raises(Conflict, match="进行中的执转破"):
        bankruptcy.transfer_propose(actor=judge, credit_code=CODE, opinion="再次提出")


def test_rejection_resumes_enforcement(make_case, judge, president):
    cases, transfer = through_transfer(make_case, judge, president)
    bankruptcy.transfer_serve(actor=judge, transfer=transfer, served_on=TODAY)
    bankruptcy.transfer_send(actor=judge, transfer=transfer, transferred_on=TODAY)
    bankruptcy.transfer_outcome(actor=judge, transfer=transfer, accepted=False, outcome_on=TODAY, ruling_number="（2026）京01破申9号")
    assert all(c.status == "open" for c in EnforcementCase.objects.filter(pk__in=[c.pk for c in cases]))
    assert not Suspension.objects.filter(case__in=cases, end_on__isnull=True).exists()


def test_a_zhongben_case_moved_leaves_the_pool_on_acceptance(make_case, judge, president):
    cases = company_cases(make_case, 5)
    EnforcementCase.objects.filter(pk=cases[0].pk).update(status="closed", closing_type="terminate_current",
                                                          closed_on=D(2026, 10, 1))
    pool_sync()
    _, transfer = cases, bankruptcy.transfer_propose(actor=judge, credit_code=CODE, opinion="资不抵债")
    bankruptcy.transfer_consent(actor=judge, transfer=transfer, consent_by="respondent", party_name="某某建材有限公司", consent_on=TODAY)
    bankruptcy.transfer_panel(actor=judge, transfer=transfer, panel_on=TODAY)
    bankruptcy.transfer_decide(actor=president, transfer=transfer, decided_on=TODAY, decision_number="2号", receiving_court="一中院")
    bankruptcy.transfer_serve(actor=judge, transfer=transfer, served_on=TODAY)
    bankruptcy.transfer_send(actor=judge, transfer=transfer, transferred_on=TODAY)
    bankruptcy.transfer_outcome(actor=judge, transfer=transfer, accepted=True, outcome_on=TODAY, ruling_number="3号")
    zhongben = EnforcementCase.objects.get(pk=cases[0].pk)
    assert zhongben.closing_type == "terminate_current"  # its closing is not overwritten
    assert PoolEntry.objects.get(case=zhongben).status == "bankruptcy"
