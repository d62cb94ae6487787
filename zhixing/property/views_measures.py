"""Pages of assets, control measures, clues and investigations. The case property page calls
`case_context` and includes the partials; each form posts here, and each view authorises, parses
with a form, calls one service and answers: a full-page redirect on success (htmx follows it), the
partial with its errors (status 422/403/409…) on failure."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhixing.cases.models import EnforcementCase
from zhixing.cases.pages import visible_case
from zhixing.pages import is_htmx, run_service

from . import clues, measures
from .assets import other_claims
from .forms_measures import (
    AssetForm,
    AuditApplyForm,
    AuditDecideForm,
    AuditFinishForm,
    ClueForm,
    ClueVerifyForm,
    LapseForm,
    LawyerOrderForm,
    LawyerReturnForm,
    LeadForm,
    LeadOutcomeForm,
    MeasureForm,
    ReleaseForm,
    RenewForm,
)
from .models import (
    OPEN_MEASURE_STATUSES,
    AuditInvestigation,
    AuditStatus,
    Clue,
    ClueOutcome,
    ControlMeasure,
    LawyerOrder,
    LeadOutcome,
    PersonLead,
)
from .rules import PERIOD_CLASSES, RENEWAL_REMINDER_DAYS

PAGE_SIZE = 50
SECTIONS = ("assets", "measures", "clues", "investigations")


# ---------------------------------------------------------------- the case's panels


def _can_act(user, case: EnforcementCase) -> bool:
    return not user.is_read_only and (user.is_superuser or user.court_id == case.court_id)


def case_context(user, case: EnforcementCase, bound: dict | None = None) -> dict:
    """What the partials `_assets.html`, `_measures.html`, `_clues.html` and `_investigations.html` show.
    `bound` holds a failed form by name (e.g. "asset", "renew-12"), shown with its errors."""
    bound = bound or {}
    today = timezone.localdate()
    can_act = _can_act(user, case)
    all_measures = measures.case_measures(case)
    by_asset: dict[int, list[ControlMeasure]] = {}
    for m in all_measures:
        m.days_left = (m.ends_on - today).days if m.ends_on else None
        m.citation = measures.measure_citation(m)
        m.open = m.status in OPEN_MEASURE_STATUSES
        if can_act and m.open:
            if m.status == "active" and m.ends_on:
                if m.ends_on >= today:
                    m.renew_form = bound.get(f"renew-{m.pk}") or RenewForm(prefix=f"renew-{m.pk}")
                else:
                    m.lapse_form = bound.get(f"lapse-{m.pk}") or LapseForm(prefix=f"lapse-{m.pk}")
            m.release_form = bound.get(f"release-{m.pk}") or ReleaseForm(prefix=f"release-{m.pk}")
        by_asset.setdefault(m.asset_id, []).append(m)
    links = measures.case_assets(case)
    others = other_claims([link.asset_id for link in links], case.pk)
    assets = [
        {"link": link, "asset": link.asset, "others": others[link.asset_id], "measures": by_asset.get(link.asset_id, [])}
        for link in links
    ]
    inv = clues.case_investigations(case)
    for clue in inv["clues"]:
        clue.overdue = clue.outcome == ClueOutcome.PENDING and clue.verify_due < today
        clue.late_days = ((clue.verified_on or today) - clue.verify_due).days
        clue.asset_link = inv["clue_assets"].get(clue.pk)
        if can_act and clue.outcome == ClueOutcome.PENDING:
            clue.verify_form = bound.get(f"verify-{clue.pk}") or ClueVerifyForm(prefix=f"verify-{clue.pk}", case=case)
    for order in inv["lawyer_orders"]:
        if can_act and not order.returned_on:
            order.return_form = bound.get(f"return-{order.pk}") or LawyerReturnForm(prefix=f"return-{order.pk}")
    for audit in inv["audits"]:
        audit.overdue = audit.status == AuditStatus.APPLIED and audit.decide_due < today
        if can_act and audit.status == AuditStatus.APPLIED:
            audit.decide_form = bound.get(f"decide-{audit.pk}") or AuditDecideForm(prefix=f"decide-{audit.pk}")
        if can_act and audit.status == AuditStatus.GRANTED:
            audit.finish_form = bound.get(f"finish-{audit.pk}") or AuditFinishForm(prefix=f"finish-{audit.pk}")
    for lead in inv["person_leads"]:
        if can_act and lead.outcome == LeadOutcome.PENDING:
            lead.outcome_form = bound.get(f"outcome-{lead.pk}") or LeadOutcomeForm(prefix=f"outcome-{lead.pk}")
    forms = {}
    if can_act and case.is_open:
        forms = {
            "asset": bound.get("asset") or AssetForm(case=case),
            "measure": bound.get("measure") or MeasureForm(case=case),
            "clue": bound.get("clue") or ClueForm(),
            "lawyer": bound.get("lawyer") or LawyerOrderForm(),
            "audit": bound.get("audit") or AuditApplyForm(case=case),
            "lead": bound.get("lead") or LeadForm(case=case),
        }
    return {
        "case": case, "today": today, "can_act": can_act, "property_assets": assets, "property_measures": all_measures,
        "property_forms": forms, **{k: v for k, v in inv.items() if k != "clue_assets"},
    }


def case_page_url(case: EnforcementCase) -> str:
    return reverse("property:case", args=[case.pk])


def _render_page(request, case, bound=None, status=200) -> HttpResponse:
    """A failed form without htmx: the whole property page, the form with its errors."""
    from .views import render_case

    return render_case(request, case.pk, bound=bound, status=status)


def _owned(request: HttpRequest, model, pk: int):
    """A row of a case the user may act on (another court's row is a 404, never revealed)."""
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404("记录不存在")
    return obj, visible_case(request, obj.case_id, acting=True)


def _act(request: HttpRequest, case: EnforcementCase, section: str, name: str, form,
         call: Callable[[dict], object], message: Callable[[object], str]) -> HttpResponse:
    """Validate the form, call the service; redirect on success, the section with errors otherwise."""
    status = 422
    if form.is_valid():
        done, status = run_service(form, lambda: call(form.cleaned_data))
        if done is not None:
            messages.success(request, message(done))
            url = case_page_url(case)
            if is_htmx(request):  # htmx follows with a full page load: the message and the new log entry
                return HttpResponse(headers={"HX-Redirect": url})
            return redirect(url)
    if is_htmx(request):
        context = case_context(request.user, case, {name: form})
        return render(request, f"property/measures/_{section}.html", context, status=status)
    return _render_page(request, case, {name: form}, status)


# ---------------------------------------------------------------- assets and measures


@login_required
@require_POST
def asset_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, acting=True)
    form = AssetForm(request.POST, case=case)
    return _act(request, case, "assets", "asset", form, lambda d: measures.asset_register(
        actor=request.user, case=case, kind=d["kind"], details=form.details(), owner_party=d["owner_party"],
        found_on=d["found_on"], found_via=d["found_via"], note=d["note"],
    ), lambda link: f"已登记财产：{link.asset.description}")


@login_required
@require_POST
def measure_take(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, acting=True)
    form = MeasureForm(request.POST, case=case)
    return _act(request, case, "measures", "measure", form, lambda d: measures.measure_take(
        actor=request.user, case=case, asset=d["asset"], kind=d["kind"], started_on=d["started_on"],
        amount_fen=d["amount"], document_number=d["document_number"], queue_rank=d["queue_rank"], ahead=d["ahead"],
    ), lambda m: f"已记录{m.get_kind_display()}" + (f"，法定届满日 {m.ends_on:%Y-%m-%d}" if m.ends_on else "")
       + (f"；轮候顺位{m.queue_rank}，在先：{m.ahead}" if m.status == "queued" else ""))


@login_required
@require_POST
def measure_renew(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure, case = _owned(request, ControlMeasure, measure_id)
    form = RenewForm(request.POST, prefix=f"renew-{measure.pk}")
    return _act(request, case, "measures", f"renew-{measure.pk}", form, lambda d: measures.measure_renew(
        actor=request.user, measure=measure, started_on=d["started_on"], document_number=d["document_number"],
    ), lambda m: f"已续行，新期限至 {m.ends_on:%Y-%m-%d}")


@login_required
@require_POST
def measure_release(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure, case = _owned(request, ControlMeasure, measure_id)
    form = ReleaseForm(request.POST, prefix=f"release-{measure.pk}")
    return _act(request, case, "measures", f"release-{measure.pk}", form, lambda d: measures.measure_release(
        actor=request.user, measure=measure, released_on=d["released_on"], reason=d["reason"],
    ), lambda m: f"已解除{m.get_kind_display()}")


@login_required
@require_POST
def measure_lapse(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure, case = _owned(request, ControlMeasure, measure_id)
    form = LapseForm(request.POST, prefix=f"lapse-{measure.pk}")
    return _act(request, case, "measures", f"lapse-{measure.pk}", form, lambda d: measures.measure_lapse(
        actor=request.user, measure=measure, reason=d["reason"],
    ), lambda m: f"已登记{m.get_kind_display()}到期失效")


@login_required
@require_GET
def expiring(request: HttpRequest) -> HttpResponse:
    """续行提醒: the court's measures ending within the reminder lead (and those past their end, not yet marked)."""
    if request.user.court_id is None:
        raise Http404("没有所属法院")
    rows = measures.expiring_measures(request.user.court, within_days=RENEWAL_REMINDER_DAYS)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for m in page.object_list:
        m.days_left = (m.ends_on - today).days
        m.citation = PERIOD_CLASSES[m.period_class].citation
    return render(request, "property/measures/expiring.html", {"page": page, "today": today, "within_days": RENEWAL_REMINDER_DAYS})


# ---------------------------------------------------------------- clues


@login_required
@require_POST
def clue_receive(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, acting=True)
    form = ClueForm(request.POST)
    return _act(request, case, "clues", "clue", form, lambda d: clues.clue_receive(
        actor=request.user, case=case, source=d["source"], description=d["description"], provider=d["provider"],
        asset_kind=d["asset_kind"], urgent=d["urgent"], received_on=d["received_on"],
    ), lambda c: f"已登记财产线索，应于 {c.verify_due:%Y-%m-%d} 前核查")


@login_required
@require_POST
def clue_verify(request: HttpRequest, clue_id: int) -> HttpResponse:
    clue, case = _owned(request, Clue, clue_id)
    form = ClueVerifyForm(request.POST, prefix=f"verify-{clue.pk}", case=case)
    return _act(request, case, "clues", f"verify-{clue.pk}", form, lambda d: clues.clue_verify(
        actor=request.user, clue=clue, outcome=d["outcome"], verified_on=d["verified_on"], note=d["note"],
        asset=form.asset(),
    ), lambda c: f"已核查线索：{c.get_outcome_display()}")


# ---------------------------------------------------------------- investigations


@login_required
@require_POST
def lawyer_issue(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, acting=True)
    form = LawyerOrderForm(request.POST)
    return _act(request, case, "investigations", "lawyer", form, lambda d: clues.lawyer_order_issue(
        actor=request.user, case=case, **d), lambda o: f"已签发律师调查令 {o.number}")


@login_required
@require_POST
def lawyer_return(request: HttpRequest, order_id: int) -> HttpResponse:
    order, case = _owned(request, LawyerOrder, order_id)
    form = LawyerReturnForm(request.POST, prefix=f"return-{order.pk}")
    return _act(request, case, "investigations", f"return-{order.pk}", form, lambda d: clues.lawyer_order_return(
        actor=request.user, order=order, **d), lambda o: f"已登记调查令 {o.number} 交回")


@login_required
@require_POST
def audit_apply(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, acting=True)
    form = AuditApplyForm(request.POST, case=case)
    return _act(request, case, "investigations", "audit", form, lambda d: clues.audit_apply(
        actor=request.user, case=case, party=d["party"], applied_on=d["applied_on"],
    ), lambda a: f"已登记审计申请，应于 {a.decide_due:%Y-%m-%d} 前决定")


@login_required
@require_POST
def audit_decide(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit, case = _owned(request, AuditInvestigation, audit_id)
    form = AuditDecideForm(request.POST, prefix=f"decide-{audit.pk}")
    return _act(request, case, "investigations", f"decide-{audit.pk}", form, lambda d: clues.audit_decide(
        actor=request.user, audit=audit, granted=d["decision"] == AuditStatus.GRANTED, decided_on=d["decided_on"],
        auditor=d["auditor"], fee_fen=d["fee"], reason=d["reason"],
    ), lambda a: f"审计申请：{a.get_status_display()}")


@login_required
@require_POST
def audit_finish(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit, case = _owned(request, AuditInvestigation, audit_id)
    form = AuditFinishForm(request.POST, prefix=f"finish-{audit.pk}")
    return _act(request, case, "investigations", f"finish-{audit.pk}", form, lambda d: clues.audit_finish(
        actor=request.user, audit=audit, **d), lambda a: "已登记审计结论")


@login_required
@require_POST
def lead_record(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, acting=True)
    form = LeadForm(request.POST, case=case)
    return _act(request, case, "investigations", "lead", form, lambda d: clues.person_lead_record(
        actor=request.user, case=case, **d), lambda lead: "已登记查人线索")


@login_required
@require_POST
def lead_outcome(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead, case = _owned(request, PersonLead, lead_id)
    form = LeadOutcomeForm(request.POST, prefix=f"outcome-{lead.pk}")
    return _act(request, case, "investigations", f"outcome-{lead.pk}", form, lambda d: clues.person_lead_outcome(
        actor=request.user, lead=lead, **d), lambda lead: f"查人线索结果：{lead.get_outcome_display()}")
