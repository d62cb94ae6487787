"""恢复执行: within 3 working days of confirming the property (seed 002 §(三)4), on the PRC calendar with
its make-up workdays; the 执恢 case carries the parties, basis, outstanding amount and the original
dossier's references, and both cases' logs say so."""

from __future__ import annotations

import pytest

from zhixing.cases.models import ClaimItem, LogEntry, Party
from zhixing.closing import restoration
from zhixing.closing.models import PoolEntry
from zhixing.property.models import CaseAsset, Clue

from .conftest import D, at


@pytest.mark.parametrize(("confirmed_on", "due"), [
    (D(2026, 11, 23), D(2026, 11, 26)),  # Monday → Thursday
    (D(2026, 11, 26), D(2026, 12, 1)),  # Thursday → Fri, Mon, Tue
    (D(2026, 9, 30), D(2026, 10, 10)),  # National Day: Oct 8 (Thu), 9 (Fri), 10 (a Saturday made a workday)
    (D(2026, 2, 13), D(2026, 2, 25)),  # Spring Festival: Feb 14 (Sat, workday), 24, 25
])
def test_the_restoration_limit_counts_working_days(db, confirmed_on, due):
    assert restoration.restore_due(confirmed_on) == due


def clue_proposal(case, judge, on, description="申请执行人反映被执行人新购车辆"):
    with at(on):
        return restoration.proposal_record(actor=judge, case=case, source="clue", description=description, provider="申请人")


def test_restoring_opens_a_linked_restored_case_with_parties_and_outstanding_amount(closed_zhongben, judge):
    original = closed_zhongben(D(2026, 4, 1))
    proposal = clue_proposal(original, judge, D(2026, 9, 29))
    with at(D(2026, 9, 30)):
        proposal = restoration.proposal_confirm(actor=judge, proposal=proposal)
    assert proposal.restore_due == D(2026, 10, 10)
    with at(D(2026, 10, 10)):
        new = restoration.restoration_open(actor=judge, proposal=proposal)
    assert new.case_type == "执恢" and new.origin_case_id == original.pk and "执恢" in new.case_number
    assert new.claim_amount_fen == original.claim_amount_fen
    assert sorted(Party.objects.filter(case=new).values_list("role", "name")) == \
        sorted(Party.objects.filter(case=original).values_list("role", "name"))
    assert new.basis.document_number == original.basis.document_number
    clue = Clue.objects.get(case=new)  # the clue that prompted it, to be verified in the new case
    assert "新购车辆" in clue.description
    proposal.refresh_from_db()
    assert proposal.status == "restored" and proposal.restored_case_id == new.pk
    assert proposal.dossier["origin_case"] == original.case_number and proposal.dossier["documents"]
    original_log = LogEntry.objects.filter(case=original).order_by("-seq").first()
    assert new.case_number in original_log.summary and not original_log.after["late"]
    new_log = LogEntry.objects.filter(case=new, summary__startswith="恢复执行：原案").get()
    assert original.case_number in new_log.summary and new_log.after["dossier"]["documents"]
    assert PoolEntry.objects.filter(case=original, status="restored").exists() or not PoolEntry.objects.filter(case=original).exists()


def test_restoring_after_the_limit_is_recorded_as_late(closed_zhongben, judge):
    original = closed_zhongben(D(2026, 4, 1))
    proposal = clue_proposal(original, judge, D(2026, 9, 29))
    with at(D(2026, 9, 30)):
        restoration.proposal_confirm(actor=judge, proposal=proposal)
    with at(D(2026, 10, 12)):
        restoration.restoration_open(actor=judge, proposal=proposal)
    entry = LogEntry.objects.filter(case=original).order_by("-seq").first()
    assert entry.after["late"] and "已超过恢复执行期限 2026-10-10" in entry.summary


def test_the_outstanding_amount_is_what_the_original_case_left_unpaid(closed_zhongben, judge):
    original = closed_zhongben(D(2026, 4, 1), performed=1_200_000, amount_fen=5_000_000)
    proposal = clue_proposal(original, judge, D(2026, 9, 29))
    with at(D(2026, 9, 30)):
        new = restoration.restoration_open(actor=judge, proposal=proposal)
    assert new.claim_amount_fen == 3_800_000
    assert list(ClaimItem.objects.filter(case=new).values_list("kind", "amount_fen")) == [("other", 3_800_000)]


def test_a_restored_case_is_not_restored_twice_and_a_retry_returns_it(closed_zhongben, judge):
    original = closed_zhongben(D(2026, 4, 1))
    first = clue_proposal(original, judge, D(2026, 9, 29))
    second = clue_proposal(original, judge, D(2026, 9, 29), "被执行人在某公司领取工资")
    assert second.pk != first.pk
    with at(D(2026, 9, 30)):
        new = restoration.restoration_open(actor=judge, proposal=first)
        assert restoration.restoration_open(actor=judge, proposal=first).pk == new.pk
        second.refresh_from_db()
        assert second.status == "restored" and second.restored_case_id == new.pk


def test_a_dismissal_needs_a_reason_and_closes_the_proposal(closed_zhongben, judge):
    from zhixing.cases.exceptions import Conflict, ValidationFailed

    original = closed_zhongben(D(2026, 4, 1))
    proposal = clue_proposal(original, judge, D(2026, 9, 29))
    with pytest.raises(ValidationFailed):
        restoration.proposal_dismiss(actor=judge, proposal=proposal, note=" ")
    restoration.proposal_dismiss(actor=judge, proposal=proposal, note="车辆登记在案外人名下")
    with pytest.raises(Conflict):
        restoration.restoration_open(actor=judge, proposal=proposal)


def test_only_a_zhongben_case_takes_a_restoration_proposal(make_case, judge):
    from zhixing.cases.exceptions import DomainError

    case = make_case()
    with pytest.raises(DomainError, match="终结本次执行程序"):
        restoration.proposal_record(actor=judge, case=case, source="clue", description="线索")


def test_a_proposal_from_a_pool_asset_links_the_asset_to_the_new_case(closed_zhongben, judge, clerk):
    from .test_pool import reply_found, run

    original = closed_zhongben(D(2026, 4, 1))
    run(clerk, D(2026, 10, 8))
    with at(D(2026, 10, 9)):
        reply_found(clerk, original, D(2026, 10, 9))
    run(clerk, D(2026, 10, 9))
    proposal = original.restoration_proposals.get()
    with at(D(2026, 10, 12)):
        new = restoration.restoration_open(actor=judge, proposal=proposal)
    assert CaseAsset.objects.filter(case=new, asset_id=proposal.asset_id).exists()
    assert PoolEntry.objects.get(case=original).status == "restored"


def test_registering_the_same_clue_twice_keeps_one_proposal(closed_zhongben, judge):
    original = closed_zhongben(D(2026, 4, 1))
    first = clue_proposal(original, judge, D(2026, 9, 29))
    again = clue_proposal(original, judge, D(2026, 9, 29))
    assert first.pk == again.pk and original.restoration_proposals.count() == 1
