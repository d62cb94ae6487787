"""均衡调配 as 指定执行: the intermediate court orders, the receiving court registers its own case,
the original court closes its case as 销案 — each step logged in both cases, each court acting on
its own case only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhixing.cases import services as case_services
from zhixing.cases.choices import CaseStatus, ClosingType, LogAction
from zhixing.cases.exceptions import Conflict, DomainError, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.log import verify_log
from zhixing.cases.models import EnforcementCase, LogEntry
from zhixing.courts.choices import CourtLevel
from zhixing.courts.models import Court
from zhixing.triage import transfers
from zhixing.triage.choices import TransferStatus
from zhixing.triage.models import CaseTransfer

YUAN = 100


def notes(case) -> list[str]:
    return list(LogEntry.objects.filter(case=case, action=LogAction.NOTE).order_by("seq").values_list("summary", flat=True))


@pytest.fixture
def new_case(make_case):
    return make_case(amount_fen=120_000 * YUAN)


def test_a_new_case_moves_to_another_basic_court_in_three_logged_steps(new_case, intermediate_head, other_clerk, judge,
                                                                       courts):
    order = transfers.transfer_order(actor=intermediate_head, case=new_case, to_court=courts["other"],
                                     reason="海淀法院本月新收案件增速过快")
    assert order.status == TransferStatus.ORDERED and order.ordering_court == courts["mid"]
    assert notes(new_case) == ["北京市第一中级人民法院决定指定北京市西城区人民法院执行（均衡调配），待其立案后本案以销案方式结案"]

    moved = transfers.transfer_register(actor=other_clerk, transfer=order)
    assert moved.court == courts["other"] and moved.case_number.startswith(f"（{timezone.localdate().year}）京0102执")
    assert moved.claim_amount_fen == new_case.claim_amount_fen and moved.filed_on == timezone.localdate()
    assert [p.name for p in moved.parties.order_by("position")] == [p.name for p in new_case.parties.order_by("position")]
    assert notes(moved) == [f"经北京市第一中级人民法院指定执行，由北京市海淀区人民法院{new_case.case_number}移送立案"]
    assert notes(new_case)[-1] == f"北京市西城区人民法院已立案：{moved.case_number}；本案待销案"
    assert moved.track  # triaged at registration like any case

    closed = transfers.transfer_close_original(actor=judge, transfer=CaseTransfer.objects.get(pk=order.pk))
    assert closed.status == CaseStatus.CLOSED and closed.closing_type == ClosingType.WITHDRAWN
    close_entry = LogEntry.objects.get(case=new_case, action=LogAction.CLOSE)
    assert moved.case_number in close_entry.reason and "法明传〔2018〕335号" in close_entry.reason
    assert notes(moved)[-1] == f"原案{new_case.case_number}已由北京市海淀区人民法院销案"
    assert CaseTransfer.objects.get(pk=order.pk).status == TransferStatus.CLOSED
    assert verify_log() == []


def test_what_was_partly_performed_is_left_out_of_the_new_claim(new_case, intermediate_head, other_clerk, courts):
    EnforcementCase.objects.filter(pk=new_case.pk).update(performed_amount_fen=20_000 * YUAN)
    order = transfers.transfer_order(actor=intermediate_head, case=new_case, to_court=courts["other"], reason="均衡")
    moved = transfers.transfer_register(actor=other_clerk, transfer=order)
    assert moved.claim_amount_fen == 100_000 * YUAN
    assert list(moved.claims.values_list("note", flat=True)) == [f"{new_case.case_number}未执行到位的金额"]


def test_each_step_belongs_to_its_own_court(new_case, intermediate_head, other_clerk, judge, other_judge, courts,
                                            supervisor, bureau_head):
    with pytest.raises(NotAllowed):  # the basic court's own head cannot designate another court
        transfers.transfer_order(actor=bureau_head, case=new_case, to_court=courts["other"], reason="x")
    with pytest.raises(NotAllowed):  # the intermediate court's read-only supervisor neither
        transfers.transfer_order(actor=supervisor, case=new_case, to_court=courts["other"], reason="x")
    order = transfers.transfer_order(actor=intermediate_head, case=new_case, to_court=courts["other"], reason="均衡")
    with pytest.raises(NotFound):
        transfers.transfer_register(actor=judge, transfer=order)  # the original court cannot register for the other
    with pytest.raises(Conflict):
        transfers.transfer_close_original(actor=judge, transfer=order)  # not before the new case exists
    transfers.transfer_register(actor=other_clerk, transfer=order)
    with pytest.raises(Conflict):
        transfers.transfer_register(actor=other_clerk, transfer=order)  # a retry registers nothing twice
    assert EnforcementCase.objects.filter(court=courts["other"]).count() == 1
    with pytest.raises(NotFound):
        transfers.transfer_close_original(actor=other_judge, transfer=order)


def test_only_new_unassigned_cases_with_nothing_held_may_move(make_case, new_case, intermediate_head, courts, judge,
                                                              bureau_head):
    assigned = make_case()
    case_services.case_assign(actor=bureau_head, case=assigned, handler=judge)
    old = make_case(filed_on=timezone.localdate() - dt.timedelta(days=40))
    for case, why in ((assigned, "已分案"), (old, "不属新收案件")):
        with pytest.raises(DomainError) as exc:
            transfers.transfer_order(actor=intermediate_head, case=case, to_court=courts["other"], reason="均衡")
        assert why in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        transfers.transfer_order(actor=intermediate_head, case=new_case, to_court=courts["court"], reason="")
    assert {e.field for e in exc.value.errors} == {"to_court", "reason"}
    far = Court.objects.create(name="天津市某区人民法院", court_code="津0101", level=CourtLevel.BASIC)
    with pytest.raises(ValidationFailed):
        transfers.transfer_order(actor=intermediate_head, case=new_case, to_court=far, reason="均衡")
    transfers.transfer_order(actor=intermediate_head, case=new_case, to_court=courts["other"], reason="均衡")
    with pytest.raises(DomainError) as exc:
        transfers.transfer_order(actor=intermediate_head, case=new_case, to_court=courts["other"], reason="再来")
    assert "已在指定执行中" in exc.value.message


def test_the_intermediate_court_may_withdraw_an_order_before_registration(new_case, intermediate_head, other_clerk, courts):
    order = transfers.transfer_order(actor=intermediate_head, case=new_case, to_court=courts["other"], reason="均衡")
    with pytest.raises(ValidationFailed):
        transfers.transfer_cancel(actor=intermediate_head, transfer=order, reason=" ")
    transfers.transfer_cancel(actor=intermediate_head, transfer=order, reason="海淀已增派人员")
    assert CaseTransfer.objects.get(pk=order.pk).status == TransferStatus.CANCELLED
    assert "撤回" in notes(new_case)[-1]
    with pytest.raises(Conflict):
        transfers.transfer_register(actor=other_clerk, transfer=order)
    # and the case may be designated again later
    transfers.transfer_order(actor=intermediate_head, case=new_case, to_court=courts["other"], reason="仍需均衡")
