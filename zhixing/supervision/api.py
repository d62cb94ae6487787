"""Supervision API under /api/v1/supervision/: inbox, a case's deadlines and locks, unlock requests,
pauses and extensions. Thin: find what the user may see, call one service or selector, serialise.
Refusals are DomainErrors, mapped once in zhixing/api.py (a lock answers 423 with its reason)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from zhixing.accounts.models import User
from zhixing.cases.exceptions import FieldError, NotFound, ValidationFailed
from zhixing.cases.selectors import case_get_for_user

from . import selectors, services
from .models import CaseLock, Deadline, DeadlineStatus, Extension, Level, Suspension, UnlockRequest
from .rules import RULES_BY_CODE

router = Router(tags=["督办"])

MAX_PAGE_SIZE = 200


# ---------------------------------------------------------------- reads shared with the pages


def inbox_rows(user: User, *, level: int | None = None, rule_code: str = "", overdue: bool = False,
               today: dt.date | None = None) -> QuerySet[Deadline]:
    """The user's warnings (selectors.inbox) narrowed to one level, one rule, or those past their due date."""
    if rule_code and rule_code not in RULES_BY_CODE:
        raise ValidationFailed([FieldError("rule_code", f"没有期限规则 {rule_code}")])
    rows = selectors.inbox(user, min_level=level or Level.YELLOW, rule_code=rule_code)
    if level:
        rows = rows.filter(level=level)
    if overdue:
        rows = rows.filter(status=DeadlineStatus.PENDING, due_on__lt=today or timezone.localdate())
    return rows


def days_text(deadline: Deadline, today: dt.date) -> str:
    if deadline.status == DeadlineStatus.MET:
        return "已完成"
    if deadline.status != DeadlineStatus.PENDING:
        return deadline.get_status_display()
    days = (deadline.due_on - today).days
    if days > 0:
        return f"剩余 {days} 天"
    return "今日届满" if days == 0 else f"逾期 {-days} 天"


def version_label(deadline: Deadline) -> str:
    version = deadline.rule_version
    return f"v{version.version}（{'本院' if version.court_id else '全国'}）"


def deadline_out(deadline: Deadline, today: dt.date, *, with_case: bool = False, with_version: bool = False) -> dict:
    """One deadline as the pages and the API show it. with_case / with_version: the row was read with
    select_related("case") / ("rule_version")."""
    rule = RULES_BY_CODE[deadline.rule_code]
    row = {
        "id": deadline.pk,
        "case_id": deadline.case_id,
        "rule_code": deadline.rule_code,
        "rule_name": rule.name,
        "acting": rule.acting,
        "remedy": rule.remedy,
        "start_on": deadline.start_on,
        "due_on": deadline.due_on,
        "met_on": deadline.met_on,
        "status": deadline.status,
        "status_label": deadline.get_status_display(),
        "level": deadline.level,
        "level_label": deadline.get_level_display(),
        "escalation": deadline.escalation,
        "escalation_label": deadline.get_escalation_display(),
        "red_since": deadline.red_since,
        "days_left": (deadline.due_on - today).days,
        "days_text": days_text(deadline, today),
        "paused_days": deadline.paused_days,
        "extension_months": deadline.extension_months,
    }
    if with_case:
        case = deadline.case
        row["case_number"] = case.case_number
        row["handler"] = deadline.handler.display_name if deadline.handler_id else None
        row["team"] = deadline.team.name if deadline.team_id else None
    if with_version:
        version = deadline.rule_version
        row["rule_version"] = {
            "version": version.version,
            "court_id": version.court_id,
            "label": version_label(deadline),
            "period_text": version.period_text,
            "citation": version.citation,
        }
        row["period_text"] = version.period_text
        row["citation"] = version.citation
    return row


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


def unlock_request_out(request: UnlockRequest) -> dict:
    return {
        "id": request.pk,
        "case_id": request.lock.case_id,
        "lock_sequence": request.lock.sequence,
        "reason": request.reason,
        "requested_by": _name(request.requested_by),
        "requested_at": request.requested_at,
        "approver_court": {"id": request.approver_court_id, "name": request.approver_court.name},
        "status": request.status,
        "status_label": request.get_status_display(),
        "decided_by": _name(request.decided_by),
        "decided_at": request.decided_at,
        "decision_note": request.decision_note,
    }


def lock_out(lock: CaseLock) -> dict:
    codes = [code for code in lock.rule_codes.split(",") if code]
    return {
        "id": lock.pk,
        "case_id": lock.case_id,
        "sequence": lock.sequence,
        "rule_codes": codes,
        "rule_names": [RULES_BY_CODE[c].name if c in RULES_BY_CODE else c for c in codes],
        "reason": lock.reason,
        "locked_on": lock.locked_on,
        "released_on": lock.released_on,
        "released_by": _name(lock.released_by),
        "relock_not_before": lock.relock_not_before,
        "active": lock.is_active,
        "requests": [unlock_request_out(r) for r in lock.requests.all()],
    }


def suspension_out(row: Suspension) -> dict:
    return {
        "id": row.pk, "case_id": row.case_id, "kind": row.kind, "kind_label": row.get_kind_display(),
        "start_on": row.start_on, "end_on": row.end_on, "reason": row.reason, "recorded_by": _name(row.recorded_by),
    }


def extension_out(row: Extension) -> dict:
    return {
        "id": row.pk, "case_id": row.case_id, "months": row.months, "reason": row.reason,
        "requested_on": row.requested_on, "requested_by": _name(row.requested_by), "status": row.status,
        "status_label": row.get_status_display(), "decided_by": _name(row.decided_by), "decided_at": row.decided_at,
        "decision_note": row.decision_note,
    }


def unlock_request_for_decision(user: User, pk: int) -> UnlockRequest:
    """The request, if `user` may decide it or may see its case; NotFound otherwise. The intermediate
    court's approver of a second lock cannot see the lower court's case, but may decide its request."""
    request = (
        UnlockRequest.objects.select_related("lock__case", "approver_court", "requested_by", "decided_by")
        .filter(pk=pk).first()
    )
    if request is None:
        raise NotFound("解锁申请不存在")
    if not services.can_decide(user, request):
        case_get_for_user(user=user, pk=request.lock.case_id)  # NotFound for another court's case
    return request


def suspension_for_user(user: User, pk: int) -> Suspension:
    row = Suspension.objects.select_related("case", "recorded_by").filter(pk=pk).first()
    if row is None:
        raise NotFound("暂停期间不存在")
    case_get_for_user(user=user, pk=row.case_id)
    return row


def extension_for_user(user: User, pk: int) -> Extension:
    row = Extension.objects.select_related("case", "requested_by", "decided_by").filter(pk=pk).first()
    if row is None:
        raise NotFound("延长申请不存在")
    case_get_for_user(user=user, pk=row.case_id)
    return row


# ---------------------------------------------------------------- schemas


class InboxQuery(Schema):
    level: int | None = Field(None, ge=1, le=3, description="1 黄色 / 2 橙色 / 3 红色；空：全部")
    rule_code: str = Field("", description="期限规则代码，如 close_period；空：全部")
    overdue: bool = Field(False, description="只看已逾期")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class RuleVersionOut(Schema):
    version: int
    court_id: int | None
    label: str
    period_text: str
    citation: str


class DeadlineOut(Schema):
    id: int
    case_id: int
    rule_code: str
    rule_name: str
    acting: str
    remedy: str
    start_on: dt.date
    due_on: dt.date
    met_on: dt.date | None
    status: str
    status_label: str
    level: int
    level_label: str
    escalation: int
    escalation_label: str
    red_since: dt.date | None
    days_left: int = Field(..., description="距届满日的天数，负数为已逾期天数")
    days_text: str
    paused_days: int
    extension_months: int


class InboxRowOut(DeadlineOut):
    case_number: str
    handler: str | None
    team: str | None


class CaseDeadlineOut(DeadlineOut):
    period_text: str
    citation: str
    rule_version: RuleVersionOut


class InboxOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[InboxRowOut]


class CourtRef(Schema):
    id: int
    name: str


class UnlockRequestOut(Schema):
    id: int
    case_id: int
    lock_sequence: int
    reason: str
    requested_by: str | None
    requested_at: dt.datetime
    approver_court: CourtRef
    status: str
    status_label: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str


class LockOut(Schema):
    id: int
    case_id: int
    sequence: int
    rule_codes: list[str]
    rule_names: list[str]
    reason: str
    locked_on: dt.date
    released_on: dt.date | None
    released_by: str | None
    relock_not_before: dt.date | None
    active: bool
    requests: list[UnlockRequestOut]


class SuspensionOut(Schema):
    id: int
    case_id: int
    kind: str
    kind_label: str
    start_on: dt.date
    end_on: dt.date | None
    reason: str
    recorded_by: str | None


class ExtensionOut(Schema):
    id: int
    case_id: int
    months: int
    reason: str
    requested_on: dt.date
    requested_by: str | None
    status: str
    status_label: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str


class ReasonIn(Schema):
    reason: str = Field(..., description="理由")


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", description="审批意见；驳回时必填")


class SuspensionIn(Schema):
    kind: str = Field(..., description="deferral 暂缓执行 / interruption 中止执行 / public_notice 公告送达 / "
                                       "appraisal 审计、评估 / auction 拍卖、变卖 / instruction 请示 / coordination 协调")
    start_on: dt.date
    reason: str = Field(..., description="依据（裁定书、决定书文号或事由）")


class SuspensionEndIn(Schema):
    end_on: dt.date
    reason: str = ""


class ExtensionIn(Schema):
    reason: str
    requested_on: dt.date | None = Field(None, description="申请日期；空：今天")


# ---------------------------------------------------------------- endpoints


@router.get("/inbox", response=InboxOut, summary="我的预警（承办的，及升级至本人督办的）")
def inbox(request, q: Query[InboxQuery]):
    today = timezone.localdate()
    rows = inbox_rows(request.user, level=q.level, rule_code=q.rule_code, overdue=q.overdue, today=today)
    count = rows.count()
    start = (q.page - 1) * q.page_size
    page = rows[start : start + q.page_size] if start < count else []
    return {"count": count, "page": q.page, "page_size": q.page_size,
            "results": [deadline_out(d, today, with_case=True) for d in page]}


@router.get("/cases/{case_id}/deadlines", response=list[CaseDeadlineOut], summary="案件的各项期限及预警")
def case_deadlines(request, case_id: int):
    case_get_for_user(user=request.user, pk=case_id)
    today = timezone.localdate()
    return [deadline_out(d, today, with_version=True) for d in selectors.case_deadlines(case_id)]


@router.get("/cases/{case_id}/locks", response=list[LockOut], summary="程序锁死记录及解锁申请")
def case_locks(request, case_id: int):
    case_get_for_user(user=request.user, pk=case_id)
    return [lock_out(lock) for lock in selectors.case_locks(case_id)]


@router.post("/cases/{case_id}/unlock-requests", response={201: UnlockRequestOut}, summary="申请解锁")
def unlock_request(request, case_id: int, payload: ReasonIn):
    case = case_get_for_user(user=request.user, pk=case_id)
    row = services.unlock_request(actor=request.user, case=case, reason=payload.reason)
    return Status(201, unlock_request_out(row))


@router.post("/unlock-requests/{request_id}/decision", response=UnlockRequestOut, summary="审批解锁申请")
def unlock_decision(request, request_id: int, payload: DecisionIn):
    row = unlock_request_for_decision(request.user, request_id)
    row = services.unlock_decide(actor=request.user, request=row, approve=payload.approve, note=payload.note)
    return unlock_request_out(row)


@router.post("/cases/{case_id}/suspensions", response={201: SuspensionOut}, summary="记录不计入执行期限的期间（开始）")
def suspension_start(request, case_id: int, payload: SuspensionIn):
    case = case_get_for_user(user=request.user, pk=case_id)
    row = services.suspension_start(actor=request.user, case=case, kind=payload.kind, start_on=payload.start_on,
                                    reason=payload.reason)
    return Status(201, suspension_out(row))


@router.post("/suspensions/{suspension_id}/end", response=SuspensionOut, summary="记录暂停期间结束")
def suspension_end(request, suspension_id: int, payload: SuspensionEndIn):
    row = suspension_for_user(request.user, suspension_id)
    row = services.suspension_end(actor=request.user, suspension=row, end_on=payload.end_on, reason=payload.reason)
    return suspension_out(row)


@router.post("/cases/{case_id}/extensions", response={201: ExtensionOut}, summary="申请延长执行期限")
def extension_request(request, case_id: int, payload: ExtensionIn):
    case = case_get_for_user(user=request.user, pk=case_id)
    row = services.extension_request(actor=request.user, case=case, reason=payload.reason,
                                     requested_on=payload.requested_on)
    return Status(201, extension_out(row))


@router.post("/extensions/{extension_id}/decision", response=ExtensionOut, summary="审批延长执行期限（院长）")
def extension_decision(request, extension_id: int, payload: DecisionIn):
    row = extension_for_user(request.user, extension_id)
    row = services.extension_decide(actor=request.user, extension=row, approve=payload.approve, note=payload.note)
    return extension_out(row)
