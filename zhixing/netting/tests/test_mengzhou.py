"""Mengzhou (孟州市法院, seed 003): 14 related cases "packed" and all closed in one day.

A technology company owes five individuals — who do not know each other — for goods, in ten cases; the
five are respondents in four cases whose applicant is the company (one of them against two of the five
together). All are money. The collegial panel drafts a set-off plan, the parties agree, and the company,
which owed nearly a million yuan, pays 20,000.

Here: the judge finds the fourteen cases from one of them, the proposal nets them (the joint case once
apportioned with every party's consent), the bureau head approves, applying books each set-off in case
money and closes thirteen cases; the company pays the 20,000 into the fourteenth, which is paid out and
closed. Then the whole proposal is reversed and every case owes again what the set-off had taken off.
"""

from __future__ import annotations

import pytest

from zhixing.cases.choices import CaseStatus, ClosingType, LogAction
from zhixing.cases.models import EnforcementCase, LogEntry
from zhixing.cases.services import case_close
from zhixing.money import ledger
from zhixing.money import services as money
from zhixing.netting import selectors, services
from zhixing.netting.choices import ProposalStatus

from .conftest import TODAY, D, company, key, person

YUAN = 100
OWED_BY_COMPANY = {  # for goods, two cases each (filed in April and May)
    "王某霞": (120_000, 80_000),
    "王某生": (95_000, 55_000),
    "陈某某": (110_000, 70_000),
    "范某明": (130_000, 60_000),
    "柴某霞": (150_000, 110_000),
}
OWED_TO_COMPANY = {"王某霞": 200_000, "王某生": 150_000, "陈某某": 160_000}
JOINT = ("范某明", "柴某霞", 450_000)  # one case against two of the five together


@pytest.fixture
def mengzhou(register):
    firm = company("孟州某科技有限公司", 7)
    five = {name: person(name, serial) for serial, name in enumerate(OWED_BY_COMPANY, 11)}
    owed_by_company = {name: [register(five[name], firm, amount * YUAN, filed_on=D(2026, 4 + i, 10 + serial))
                              for i, amount in enumerate(amounts)]
                       for serial, (name, amounts) in enumerate(OWED_BY_COMPANY.items())}
    owed_to_company = {name: register(firm, five[name], amount * YUAN, filed_on=D(2026, 3, 20))
                       for name, amount in OWED_TO_COMPANY.items()}
    first, second, amount = JOINT
    joint = register(firm, [five[first], five[second]], amount * YUAN, filed_on=D(2026, 3, 25))
    return {"firm": firm, "five": five, "owed_by_company": owed_by_company, "owed_to_company": owed_to_company,
            "joint": joint}


def owed(case: EnforcementCase) -> int:
    case.refresh_from_db()
    return case.claim_amount_fen - case.performed_amount_fen


def test_fourteen_cases_netted_leave_one_payment_of_20000_yuan_and_all_end(
        mengzhou, judge, second_judge, clerk, bureau_head, finance):
    firm, five, joint = mengzhou["firm"], mengzhou["five"], mengzhou["joint"]
    every_case = [c for cases in mengzhou["owed_by_company"].values() for c in cases]
    every_case += [*mengzhou["owed_to_company"].values(), joint]
    assert sum(c.claim_amount_fen for cases in mengzhou["owed_by_company"].values() for c in cases) == 980_000 * YUAN

    # From one case to all fourteen: the parties linked to it by mutual debts, then their open cases.
    start = mengzhou["owed_by_company"]["王某霞"][0]
    found = selectors.mutual_parties(court_id=judge.court_id, seed={key(firm), key(five["王某霞"])})
    assert found == {key(firm), *(key(p) for p in five.values())}
    cases = selectors.cases_among_parties(court_id=judge.court_id, keys=found)
    assert {c.pk for c in cases} == {c.pk for c in every_case} and start in cases

    proposal = services.proposal_create(actor=judge, case_ids=[c.pk for c in cases], reason="孟州14起关联案件打包执行")
    assert proposal.case_count == 14 and proposal.nettable_count == 13  # the joint case waits for its apportionment
    proposal = services.proposal_update(actor=judge, proposal=proposal, joint_shares={
        joint.pk: {key(five["范某明"]): 190_000 * YUAN, key(five["柴某霞"]): 260_000 * YUAN}})
    assert proposal.nettable_count == 14
    assert proposal.set_off_total_fen == 2 * 960_000 * YUAN
    residuals = selectors.residual_payments(proposal)
    assert [(r.debtor, r.creditor, r.amount_fen) for r in residuals] == [(firm["name"], "陈某某", 20_000 * YUAN)]
    assert residuals[0].case_numbers == [mengzhou["owed_by_company"]["陈某某"][1].case_number]
    rows = {row.key: row.position for row in selectors.positions(proposal)}
    assert rows[key(firm)].owes_before_fen == 980_000 * YUAN and rows[key(firm)].owes_after_fen == 20_000 * YUAN
    assert all(p.net_before_fen == p.net_after_fen for p in rows.values())
    # Only the joint case asks for consents: its three parties'.
    assert {row["party"] for row in proposal.required_consents} == {key(firm), key(five["范某明"]), key(five["柴某霞"])}

    proposal = services.proposal_submit(actor=judge, proposal=proposal)
    for party in (firm, five["范某明"], five["柴某霞"]):
        services.consent_record(actor=clerk, proposal=proposal, party_key=key(party), method="hearing",
                                document_reference="谈话笔录（2026年11月25日）", given_on=TODAY)
    proposal = services.proposal_approve(actor=bureau_head, proposal=proposal, note="经合议庭研究，同意")
    proposal = services.proposal_apply(actor=judge, proposal=proposal)
    assert proposal.status == ProposalStatus.APPLIED

    still_open = mengzhou["owed_by_company"]["陈某某"][1]
    for case in every_case:
        case.refresh_from_db()
        if case.pk == still_open.pk:
            assert case.status == CaseStatus.OPEN and owed(case) == 20_000 * YUAN
        else:
            assert case.status == CaseStatus.CLOSED and case.closing_type == ClosingType.PERFORMED, case.case_number
            assert case.performed_amount_fen == case.claim_amount_fen
        # Each case's log: the approval, the set-off with its basis, and (closed) the closing.
        actions = list(LogEntry.objects.filter(case=case).order_by("seq").values_list("action", "summary", "reason"))
        assert any(a == LogAction.NOTE and "批准" in s for a, s, _ in actions)
        set_off = [r for a, s, r in actions if a == LogAction.MONEY and "抵销" in s + r]
        assert set_off and any(proposal.title in r for r in set_off), case.case_number
    assert ledger.verify() == []

    # The company pays the 20,000 yuan; it is paid out to 陈某某 and the last case closes.
    money.receipt_record(actor=finance, court_id=still_open.court_id, case=still_open, amount_fen=20_000 * YUAN,
                         received_on=TODAY, payer_name=firm["name"], bank_reference="MZ-20000")
    order = money.order_create(actor=judge, case=still_open, amount_fen=20_000 * YUAN, reason="抵销后余款发放",
                               payee_name="陈某某", payee_account="6222020200001234567")
    money.order_decide(actor=second_judge, order=order, approve=True)
    money.order_decide(actor=bureau_head, order=order, approve=True)
    money.order_pay(actor=finance, order=order, bank_reference="PAY-1")
    case_close(actor=judge, case=still_open, closing_type=ClosingType.PERFORMED,
               performed_amount_fen=still_open.claim_amount_fen, reason="抵销后余款已履行")
    assert EnforcementCase.objects.filter(pk__in=[c.pk for c in every_case], status=CaseStatus.CLOSED).count() == 14
    assert ledger.verify() == []

    # Reversed: every set-off is answered by a reversing record; each case owes again what it took off.
    lines = {line.case_id: line.set_off_fen for line in proposal.lines.all()}
    services.proposal_reverse(actor=bureau_head, proposal=proposal, reason="范某明提出异议：分担未经其真实同意")
    for case in every_case:
        expected = lines[case.pk] if case.pk != still_open.pk else 50_000 * YUAN  # 70,000 − 20,000 paid in cash
        assert owed(case) == expected, case.case_number
        assert case.status == CaseStatus.CLOSED  # listed for the judge, not reopened by the system
    assert ledger.verify() == []
    assert LogEntry.objects.filter(case=joint, action=LogAction.NOTE, summary__contains="已撤销").exists()
