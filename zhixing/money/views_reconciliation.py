"""Pages of reconciliation and the money reports (/money/reconciliation/): the statement upload and
its history, one statement's lines, the reconciliation report, the balance and aging reports, and
their XLSX downloads. Thin: authorise, read the form, call one selector or service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.accounts.models import User
from zhixing.cases.exceptions import DomainError, NotAllowed, NotFound, ValidationFailed
from zhixing.pages import is_htmx

from . import exports, reconciliation, reports, statements
from .forms_reconciliation import (
    AgingReportForm,
    BalanceReportForm,
    LineFilterForm,
    PeriodForm,
    StatementUploadForm,
)
from .models import LineStatus
from .rules import RECORDERS

PAGE_SIZE = 50
REPORT_PAGE_SIZE = 100
SHOWN_ITEMS = 200  # of each list of the reconciliation report; the XLSX has them all


def _allowed(call):
    """A refusal of the selectors as the page's 403 (with its reason) or 404."""
    try:
        return call()
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _court_param(request: HttpRequest) -> int | None:
    value = request.GET.get("court") or ""
    return int(value) if value.isdigit() else None


def _may_import(user: User, court_id: int) -> bool:
    return user.is_superuser or (user.role in RECORDERS and user.court_id == court_id)


# ---------------------------------------------------------------- statements


@login_required
@require_http_methods(["GET", "POST"])
def statement_list(request: HttpRequest) -> HttpResponse:
    """Upload a statement (the finance desk) and the court's import history."""
    court = _allowed(lambda: reconciliation.statement_court(request.user, _court_param(request)))
    form = StatementUploadForm()
    context: dict = {"court": court, "can_import": _may_import(request.user, court.pk)}
    status = 200
    if request.method == "POST":
        _allowed(lambda: reconciliation.statement_court(request.user, court.pk, write=True))
        form = StatementUploadForm(request.POST, request.FILES)
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = statements.statement_import(actor=request.user, court_id=court.pk, file_name=upload.name,
                                                     content=upload.read())
            except ValidationFailed as exc:
                context["report"], context["report_message"] = exc.errors, exc.message
                status = exc.http_status
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.http_status
            else:
                context["result"] = result
                status = 200
    context["form"] = form
    context["court_choices"] = reconciliation.readable_courts(request.user)
    context["page"] = Paginator(reconciliation.statements_for(court), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "money/reconciliation/statements.html", context, status=status)


@login_required
@require_GET
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _allowed(lambda: reconciliation.statement_get_for_user(user=request.user, pk=pk))
    form = LineFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    lines = reconciliation.statement_lines(statement, status)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "money/reconciliation/statement.html", {
        "statement": statement, "form": form, "status": status, "page": page,
        "counts": [(value, label, n) for (value, label), n in
                   zip(LineStatus.choices, reconciliation.statement_counts(statement).values(), strict=True)],
        "query": urlencode({"status": status}) if status else "",
    })


@login_required
@require_GET
def statement_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _allowed(lambda: reconciliation.statement_get_for_user(user=request.user, pk=pk))
    content = exports.statement_lines_xlsx(statement, reconciliation.statement_lines(statement))
    return exports.attachment(content, exports.file_name("对账单明细", statement.court.name, statement.last_on or timezone.localdate(),
                                            f"_{statement.pk}"))


# ---------------------------------------------------------------- the reconciliation report


def _period(request: HttpRequest) -> tuple[PeriodForm, object]:
    court = _allowed(lambda: reconciliation.statement_court(request.user, _court_param(request)))
    start, end = reconciliation.default_period(court)
    data = {"court": court.pk, "start": request.GET.get("start") or start, "end": request.GET.get("end") or end}
    return PeriodForm(data, user=request.user), court


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    form, court = _period(request)
    context: dict = {"form": form, "court": court, "can_rematch": _may_import(request.user, court.pk)}
    status = 200
    if form.is_valid():
        try:
            context["recon"] = recon = reconciliation.reconciliation_report(court=court, start=form.cleaned_data["start"],
                                                                            end=form.cleaned_data["end"])
            context["shown_lines"] = recon.unmatched_lines[:SHOWN_ITEMS]
            context["shown_movements"] = recon.movements[:SHOWN_ITEMS]
            context["shown"] = SHOWN_ITEMS
            context["query"] = urlencode({"court": court.pk, "start": form.cleaned_data["start"],
                                          "end": form.cleaned_data["end"]})
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.http_status
    else:
        status = 422
    return render(request, "money/reconciliation/report.html", context, status=status)


@login_required
@require_GET
def report_xlsx(request: HttpRequest) -> HttpResponse:
    form, court = _period(request)
    if not form.is_valid():
        raise Http404("对账期间有误")
    try:
        recon = reconciliation.reconciliation_report(court=court, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return exports.attachment(exports.reconciliation_xlsx(recon), exports.file_name("执行款专户对账", court.name, recon.end))


@login_required
@require_POST
def rematch(request: HttpRequest) -> HttpResponse:
    court = _allowed(lambda: reconciliation.statement_court(request.user, _court_param(request)))
    try:
        count = statements.statement_rematch(actor=request.user, court_id=court.pk)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, f"重新匹配：{count} 笔此前未匹配的支出现已匹配" if count else "重新匹配：没有新匹配的交易")
    url = request.POST.get("next") or reverse("reconciliation:report")
    if not url.startswith("/"):
        url = reverse("reconciliation:report")
    if is_htmx(request):
        return HttpResponse(headers={"HX-Redirect": url})
    return redirect(url)


# ---------------------------------------------------------------- balance and aging reports


def _report_input(request: HttpRequest, form_class):
    """The bound form (defaults filled in) and the scope, or the form with its errors."""
    user = request.user
    data = request.GET.copy()
    team_member = not user.is_superuser and user.role in reports.TEAM_READERS
    data.setdefault("level", "case" if team_member else "court")
    data.setdefault("as_of", timezone.localdate().isoformat())
    if form_class is BalanceReportForm:
        data.setdefault("period", "day")
    if team_member:
        data.setdefault("team", str(user.team_id or ""))
    if data.get("level") != "court" and not data.get("court") and user.court_id:
        data["court"] = str(user.court_id)
    form = form_class(data, user=user)
    if not form.is_valid():
        return form, None
    court, team = form.cleaned_data["court"], form.cleaned_data["team"]
    try:
        scope = reports.report_scope(user, court_id=court.pk if court else None, team_id=team.pk if team else None)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ValidationFailed as exc:
        form.add_domain_error(exc)
        return form, None
    return form, scope


def _query(form) -> str:
    return urlencode({k: v for k, v in form.data.items() if k != "page" and v})


def _guard_reader(request: HttpRequest) -> None:
    try:
        reports.report_scope(request.user)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc


def _balance_report(scope: reports.ReportScope, data: dict) -> reports.BalanceReport:
    return reports.balance_report(scope=scope, level=data["level"], period=data["period"], as_of=data["as_of"])


def _aging_report(scope: reports.ReportScope, data: dict) -> reports.AgingReport:
    return reports.aging_report(scope=scope, level=data["level"], as_of=data["as_of"])


def _report_page(request: HttpRequest, form_class, build, template: str, **extra) -> HttpResponse:
    """A report page: the form, and the report it asks for (paged) or the form's errors."""
    _guard_reader(request)
    form, scope = _report_input(request, form_class)
    context: dict = {"form": form, **extra}
    status = 422
    if scope is not None:
        try:
            report_ = build(scope, form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.http_status
        else:
            context.update(report=report_, page=Paginator(report_.rows, REPORT_PAGE_SIZE).get_page(request.GET.get("page")),
                           query=_query(form))
            status = 200
    return render(request, template, context, status=status)


def _report_download(request: HttpRequest, form_class, build, export, prefix) -> HttpResponse:
    """A report's XLSX; `prefix(report)` begins the file's name."""
    _guard_reader(request)
    form, scope = _report_input(request, form_class)
    if scope is None:
        raise Http404("报表条件有误：" + "；".join(e for errors in form.errors.values() for e in errors))
    try:
        report_ = build(scope, form.cleaned_data)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return exports.attachment(export(report_), exports.file_name(prefix(report_), _scope_name(form), report_.as_of,
                                                                 f"_按{reports.LEVELS[report_.level]}"))


def _scope_name(form) -> str:
    court, team = form.cleaned_data.get("court"), form.cleaned_data.get("team")
    return f"{court.name if court else '全部法院'}{team.name if team else ''}"


@login_required
@require_GET
def balances(request: HttpRequest) -> HttpResponse:
    return _report_page(request, BalanceReportForm, _balance_report, "money/reconciliation/balances.html")


@login_required
@require_GET
def balances_xlsx(request: HttpRequest) -> HttpResponse:
    return _report_download(request, BalanceReportForm, _balance_report, exports.balance_report_xlsx,
                            lambda report_: f"案款余额{reports.PERIODS[report_.period]}")


@login_required
@require_GET
def aging(request: HttpRequest) -> HttpResponse:
    return _report_page(request, AgingReportForm, _aging_report, "money/reconciliation/aging.html",
                        bucket_labels=reports.BUCKET_LABELS, citation=reports.UNIDENTIFIED_CITATION)


@login_required
@require_GET
def aging_xlsx(request: HttpRequest) -> HttpResponse:
    return _report_download(request, AgingReportForm, _aging_report, exports.aging_report_xlsx, lambda _report: "案款账龄")
