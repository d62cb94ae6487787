"""Triage and assignment API under /api/v1/triage/: thin — authorise, parse, call one service or
selector, serialise. Amounts are integer fen; another court's case answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from zhixing.cases.choices import Track
from zhixing.cases.exceptions import NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.cases.selectors import case_get_for_user, visible_court_ids
from zhixing.cases.services import ensure_can_act
from zhixing.courts.models import Court

from . import assignment, selectors, services, transfers
from .models import CaseTag, CaseTransfer, TriageDecision
from .rules import CONDITIONS

router = Router(tags=["繁简分流与分案"])
MAX_PAGE_SIZE = 200


# ---------------------------------------------------------------- schemas


class DecisionOut(Schema):
    id: int
    track: str
    track_label: str
    team_type: str
    source: str
    source_label: str
    rule: dict[str, Any]
    facts: dict[str, Any]
    reason: str
    decided_by: str | None
    decided_at: dt.datetime


class TagOut(Schema):
    id: int
    tag: str
    label: str
    note: str
    added_by: str
    added_at: dt.datetime
    active: bool
    removed_at: dt.datetime | None
    removal_reason: str


class CaseTriageOut(Schema):
    case_id: int
    case_number: str
    track: str
    decision: DecisionOut | None
    overridden: bool
    rules_now: dict[str, Any] = Field(description="按现行规则与今天的案件情况应分流至何处")
    rules_label: str
    facts_now: dict[str, Any]
    tags: list[TagOut]
    history: list[DecisionOut]


class OverrideIn(Schema):
    track: str = Field(description="fast/ordinary/special")
    reason: str
    team_type: str = ""


class ReasonIn(Schema):
    reason: str = ""


class TagIn(Schema):
    tag: str
    note: str = ""


class RuleIn(Schema):
    kind: str
    params: dict[str, Any] = {}
    track: str
    team_type: str = ""
    reason: str
    citation: str = ""


class PolicyIn(Schema):
    court_id: int | None = None
    rules: list[RuleIn]
    default_track: str = Track.ORDINARY
    weights: dict[str, int] = Field(description='{"fast": 1, "ordinary": 2, "special": 3}')
    note: str = ""


class PolicyOut(Schema):
    court_id: int
    version: int | None
    label: str
    default_track: str
    weights: dict[str, int]
    rules: list[dict[str, Any]]
    conditions: list[dict[str, Any]]


class LoadOut(Schema):
    user_id: int
    name: str
    team_id: int
    team: str
    team_type: str
    load: int
    open_by_track: dict[str, int]
    recent: int
    absent: bool


class UnassignedQuery(Schema):
    track: str = ""
    overdue: bool = False
    page: int = 1
    page_size: int = 50


class UnassignedCaseOut(Schema):
    id: int
    case_number: str
    filed_on: dt.date
    assign_due: dt.date | None
    overdue: bool
    claim_amount_fen: int
    track: str


class UnassignedPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[UnassignedCaseOut]


class CaseIdsIn(Schema):
    case_ids: list[int] | None = Field(None, description="省略：本院全部未分案案件")
    limit: int | None = None


class ProposalOut(Schema):
    case_id: int
    case_number: str
    track: str
    weight: int
    handler_id: int | None
    handler: str | None
    team: str | None
    load_before: int
    note: str


class AssignOutcomeOut(Schema):
    case_id: int
    case_number: str
    handler: str
    team: str
    refused: str


class AssignResultOut(Schema):
    message: str
    done: list[AssignOutcomeOut]
    skipped: list[AssignOutcomeOut]


class AbsenceIn(Schema):
    user_id: int
    starts_on: dt.date
    ends_on: dt.date
    reason: str


class AbsenceOut(Schema):
    id: int
    user_id: int
    starts_on: dt.date
    ends_on: dt.date
    reason: str


class ReassignIn(Schema):
    judge_id: int
    reason: str
    dry_run: bool = False


class TransferIn(Schema):
    case_id: int
    to_court_id: int
    reason: str


class TransferOut(Schema):
    id: int
    status: str
    status_label: str
    case_id: int
    case_number: str
    court: str
    to_court: str
    ordering_court: str
    reason: str
    ordered_at: dt.datetime
    new_case_id: int | None
    new_case_number: str | None


# ---------------------------------------------------------------- serialisers


def decision_out(d: TriageDecision) -> dict:
    return {"id": d.pk, "track": d.track, "track_label": d.get_track_display(), "team_type": d.team_type,
            "source": d.source, "source_label": d.get_source_display(), "rule": d.rule, "facts": d.facts,
            "reason": d.reason, "decided_by": d.decided_by.display_name if d.decided_by_id else None,
            "decided_at": d.decided_at}


def tag_out(t: CaseTag) -> dict:
    return {"id": t.pk, "tag": t.tag, "label": t.get_tag_display(), "note": t.note, "added_by": t.added_by.display_name,
            "added_at": t.added_at, "active": t.active, "removed_at": t.removed_at, "removal_reason": t.removal_reason}


def case_triage_out(case: EnforcementCase) -> dict:
    case.refresh_from_db(fields=["track"])  # a service has just changed it on its own copy
    panel = selectors.case_panel(case)
    return {"case_id": case.pk, "case_number": case.case_number, "track": case.track,
            "decision": decision_out(panel.decision) if panel.decision else None, "overridden": panel.overridden,
            "rules_now": panel.now_rule, "rules_label": panel.rules_label, "facts_now": panel.facts.as_dict(),
            "tags": [tag_out(t) for t in panel.tags], "history": [decision_out(d) for d in panel.history]}


def proposal_out(p: assignment.Proposal) -> dict:
    return {"case_id": p.case_id, "case_number": p.case_number, "track": p.track, "weight": p.weight,
            "handler_id": p.judge.user_id if p.judge else None, "handler": p.judge.name if p.judge else None,
            "team": p.judge.team_name if p.judge else None, "load_before": p.load_before, "note": p.note}


def result_out(r: assignment.AssignResult) -> dict:
    return {"message": r.text, "done": [vars(o) for o in r.done], "skipped": [vars(o) for o in r.skipped]}


def transfer_out(t: CaseTransfer) -> dict:
    return {"id": t.pk, "status": t.status, "status_label": t.get_status_display(), "case_id": t.case_id,
            "case_number": t.case.case_number, "court": t.court.name, "to_court": t.to_court.name,
            "ordering_court": t.ordering_court.name, "reason": t.reason, "ordered_at": t.ordered_at,
            "new_case_id": t.new_case_id, "new_case_number": t.new_case.case_number if t.new_case_id else None}


def policy_out(court: Court) -> dict:
    rules = selectors.court_rules(court.pk)
    return {
        "court_id": court.pk, "version": rules.version, "label": rules.label, "default_track": rules.default_track,
        "weights": {str(k): v for k, v in rules.weights.items()},
        "rules": [services.rule_as_dict(r) | {"position": i, "text": r.text} for i, r in enumerate(rules.rules, start=1)],
        "conditions": [{"kind": c.kind, "name": c.name, "params": [vars(p) | {"default": p.default} for p in c.params]}
                       for c in CONDITIONS.values()],
    }


def _case(request, case_id: int) -> EnforcementCase:
    return case_get_for_user(user=request.user, pk=case_id)


def _own_court(request, court_id: int | None = None) -> Court:
    return selectors.policy_court_for(request.user, court_id)


# ---------------------------------------------------------------- a case's triage


@router.get("/cases/{int:case_id}", response=CaseTriageOut, summary="案件的繁简分流：现行决定、依据规则、按现行规则应为、标记与历史")
def get_case_triage(request, case_id: int):
    return case_triage_out(_case(request, case_id))


@router.post("/cases/{int:case_id}/retriage", response=CaseTriageOut, summary="按现行规则重新分流（法官改定的保持不变）")
def retriage_case(request, case_id: int):
    case = _case(request, case_id)
    ensure_can_act(request.user, case.court_id)
    services.retriage(case=case, actor=request.user, why="手动重新分流")
    return case_triage_out(case)


@router.post("/cases/{int:case_id}/override", response=CaseTriageOut, summary="改定繁简分流（法官、执行局长；须说明理由）")
def override_case(request, case_id: int, payload: OverrideIn):
    case = _case(request, case_id)
    services.triage_override(actor=request.user, case=case, track=payload.track, reason=payload.reason,
                             team_type=payload.team_type)
    return case_triage_out(case)


@router.post("/cases/{int:case_id}/override/clear", response=CaseTriageOut, summary="撤销改定，按规则分流")
def clear_override(request, case_id: int, payload: ReasonIn):
    case = _case(request, case_id)
    services.triage_override_clear(actor=request.user, case=case, reason=payload.reason)
    return case_triage_out(case)


@router.post("/cases/{int:case_id}/tags", response={201: TagOut}, summary="标记案件（涉金融、被执行人下落不明等）")
def add_tag(request, case_id: int, payload: TagIn):
    case = _case(request, case_id)
    row = services.case_tag_add(actor=request.user, case=case, tag=payload.tag, note=payload.note)
    return Status(201, tag_out(row))


@router.post("/tags/{int:tag_id}/remove", response=TagOut, summary="撤销案件标记（须说明理由）")
def remove_tag(request, tag_id: int, payload: ReasonIn):
    row = CaseTag.objects.select_related("case", "added_by").filter(pk=tag_id).first()
    if row is None:
        raise NotFound("标记不存在")
    _case(request, row.case_id)
    return tag_out(services.case_tag_remove(actor=request.user, tag=row, reason=payload.reason))


# ---------------------------------------------------------------- a court's rules


@router.get("/rules", response=PolicyOut, summary="本院繁简分流规则（现行版本）与可用条件")
def get_rules(request, court_id: int | None = None):
    return policy_out(_own_court(request, court_id))


@router.post("/rules", response={201: PolicyOut}, summary="保存本院繁简分流规则（新版本；执行局长、院长）")
def save_rules(request, payload: PolicyIn):
    court = _own_court(request, payload.court_id)
    services.triage_policy_save(actor=request.user, court=court, rules=[r.dict() for r in payload.rules],
                                default_track=payload.default_track, weights=payload.weights, note=payload.note)
    return Status(201, policy_out(court))


# ---------------------------------------------------------------- assignment


@router.get("/loads", response=list[LoadOut], summary="本院法官的承办负荷（在办案件按分流加权）")
def loads(request, court_id: int | None = None):
    court = _own_court(request, court_id)
    return [{"user_id": j.user_id, "name": j.name, "team_id": j.team_id, "team": j.team_name, "team_type": j.team_type,
             "load": j.load, "open_by_track": {str(k): v for k, v in j.open_by_track.items()}, "recent": j.recent,
             "absent": j.absent} for j in assignment.judge_loads(court.pk)]


@router.get("/unassigned", response=UnassignedPageOut, summary="未分案案件（分案期限最近的在前）")
def unassigned(request, q: Query[UnassignedQuery]):
    court = selectors.assigning_court_for(request.user)
    cases = selectors.unassigned_cases(court_id=court.pk, filters=selectors.UnassignedFilter(track=q.track, overdue=q.overdue))
    page_size = max(1, min(q.page_size, MAX_PAGE_SIZE))
    page = max(1, q.page)
    rows = list(cases[(page - 1) * page_size : page * page_size])
    today = timezone.localdate()
    return {"count": cases.count(), "page": page, "page_size": page_size, "results": [
        {"id": c.pk, "case_number": c.case_number, "filed_on": c.filed_on, "assign_due": c.assign_due,
         "overdue": bool(c.assign_due and c.assign_due < today), "claim_amount_fen": c.claim_amount_fen, "track": c.track}
        for c in rows]}


@router.post("/assign/preview", response=list[ProposalOut], summary="自动分案预览（不写入）")
def assign_preview(request, payload: CaseIdsIn):
    court = selectors.assigning_court_for(request.user)
    cases = selectors.unassigned_cases(court_id=court.pk)
    if payload.case_ids is not None:
        cases = cases.filter(pk__in=payload.case_ids)
    cases = list(cases[: payload.limit] if payload.limit else cases)
    return [proposal_out(p) for p in assignment.preview(court, cases)]


@router.post("/assign", response=AssignResultOut, summary="一键自动分案（按分流与承办负荷）")
def assign_auto(request, payload: CaseIdsIn):
    court = selectors.assigning_court_for(request.user)
    return result_out(assignment.assign_auto(actor=request.user, court=court, case_ids=payload.case_ids, limit=payload.limit))


@router.post("/absences", response={201: AbsenceOut}, summary="登记法官不在岗（期间不再分给其新案）")
def record_absence(request, payload: AbsenceIn):
    court = selectors.assigning_court_for(request.user)
    judge = assignment.judge_of_court(court.pk, payload.user_id)
    row = assignment.absence_record(actor=request.user, user=judge, starts_on=payload.starts_on, ends_on=payload.ends_on,
                                    reason=payload.reason)
    return Status(201, {"id": row.pk, "user_id": row.user_id, "starts_on": row.starts_on, "ends_on": row.ends_on,
                        "reason": row.reason})


@router.post("/reassign", response={200: AssignResultOut, 202: list[ProposalOut]},
             summary="批量改派不在岗法官的在办案件（dry_run：只预览）")
def reassign(request, payload: ReassignIn):
    court = selectors.assigning_court_for(request.user)
    judge = assignment.judge_of_court(court.pk, payload.judge_id)
    if payload.dry_run:
        return Status(202, [proposal_out(p) for p in assignment.reassign_preview(judge=judge)])
    return result_out(assignment.reassign_absent(actor=request.user, judge=judge, reason=payload.reason))


# ---------------------------------------------------------------- transfers between basic courts


@router.get("/transfers", response=list[TransferOut], summary="指定执行（均衡调配）：本院决定、移出或移入的")
def list_transfers(request):
    return [transfer_out(t) for t in selectors.transfers_for(request.user)[:200]]


@router.post("/transfers", response={201: TransferOut}, summary="中院决定指定另一基层法院执行新收案件")
def order_transfer(request, payload: TransferIn):
    case = EnforcementCase.objects.select_related("court__parent").filter(pk=payload.case_id).first()
    visible = visible_court_ids(request.user)
    if case is None or not (
        (visible is None or case.court_id in visible)
        or (case.court.parent and transfers.may_order(request.user, case.court.parent))
    ):
        raise NotFound("案件不存在")
    to_court = Court.objects.filter(pk=payload.to_court_id).first()
    if to_court is None:
        raise NotFound("法院不存在")
    row = transfers.transfer_order(actor=request.user, case=case, to_court=to_court, reason=payload.reason)
    return Status(201, transfer_out(row))


@router.post("/transfers/{int:transfer_id}/register", response=TransferOut, summary="受指定法院立案")
def register_transfer(request, transfer_id: int):
    row = transfers.transfer_get_for(request.user, transfer_id)
    transfers.transfer_register(actor=request.user, transfer=row)
    return transfer_out(transfers.transfer_get_for(request.user, transfer_id))


@router.post("/transfers/{int:transfer_id}/close", response=TransferOut, summary="原执行法院销案")
def close_transfer(request, transfer_id: int):
    row = transfers.transfer_get_for(request.user, transfer_id)
    transfers.transfer_close_original(actor=request.user, transfer=row)
    return transfer_out(transfers.transfer_get_for(request.user, transfer_id))


@router.post("/transfers/{int:transfer_id}/cancel", response=TransferOut, summary="撤回指定执行（受指定法院立案前）")
def cancel_transfer(request, transfer_id: int, payload: ReasonIn):
    row = transfers.transfer_get_for(request.user, transfer_id)
    transfers.transfer_cancel(actor=request.user, transfer=row, reason=payload.reason)
    return transfer_out(transfers.transfer_get_for(request.user, transfer_id))

