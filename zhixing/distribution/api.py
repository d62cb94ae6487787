"""/api/v1/distribution: 参与分配 plans as JSON — the same services and rules as the pages. Money is
integer fen (a float or a string is refused, naming the field); dates are ISO (Beijing).

Every answer about a plan is the whole plan (lines with their shares, objections, and `actions`: what
the caller may do with it now), because one change to a draft moves every share."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import StrictInt

from zhixing.cases import selectors as case_selectors
from zhixing.cases.exceptions import NotFound
from zhixing.money.services import available_fen

from . import selectors, services, shares
from .models import DistributionLine, DistributionObjection, DistributionPlan

router = Router(tags=["参与分配"])


class LineOut(Schema):
    id: int
    position: int
    tier: str
    tier_label: str
    priority_kind: str
    priority_kind_label: str
    rank: int | None
    basis: str
    creditor_name: str
    creditor_case_id: int | None  # only a case of the plan's court (another court's is named by its number)
    creditor_case_number: str
    claim_fen: int
    share_fen: int
    ratio: str
    seized_on: dt.date | None
    retained: bool
    payee_name: str
    payee_account: str
    payee_bank: str
    order_id: int | None
    order_status: str
    withheld: bool


class ObjectionOut(Schema):
    id: int
    objector_name: str
    lodged_on: dt.date
    text: str
    status: str
    status_label: str
    notified_on: dt.date | None
    opposition_due: dt.date | None
    opposer_name: str
    opposed_on: dt.date | None
    suit_due: dt.date | None
    decided_on: dt.date | None
    decided_by: str
    decision_note: str


class PlanOut(Schema):
    id: int
    case_id: int
    case_number: str
    version: int
    status: str
    status_label: str
    proceeds_fen: int
    distributed_fen: int
    surplus_fen: int
    method: str
    method_label: str
    method_citation: str
    reason: str
    supersedes_id: int | None
    served_on: dt.date | None
    objection_due: dt.date | None
    objection_days_left: int | None  # 0 on the last day; negative once the period is over
    finalised_on: dt.date | None
    executed_at: dt.datetime | None
    created_by: str
    created_at: dt.datetime
    lines: list[LineOut]
    objections: list[ObjectionOut]
    actions: list[str]


class CreditorOut(Schema):
    creditor_name: str
    creditor_case_number: str
    court: str
    claim_fen: int
    seized_on: dt.date | None


class PlanCreateIn(Schema):
    proceeds_fen: StrictInt | None = None  # default: the money available on the case's account
    method: str | None = None  # default: by the respondent (pro_rata; by_seizure for a company)
    prefill: bool = True
    reason: str = ""


class PlanUpdateIn(Schema):
    proceeds_fen: StrictInt
    method: str
    reason: str = ""


class ReasonIn(Schema):
    reason: str


class LineIn(Schema):
    tier: str
    creditor_name: str
    claim_fen: StrictInt
    creditor_case_number: str = ""
    priority_kind: str = ""
    rank: StrictInt | None = None
    basis: str = ""
    seized_on: dt.date | None = None
    retained: bool = False
    payee_name: str = ""
    payee_account: str = ""
    payee_bank: str = ""


class LinePatch(Schema):
    tier: str | None = None
    creditor_name: str | None = None
    claim_fen: StrictInt | None = None
    creditor_case_number: str | None = None
    priority_kind: str | None = None
    rank: StrictInt | None = None
    basis: str | None = None
    seized_on: dt.date | None = None
    retained: bool | None = None
    payee_name: str | None = None
    payee_account: str | None = None
    payee_bank: str | None = None


class PayeeIn(Schema):
    payee_name: str
    payee_account: str
    payee_bank: str = ""


class ServeIn(Schema):
    served_on: dt.date


class ObjectionIn(Schema):
    objector_name: str
    lodged_on: dt.date
    text: str


class NotifyIn(Schema):
    notified_on: dt.date


class OpposeIn(Schema):
    opposer_name: str
    opposed_on: dt.date


class DecideIn(Schema):
    outcome: str
    note: str = ""
    withheld_line_ids: list[int] = []


def line_out(line: DistributionLine, plan: DistributionPlan) -> dict:
    same_court = line.creditor_case_id and line.creditor_case.court_id == plan.court_id
    return {
        "id": line.pk, "position": line.position, "tier": line.tier, "tier_label": line.get_tier_display(),
        "priority_kind": line.priority_kind, "priority_kind_label": line.get_priority_kind_display() if line.priority_kind else "",
        "rank": line.rank, "basis": line.basis, "creditor_name": line.creditor_name,
        "creditor_case_id": line.creditor_case_id if same_court else None,
        "creditor_case_number": line.creditor_case_number, "claim_fen": line.claim_fen, "share_fen": line.share_fen,
        "ratio": shares.ratio_text(line.share_fen, line.claim_fen), "seized_on": line.seized_on, "retained": line.retained,
        "payee_name": line.payee_name, "payee_account": line.payee_account, "payee_bank": line.payee_bank,
        "order_id": line.order_id, "order_status": line.order.status if line.order_id else "", "withheld": line.is_withheld,
    }


def objection_out(o: DistributionObjection) -> dict:
    return {
        "id": o.pk, "objector_name": o.objector_name, "lodged_on": o.lodged_on, "text": o.text, "status": o.status,
        "status_label": o.get_status_display(), "notified_on": o.notified_on, "opposition_due": o.opposition_due,
        "opposer_name": o.opposer_name, "opposed_on": o.opposed_on, "suit_due": o.suit_due, "decided_on": o.decided_on,
        "decided_by": o.decided_by.display_name if o.decided_by_id else "", "decision_note": o.decision_note,
    }


def plan_out(plan: DistributionPlan, user, today: dt.date) -> dict:
    return {
        "id": plan.pk, "case_id": plan.case_id, "case_number": plan.case.case_number, "version": plan.version,
        "status": plan.status, "status_label": plan.get_status_display(), "proceeds_fen": plan.proceeds_fen,
        "distributed_fen": plan.distributed_fen, "surplus_fen": plan.surplus_fen, "method": plan.method,
        "method_label": plan.get_method_display(), "method_citation": plan.method_citation, "reason": plan.reason,
        "supersedes_id": plan.supersedes_id, "served_on": plan.served_on, "objection_due": plan.objection_due,
        "objection_days_left": (plan.objection_due - today).days if plan.objection_due else None,
        "finalised_on": plan.finalised_on, "executed_at": plan.executed_at, "created_by": plan.created_by.display_name,
        "created_at": plan.created_at, "lines": [line_out(line, plan) for line in plan.lines.all()],
        "objections": [objection_out(o) for o in plan.objections.all()],
        "actions": selectors.actions_for(user, plan, today).names(),
    }


def _answer(request, plan: DistributionPlan) -> dict:
    """The plan as it is now (re-read with its lines, objections and the caller's actions)."""
    fresh = selectors.plan_get_for_user(user=request.user, pk=plan.pk)
    return plan_out(fresh, request.user, timezone.localdate())


def _plan(request, plan_id: int) -> DistributionPlan:
    return selectors.plan_get_for_user(user=request.user, pk=plan_id)


# ---------------------------------------------------------------- a case's plans


@router.get("/cases/{int:case_id}/plans", response=list[PlanOut], summary="案件的分配方案（各版本，新版本在前）")
def list_plans(request, case_id: int):
    case = case_selectors.case_get_for_user(user=request.user, pk=case_id)
    today = timezone.localdate()
    plans = selectors.plans_for_case(case)
    for plan in plans:
        plan.case = case
    return [plan_out(plan, request.user, today) for plan in plans]


@router.get("/cases/{int:case_id}/creditors", response=list[CreditorOut],
            summary="可参与分配的债权人（本案及对同一财产采取措施的案件）")
def list_creditors(request, case_id: int):
    case = case_selectors.case_get_for_user(user=request.user, pk=case_id)
    rows = selectors.eligible_creditors(case, money_on_account_fen=max(available_fen(case), 0))
    return [{"creditor_name": c.creditor_name, "creditor_case_number": c.creditor_case.case_number,
             "court": c.creditor_case.court.name, "claim_fen": c.claim_fen, "seized_on": c.seized_on} for c in rows]


@router.post("/cases/{int:case_id}/plans", response={201: PlanOut}, summary="制作分配方案（草稿）")
def create_plan(request, case_id: int, payload: PlanCreateIn):
    case = case_selectors.case_get_for_user(user=request.user, pk=case_id)
    plan = services.plan_create(actor=request.user, case=case, proceeds_fen=payload.proceeds_fen, method=payload.method,
                                prefill=payload.prefill, reason=payload.reason)
    return Status(201, _answer(request, plan))


# ---------------------------------------------------------------- one plan


@router.get("/plans/{int:plan_id}", response=PlanOut, summary="分配方案")
def get_plan(request, plan_id: int):
    return plan_out(_plan(request, plan_id), request.user, timezone.localdate())


@router.patch("/plans/{int:plan_id}", response=PlanOut, summary="修改草稿的可供分配金额或受偿方式")
def update_plan(request, plan_id: int, payload: PlanUpdateIn):
    plan = services.plan_update(actor=request.user, plan=_plan(request, plan_id), proceeds_fen=payload.proceeds_fen,
                                method=payload.method, reason=payload.reason)
    return _answer(request, plan)


@router.post("/plans/{int:plan_id}/withdraw", response=PlanOut, summary="撤销草稿（未送达）")
def withdraw_plan(request, plan_id: int, payload: ReasonIn):
    return _answer(request, services.plan_withdraw(actor=request.user, plan=_plan(request, plan_id), reason=payload.reason))


@router.post("/plans/{int:plan_id}/lines", response={201: PlanOut}, summary="草稿：列入债权人或执行费用")
def add_line(request, plan_id: int, payload: LineIn):
    plan = _plan(request, plan_id)
    services.line_save(actor=request.user, plan=plan, **payload.dict())
    return Status(201, _answer(request, plan))


def _line(request, plan_id: int, line_id: int) -> DistributionLine:
    line = selectors.line_get_for_user(user=request.user, pk=line_id)
    if line.plan_id != plan_id:
        raise NotFound("分配明细不存在")
    return line


@router.patch("/plans/{int:plan_id}/lines/{int:line_id}", response=PlanOut, summary="草稿：修改一项")
def update_line(request, plan_id: int, line_id: int, payload: LinePatch):
    line = _line(request, plan_id, line_id)
    services.line_save(actor=request.user, plan=line.plan, line=line, **payload.dict(exclude_unset=True))
    return _answer(request, line.plan)


@router.delete("/plans/{int:plan_id}/lines/{int:line_id}", response=PlanOut, summary="草稿：删除一项")
def remove_line(request, plan_id: int, line_id: int):
    line = _line(request, plan_id, line_id)
    return _answer(request, services.line_remove(actor=request.user, line=line))


@router.put("/plans/{int:plan_id}/lines/{int:line_id}/payee", response=PlanOut, summary="登记收款账户（未申请发放前）")
def set_payee(request, plan_id: int, line_id: int, payload: PayeeIn):
    line = _line(request, plan_id, line_id)
    services.line_set_payee(actor=request.user, line=line, **payload.dict())
    return _answer(request, line.plan)


@router.post("/plans/{int:plan_id}/serve", response=PlanOut, summary="送达（此后不得修改；异议期起算）")
def serve_plan(request, plan_id: int, payload: ServeIn):
    return _answer(request, services.plan_serve(actor=request.user, plan=_plan(request, plan_id), served_on=payload.served_on))


@router.post("/plans/{int:plan_id}/objections", response={201: PlanOut}, summary="登记异议")
def lodge_objection(request, plan_id: int, payload: ObjectionIn):
    plan = _plan(request, plan_id)
    services.objection_lodge(actor=request.user, plan=plan, **payload.dict())
    return Status(201, _answer(request, plan))


@router.post("/plans/{int:plan_id}/amend", response={201: PlanOut}, summary="修改方案：生成新版本（草稿），原版本作废")
def amend_plan(request, plan_id: int, payload: ReasonIn):
    new = services.plan_amend(actor=request.user, plan=_plan(request, plan_id), reason=payload.reason)
    return Status(201, _answer(request, new))


@router.post("/plans/{int:plan_id}/finalise", response=PlanOut, summary="确认方案生效（异议期届满、异议均已处理）")
def finalise_plan(request, plan_id: int):
    return _answer(request, services.plan_finalise(actor=request.user, plan=_plan(request, plan_id)))


@router.post("/plans/{int:plan_id}/execute", response=PlanOut, summary="执行方案：逐项申请发放或划转（进入审批）")
def execute_plan(request, plan_id: int):
    return _answer(request, services.plan_execute(actor=request.user, plan=_plan(request, plan_id)))


# ---------------------------------------------------------------- objections


def _objection(request, objection_id: int) -> DistributionObjection:
    return selectors.objection_get_for_user(user=request.user, pk=objection_id)


@router.post("/objections/{int:objection_id}/notify", response=PlanOut, summary="异议已通知其他债权人和被执行人")
def notify_objection(request, objection_id: int, payload: NotifyIn):
    objection = services.objection_notify(actor=request.user, objection=_objection(request, objection_id),
                                          notified_on=payload.notified_on)
    return _answer(request, objection.plan)


@router.post("/objections/{int:objection_id}/oppose", response=PlanOut, summary="登记反对意见")
def oppose_objection(request, objection_id: int, payload: OpposeIn):
    objection = services.objection_oppose(actor=request.user, objection=_objection(request, objection_id),
                                          **payload.dict())
    return _answer(request, objection.plan)


@router.post("/objections/{int:objection_id}/decide", response=PlanOut,
             summary="异议处理结果（withdrawn / upheld / stands / suit / suit_ended）")
def decide_objection(request, objection_id: int, payload: DecideIn):
    objection = services.objection_decide(actor=request.user, objection=_objection(request, objection_id),
                                          outcome=payload.outcome, note=payload.note,
                                          withheld_line_ids=payload.withheld_line_ids)
    return _answer(request, objection.plan)
