"""/api/v1/documents: the document set, generating and downloading, signing and sealing, court
templates and batches — thin: authorise, parse, call one service, serialise."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from zhixing.cases import selectors as case_selectors
from zhixing.cases.exceptions import DomainError, FieldError, NotAllowed, NotFound, ValidationFailed

from . import pdf, services
from .fields import known_paths
from .models import DocumentBatch, GeneratedDocument
from .rules import DOCUMENT_KINDS

router = Router(tags=["执行文书"])
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class PdfUnavailableError(DomainError):
    """No PDF here (LibreOffice missing or failed): 503, as the page says; the DOCX is still there."""

    code = "pdf_unavailable"
    http_status = 503


class ExtraOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    help: str


class KindOut(Schema):
    code: str
    title: str
    group: str
    citation: str
    needs_seal: bool
    needs_signature: bool
    signature_label: str
    extras: list[ExtraOut]


class FieldOut(Schema):
    path: str
    label: str


class GenerateIn(Schema):
    kind: str
    extras: dict = {}
    template_id: int | None = None


class DocumentOut(Schema):
    id: int
    case_id: int
    case_number: str
    kind: str
    title: str
    version: int
    number: str
    template_id: int
    template_version: int
    template_owner: str
    sha256: str
    extras: dict
    generated_by: str
    generated_at: dt.datetime
    signed_at: dt.datetime | None
    sealed_at: dt.datetime | None
    missing_marks: list[str]
    batch_id: int | None


class MarkIn(Schema):
    signed: bool = False
    sealed: bool = False
    note: str = ""


class TemplateOut(Schema):
    id: int
    kind: str
    court_id: int | None
    version: int
    file_name: str
    sha256: str
    note: str
    uploaded_at: dt.datetime
    withdrawn_at: dt.datetime | None


class BatchIn(Schema):
    kind: str
    case_ids: list[int] | None = None
    filed_on: dt.date | None = None  # instead of case_ids: every case of the court filed that day
    with_pdf: bool = False


class BatchOut(Schema):
    id: int
    kind: str
    selection: str
    status: str
    total: int
    done_count: int
    percent: int
    skipped: list[dict]
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


def document_out(d: GeneratedDocument) -> dict:
    return {
        "id": d.pk, "case_id": d.case_id, "case_number": d.case.case_number, "kind": d.kind, "title": d.title,
        "version": d.version, "number": d.number, "template_id": d.template_id, "template_version": d.template.version,
        "template_owner": d.template.owner_label, "sha256": d.file_id, "extras": d.extras,
        "generated_by": d.generated_by.display_name, "generated_at": d.generated_at, "signed_at": d.signed_at,
        "sealed_at": d.sealed_at, "missing_marks": d.missing_marks, "batch_id": d.batch_id,
    }


def template_out(t) -> dict:
    return {"id": t.pk, "kind": t.kind, "court_id": t.court_id, "version": t.version, "file_name": t.file_name,
            "sha256": t.file_id, "note": t.note, "uploaded_at": t.uploaded_at, "withdrawn_at": t.withdrawn_at}


def batch_out(b: DocumentBatch) -> dict:
    return {"id": b.pk, "kind": b.kind, "selection": b.selection, "status": b.status, "total": b.total,
            "done_count": b.done_count, "percent": b.percent, "skipped": b.skipped, "error": b.error,
            "created_at": b.created_at, "finished_at": b.finished_at}


@router.get("/kinds", response=list[KindOut], summary="文书种类（含须填写的内容与法律依据）")
def kinds(request):
    return [{**k.__dict__, "extras": [e.__dict__ for e in k.extras]} for k in DOCUMENT_KINDS.values()]


@router.get("/fields", response=list[FieldOut], summary="模板可用字段")
def fields(request):
    return [{"path": path, "label": label} for path, label in known_paths()]


@router.get("/cases/{int:case_id}/documents", response=list[DocumentOut], summary="案件已生成的文书")
def list_documents(request, case_id: int):
    case = case_selectors.case_get_for_user(user=request.user, pk=case_id)
    docs = GeneratedDocument.objects.filter(case=case).select_related("case", "template", "template__court", "generated_by")
    return [document_out(d) for d in docs.order_by("kind", "-version")]


@router.post("/cases/{int:case_id}/documents", response={201: DocumentOut}, summary="由案件生成文书（DOCX）")
def generate(request, case_id: int, payload: GenerateIn):
    case = case_selectors.case_get_for_user(user=request.user, pk=case_id)
    doc = services.document_generate(actor=request.user, case=case, kind=payload.kind, extras=payload.extras,
                                     template_id=payload.template_id)
    return Status(201, document_out(doc))


@router.get("/{int:document_id}", response=DocumentOut, summary="文书记录")
def get_document(request, document_id: int):
    return document_out(services.document_get_for_user(user=request.user, pk=document_id))


def _file(request, document_id: int, fmt: str) -> HttpResponse:
    doc = services.document_get_for_user(user=request.user, pk=document_id)
    if fmt == "pdf":
        try:
            content, ctype = services.document_pdf(doc), "application/pdf"
        except (pdf.PdfUnavailable, pdf.PdfFailed) as exc:
            raise PdfUnavailableError(str(exc)) from exc
    else:
        content, ctype = bytes(doc.file.content), DOCX_TYPE
    case_selectors.log_case_view(user=request.user, case=doc.case, kind="api_document_view")
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(services.archive_name(doc, fmt))}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@router.get("/{int:document_id}/docx", summary="下载 DOCX", response={200: None})
def download_docx(request, document_id: int):
    return _file(request, document_id, "docx")


@router.get("/{int:document_id}/pdf", summary="下载 PDF（需安装 LibreOffice）", response={200: None})
def download_pdf(request, document_id: int):
    return _file(request, document_id, "pdf")


@router.post("/{int:document_id}/marks", response=DocumentOut, summary="记录签名、用印")
def mark(request, document_id: int, payload: MarkIn):
    doc = services.document_get_for_user(user=request.user, pk=document_id)
    doc = services.document_mark(actor=request.user, document=doc, signed=payload.signed, sealed=payload.sealed,
                                 note=payload.note)
    return document_out(GeneratedDocument.objects.select_related("case", "template", "template__court", "generated_by")
                        .get(pk=doc.pk))


@router.post("/templates", response={201: TemplateOut}, summary="上传本院模板（.docx；未知字段将被拒绝）")
def upload_template(request, kind: Form[str], file: File[UploadedFile], note: Form[str] = ""):
    if request.user.court_id is None:
        raise NotAllowed("只有法院工作人员可以上传本院模板")
    if (file.size or 0) > services.MAX_TEMPLATE_BYTES:  # refused before it is read into memory
        raise ValidationFailed([FieldError("file", f"模板文件超过 {services.MAX_TEMPLATE_BYTES // 1024 // 1024} MB")])
    template = services.template_upload(actor=request.user, court=request.user.court, kind=kind, blob=file.read(),
                                        file_name=file.name or "template.docx", note=note)
    return Status(201, template_out(template))


@router.post("/batches", response={201: BatchOut}, summary="批量生成（后台任务；查询进度）")
def create_batch(request, payload: BatchIn):
    if request.user.court_id is None:
        raise NotAllowed("只有法院工作人员可以批量生成文书")
    court = request.user.court
    if payload.case_ids is not None:
        case_ids, selection = payload.case_ids, f"指定案件 {len(payload.case_ids)} 件"
    else:
        day = payload.filed_on or timezone.localdate()
        case_ids, selection = services.selected_case_ids(court, filed_from=day, filed_to=day), f"{day:%Y-%m-%d} 立案"
    batch = services.batch_create(actor=request.user, court=court, kind=payload.kind, case_ids=case_ids,
                                  selection=selection, with_pdf=payload.with_pdf)
    return Status(201, batch_out(batch))


@router.get("/batches/{int:batch_id}", response=BatchOut, summary="批量任务进度")
def get_batch(request, batch_id: int):
    batch = DocumentBatch.objects.filter(pk=batch_id).first()
    if batch is None or (batch.court_id != request.user.court_id and not request.user.is_superuser):
        raise NotFound("批量任务不存在")
    return batch_out(batch)
