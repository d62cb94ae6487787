"""Cases API: thin — authorise, parse, call one service or selector, serialise."""

from __future__ import annotations

import datetime as dt

from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from zhixing.accounts.models import User
from zhixing.courts.models import Team
from zhixing.supervision import services as supervision

from . import imports, selectors, services
from .choices import CaseStatus, Stage
from .exceptions import NotFound
from .inputs import parse_case
from .models import EnforcementCase, Party
from .rules import NODES, NODES_BY_CODE
from .schemas import (
    ArchiveIn,
    AssignIn,
    CaseDetailOut,
    CaseIn,
    CaseListOut,
    CloseIn,
    ImportOut,
    LogEntryOut,
    NodeDefinitionOut,
    NodeIn,
    NodeOut,
    PartyChangeIn,
    PartyOut,
)

router = Router(tags=["执行案件"])

MAX_PAGE_SIZE = 200


class CaseQuery(Schema):
    mine: bool = False
    status: str = ""
    stage: str = ""
    track: str = ""
    team_id: int | None = None
    handler_id: int | None = None
    court_id: int | None = None
    filed_from: dt.date | None = None
    filed_to: dt.date | None = None
    amount_min_fen: int | None = None
    amount_max_fen: int | None = None
    party: str = ""
    case_number: str = ""
    page: int = 1
    page_size: int = 50


def case_out(case: EnforcementCase) -> dict:
    return {
        "id": case.pk,
        "case_number": case.case_number,
        "case_type": case.case_type,
        "court": {"id": case.court_id, "name": case.court.name, "court_code": case.court.court_code},
        "filed_on": case.filed_on,
        "stage": case.stage,
        "stage_label": Stage(case.stage).label,
        "status": case.status,
        "status_label": CaseStatus(case.status).label,
        "track": case.track,
        "team": case.team.name if case.team_id else None,
        "handler": {"id": case.handler_id, "name": case.handler.display_name} if case.handler_id else None,
        "claim_amount_fen": case.claim_amount_fen,
        "performed_amount_fen": case.performed_amount_fen,
        "applicant_names": case.applicant_names,
        "respondent_names": case.respondent_names,
        "closing_type": case.closing_type,
        "closed_on": case.closed_on,
        "close_due": case.close_due,
    }


def node_out(record) -> dict:
    node = NODES_BY_CODE.get(record.node_code)
    return {
        "id": record.pk,
        "node_code": record.node_code,
        "national_code": node.national_code if node else "",
        "name": node.name if node else record.node_code,
        "occurred_on": record.occurred_on,
        "recorded_at": record.recorded_at,
        "recorded_by": record.recorded_by.display_name if record.recorded_by_id else None,
        "note": record.note,
    }


def allowed_node_codes(case: EnforcementCase, user: User) -> list[str]:
    """The nodes `user` may record now: the flow's rules, and on a locked case (程序锁死) only the remedy."""
    if user.is_read_only:
        return []
    recorded = services.recorded_nodes(case)
    lock = supervision.active_lock(case.pk)
    return [
        n.code for n in NODES
        if services.node_refusal(case, n, user, recorded) is None and (lock is None or supervision.lock_allows(lock, n.code))
    ]


def case_detail_out(user: User, case_id: int) -> dict:
    detail = selectors.case_detail(user=user, pk=case_id)
    case = detail["case"]
    basis = getattr(case, "basis", None)
    return {
        **case_out(case),
        "basis": basis,
        "parties": detail["parties"],
        "claims": detail["claims"],
        "nodes": [node_out(r) for r in detail["nodes"]],
        "assign_due": case.assign_due,
        "notice_due": case.notice_due,
        "archive_due": case.archive_due,
        "allowed_nodes": allowed_node_codes(case, user),
    }


@router.get("", response=CaseListOut, summary="案件列表（工作台）")
def list_cases(request, q: Query[CaseQuery]):
    filters = selectors.CaseFilter(**q.dict(exclude={"page", "page_size"}))
    page_size = max(1, min(q.page_size, MAX_PAGE_SIZE))
    page = selectors.worklist_page(user=request.user, filters=filters, number=q.page, page_size=page_size, clamp=False)
    return {"count": page.paginator.count, "page": page.number, "page_size": page_size,
            "results": [case_out(c) for c in page.object_list]}


@router.post("", response={201: CaseDetailOut}, summary="立案")
def register_case(request, payload: CaseIn):
    data = parse_case(payload.dict())
    case = services.case_register(actor=request.user, data=data, source="api")
    body = case_detail_out(request.user, case.pk)
    body["warnings"] = data.warnings
    return Status(201, body)


@router.post("/import", response={200: ImportOut, 201: ImportOut}, summary="批量导入（CSV/XLSX，全部成功或全部不导入）")
def import_cases(request, file: File[UploadedFile]):
    result = imports.cases_import(actor=request.user, file_name=file.name, content=file.read())
    body = {
        "created": result.created,
        "already_imported": result.already_imported,
        "message": result.message,
        "case_numbers": result.case_numbers,
    }
    return Status(200 if result.already_imported else 201, body)


@router.get("/nodes", response=list[NodeDefinitionOut], summary="流程节点目录")
def node_catalogue(request):
    return [
        {"code": n.code, "national_code": n.national_code, "name": n.name, "stage": n.stage,
         "roles": sorted(n.roles), "requires": list(n.requires), "citation": n.citation}
        for n in NODES
    ]


@router.get("/{case_id}", response=CaseDetailOut, summary="案件详情")
def get_case(request, case_id: int):
    return case_detail_out(request.user, case_id)


@router.get("/{case_id}/log", response=list[LogEntryOut], summary="执行日志")
def case_log(request, case_id: int):
    case = selectors.case_get_for_user(user=request.user, pk=case_id)
    return list(case.log_entries.order_by("seq"))


@router.post("/{case_id}/nodes", response={201: NodeOut}, summary="记录流程节点")
def record_node(request, case_id: int, payload: NodeIn):
    case = selectors.case_get_for_user(user=request.user, pk=case_id)
    record = services.node_record(
        actor=request.user, case=case, node_code=payload.node_code, occurred_on=payload.occurred_on, note=payload.note
    )
    return Status(201, node_out(record))


@router.post("/{case_id}/assign", response=CaseDetailOut, summary="分案")
def assign_case(request, case_id: int, payload: AssignIn):
    case = selectors.case_get_for_user(user=request.user, pk=case_id)
    handler = User.objects.filter(pk=payload.handler_id, court_id=case.court_id, is_active=True).first()
    if handler is None:
        raise NotFound("承办人不存在或不属于本院")
    team = Team.objects.filter(pk=payload.team_id, court_id=case.court_id).first() if payload.team_id else None
    if payload.team_id and team is None:
        raise NotFound("团队不存在或不属于本院")
    services.case_assign(actor=request.user, case=case, handler=handler, team=team, reason=payload.reason)
    return case_detail_out(request.user, case_id)


@router.patch("/{case_id}/parties/{party_id}", response=PartyOut, summary="修改当事人信息（留痕）")
def change_party(request, case_id: int, party_id: int, payload: PartyChangeIn):
    case = selectors.case_get_for_user(user=request.user, pk=case_id)
    party = Party.objects.filter(pk=party_id, case=case).first()
    if party is None:
        raise NotFound("当事人不存在")
    changes = payload.dict(exclude={"reason"}, exclude_none=True)
    return services.party_update(actor=request.user, party=party, changes=changes, reason=payload.reason)


@router.post("/{case_id}/close", response=CaseDetailOut, summary="结案")
def close_case(request, case_id: int, payload: CloseIn):
    case = selectors.case_get_for_user(user=request.user, pk=case_id)
    services.case_close(
        actor=request.user, case=case, closing_type=payload.closing_type,
        performed_amount_fen=payload.performed_amount_fen, closed_on=payload.closed_on, reason=payload.reason,
    )
    return case_detail_out(request.user, case_id)


@router.post("/{case_id}/archive", response=CaseDetailOut, summary="归档")
def archive_case(request, case_id: int, payload: ArchiveIn):
    case = selectors.case_get_for_user(user=request.user, pk=case_id)
    services.case_archive(actor=request.user, case=case, archived_on=payload.archived_on, reason=payload.reason)
    return case_detail_out(request.user, case_id)
