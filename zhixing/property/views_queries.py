"""Pages of 集约查控: choosing cases and sending, the batches and their request files, uploading
replies, and the checklist panel of the case page. Thin: authorise, parse, call one service, render."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, PartyRole, Stage
from zhixing.cases.exceptions import DomainError, NotFound, ValidationFailed
from zhixing.cases.forms import DateInput, DomainErrorsMixin
from zhixing.cases.models import EnforcementCase, Party
from zhixing.courts.models import Team

from . import checklist, queries, replies
from .adapters import query_network
from .models import PropertyQuery, ReplyImport
from .rules import Group

SHOWN_CASES = 50
SHOWN_SKIPPED = 200


# ---------------------------------------------------------------- forms


class CaseSelectionForm(DomainErrorsMixin, forms.Form):
    filed_from = forms.DateField(label="立案日期从", required=False, widget=DateInput())
    filed_to = forms.DateField(label="至", required=False, widget=DateInput())
    stage = forms.ChoiceField(label="阶段", required=False, choices=[("", "全部"), *Stage.choices])
    team = forms.ModelChoiceField(label="团队", required=False, queryset=Team.objects.none(), empty_label="全部")
    unqueried = forms.BooleanField(label="只看有被执行人尚未查询的案件", required=False)
    items = forms.MultipleChoiceField(label="查控事项", required=False, widget=forms.CheckboxSelectMultiple)
    error_fields = {"item_codes": "items"}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(court_id=user.court_id)
        items = checklist.network_items(user.court_id) if user.court_id else []
        self.fields["items"].choices = [(i.code, i.name) for i in items]
        self.fields["items"].initial = [i.code for i in items if i.group == Group.FIVE]
        today = timezone.localdate()
        self.fields["filed_from"].initial = self.fields["filed_to"].initial = today

    def value(self, name: str):
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get(name)
        return self.fields[name].initial


class ReplyUploadForm(DomainErrorsMixin, forms.Form):
    file = forms.FileField(label="反馈文件（CSV 或 XLSX）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".xlsm", ".txt")):
            raise forms.ValidationError("只能导入 CSV 或 XLSX 文件")
        return upload


# ---------------------------------------------------------------- selection


def cases_for_sending(user: User, form: CaseSelectionForm) -> QuerySet[EnforcementCase]:
    """Open cases of the user's own court matching the filters (the ones a send would reach)."""
    cases = EnforcementCase.objects.filter(court_id=user.court_id or 0, status=CaseStatus.OPEN)
    filed_from, filed_to = form.value("filed_from"), form.value("filed_to")
    if filed_from:
        cases = cases.filter(filed_on__gte=filed_from)
    if filed_to:
        cases = cases.filter(filed_on__lte=filed_to)
    if form.value("stage"):
        cases = cases.filter(stage=form.value("stage"))
    if form.value("team"):
        cases = cases.filter(team=form.value("team"))
    if form.value("unqueried"):
        never_asked = Party.objects.filter(case_id=OuterRef("pk"), role=PartyRole.RESPONDENT).exclude(
            Exists(PropertyQuery.objects.filter(party_id=OuterRef("pk"))))
        cases = cases.filter(Exists(never_asked))
    return cases.order_by("filed_on", "pk")


@login_required
def batch_send_page(request: HttpRequest) -> HttpResponse:
    """集约查控: filter the court's cases (filed today by default) and send the chosen items for all of them."""
    user = request.user
    data = request.POST if request.method == "POST" else (request.GET or None)
    if request.method == "GET" and data is not None and "items" not in data:
        # Filtering the cases keeps the default items (the five network queries) ticked.
        data = data.copy()
        data.setlist("items", CaseSelectionForm(user=user).fields["items"].initial)
    form = CaseSelectionForm(data, user=user)
    status = 200
    result = None
    if request.method == "POST":
        if form.is_valid():
            try:
                result = queries.batch_send(actor=user, cases=cases_for_sending(user, form),
                                            item_codes=form.cleaned_data["items"])
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.http_status
        else:
            status = 422
    for batch in result.batches if result else []:
        batch.agency_name = queries.agency_name(batch.agency_kind)
    cases = cases_for_sending(user, form)
    context = {
        "form": form,
        "count": cases.count(),
        "cases": cases.select_related("team")[:SHOWN_CASES],
        "shown": SHOWN_CASES,
        "result": result,
        "skipped": result.skipped[:SHOWN_SKIPPED] if result else [],
    }
    return render(request, "property/queries/batch.html", context, status=status)


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.batches_for_user(request.user), 30).get_page(request.GET.get("page"))
    for batch in page:
        batch.agency_name = queries.agency_name(batch.agency_kind)
    return render(request, "property/queries/batches.html", {"page": page})


@login_required
def request_file(request: HttpRequest, pk: int) -> FileResponse:
    try:
        batch = queries.batch_get_for_user(request.user, pk)
        content = query_network().request_content(batch)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except OSError as exc:
        raise Http404("请求文件不存在（可能已被网关取走或移动）") from exc
    from io import BytesIO

    return FileResponse(BytesIO(content), as_attachment=True, filename=f"{batch.number}.csv",
                        content_type="text/csv; charset=utf-8")


@login_required
def reply_upload(request: HttpRequest) -> HttpResponse:
    form = ReplyUploadForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            context["result"] = replies.reply_import(actor=request.user, file_name=upload.name, content=upload.read())
        except ValidationFailed as exc:
            context["report"] = exc.errors
            context["report_message"] = exc.message
            status = exc.http_status
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.http_status
    elif request.method == "POST":
        status = 422
    imports = ReplyImport.objects.select_related("imported_by").order_by("-imported_at")
    if not request.user.is_superuser:
        imports = imports.filter(court_id=request.user.court_id or 0)
    context["imports"] = imports[:10]
    return render(request, "property/queries/replies.html", context, status=status)


def checklist_context(user: User, case: EnforcementCase) -> dict:
    """For the case page: {% include "property/queries/_checklist.html" %} with this context."""
    return {"checklist": checklist.case_checklist(case), "case": case,
            "can_send": not user.is_read_only and (user.is_superuser or user.court_id == case.court_id)}
