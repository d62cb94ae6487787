"""Pages of the documents app: a case's documents (generate, preview, download, sign and seal), the
court's templates (upload, versions, the field list) and batches (progress, zip download)."""

from __future__ import annotations

import io
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.cases import selectors as case_selectors
from zhixing.cases.exceptions import DomainError, NotFound
from zhixing.cases.models import DataAccessLog, EnforcementCase
from zhixing.cases.pages import visible_case
from zhixing.cases.services import ensure_role
from zhixing.pages import is_htmx, run_service

from . import context as ctx
from . import pdf, services
from .fields import known_paths
from .forms import BatchForm, GenerateForm, MarkForm, TemplateUploadForm
from .models import DocumentBatch, DocumentTemplate, GeneratedDocument
from .preview import docx_to_html
from .rules import DOCUMENT_KINDS

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PAGE_SIZE = 30


def _document(request: HttpRequest, pk: int) -> GeneratedDocument:
    try:
        return services.document_get_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def case_summary(case: EnforcementCase) -> dict:
    """One line for the case page: how many documents, how many still lack a seal or signature."""
    docs = list(GeneratedDocument.objects.filter(case=case).only("kind", "signed_at", "sealed_at"))
    return {"count": len(docs), "missing": sum(1 for d in docs if d.missing_marks)}


def _kinds_for(case: EnforcementCase) -> list[dict]:
    """Every document kind with why it cannot be made for this case now (None if it can)."""
    loaded = ctx.load_cases([case.pk], {"measures"})[case.pk]
    rows = []
    for spec in DOCUMENT_KINDS.values():
        typed = {e.name: 1 for e in spec.extras if e.kind == "money"}  # sums typed into the form: assume some
        reason = ctx.refusal(spec, loaded, typed)
        if reason and reason.startswith("须填写"):
            reason = None  # typed into the form
        rows.append({"spec": spec, "reason": reason})
    return rows


def _may(user, case: EnforcementCase, roles) -> bool:
    return user.is_superuser or (not user.is_read_only and user.court_id == case.court_id and user.role in roles)


def _case_page(request, case, *, form: GenerateForm | None = None, status: int = 200) -> HttpResponse:
    docs = list(GeneratedDocument.objects.filter(case=case).select_related("template", "template__court", "generated_by",
                                                                            "signed_by", "sealed_by").order_by("kind", "-version"))
    context = {
        "case": case, "documents": docs, "kinds": _kinds_for(case),
        "form": form or GenerateForm(case=case, kind=request.GET.get("kind")),
        # the forms only for those the services let through (a supervisor or a bailiff just reads)
        "can_generate": _may(request.user, case, services.GENERATORS),
        "can_mark": _may(request.user, case, services.MARKERS),
        "pdf_available": pdf.pdf_available(),
    }
    if is_htmx(request) and form is not None:
        return render(request, "documents/_generate.html", context, status=status)
    return render(request, "documents/case.html", context, status=status)


@login_required
@require_GET
def case_documents(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, visible_case(request, pk))


@login_required
@require_GET
def generate_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The generate form for the chosen kind (htmx swaps it when the kind changes)."""
    case = visible_case(request, pk)
    form = GenerateForm(case=case, kind=request.GET.get("kind"))
    return render(request, "documents/_generate.html", {"case": case, "form": form, "kinds": _kinds_for(case)})


@login_required
@require_POST
def generate(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, acting=True)
    form = GenerateForm(request.POST, case=case)
    status = 422
    if form.is_valid():
        doc, status = run_service(form, lambda: services.document_generate(
            actor=request.user, case=case, kind=form.spec.code, extras=form.extras(),
            template_id=form.cleaned_data.get("template")))
        if doc is not None:
            messages.success(request, f"已生成{doc.title}第{doc.version}版")
            url = reverse("documents:case", args=[case.pk]) + f"#document-{doc.pk}"
            if is_htmx(request):
                return _hx_redirect(url)
            return redirect(url)
    return _case_page(request, case, form=form, status=status)


def _hx_redirect(url: str) -> HttpResponse:
    # The page redirects to itself plus #document-N: setting location.href alone is a same-page
    # jump that would not reload, so the new row would not show. HX-Refresh reloads after it.
    return HttpResponse(headers={"HX-Redirect": url, "HX-Refresh": "true"})


def _log_view(request, doc: GeneratedDocument) -> None:
    # A document carries ID numbers and addresses: opening it is a personal-data lookup.
    case_selectors.log_case_view(user=request.user, case=doc.case, kind="document_view")


@login_required
@require_GET
def download_docx(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    _log_view(request, doc)
    return FileResponse(io.BytesIO(bytes(doc.file.content)), as_attachment=True,
                        filename=services.archive_name(doc, "docx"), content_type=DOCX_TYPE)


@login_required
@require_GET
@xframe_options_sameorigin  # the preview page shows it in an iframe (the site default is DENY)
def download_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    try:
        out = services.document_pdf(doc)
    except (pdf.PdfUnavailable, pdf.PdfFailed) as exc:
        return render(request, "documents/pdf_unavailable.html", {"document": doc, "message": str(exc)}, status=503)
    _log_view(request, doc)
    inline = request.GET.get("inline") == "1"
    return FileResponse(io.BytesIO(out), as_attachment=not inline, filename=services.archive_name(doc, "pdf"),
                        content_type="application/pdf")


@login_required
@require_GET
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF in the page when LibreOffice is installed, else the document's text and tables as HTML."""
    doc = _document(request, pk)
    _log_view(request, doc)
    use_pdf = pdf.pdf_available() and request.GET.get("html") != "1"
    html = "" if use_pdf else docx_to_html(bytes(doc.file.content))
    return render(request, "documents/preview.html", {"document": doc, "use_pdf": use_pdf, "html": html})


@login_required
@require_POST
def mark(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    if request.user.is_read_only:
        raise PermissionDenied("上级法院监督角色只能查看，不能办理")
    form = MarkForm(request.POST)
    if form.is_valid():
        done, _ = run_service(form, lambda: services.document_mark(
            actor=request.user, document=doc, signed=form.cleaned_data["signed"], sealed=form.cleaned_data["sealed"],
            note=form.cleaned_data["note"]))
        if done is not None:
            messages.success(request, f"已记录{doc.title}第{doc.version}版的签名、用印")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    url = reverse("documents:case", args=[doc.case_id]) + f"#document-{doc.pk}"
    if is_htmx(request):
        return _hx_redirect(url)
    return redirect(url)


# ---------------------------------------------------------------- templates


def _court_of(request: HttpRequest):
    if request.user.court_id is None:
        raise PermissionDenied("只有法院工作人员可以管理本院模板")
    return request.user.court


@login_required
@require_http_methods(["GET", "POST"])
def templates(request: HttpRequest) -> HttpResponse:
    """Every kind: the template in use, the court's versions and the built-in ones, an upload form."""
    court = _court_of(request)
    can_manage = request.user.is_superuser or request.user.role in services.TEMPLATE_ADMINS
    form = TemplateUploadForm(initial={"kind": request.GET.get("kind", "")})
    status, refusal = 200, ""
    if request.method == "POST" and not can_manage:
        # Say why (the upload form is not shown to them) rather than complain about the file.
        try:
            ensure_role(request.user, services.TEMPLATE_ADMINS, "上传文书模板")
        except DomainError as exc:
            refusal, status = exc.message, exc.http_status
    elif request.method == "POST":
        form = TemplateUploadForm(request.POST, request.FILES)
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            done, status = run_service(form, lambda: services.template_upload(
                actor=request.user, court=court, kind=form.cleaned_data["kind"], blob=upload.read(),
                file_name=upload.name, note=form.cleaned_data["note"]))
            if done is not None:
                messages.success(request, f"已上传{done.title}本院第{done.version}版，此后生成该文书默认使用此版本")
                return redirect(reverse("documents:templates") + f"#kind-{done.kind}")
    services.builtin_sync()
    rows = DocumentTemplate.objects.filter(Q(court__isnull=True) | Q(court=court)).select_related("uploaded_by", "court")
    by_kind: dict[str, list] = {}
    for t in rows.order_by("kind", "court_id", "-version"):
        by_kind.setdefault(t.kind, []).append(t)
    kinds = []
    for spec in DOCUMENT_KINDS.values():
        versions = by_kind.get(spec.code, [])
        in_use = next((t for t in versions if t.court_id and not t.withdrawn_at), None) or next(
            (t for t in versions if t.court_id is None), None)
        kinds.append({"spec": spec, "versions": versions, "in_use": in_use})
    return render(request, "documents/templates.html", {
        "kinds": kinds, "form": form, "fields": known_paths(), "can_manage": can_manage, "refusal": refusal,
    }, status=status)


def _template(request: HttpRequest, pk: int) -> DocumentTemplate:
    template = DocumentTemplate.objects.select_related("file").filter(pk=pk).first()
    if template is None or (template.court_id and template.court_id != request.user.court_id and not request.user.is_superuser):
        raise Http404("模板不存在")
    return template


@login_required
@require_GET
def template_download(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template(request, pk)
    name = f"{template.title}_{template.owner_label}第{template.version}版.docx"
    return FileResponse(io.BytesIO(bytes(template.file.content)), as_attachment=True, filename=name, content_type=DOCX_TYPE)


@login_required
@require_POST
def template_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template(request, pk)
    try:
        services.template_withdraw(actor=request.user, template=template)
        messages.success(request, f"已停用{template.title}本院第{template.version}版")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("documents:templates") + f"#kind-{template.kind}")


# ---------------------------------------------------------------- batches


@login_required
@require_http_methods(["GET", "POST"])
def batches(request: HttpRequest) -> HttpResponse:
    """Start a batch (notices for every case filed today, by default) and see the court's batches."""
    court = _court_of(request)
    if request.method == "POST" and request.user.is_read_only:
        raise PermissionDenied("上级法院监督角色只能查看，不能办理")
    today = timezone.localdate()
    form = BatchForm(court_id=court.pk, initial={"filed_from": today, "filed_to": today, "status": "open"})
    status, count, changed = 200, None, False
    if request.method == "POST":
        form = BatchForm(request.POST, court_id=court.pk)
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            case_ids = services.selected_case_ids(court, filed_from=d["filed_from"], filed_to=d["filed_to"],
                                                  status=d["status"], stage=d["stage"],
                                                  team_id=d["team"].pk if d["team"] else None)
            count = len(case_ids)
            confirmed = request.POST.get("confirm") == "1"
            # Start only what was counted: a filter edited after counting (Enter in a date field presses
            # the first button, 开始生成) or cases filed meanwhile are counted again, not generated.
            if confirmed and request.POST.get("counted") == str(count):
                batch, status = run_service(form, lambda: services.batch_create(
                    actor=request.user, court=court, kind=form.cleaned_data["kind"], case_ids=case_ids,
                    selection=form.describe(), with_pdf=form.cleaned_data["with_pdf"]))
                if batch is not None:
                    return redirect("documents:batch", pk=batch.pk)
            else:
                status, changed = 200, confirmed
    page = Paginator(DocumentBatch.objects.filter(court=court).select_related("created_by"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "documents/batches.html", {"form": form, "count": count, "changed": changed, "page": page,
                                                      "max_cases": services.MAX_BATCH_CASES}, status=status)


def _batch(request: HttpRequest, pk: int) -> DocumentBatch:
    batch = DocumentBatch.objects.select_related("created_by").filter(pk=pk).first()
    if batch is None or (batch.court_id != request.user.court_id and not request.user.is_superuser):
        raise Http404("批量任务不存在")
    return batch


@login_required
@require_GET
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    template = "documents/_batch_progress.html" if is_htmx(request) else "documents/batch.html"
    return render(request, template, {"batch": batch})


@login_required
@require_GET
def batch_zip(request: HttpRequest, pk: int) -> HttpResponse:
    """Every document of the batch in one zip (DOCX, and PDF when made), named by case number."""
    batch = _batch(request, pk)
    if not batch.done_count:
        raise Http404("该批次尚未生成文书")
    spool = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)
    count = services.write_zip(batch, spool)
    spool.seek(0)
    DataAccessLog.objects.create(user=request.user, court_id=batch.court_id, kind="document_batch_zip",
                                  query=f"批次{batch.pk}")  # kind: at most 20 characters
    name = f"{batch.get_kind_display()}_{timezone.localtime(batch.created_at):%Y%m%d%H%M}_{count}件.zip"
    return FileResponse(spool, as_attachment=True, filename=name, content_type="application/zip")
