"""Case pages. Each view authorises, parses with a form, calls one service or selector and renders;
a DomainError becomes a form error (`_run`), NotFound a 404 — the same answers as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhixing.bundles import views as bundle_views
from zhixing.closing import views as closing_views
from zhixing.distribution import views as distribution_views
from zhixing.documents import views as document_views
from zhixing.money import selectors as money_selectors
from zhixing.pages import is_htmx, run_service
from zhixing.property import views as property_views
from zhixing.supervision import services as supervision
from zhixing.supervision import views as supervision_views
from zhixing.triage import views as triage_views

from . import imports, selectors, services
from .api import allowed_node_codes
from .choices import CaseStatus, RegistrationSource
from .exceptions import DomainError, NotFound, ValidationFailed
from .forms import (
    MIN_PARTIES,
    NEW_PARTY,
    ArchiveForm,
    AssignForm,
    CloseForm,
    ImportForm,
    NodeForm,
    PartyEditForm,
    RegistrationForms,
    WorklistFilterForm,
    identity_feedback,
    party_row_form,
)
from .inputs import parse_case
from .models import EnforcementCase, Party
from .pages import visible_case
from .rules import ASSIGNERS, HANDLING, LEADERS, NODES_BY_CODE

PAGE_SIZE = 50
MAX_PARTY_ROWS = 100
SHOWN_IMPORTED_NUMBERS = 100




# ---------------------------------------------------------------- worklist


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    form = WorklistFilterForm(request.GET, user=request.user)
    page = selectors.worklist_page(
        user=request.user, filters=form.to_filter(), number=request.GET.get("page"), page_size=PAGE_SIZE
    )
    return render(request, "cases/worklist.html", {"form": form, "page": page, "today": timezone.localdate()})


# ---------------------------------------------------------------- registration


@login_required
def register(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "cases/register.html", {"forms": RegistrationForms(user=request.user)})
    data = request.POST
    if "add_party" in data:  # without JavaScript: the same form with one more party row
        return render(request, "cases/register.html", {"forms": RegistrationForms(_with_party_row(data), user=request.user)})
    forms = RegistrationForms(data, user=request.user)
    status = 422
    if forms.is_valid():
        try:
            case_input = parse_case(forms.raw())
            case = services.case_register(actor=request.user, data=case_input, source=RegistrationSource.FORM)
        except DomainError as exc:  # incl. NotAllowed: the page names the rule that refused
            forms.add_domain_error(exc)
            status = exc.http_status
        else:
            messages.success(request, f"立案成功，案号：{case.case_number}")
            for warning in case_input.warnings:
                messages.warning(request, warning)
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/register.html", {"forms": forms}, status=status)


def _with_party_row(data):
    data = data.copy()
    total = min(_int(data.get("parties-TOTAL_FORMS"), MIN_PARTIES), MAX_PARTY_ROWS - 1)
    data["parties-TOTAL_FORMS"] = str(total + 1)
    for name, value in NEW_PARTY.items():
        data[f"parties-{total}-{name}"] = value
    return data


def _int(text, default: int) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


@login_required
@require_GET
def party_row(request: HttpRequest) -> HttpResponse:
    """htmx: one more party row, and the formset's new TOTAL_FORMS swapped in out of band."""
    index = min(max(_int(request.GET.get("parties-TOTAL_FORMS"), MIN_PARTIES), MIN_PARTIES), MAX_PARTY_ROWS - 1)
    return render(request, "cases/_party_row.html", {"form": party_row_form(index), "index": index, "total": index + 1})


@login_required
@require_GET
def check_identity(request: HttpRequest) -> HttpResponse:
    """htmx: checks one ID number or credit code while the clerk types (the row's kind decides which)."""
    number = next((v for k, v in request.GET.items() if k.endswith("-identity")), "")
    kind = next((v for k, v in request.GET.items() if k.endswith("-kind")), "")
    ok, message = identity_feedback(kind, number)
    return render(request, "cases/_identity_feedback.html", {"ok": ok, "message": message})


# ---------------------------------------------------------------- import


@login_required
def import_cases(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = imports.cases_import(actor=request.user, file_name=upload.name, content=upload.read())
        except ValidationFailed as exc:
            context["report"] = sorted(exc.errors, key=lambda e: (e.row is None, e.row or 0))
            status = exc.http_status
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.http_status
        else:
            context["result"] = result
            context["shown_numbers"] = result.case_numbers[:SHOWN_IMPORTED_NUMBERS]
            context["more_numbers"] = max(0, len(result.case_numbers) - SHOWN_IMPORTED_NUMBERS)
    elif request.method == "POST":
        status = 422
    return render(request, "cases/import.html", context, status=status)


# ---------------------------------------------------------------- detail and actions

def _can_act(user, case: EnforcementCase) -> bool:
    return not user.is_read_only and (user.is_superuser or user.court_id == case.court_id)


def _has_role(user, roles) -> bool:
    return user.is_superuser or user.role in roles


def _action_forms(user, case: EnforcementCase, parties: list[Party], bound: dict) -> dict:
    """The forms offered now (a bound one, with its errors, replaces its empty twin). A form that a
    lock (程序锁死) would refuse is not offered; `locked` says why instead."""
    if not _can_act(user, case):
        return {}
    lock = supervision.active_lock(case.pk)
    refused: list[str] = []

    def open_to(action: str) -> bool:
        if lock is None or action in bound or supervision.lock_allows(lock, action):
            return True
        refused.append(action)
        return False

    actions: dict = {}
    if case.is_open:
        offered = allowed_node_codes(case, user)
        if offered or "node" in bound:
            actions["node"] = bound.get("node") or NodeForm(offered=offered)
        if _has_role(user, ASSIGNERS) and open_to("assign"):
            actions["assign"] = bound.get("assign") or AssignForm(case=case)
        if _has_role(user, HANDLING | LEADERS) and open_to("close"):
            actions["close"] = bound.get("close") or CloseForm()
    elif case.status == CaseStatus.CLOSED and _has_role(user, NODES_BY_CODE["archive"].roles) and open_to("archive"):
        actions["archive"] = bound.get("archive") or ArchiveForm()
    if open_to("party_update"):
        failed_party = bound.get("party")
        actions["parties"] = [
            (party, failed_party if failed_party and failed_party.party.pk == party.pk else PartyEditForm(party=party))
            for party in parties
        ]
    if refused:
        actions["locked"] = supervision.lock_refusal(case.pk, refused[0])
    return actions


def render_detail(request: HttpRequest, pk: int, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    """The case page; `bound` holds a failed action's form (by name), shown with its errors. The
    supervision panel (deadlines, lock, pauses, extensions) is the supervision app's."""
    try:
        detail = selectors.case_detail(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    case = detail["case"]
    bound = bound or {}
    context = {
        **detail,
        "claim_total_fen": sum(claim.amount_fen for claim in detail["claims"]),
        "actions": _action_forms(request.user, case, detail["parties"], bound),
        "supervision": supervision_views.case_panel(request.user, case, bound),
        "property": property_views.case_summary(case),
        "documents": document_views.case_summary(case),
        "money": money_selectors.case_summary(case),
        "distribution": distribution_views.case_summary(case),
        "related": bundle_views.case_panel(request.user, case),
        "triage": triage_views.case_panel(request.user, case, bound),
        "closing": closing_views.case_panel(request.user, case, bound),
    }
    return render(request, "cases/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, pk)


def _case_for_action(request: HttpRequest, pk: int) -> EnforcementCase:
    return visible_case(request, pk, acting=True)


def _action_done(request: HttpRequest, case: EnforcementCase, message: str) -> HttpResponse:
    messages.success(request, message)
    url = reverse("cases:detail", args=[case.pk])
    if is_htmx(request):  # htmx follows with a full page load, which shows the message and the new log entry
        return HttpResponse(headers={"HX-Redirect": url})
    return redirect(url)


def _action_failed(request: HttpRequest, case: EnforcementCase, name: str, form, status: int) -> HttpResponse:
    if is_htmx(request):  # swap just the form, with its errors
        template = "cases/_party_edit.html" if name == "party" else f"cases/_action_{name}.html"
        context = {"case": case, "form": form, "party": getattr(form, "party", None)}
        return render(request, template, context, status=status)
    return render_detail(request, case.pk, bound={name: form}, status=status)


@login_required
@require_POST
def record_node(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for_action(request, pk)
    form = NodeForm(request.POST, offered=allowed_node_codes(case, request.user))
    if not form.is_valid():
        return _action_failed(request, case, "node", form, 422)
    data = form.cleaned_data
    record, status = run_service(form, lambda: services.node_record(
        actor=request.user, case=case, node_code=data["node_code"], occurred_on=data["occurred_on"], note=data["note"]
    ))
    if record is None:
        return _action_failed(request, case, "node", form, status)
    return _action_done(request, case, f"已记录节点：{NODES_BY_CODE[record.node_code].name}")


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for_action(request, pk)
    form = AssignForm(request.POST, case=case)
    if not form.is_valid():
        return _action_failed(request, case, "assign", form, 422)
    data = form.cleaned_data
    done, status = run_service(form, lambda: services.case_assign(
        actor=request.user, case=case, handler=data["handler"], team=data["team"], reason=data["reason"]
    ))
    if done is None:
        return _action_failed(request, case, "assign", form, status)
    return _action_done(request, case, f"已分案，承办人：{data['handler'].display_name}")


@login_required
@require_POST
def edit_party(request: HttpRequest, pk: int, party_id: int) -> HttpResponse:
    case = _case_for_action(request, pk)
    party = Party.objects.filter(pk=party_id, case=case).first()
    if party is None:
        raise Http404("当事人不存在")
    form = PartyEditForm(request.POST, party=party)
    if not form.is_valid():
        return _action_failed(request, case, "party", form, 422)
    done, status = run_service(form, lambda: services.party_update(
        actor=request.user, party=party, changes=form.changes(), reason=form.cleaned_data["reason"]
    ))
    if done is None:
        return _action_failed(request, case, "party", form, status)
    return _action_done(request, case, f"已修改当事人 {done.name} 的信息")


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for_action(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _action_failed(request, case, "close", form, 422)
    data = form.cleaned_data
    done, status = run_service(form, lambda: services.case_close(
        actor=request.user, case=case, closing_type=data["closing_type"],
        performed_amount_fen=data["performed_amount"] or 0, closed_on=data["closed_on"], reason=data["reason"],
    ))
    if done is None:
        return _action_failed(request, case, "close", form, status)
    return _action_done(request, case, f"已结案：{done.get_closing_type_display()}")


@login_required
@require_POST
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for_action(request, pk)
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        return _action_failed(request, case, "archive", form, 422)
    data = form.cleaned_data
    done, status = run_service(form, lambda: services.case_archive(
        actor=request.user, case=case, archived_on=data["archived_on"], reason=data["reason"]
    ))
    if done is None:
        return _action_failed(request, case, "archive", form, status)
    return _action_done(request, case, "已归档")
