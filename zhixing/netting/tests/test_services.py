"""The netting procedure through its services: proposals for a court's cases, the legal basis of every
set-off, consents, separation of duties, applying through case money, reversal, versions."""

from __future__ import annotations

import pytest

from zhixing.cases.choices import CaseStatus, ClosingType, LogAction
from zhixing.cases.exceptions import Conflict, DomainError, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.models import EnforcementCase, LogEntry
from zhixing.cases.services import case_close
from zhixing.money import ledger
from zhixing.money import services as money
from zhixing.netting import selectors, services
from zhixing.netting.choices import ProposalStatus
from zhixing.netting.models import NettingProposal

from .conftest import TODAY, D, key


def outstanding(case: EnforcementCase) -> int:
    case.refresh_from_db()
    return case.claim_amount_fen - case.performed_amount_fen


def lines_by_case(proposal: NettingProposal) -> dict:
    return {line.case_id: line for line in proposal.lines.all()}


def serve_and_approve(proposal, judge, bureau_head):
    proposal = services.proposal_submit(actor=judge, proposal=proposal)
    return services.proposal_approve(actor=bureau_head, proposal=proposal)


@pytest.fixture
def mutual(register, people):
    """The company A owes B 1,000 yuan and 500 yuan (two cases); B owes A 1,200 yuan."""
    a, b = people["A"], people["B"]
    return {
        "a_owes_1": register(b, a, 100_000, filed_on=D(2026, 3, 1)),
        "a_owes_2": register(b, a, 50_000, filed_on=D(2026, 3, 5)),
        "b_owes": register(a, b, 120_000, filed_on=D(2026, 3, 9)),
    }


# ---------------------------------------------------------------- proposing


def test_mutual_cases_are_set_off_both_ways_oldest_first_without_asking_anyone(judge, mutual, people):
    proposal = services.proposal_create(actor=judge, case_ids=[c.pk for c in mutual.values()])
    lines = lines_by_case(proposal)
    assert lines[mutual["a_owes_1"].pk].set_off_fen == 100_000
    assert lines[mutual["a_owes_2"].pk].set_off_fen == 20_000
    assert lines[mutual["b_owes"].pk].set_off_fen == 120_000
    assert proposal.set_off_total_fen == 240_000 and proposal.residual_total_fen == 30_000
    assert proposal.required_consents == []  # a bilateral set-off of titles needs no one's consent
    basis = lines[mutual["b_owes"].pk].basis
    assert mutual["a_owes_1"].case_number in basis and "第19条" in basis
    assert mutual["a_owes_1"].basis.document_number in basis  # the counter-case's execution title
    rows = {row.key: row.position for row in selectors.positions(proposal)}
    assert rows[key(people["A"])].net_before_fen == rows[key(people["A"])].net_after_fen == -30_000
    assert [(r.debtor, r.amount_fen, r.case_numbers) for r in selectors.residual_payments(proposal)] == [
        (people["A"]["name"], 30_000, [mutual["a_owes_2"].case_number])]
    assert not LogEntry.objects.filter(case=mutual["b_owes"], action=LogAction.NOTE).exists()  # a draft changes no case


def test_cases_that_cannot_be_netted_stay_on_the_proposal_with_the_reason(judge, register, people, mutual,
                                                                         other_judge):
    a, b, c, e = people["A"], people["B"], people["C"], people["E"]
    closed = register(b, a, 30_000)
    case_close(actor=judge, case=closed, closing_type=ClosingType.TERMINATED, performed_amount_fen=0, reason="申请撤回")
    joint = register(a, [c, e], 80_000)
    proposal = services.proposal_create(actor=judge, case_ids=[closed.pk, joint.pk, *(x.pk for x in mutual.values())])
    lines = lines_by_case(proposal)
    assert lines[closed.pk].excluded_reason == "已结案（终结执行）"
    assert "共同被执行人" in lines[joint.pk].excluded_reason and lines[joint.pk].set_off_fen == 0
    assert proposal.nettable_count == 3
    # Another court's case is refused by name, without saying whose it is.
    foreign = register(b, a, 10_000, actor=other_judge)
    with pytest.raises(ValidationFailed, match="不存在或不属于本院") as refused:
        services.proposal_create(actor=judge, case_ids=[foreign.pk, mutual["b_owes"].pk])
    assert refused.value.errors[0].field == "case_ids"
    # A case already in an open proposal is not netted twice.
    second = services.proposal_create(actor=judge, case_ids=[mutual["b_owes"].pk, closed.pk])
    assert lines_by_case(second)[mutual["b_owes"].pk].excluded_reason.startswith(f"已列入{proposal.title}")
    with pytest.raises(Conflict, match="均已列入"):
        services.proposal_create(actor=judge, case_ids=[mutual["b_owes"].pk])


def test_a_cycle_is_proposed_only_with_every_partys_consent_recorded_before_approval(judge, clerk, bureau_head,
                                                                                    register, people):
    a, b, c = people["A"], people["B"], people["C"]
    ab, bc, ca = register(b, a, 90_000), register(c, b, 60_000), register(a, c, 75_000)
    proposal = services.proposal_create(actor=judge, case_ids=[ab.pk, bc.pk, ca.pk])
    assert {line.case_id: line.multilateral_fen for line in proposal.lines.all()} == {ab.pk: 60_000, bc.pk: 60_000,
                                                                                       ca.pk: 60_000}
    assert [row["party"] for row in proposal.required_consents] == sorted([key(a), key(b), key(c)])
    proposal = services.proposal_submit(actor=judge, proposal=proposal)
    for party in (a, b):
        services.consent_record(actor=clerk, proposal=proposal, party_key=key(party), method="written",
                                document_reference="同意书", given_on=TODAY)
    with pytest.raises(DomainError, match=f"尚缺1名当事人的同意：{c['name']}") as missing:
        services.proposal_approve(actor=bureau_head, proposal=proposal)
    assert missing.value.code == "consent_missing"
    # C refuses: the next version leaves the cycle out, and needs nobody's consent.
    amended = services.proposal_amend(actor=judge, proposal=proposal, reason="王某生不同意多方抵销")
    amended = services.proposal_update(actor=judge, proposal=amended, refused_parties=[key(c)])
    assert amended.version == 2 and amended.set_off_total_fen == 0 and amended.required_consents == []
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUPERSEDED
    assert proposal.consents.count() == 2  # the old version keeps its record


def test_a_claim_not_confirmed_by_a_document_is_set_off_only_on_its_debtors_acceptance(judge, clerk, bureau_head,
                                                                                     register, people):
    a, b = people["A"], people["B"]
    case = register(b, a, 100_000)  # A owes B under a title
    proposal = services.proposal_create(actor=judge, case_ids=[case.pk])
    assert proposal.set_off_total_fen == 0
    with pytest.raises(ValidationFailed, match="到期") as early:
        services.counter_claim_add(actor=judge, proposal=proposal, creditor_key=key(a), debtor_key=key(b),
                                   amount_fen=40_000, due_on=D(2026, 12, 31))
    assert early.value.errors[0].field == "due_on"
    claim = services.counter_claim_add(actor=judge, proposal=proposal, creditor_key=key(a), debtor_key=key(b),
                                       amount_fen=40_000, due_on=D(2026, 10, 1), note="货款")
    proposal.refresh_from_db()
    assert claim.set_off_fen == 40_000 and lines_by_case(proposal)[case.pk].set_off_fen == 40_000
    assert "经王某霞认可" in lines_by_case(proposal)[case.pk].basis
    assert [row["party"] for row in proposal.required_consents] == [key(b)]
    assert "认可" in proposal.required_consents[0]["reasons"][0]
    proposal = services.proposal_submit(actor=judge, proposal=proposal)
    with pytest.raises(DomainError, match="尚缺1名当事人的同意"):
        services.proposal_approve(actor=bureau_head, proposal=proposal)
    # B does not accept it: the next version keeps the claim in the positions but sets nothing off.
    amended = services.proposal_amend(actor=judge, proposal=proposal, reason="王某霞不认可该债权")
    amended = services.proposal_update(actor=judge, proposal=amended, refused_parties=[key(b)])
    assert amended.set_off_total_fen == 0 and amended.counter_claims.get().set_off_fen == 0
    # Confirmed by an effective judgment instead, it needs no acceptance.
    services.counter_claim_remove(actor=judge, claim=amended.counter_claims.get())
    services.counter_claim_add(actor=judge, proposal=amended, creditor_key=key(a), debtor_key=key(b), amount_fen=40_000,
                               due_on=D(2026, 10, 1), document_number="（2026）京0108民初77号", issuing_authority="北京市海淀区人民法院")
    amended.refresh_from_db()
    assert amended.set_off_total_fen == 80_000 and amended.required_consents == []


def test_only_the_bureau_head_who_neither_drafted_nor_served_it_approves(judge, second_judge, bureau_head, president,
                                                                        mutual):
    proposal = services.proposal_create(actor=judge, case_ids=[c.pk for c in mutual.values()])
    proposal = services.proposal_submit(actor=judge, proposal=proposal)
    with pytest.raises(NotAllowed, match="执行局长或院长"):
        services.proposal_approve(actor=second_judge, proposal=proposal)
    assert selectors.actions_for(judge, proposal).approve is False
    approved = services.proposal_approve(actor=bureau_head, proposal=proposal, note="同意")
    assert approved.status == ProposalStatus.APPROVED
    assert services.proposal_approve(actor=bureau_head, proposal=approved).pk == approved.pk  # a retry
    entry = LogEntry.objects.filter(case=mutual["b_owes"], action=LogAction.NOTE).get()
    assert "批准" in entry.summary and "1,200.00 元" in entry.summary


def test_a_leader_who_drafted_the_proposal_cannot_approve_it(bureau_head, president, judge, mutual):
    proposal = services.proposal_create(actor=judge, case_ids=[c.pk for c in mutual.values()])
    proposal = services.proposal_submit(actor=judge, proposal=proposal)
    proposal.created_by = president  # as if the president had drafted it
    proposal.save(update_fields=["created_by"])
    with pytest.raises(NotAllowed, match="拟定人、送达人不能审批"):
        services.proposal_approve(actor=president, proposal=proposal)
    assert services.proposal_approve(actor=bureau_head, proposal=proposal).status == ProposalStatus.APPROVED


def test_supervisors_read_but_do_not_act_and_other_courts_do_not_see(judge, supervisor, other_judge, mutual):
    proposal = services.proposal_create(actor=judge, case_ids=[c.pk for c in mutual.values()])
    assert selectors.proposal_get_for_user(user=supervisor, pk=proposal.pk).pk == proposal.pk
    assert selectors.actions_for(supervisor, proposal).names() == []
    with pytest.raises(NotAllowed):
        services.proposal_submit(actor=supervisor, proposal=proposal)
    with pytest.raises(NotFound):
        selectors.proposal_get_for_user(user=other_judge, pk=proposal.pk)
    with pytest.raises(NotFound):
        services.proposal_submit(actor=other_judge, proposal=proposal)


# ---------------------------------------------------------------- applying and reversing


def test_applying_records_each_set_off_in_its_case_closes_the_performed_and_reversal_restores(
        judge, bureau_head, mutual):
    proposal = services.proposal_create(actor=judge, case_ids=[c.pk for c in mutual.values()])
    with pytest.raises(Conflict, match="只有已批准的方案可以执行"):
        services.proposal_apply(actor=judge, proposal=proposal)
    proposal = serve_and_approve(proposal, judge, bureau_head)
    applied = services.proposal_apply(actor=judge, proposal=proposal)
    assert services.proposal_apply(actor=judge, proposal=applied).status == ProposalStatus.APPLIED  # a retry
    for name, left, status in (("a_owes_1", 0, CaseStatus.CLOSED), ("a_owes_2", 30_000, CaseStatus.OPEN),
                               ("b_owes", 0, CaseStatus.CLOSED)):
        assert outstanding(mutual[name]) == left, name
        assert mutual[name].status == status, name
    assert mutual["a_owes_1"].closing_type == ClosingType.PERFORMED
    lines = lines_by_case(applied)
    assert lines[mutual["a_owes_2"].pk].outcome == "尚欠 300.00 元，继续执行"
    assert lines[mutual["b_owes"].pk].closed and lines[mutual["b_owes"].pk].reference == f"NET{applied.pk}-{mutual['b_owes'].pk}"
    assert ledger.verify() == []
    entries = list(LogEntry.objects.filter(case=mutual["b_owes"]).order_by("seq").values_list("action", "summary"))
    assert any("抵销" in summary for action, summary in entries if action == LogAction.MONEY)
    assert entries[-1][0] == LogAction.CLOSE

    with pytest.raises(NotAllowed):  # undoing a decision is a leader's
        services.proposal_reverse(actor=judge, proposal=applied, reason="误算")
    with pytest.raises(ValidationFailed):
        services.proposal_reverse(actor=bureau_head, proposal=applied, reason=" ")
    reversed_ = services.proposal_reverse(actor=bureau_head, proposal=applied, reason="申请执行人提出异议，抵销依据有误")
    assert services.proposal_reverse(actor=bureau_head, proposal=reversed_, reason="再次").status == ProposalStatus.REVERSED
    assert outstanding(mutual["a_owes_1"]) == 100_000 and outstanding(mutual["a_owes_2"]) == 50_000
    assert outstanding(mutual["b_owes"]) == 120_000
    assert mutual["b_owes"].status == CaseStatus.CLOSED  # not reopened by itself: the judge decides
    note = LogEntry.objects.filter(case=mutual["b_owes"]).order_by("-seq").first()
    assert note.action == LogAction.NOTE and "已撤销" in note.summary and "1,200.00 元" in note.summary
    assert ledger.verify() == []


def test_a_proposal_whose_cases_changed_since_is_not_applied(judge, bureau_head, finance, mutual):
    proposal = serve_and_approve(services.proposal_create(actor=judge, case_ids=[c.pk for c in mutual.values()]),
                                 judge, bureau_head)
    money.receipt_record(actor=finance, court_id=mutual["b_owes"].court_id, case=mutual["b_owes"], amount_fen=100_000,
                         received_on=TODAY, payer_name="王某霞", bank_reference="B-1")
    with pytest.raises(Conflict, match=mutual["b_owes"].case_number) as stale:
        services.proposal_apply(actor=judge, proposal=proposal)
    assert stale.value.code == "proposal_stale"
    assert outstanding(mutual["a_owes_1"]) == 100_000  # nothing of it was applied
    new = services.proposal_amend(actor=judge, proposal=proposal, reason="王某霞已部分履行")
    assert new.version == 2 and new.set_off_total_fen == 2 * 20_000
    # the approved version that was not carried out is noted on its cases
    assert LogEntry.objects.filter(case=mutual["b_owes"], summary__contains="由第2版取代").exists()


def test_joint_respondents_are_netted_only_as_apportioned_with_every_partys_consent(judge, clerk, bureau_head,
                                                                                 register, people):
    a, c, e = people["A"], people["C"], people["E"]
    joint = register(a, [c, e], 100_000)  # C and E owe the company together
    owed_c, owed_e = register(c, a, 30_000), register(e, a, 70_000)
    proposal = services.proposal_create(actor=judge, case_ids=[joint.pk, owed_c.pk, owed_e.pk])
    assert proposal.set_off_total_fen == 0
    with pytest.raises(ValidationFailed, match="不是.*被执行人"):
        services.proposal_update(actor=judge, proposal=proposal, joint_shares={joint.pk: {key(a): 100_000}})
    proposal = services.proposal_update(actor=judge, proposal=proposal,
                                        joint_shares={joint.pk: {key(c): 30_000, key(e): 60_000}})
    assert "不符" in lines_by_case(proposal)[joint.pk].excluded_reason  # 90,000 ≠ 100,000 outstanding
    proposal = services.proposal_update(actor=judge, proposal=proposal,
                                        joint_shares={joint.pk: {key(c): 30_000, key(e): 70_000}})
    lines = lines_by_case(proposal)
    assert lines[joint.pk].set_off_fen == 100_000 and lines[joint.pk].joint["shares"] == {key(c): [30_000, 30_000],
                                                                                         key(e): [70_000, 70_000]}
    assert [row["party"] for row in proposal.required_consents] == sorted([key(a), key(c), key(e)])
    positions = {row.key: row.position for row in selectors.positions(proposal)}
    assert all(p.net_before_fen == p.net_after_fen for p in positions.values())
    assert positions[key(c)].owes_before_fen == 30_000 and positions[key(c)].owes_after_fen == 0
    proposal = services.proposal_submit(actor=judge, proposal=proposal)
    for party in (a, c, e):
        services.consent_record(actor=clerk, proposal=proposal, party_key=key(party), method="hearing",
                                document_reference="谈话笔录", given_on=TODAY)
    with pytest.raises(Conflict, match="已登记"):
        services.consent_record(actor=clerk, proposal=proposal, party_key=key(a), method="written",
                                document_reference="另一份", given_on=TODAY)
    proposal = services.proposal_approve(actor=bureau_head, proposal=proposal)
    services.proposal_apply(actor=judge, proposal=proposal)
    assert all(outstanding(case) == 0 for case in (joint, owed_c, owed_e))
    assert ledger.verify() == []


def test_withdrawing_a_draft_frees_its_cases(judge, mutual):
    ids = [c.pk for c in mutual.values()]
    first = services.proposal_create(actor=judge, case_ids=ids)
    with pytest.raises(ValidationFailed):
        services.proposal_withdraw(actor=judge, proposal=first, reason="")
    services.proposal_withdraw(actor=judge, proposal=first, reason="当事人已和解")
    second = services.proposal_create(actor=judge, case_ids=ids)
    assert second.number == first.number + 1 and second.set_off_total_fen == first.set_off_total_fen


def test_the_parties_linked_by_mutual_debts_are_found_from_one_of_them(judge, register, people):
    a, b, c, d = people["A"], people["B"], people["C"], people["D"]
    register(b, a, 10_000)
    register(a, b, 10_000)
    register(c, a, 10_000)
    register(a, c, 10_000)
    register(d, a, 10_000)  # D is only owed by A: no mutual debt
    found = selectors.mutual_parties(court_id=judge.court_id, seed={key(b)})
    assert found == {key(a), key(b), key(c)}
    cases = selectors.cases_among_parties(court_id=judge.court_id, keys=found)
    assert len(cases) == 4


def test_a_case_performed_in_full_with_cash_still_on_its_account_is_not_closed_before_the_payout(
        judge, bureau_head, finance, mutual):
    # B paid 200 yuan in cash into the case it owes; the set-off covers the rest.
    money.receipt_record(actor=finance, court_id=mutual["b_owes"].court_id, case=mutual["b_owes"], amount_fen=20_000,
                         received_on=TODAY, payer_name="王某霞", bank_reference="B-2")
    proposal = serve_and_approve(services.proposal_create(actor=judge, case_ids=[c.pk for c in mutual.values()]),
                                 judge, bureau_head)
    proposal = services.proposal_apply(actor=judge, proposal=proposal)
    line = lines_by_case(proposal)[mutual["b_owes"].pk]
    assert outstanding(mutual["b_owes"]) == 0 and mutual["b_owes"].status == CaseStatus.OPEN
    assert not line.closed and "200.00 元 未发放" in line.outcome
