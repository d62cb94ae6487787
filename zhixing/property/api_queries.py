"""集约查控 API (registered by the lead under /api/v1/property): thin — authorise, parse, call one
service or selector, serialise. Domain errors are mapped once, in zhixing/api.py."""

from __future__ import annotations

import datetime as dt

from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from zhixing.cases.selectors import case_get_for_user

from . import checklist, queries, replies
from .models import QueryBatch

router = Router(tags=["财产查控"])
MAX_PAGE_SIZE = 200


class BatchSendIn(Schema):
    case_ids: list[int]
    item_codes: list[str]


class BatchOut(Schema):
    id: int
    number: str
    agency_kind: str
    agency_name: str
    item_code: str
    created_at: dt.datetime
    requests: int
    replied: int
    request_file: str


class SkippedOut(Schema):
    case_id: int
    case_number: str
    party_name: str
    reason: str


class BatchSendOut(Schema):
    message: str
    cases: int
    queries: int
    batches: list[BatchOut]
    skipped: list[SkippedOut]


class BatchListOut(Schema):
    count: int
    items: list[BatchOut]


class ChecklistItemOut(Schema):
    item_code: str
    name: str
    group: str
    state: str
    state_label: str
    sent_on: dt.date | None
    replied_on: dt.date | None
    note: str
    query_id: int | None


class RespondentChecklistOut(Schema):
    party_id: int
    name: str
    items: list[ChecklistItemOut]


class ChecklistOut(Schema):
    case_id: int
    summary: str
    five_done: int
    five_total: int
    respondents: list[RespondentChecklistOut]


class ReplyImportOut(Schema):
    already_imported: bool
    message: str
    rows: int
    queries_answered: int
    unchanged: int
    assets_found: int
    assets_created: int
    cases: int
    locked_cases: list[str]


def batch_out(batch: QueryBatch) -> dict:
    return {"id": batch.pk, "number": batch.number, "agency_kind": batch.agency_kind,
            "agency_name": queries.agency_name(batch.agency_kind), "item_code": batch.item_code,
            "created_at": batch.created_at, "requests": batch.requests, "replied": batch.replied,
            "request_file": batch.request_file}


@router.post("/batches", response={201: BatchSendOut}, summary="集约查控：发送查询")
def send_batches(request, payload: BatchSendIn):
    result = queries.batch_send(actor=request.user, cases=payload.case_ids, item_codes=payload.item_codes)
    return Status(201, {
        "message": result.message, "cases": result.cases, "queries": result.queries,
        "batches": [batch_out(b) for b in result.batches],
        "skipped": [{"case_id": s.case_id, "case_number": s.case_number, "party_name": s.party_name, "reason": s.reason}
                    for s in result.skipped],
    })


@router.get("/batches", response=BatchListOut, summary="查控批次列表")
def list_batches(request, page: int = 1, page_size: int = 50):
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    batches = queries.batches_for_user(request.user)
    start = (max(page, 1) - 1) * page_size
    return {"count": batches.count(), "items": [batch_out(b) for b in batches[start : start + page_size]]}


@router.get("/cases/{case_id}/checklist", response=ChecklistOut, summary="案件的财产查控清单（5+X+Y）")
def case_checklist(request, case_id: int):
    case = case_get_for_user(user=request.user, pk=case_id)
    sheet = checklist.case_checklist(case)
    return {
        "case_id": case.pk, "summary": sheet.summary, "five_done": sheet.five_done, "five_total": sheet.five_total,
        "respondents": [
            {"party_id": r.party.pk, "name": r.party.name, "items": [
                {"item_code": row.item.code, "name": row.item.name, "group": row.item.group, "state": row.state,
                 "state_label": row.state_label, "sent_on": row.sent_on, "replied_on": row.replied_on,
                 "note": row.note, "query_id": row.query_id}
                for row in r.rows]}
            for r in sheet.respondents
        ],
    }


@router.post("/replies", response={200: ReplyImportOut}, summary="导入查控反馈文件（CSV 或 XLSX）")
def import_replies(request, file: File[UploadedFile]):
    result = replies.reply_import(actor=request.user, file_name=file.name, content=file.read())
    return {"already_imported": result.already_imported, "message": result.message, "rows": result.rows,
            "queries_answered": result.queries_answered, "unchanged": result.unchanged,
            "assets_found": result.assets_found, "assets_created": result.assets_created, "cases": result.cases,
            "locked_cases": result.locked_cases}
