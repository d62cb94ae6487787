"""Closing pages: the 终本 panel of the case page, the second investigation, the 终本 pool and restoration
proposals, the sample review, 执转破 and the archive worklist. Thin: authorise, parse with a form, call
one service or selector, render; a refusal goes back onto its form with its status."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhixing.accounts.models import User
from zhixing.cases.choices import ClosingType
from zhixing.cases.exceptions import NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.cases.selectors import case_get_for_user, visible_court_ids
from zhixing.courts.models import Court
from zhixing.pages import is_htmx, run_service

from . import (
    archiving,
    bankruptcy,
    checks,
    forms,
    investigation,
    pool,
    restoration,
    review,
    selectors,
    services,
)
from .choices import OPEN_PROPOSAL_STATUSES, ProposalStatus, TransferStatus, Verdict
from .models import PoolEntry, RestorationProposal, TransferCase, TransferDocument
from .rules import (
    CONDITIONS_BY_CODE,
    DEFAULT_THRESHOLDS,
    EXPLANATION_ROLES,
    FINDING_ROLES,
    PASS_RATE_CITATION,
    POOL_ROLES,
    POOL_SCHEDULE,
    RESTORATION_LIMIT,
    RESTORATION_ROLES,
    REVIEW_ROLES,
    SECOND_INVESTIGATION,
    TRANSFER_ROLES,
    ZHONGBEN_RULES,
)

PAGE_SIZE = 50
READ_ONLY = "上级法院监督角色只能查看，不能办理"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _staff(user: User, court_id: int, roles) -> bool:
    return not user.is_read_only and (user.is_superuser or (user.court_id == court_id and user.role in roles))


def _found(call: Callable):
    try:
        return call()
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _writer(request: HttpRequest) -> None:
    if request.user.is_read_only:
        raise PermissionDenied(READ_ONLY)


def _page(request: HttpRequest, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _done(request: HttpRequest, url: str, message: str) -> HttpResponse:
    messages.success(request, message)
    if is_htmx(request):
        return HttpResponse(headers={"HX-Redirect": url})
    return redirect(url)


# ---------------------------------------------------------------- the case page panel


def case_panel(user: User, case: EnforcementCase, bound: dict) -> dict:
    """What the case page shows of closing (cases.views.render_detail): the 终本 conditions of an open or
    终本 case, findings, the pool and restoration, 执转破, and whether a closed case may be archived."""
    zhongben = case.closing_type == ClosingType.TERMINATE_CURRENT
    panel: dict = {"case": case, "forms": {}}
    if case.is_open or zhongben:
        panel["check"] = checks.zhongben_check(case, case.closed_on if zhongben else None)
    acting = not user.is_read_only and (user.is_superuser or user.court_id == case.court_id)
    if acting and case.is_open and (user.is_superuser or user.role in FINDING_ROLES):
        panel["forms"]["finding"] = bound.get("closing_finding") or forms.FindingForm()
        latest = panel["check"].facts.findings  # the latest finding per condition, read with the check
        failed = bound.get("closing_withdraw")
        panel["forms"]["withdraw"] = [
            (f, CONDITIONS_BY_CODE[f.condition].title,
             failed if failed is not None and failed.data.get("withdraw-condition") == f.condition
             else forms.FindingWithdrawForm(initial={"condition": f.condition}))
            for f in latest.values() if not f.withdrawn and f.condition in CONDITIONS_BY_CODE]
    if zhongben:
        panel["pool"] = PoolEntry.objects.filter(case_id=case.pk).first()
        panel["proposals"] = list(case.restoration_proposals.select_related("restored_case").order_by("-detected_on", "-id")[:20])
        if acting and (user.is_superuser or user.role in RESTORATION_ROLES | {"clerk"}):
            panel["forms"]["proposal"] = bound.get("closing_proposal") or forms.ProposalForm()
    panel["origin"] = case.origin_case if case.origin_case_id else None
    panel["restored"] = list(case.restored_cases.order_by("filed_on", "id"))
    panel["transfers"] = [m.transfer for m in TransferCase.objects.filter(case_id=case.pk).select_related("transfer")]
    if case.status == "closed":
        readiness = archiving.archive_readiness(case)
        panel["archive"] = readiness
        if acting and not readiness.money_ok and readiness.balance_fen and (user.is_superuser or user.role in EXPLANATION_ROLES):
            panel["forms"]["explain"] = bound.get("closing_explain") or forms.ExplanationForm()
    return panel


def _case_action(request: HttpRequest, pk: int) -> EnforcementCase:
    _writer(request)
    return _found(lambda: case_get_for_user(user=request.user, pk=pk))


def _on_case(request: HttpRequest, pk: int, form_class, name: str, call, message) -> HttpResponse:
    from zhixing.cases.views import render_detail

    case = _case_action(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        done, status = run_service(form, lambda: call(case, form.cleaned_data))
        if done is not None:
            return _done(request, reverse("cases:detail", args=[case.pk]) + "#closing", message(done))
    else:
        status = 422
    return render_detail(request, case.pk, bound={name: form}, status=status)


@login_required
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_case(request, pk, forms.FindingForm, "closing_finding",
                    lambda case, d: services.finding_record(actor=request.user, case=case, condition=d["condition"], text=d["text"]),
                    lambda f: "已记录终本条件认定")


@login_required
@require_POST
def finding_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_case(request, pk, forms.FindingWithdrawForm, "closing_withdraw",
                    lambda case, d: services.finding_withdraw(actor=request.user, case=case, condition=d["condition"],
                                                              reason=d["reason"]),
                    lambda f: "已撤回认定")


@login_required
@require_POST
def proposal_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_case(request, pk, forms.ProposalForm, "closing_proposal",
                    lambda case, d: restoration.proposal_record(actor=request.user, case=case, source=d["source"],
                                                                description=d["description"], provider=d["provider"],
                                                                received_on=d["received_on"]),
                    lambda p: "已登记，待核实后恢复执行")


@login_required
@require_POST
def explanation_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_case(request, pk, forms.ExplanationForm, "closing_explain",
                    lambda case, d: archiving.explanation_record(actor=request.user, case=case, text=d["text"]),
                    lambda e: "已记录案款余额说明")


# ---------------------------------------------------------------- home


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "closing/home.html", {"counts": selectors.home_counts(request.user), "rules": ZHONGBEN_RULES,
                                                 "schedule": POOL_SCHEDULE, "limit": RESTORATION_LIMIT,
                                                 "second": SECOND_INVESTIGATION})


# ---------------------------------------------------------------- second investigation


@login_required
def second_investigation(request: HttpRequest) -> HttpResponse:
    filters = forms.ListFilter(request.GET)
    may_send = _staff(request.user, request.user.court_id or 0, POOL_ROLES)
    if request.method == "POST":
        _writer(request)
        if not may_send:
            raise PermissionDenied("您的角色不能发起网络查控")
        ids = [int(pk) for pk in request.POST.getlist("case_ids") if pk.isdigit()] or None
        result = _run(request, lambda: investigation.second_investigation_start(actor=request.user, case_ids=ids))
        if result is not None:
            return _done(request, reverse("closing:second"), result.message)
    rows = investigation.worklist_filter(investigation.cases_due(court_ids=visible_court_ids(request.user)),
                                         q=filters.value("q"))
    return render(request, "closing/second.html", {"filters": filters, "page": _page(request, rows), "rule": SECOND_INVESTIGATION,
                                                   "may_send": may_send})


def _run(request: HttpRequest, call: Callable):
    """Run a service from a page without a form of its own: a refusal becomes an error message."""
    from zhixing.cases.exceptions import DomainError

    try:
        return call()
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return None


# ---------------------------------------------------------------- the 终本 pool and proposals


@login_required
def pool_page(request: HttpRequest) -> HttpResponse:
    filters = forms.PoolFilter(request.GET)
    may_run = _staff(request.user, request.user.court_id or 0, POOL_ROLES)
    if request.method == "POST":
        _writer(request)
        result = _run(request, lambda: pool.pool_run(actor=request.user))
        if result is not None:
            return _done(request, reverse("closing:pool"), result.summary)
    rows = selectors.pool_entries(request.user, status=filters.value("status"), due_only=bool(filters.value("due", False)),
                                  q=filters.value("q"))
    return render(request, "closing/pool.html", {"filters": filters, "page": _page(request, rows), "schedule": POOL_SCHEDULE,
                                                 "may_run": may_run, "today": timezone.localdate()})


def proposals_context(request: HttpRequest, bound: dict | None = None) -> dict:
    filters = forms.ProposalFilter(request.GET)
    page = _page(request, selectors.proposals(request.user, status=filters.value("status"),
                                              overdue=bool(filters.value("overdue", False)), q=filters.value("q")))
    bound = bound or {}
    rows = []
    for p in page.object_list:
        acting = p.status in OPEN_PROPOSAL_STATUSES and _staff(request.user, p.court_id, RESTORATION_ROLES)
        rows.append({"p": p, "overdue": p.status == ProposalStatus.CONFIRMED and p.restore_due and p.restore_due < timezone.localdate(),
                     "forms": {} if not acting else {
                         "confirm": bound.get(("confirm", p.pk)) or (forms.ConfirmForm() if p.status == ProposalStatus.PENDING else None),
                         "restore": bound.get(("restore", p.pk)) or forms.RestoreForm(),
                         "dismiss": bound.get(("dismiss", p.pk)) or forms.DismissForm()}})
    return {"filters": filters, "page": page, "rows": rows, "limit": RESTORATION_LIMIT}


@login_required
@require_GET
def proposals_page(request: HttpRequest) -> HttpResponse:
    return render(request, "closing/proposals.html", proposals_context(request))


@login_required
@require_POST
def proposal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _writer(request)
    proposal: RestorationProposal = _found(lambda: selectors.proposal_get(user=request.user, pk=pk))
    specs = {
        "confirm": (forms.ConfirmForm, lambda d: restoration.proposal_confirm(
            actor=request.user, proposal=proposal, confirmed_on=d["confirmed_on"], note=d["note"]),
                    lambda p: f"已确认，应于 {p.restore_due:%Y-%m-%d} 前恢复执行"),
        "dismiss": (forms.DismissForm, lambda d: restoration.proposal_dismiss(actor=request.user, proposal=proposal, note=d["note"]),
                    lambda p: "已决定不予恢复"),
        "restore": (forms.RestoreForm, lambda d: restoration.restoration_open(
            actor=request.user, proposal=proposal, filed_on=d["filed_on"], note=d["note"]),
                    lambda case: f"已恢复执行，立案 {case.case_number}"),
    }
    if action not in specs:
        raise Http404("未知操作")
    form_class, call, message = specs[action]
    form = form_class(request.POST)
    status = 422
    if form.is_valid():
        done, status = run_service(form, lambda: call(form.cleaned_data))
        if done is not None:
            if action == "restore":
                return _done(request, reverse("cases:detail", args=[done.pk]), message(done))
            return _done(request, reverse("closing:proposals"), message(done))
    return render(request, "closing/proposals.html", proposals_context(request, {(action, pk): form}), status=status)


# ---------------------------------------------------------------- 终本合格率


@login_required
def reviews_page(request: HttpRequest) -> HttpResponse:
    may_draw = _staff(request.user, request.user.court_id or 0, REVIEW_ROLES)
    form = forms.DrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        _writer(request)
        status = 422
        court = Court.objects.filter(pk=request.user.court_id).first()
        if form.is_valid() and court is not None:
            d = form.cleaned_data
            done, status = run_service(form, lambda: review.sample_draw(actor=request.user, court=court, start=d["period_start"],
                                                                         end=d["period_end"], size=d["size"]))
            if done is not None:
                return _done(request, reverse("closing:review", args=[done.pk]), f"已抽取 {done.size} 件")
    page = _page(request, selectors.reviews(request.user).order_by("-period_end", "-id"))
    return render(request, "closing/reviews.html", {"page": page, "form": form, "may_draw": may_draw,
                                                    "citation": PASS_RATE_CITATION}, status=status)


def review_context(request: HttpRequest, pk: int, bound: dict | None = None) -> dict:
    sample = _found(lambda: selectors.review_get(user=request.user, pk=pk))
    may_mark = _staff(request.user, sample.court_id, REVIEW_ROLES)
    bound = bound or {}
    items = [(item, bound.get(item.pk) or (forms.MarkForm(item_id=item.pk, initial={
        "verdict": item.verdict if item.verdict != Verdict.PENDING else None, "reasons": item.reasons, "note": item.note})
        if may_mark else None)) for item in selectors.review_items(sample)]
    rate = selectors.zhongben_pass_rate([sample.court_id], sample.period_start, sample.period_end)
    return {"review": sample, "items": items, "rate": rate, "reasons": review.FAIL_REASONS, "citation": PASS_RATE_CITATION}


@login_required
@require_GET
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "closing/review.html", review_context(request, pk))


@login_required
@require_POST
def review_mark(request: HttpRequest, pk: int) -> HttpResponse:
    _writer(request)
    item = _found(lambda: selectors.sample_item_get(user=request.user, pk=pk))
    form = forms.MarkForm(request.POST, item_id=item.pk)
    status = 422
    if form.is_valid():
        d = form.cleaned_data
        done, status = run_service(form, lambda: review.sample_mark(actor=request.user, item=item, verdict=d["verdict"],
                                                                     reasons=d["reasons"], note=d["note"]))
        if done is not None:
            return _done(request, reverse("closing:review", args=[item.review_id]) + f"#item-{item.pk}",
                         f"第{item.position}件：{done.get_verdict_display()}")
    return render(request, "closing/review.html", review_context(request, item.review_id, {item.pk: form}), status=status)


# ---------------------------------------------------------------- 执转破


@login_required
def bankruptcy_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    court_id = user.court_id or 0
    thresholds = bankruptcy.thresholds_for(court_id)
    threshold_form = forms.ThresholdForm(request.POST or None, initial={
        "min_cases": thresholds.min_cases, "min_outstanding": thresholds.min_outstanding_fen or None,
        "min_ratio_percent": thresholds.min_claims_to_assets_bp // 100})
    propose_form = forms.ProposeForm(request.POST or None) if request.method == "POST" and "opinion" in request.POST else forms.ProposeForm()
    status = 200
    if request.method == "POST":
        _writer(request)
        status = 422
        if "opinion" in request.POST:
            threshold_form = forms.ThresholdForm(initial=threshold_form.initial)
            if propose_form.is_valid():
                d = propose_form.cleaned_data
                done, status = run_service(propose_form, lambda: bankruptcy.transfer_propose(
                    actor=user, credit_code=d["credit_code"], opinion=d["opinion"]))
                if done is not None:
                    return _done(request, reverse("closing:transfer", args=[done.pk]), "已提出移送破产审查意见，并生成征询意见书")
        elif threshold_form.is_valid():
            d = threshold_form.cleaned_data
            done, status = run_service(threshold_form, lambda: bankruptcy.threshold_set(
                actor=user, min_cases=d["min_cases"], min_outstanding_fen=d["min_outstanding"] or 0,
                min_claims_to_assets_bp=d["min_ratio_percent"] * 100, note=d["note"]))
            if done is not None:
                return _done(request, reverse("closing:bankruptcy"), "已保存本院执转破筛选标准")
    q = request.GET.get("q", "")
    found = bankruptcy.candidates(court_id=court_id, thresholds=thresholds, q=q) if court_id else []
    page = Paginator(found, 20).get_page(request.GET.get("page"))
    return render(request, "closing/bankruptcy.html", {
        "page": page, "q": q, "thresholds": thresholds, "default": DEFAULT_THRESHOLDS, "threshold_form": threshold_form,
        "propose_form": propose_form, "may_set": _staff(user, court_id, {"bureau_head", "president"}),
        "may_propose": _staff(user, court_id, {"judge", "assistant"}),
        "transfers": selectors.transfers(user, active=True)[:20]}, status=status)


@login_required
@require_GET
def transfers_page(request: HttpRequest) -> HttpResponse:
    filters = forms.TransferFilter(request.GET)
    page = _page(request, selectors.transfers(request.user, status=filters.value("status")))
    return render(request, "closing/transfers.html", {"filters": filters, "page": page,
                                                      "overdue": {t.pk: bankruptcy.is_overdue(t) for t in page.object_list}})


def transfer_context(request: HttpRequest, pk: int, bound: dict | None = None) -> dict:
    transfer = _found(lambda: bankruptcy.transfer_get(user=request.user, pk=pk))
    bound = bound or {}
    steps = []
    if _staff(request.user, transfer.court_id, TRANSFER_ROLES | {"president"}):
        for step, (form_class, label, after) in forms.TRANSFER_STEPS.items():
            offered = transfer.status in after and not (step == "serve" and transfer.served_on) and \
                not (step == "send" and not transfer.served_on)
            if not offered and step not in bound:  # a refused step stays on the page with its reason
                continue
            steps.append((step, label, bound.get(step) or form_class()))
    moved = [(m, m.case.claim_amount_fen - m.case.performed_amount_fen)
             for m in transfer.moved.select_related("case").order_by("case__filed_on", "case_id")]
    return {"transfer": transfer, "moved": moved, "steps": steps, "overdue": bankruptcy.is_overdue(transfer),
            "documents": list(transfer.documents.order_by("generated_at", "id")), "statuses": TransferStatus}


@login_required
@require_GET
def transfer_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "closing/transfer.html", transfer_context(request, pk))


@login_required
@require_POST
def transfer_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    _writer(request)
    transfer = _found(lambda: bankruptcy.transfer_get(user=request.user, pk=pk))
    if step not in forms.TRANSFER_STEPS:
        raise Http404("未知步骤")
    form = forms.TRANSFER_STEPS[step][0](request.POST)
    status = 422
    if form.is_valid():
        d, actor = form.cleaned_data, request.user
        calls = {
            "consent": lambda: bankruptcy.transfer_consent(actor=actor, transfer=transfer, consent_by=d["consent_by"],
                                                           party_name=d["party_name"], consent_on=d["consent_on"], note=d["note"]),
            "panel": lambda: bankruptcy.transfer_panel(actor=actor, transfer=transfer, panel_on=d["panel_on"], note=d["note"]),
            "decide": lambda: bankruptcy.transfer_decide(actor=actor, transfer=transfer, decided_on=d["decided_on"],
                                                         decision_number=d["decision_number"], receiving_court=d["receiving_court"]),
            "serve": lambda: bankruptcy.transfer_serve(actor=actor, transfer=transfer, served_on=d["served_on"]),
            "send": lambda: bankruptcy.transfer_send(actor=actor, transfer=transfer, transferred_on=d["transferred_on"],
                                                     received_on=d["received_on"]),
            "outcome": lambda: bankruptcy.transfer_outcome(actor=actor, transfer=transfer, accepted=d["accepted"],
                                                           outcome_on=d["outcome_on"], ruling_number=d["ruling_number"],
                                                           note=d["note"]),
            "withdraw": lambda: bankruptcy.transfer_withdraw(actor=actor, transfer=transfer, reason=d["reason"]),
        }
        done, status = run_service(form, calls[step])
        if done is not None:
            return _done(request, reverse("closing:transfer", args=[pk]), f"{forms.TRANSFER_STEPS[step][1]}：已办理")
    return render(request, "closing/transfer.html", transfer_context(request, pk, {step: form}), status=status)


@login_required
@require_GET
def transfer_document(request: HttpRequest, pk: int) -> FileResponse:
    doc = TransferDocument.objects.select_related("transfer", "file").filter(pk=pk).first()
    court_ids = visible_court_ids(request.user)
    if doc is None or (court_ids is not None and doc.court_id not in court_ids):
        raise Http404("文书不存在")
    import io

    name = f"{doc.transfer.respondent_name}-{doc.get_kind_display()}-第{doc.version}版.docx"
    return FileResponse(io.BytesIO(bytes(doc.file.content)), as_attachment=True, filename=name, content_type=DOCX)


# ---------------------------------------------------------------- archiving


@login_required
@require_GET
def archive_page(request: HttpRequest) -> HttpResponse:
    filters = forms.ArchiveFilter(request.GET)
    page = _page(request, selectors.archive_worklist(request.user, overdue=bool(filters.value("overdue", False)),
                                                     closing_type=filters.value("closing_type"), q=filters.value("q")))
    flags = selectors.dossier_flags(list(page.object_list))
    rows = [(case, flags[case.pk]) for case in page.object_list]
    return render(request, "closing/archive.html", {"filters": filters, "page": page, "rows": rows,
                                                    "today": timezone.localdate()})
