"""Generating documents, signing and sealing them, court templates, batches.

Each service is one transaction and writes the case's execution log: who generated which template
version for which case, when, and the file's SHA-256. Files are stored once per hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from importlib import resources

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from jinja2 import Environment, meta

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.choices import LogAction
from zhixing.cases.exceptions import DomainError, FieldError, NotFound, ValidationFailed
from zhixing.cases.log import LogEvent, log_append, log_append_many
from zhixing.cases.models import EnforcementCase
from zhixing.cases.rules import LEADERS, ROUTINE
from zhixing.cases.services import ensure_can_act, ensure_role, lock_case, record_service_node
from zhixing.courts.models import Court

from . import context as ctx
from .fields import known_paths, sample_context
from .models import BatchStatus, DocumentBatch, DocumentFile, DocumentTemplate, GeneratedDocument
from .render import TemplateInvalid, check_template, render_docx, template_source
from .rules import DOCUMENT_KINDS, DocumentKind

GENERATORS = ROUTINE | LEADERS | {Role.COMMAND_CENTRE}
MARKERS = ROUTINE | LEADERS  # sign and seal: the handler signs, the clerk takes it to be sealed
TEMPLATE_ADMINS = LEADERS | {Role.COMMAND_CENTRE}
MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
BATCH_CHUNK = 100
MAX_BATCH_CASES = 5_000


def spec_of(kind: str) -> DocumentKind:
    spec = DOCUMENT_KINDS.get(kind)
    if spec is None:
        raise ValidationFailed([FieldError("kind", f"未知文书 {kind!r}")])
    return spec


# ---------------------------------------------------------------- files and templates


def store_file(blob: bytes) -> DocumentFile:
    sha = hashlib.sha256(blob).hexdigest()
    row = DocumentFile.objects.filter(pk=sha).only("sha256").first()
    if row is None:
        try:
            with transaction.atomic():
                row = DocumentFile.objects.create(sha256=sha, size=len(blob), content=blob)
        except IntegrityError:  # stored meanwhile by another request: the same bytes
            row = DocumentFile.objects.get(pk=sha)
    return row


def store_files(blobs: list[bytes]) -> list[str]:
    """Many files at once (a batch chunk): one query for those already stored, one insert for the rest.
    Returns each blob's SHA-256, in order."""
    shas = [hashlib.sha256(b).hexdigest() for b in blobs]
    have = set(DocumentFile.objects.filter(pk__in=set(shas)).values_list("pk", flat=True))
    new = {sha: b for sha, b in zip(shas, blobs, strict=True) if sha not in have}
    DocumentFile.objects.bulk_create([DocumentFile(sha256=sha, size=len(b), content=b) for sha, b in new.items()],
                                     ignore_conflicts=True)  # stored meanwhile by another job: the same bytes
    return shas


def builtin_blob(kind: str) -> bytes:
    return resources.files("zhixing.documents.builtin").joinpath(DOCUMENT_KINDS[kind].file_name).read_bytes()


def builtin_sync() -> int:
    """Put the shipped templates in the database as built-in versions: a changed file becomes the
    next version, the old one stays (documents made with it point at it). Returns how many were added."""
    latest = {t.kind: t for t in DocumentTemplate.objects.filter(court__isnull=True).order_by("kind", "version")}
    added = 0
    for kind in DOCUMENT_KINDS:
        blob = builtin_blob(kind)
        sha = hashlib.sha256(blob).hexdigest()
        current = latest.get(kind)
        if current is not None and current.file_id == sha:
            continue
        with transaction.atomic():
            file = store_file(blob)
            version = (current.version + 1) if current else 1
            try:
                with transaction.atomic():
                    DocumentTemplate.objects.create(kind=kind, version=version, file=file, file_name=DOCUMENT_KINDS[kind].file_name,
                                                    note="随系统发布", uploaded_at=timezone.now())
            except IntegrityError:  # another process synced it at the same moment
                continue
        added += 1
    return added


_synced = False  # once per process


def template_for(court_id: int, kind: str, template_id: int | None = None) -> DocumentTemplate:
    """The template a court uses for `kind`: the one chosen (its own or built-in, any version), else
    its newest version in use, else the newest built-in one."""
    spec_of(kind)
    templates = DocumentTemplate.objects.filter(kind=kind).select_related("file")
    if template_id is not None:
        chosen = templates.filter(Q(court__isnull=True) | Q(court_id=court_id), pk=template_id).first()
        if chosen is None:
            raise ValidationFailed([FieldError("template", "所选模板不存在或不属于本院")])
        return chosen
    global _synced
    if not _synced:  # a release's changed built-in files become the next version before first use
        builtin_sync()
        _synced = True
    own = templates.filter(court_id=court_id, withdrawn_at__isnull=True).order_by("-version").first()
    if own is not None:
        return own
    builtin = templates.filter(court__isnull=True).order_by("-version").first()
    if builtin is None:
        builtin_sync()
        builtin = templates.filter(court__isnull=True).order_by("-version").first()
    return builtin


_NEEDED: dict[str, frozenset[str]] = {}  # by template file hash: a file's fields never change


def needed_names(sha256: str, blob: bytes) -> frozenset[str]:
    """The top-level fields a template uses (only those are built for it)."""
    if sha256 not in _NEEDED:
        _NEEDED[sha256] = frozenset(meta.find_undeclared_variables(Environment().parse(template_source(blob))))
    return _NEEDED[sha256]


def _template_blob(template: DocumentTemplate) -> bytes:
    return bytes(template.file.content)


def template_upload(*, actor: User, court: Court, kind: str, blob: bytes, file_name: str, note: str = "") -> DocumentTemplate:
    """A court's own version of a template. Refused, with the unknown fields and the known ones, if it
    uses a name the field list does not have; the court's previous versions stay usable."""
    ensure_can_act(actor, court.pk)
    ensure_role(actor, TEMPLATE_ADMINS, "上传文书模板")
    spec = spec_of(kind)
    if len(blob) > MAX_TEMPLATE_BYTES:
        raise ValidationFailed([FieldError("file", f"模板文件超过 {MAX_TEMPLATE_BYTES // 1024 // 1024} MB")])
    try:
        bad = check_template(blob)
    except TemplateInvalid as exc:
        raise ValidationFailed([FieldError("file", str(exc))]) from exc
    if bad:
        known = "、".join(path for path, _ in known_paths())
        raise ValidationFailed(
            [FieldError("file", f"未知字段：{'、'.join(bad)}")] + [FieldError("file", f"可用字段：{known}")],
            message=f"模板含有未知或拼写错误的字段：{'、'.join(bad)}（可用字段见“字段说明”）",
        )
    try:
        render_docx(blob, sample_context())  # a tag that parses but cannot fill (a bad filter) fails here, not on a case
    except TemplateInvalid as exc:
        raise ValidationFailed([FieldError("file", str(exc))]) from exc
    with transaction.atomic():
        Court.objects.select_for_update().get(pk=court.pk)  # serialise version numbers per court
        last = DocumentTemplate.objects.filter(kind=kind, court=court).aggregate(v=Max("version"))["v"] or 0
        return DocumentTemplate.objects.create(
            kind=kind, court=court, version=last + 1, file=store_file(blob), file_name=file_name[:200],
            note=note[:300] or f"{spec.title}（本院版本）", uploaded_by=actor, uploaded_at=timezone.now(),
        )


def template_withdraw(*, actor: User, template: DocumentTemplate) -> DocumentTemplate:
    """Stop using a court version by default (the previous one, or the built-in, is used again); it
    stays in the list and can still be chosen."""
    if template.court_id is None:
        raise DomainError("内置模板不能停用；可上传本院版本替代", code="builtin_template")
    ensure_can_act(actor, template.court_id)
    ensure_role(actor, TEMPLATE_ADMINS, "停用文书模板")
    if template.withdrawn_at is None:
        DocumentTemplate.objects.filter(pk=template.pk).update(withdrawn_at=timezone.now(), withdrawn_by=actor)
        template.refresh_from_db()
    return template


# ---------------------------------------------------------------- one document


def _next_versions(case_ids: list[int], kind: str) -> dict[int, int]:
    rows = GeneratedDocument.objects.filter(case_id__in=case_ids, kind=kind).values("case_id").annotate(v=Max("version"))
    last = {r["case_id"]: r["v"] for r in rows}
    return {pk: last.get(pk, 0) + 1 for pk in case_ids}


def _summary(doc: GeneratedDocument, template: DocumentTemplate) -> str:
    return f"生成{doc.title}第{doc.version}版（{template.owner_label}模板第{template.version}版，SHA-256 {doc.file_id[:12]}…）"


def _after(doc: GeneratedDocument, template: DocumentTemplate) -> dict:
    return {"document": doc.pk, "kind": doc.kind, "version": doc.version, "template": template.pk,
            "template_version": template.version, "sha256": doc.file_id, "extras": doc.extras}


def document_generate(*, actor: User, case: EnforcementCase, kind: str, extras: dict | None = None,
                      template_id: int | None = None) -> GeneratedDocument:
    """Fill a template from the case: a new version of the document each time, logged with its hash."""
    spec = spec_of(kind)
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, GENERATORS, "生成文书")
    cleaned = ctx.clean_extras(spec, extras or {}, case)
    template = template_for(case.court_id, kind, template_id)
    blob = _template_blob(template)
    needed = needed_names(template.file_id, blob)
    with transaction.atomic():
        case = lock_case(case)
        loaded = ctx.load_cases([case.pk], set(needed))[case.pk]
        refusal = ctx.refusal(spec, loaded, cleaned)
        if refusal:
            raise DomainError(refusal, code="document_not_applicable")
        version = _next_versions([case.pk], kind)[case.pk]
        context = ctx.case_context(loaded, spec, needed=set(needed), extras=cleaned, actor=actor, version=version)
        out = render_docx(blob, context)
        doc = GeneratedDocument.objects.create(
            court_id=case.court_id, case=case, kind=kind, version=version, title=spec.title, number=case.case_number,
            template=template, file=store_file(out), extras=cleaned, generated_by=actor, generated_at=timezone.now(),
        )
        log_append(case=case, actor=actor, action=LogAction.DOCUMENT, summary=_summary(doc, template)[:300],
                   after=_after(doc, template))
    return doc


def document_get_for_user(*, user: User, pk: int) -> GeneratedDocument:
    from zhixing.cases.selectors import visible_court_ids

    doc = GeneratedDocument.objects.select_related("case", "template", "generated_by").filter(pk=pk).first()
    court_ids = visible_court_ids(user)
    if doc is None or (court_ids is not None and doc.court_id not in court_ids):
        raise NotFound("文书不存在")
    return doc


def document_mark(*, actor: User, document: GeneratedDocument, signed: bool = False, sealed: bool = False,
                  note: str = "") -> GeneratedDocument:
    """Record the signature and/or the seal on a generated document (a 文书签名用印 node on the case)."""
    ensure_can_act(actor, document.court_id)
    ensure_role(actor, MARKERS, "记录文书签名、用印")
    spec = document.spec
    if not (signed or sealed):
        raise ValidationFailed([FieldError("marks", "请选择签名或用印")])
    if sealed and not spec.needs_seal:
        raise DomainError(f"{spec.title}不加盖院印", code="no_seal")
    with transaction.atomic():
        case = lock_case(document.case)
        doc = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
        now = timezone.now()
        done = []
        if signed and doc.signed_at is None:
            doc.signed_at, doc.signed_by = now, actor
            done.append(spec.signature_label)
        if sealed and doc.sealed_at is None:
            doc.sealed_at, doc.sealed_by = now, actor
            done.append("院印")
        if not done:
            return doc  # already recorded: a retry changes nothing
        doc.save(update_fields=["signed_at", "signed_by", "sealed_at", "sealed_by"])
        what = "、".join(done)
        record_service_node(case=case, node_code="document_marked", occurred_on=timezone.localdate(), actor=actor,
                    note=f"{doc.title}第{doc.version}版：{what}")
        log_append(case=case, actor=actor, action=LogAction.DOCUMENT_MARK, node_code="document_marked",
                   summary=f"{doc.title}第{doc.version}版 已{what}"[:300],
                   after={"document": doc.pk, "signed": doc.signed_at is not None, "sealed": doc.sealed_at is not None},
                   reason=note[:500])
    return doc


def document_pdf(document: GeneratedDocument) -> bytes:
    """The PDF of a document, converted once and kept (raises pdf.PdfUnavailable without LibreOffice)."""
    from . import pdf

    if document.pdf_id:
        return bytes(document.pdf.content)
    out = pdf.docx_to_pdf(bytes(document.file.content))
    GeneratedDocument.objects.filter(pk=document.pk, pdf__isnull=True).update(pdf=store_file(out))
    return out


# ---------------------------------------------------------------- batches


def batch_create(*, actor: User, court: Court, kind: str, case_ids: list[int], selection: str,
                 with_pdf: bool = False, enqueue: bool = True) -> DocumentBatch:
    """Freeze the selection and queue the job (the page polls its progress); enqueue=False for a
    caller that runs it itself (the command line, with its own progress)."""
    from . import tasks

    spec_of(kind)
    ensure_can_act(actor, court.pk)
    ensure_role(actor, GENERATORS, "批量生成文书")
    if not case_ids:
        raise DomainError("所选条件下没有案件", code="empty_selection")
    if len(case_ids) > MAX_BATCH_CASES:
        raise DomainError(f"一次最多批量生成 {MAX_BATCH_CASES} 件（当前 {len(case_ids)} 件），请缩小范围", code="batch_too_large")
    if EnforcementCase.objects.filter(pk__in=case_ids, court=court).count() != len(set(case_ids)):
        raise NotFound("所选案件不存在或不属于本院")
    batch = DocumentBatch.objects.create(
        court=court, kind=kind, selection=selection[:300], case_ids=sorted(set(case_ids)), total=len(set(case_ids)),
        with_pdf=with_pdf, created_by=actor, created_at=timezone.now(),
    )
    if enqueue:
        transaction.on_commit(lambda: tasks.run_batch(batch.pk))
    return batch


def batch_run(batch_id: int) -> DocumentBatch:
    """Make the batch's documents, chunk by chunk (each chunk one transaction under the cases' row
    locks). Rerunning resumes: a case that already has its document from this batch is skipped."""
    from . import pdf

    batch = DocumentBatch.objects.select_related("court", "created_by").get(pk=batch_id)
    if batch.status == BatchStatus.DONE:
        return batch
    DocumentBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, started_at=batch.started_at or timezone.now(), error="")
    spec = spec_of(batch.kind)
    template = template_for(batch.court_id, batch.kind)
    blob = _template_blob(template)
    needed = set(needed_names(template.file_id, blob))
    actor = batch.created_by
    try:
        for start in range(0, len(batch.case_ids), BATCH_CHUNK):
            _batch_chunk(batch, spec, template, blob, needed, actor, batch.case_ids[start:start + BATCH_CHUNK])
        if batch.with_pdf:
            try:
                _batch_pdfs(batch)
            except (pdf.PdfUnavailable, pdf.PdfFailed) as exc:  # the DOCX are made; say why there is no PDF
                DocumentBatch.objects.filter(pk=batch.pk).update(error=str(exc)[:500])
    except Exception as exc:
        DocumentBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED, error=str(exc)[:500],
                                                         finished_at=timezone.now())
        raise
    DocumentBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.DONE, finished_at=timezone.now())
    batch.refresh_from_db()
    return batch


def _batch_chunk(batch, spec, template, blob, needed, actor, case_ids) -> None:
    with transaction.atomic():
        locked = list(EnforcementCase.objects.select_for_update().filter(pk__in=case_ids).order_by("pk").values_list("pk", flat=True))
        made = set(GeneratedDocument.objects.filter(batch=batch, case_id__in=locked).values_list("case_id", flat=True))
        todo = [pk for pk in locked if pk not in made]
        loaded = ctx.load_cases(todo, needed)
        versions = _next_versions(todo, batch.kind)
        skipped = list(batch.skipped)
        already = {s["case_id"] for s in skipped}
        docs, outs, now, today = [], [], timezone.now(), timezone.localdate()
        for pk in todo:
            one = loaded[pk]
            refusal = ctx.refusal(spec, one, {})
            out = None
            if refusal is None:
                try:  # one case's odd data is listed with its reason; it does not stop the batch
                    context = ctx.case_context(one, spec, needed=needed, extras={}, actor=actor, version=versions[pk],
                                               issued_on=today)
                    out = render_docx(blob, context)
                except (DomainError, TemplateInvalid) as exc:
                    refusal = getattr(exc, "message", None) or str(exc)
            if refusal:
                if pk not in already:
                    skipped.append({"case_id": pk, "case": one.case.case_number, "reason": refusal})
                continue
            docs.append(GeneratedDocument(
                court_id=one.case.court_id, case_id=pk, kind=spec.code, version=versions[pk], title=spec.title,
                number=one.case.case_number, template=template, batch=batch, generated_by=actor, generated_at=now,
            ))
            outs.append(out)
        for doc, sha in zip(docs, store_files(outs), strict=True):
            doc.file_id = sha
        GeneratedDocument.objects.bulk_create(docs)
        if docs:
            saved = {d.case_id: d for d in GeneratedDocument.objects.filter(batch=batch, case_id__in=[d.case_id for d in docs])}
            events = {pk: [LogEvent(LogAction.DOCUMENT, _summary(d, template)[:300], after=_after(d, template))]
                      for pk, d in saved.items()}
            log_append_many(events, actor=actor, at=now, reason=f"批量生成：{batch.selection}"[:500])
        done = GeneratedDocument.objects.filter(batch=batch).count()
        DocumentBatch.objects.filter(pk=batch.pk).update(done_count=done, skipped=skipped)
        batch.skipped = skipped


def _batch_pdfs(batch: DocumentBatch) -> None:
    from . import pdf

    docs = list(GeneratedDocument.objects.filter(batch=batch, pdf__isnull=True).select_related("file").order_by("pk"))
    step = pdf.CHUNK_SIZE
    for start in range(0, len(docs), step):
        part = docs[start:start + step]
        outs = pdf.docx_to_pdf_many([bytes(d.file.content) for d in part])
        with transaction.atomic():
            for d, out in zip(part, outs, strict=True):
                GeneratedDocument.objects.filter(pk=d.pk).update(pdf=store_file(out))


def batch_documents(batch: DocumentBatch):
    return (GeneratedDocument.objects.filter(batch=batch).select_related("case", "file", "pdf")
            .order_by("case__case_number"))


def archive_name(doc: GeneratedDocument, ext: str) -> str:
    safe = doc.number.replace("/", "_").replace("\\", "_")
    return f"{safe}_{doc.title}_第{doc.version}版.{ext}"


def selected_case_ids(court: Court, *, filed_from: dt.date, filed_to: dt.date, status: str = "", stage: str = "",
                      team_id: int | None = None) -> list[int]:
    """A batch's cases: the court's cases filed in the range, optionally by status, stage and team
    (the batch page, the API and the command). One more than the limit, so that callers can say it is over."""
    cases = EnforcementCase.objects.filter(court=court, filed_on__gte=filed_from, filed_on__lte=filed_to)
    if status:
        cases = cases.filter(status=status)
    if stage:
        cases = cases.filter(stage=stage)
    if team_id:
        cases = cases.filter(team_id=team_id)
    return list(cases.order_by("pk").values_list("pk", flat=True)[: MAX_BATCH_CASES + 1])


def write_zip(batch: DocumentBatch, target) -> int:
    """The batch's documents (DOCX, and PDF when made) named by case number, and the list of cases it
    could not make, into a zip written to `target`; returns how many documents."""
    count = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for doc in batch_documents(batch):
            archive.writestr(archive_name(doc, "docx"), bytes(doc.file.content))
            if doc.pdf_id:
                archive.writestr(archive_name(doc, "pdf"), bytes(doc.pdf.content))
            count += 1
        if batch.skipped:
            archive.writestr("未生成清单.txt", "\n".join(f"{s['case']}\t{s['reason']}" for s in batch.skipped))
    return count
