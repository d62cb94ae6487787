"""Pages of triage and assignment: the panel on the case page (the decision, the rule behind it,
what the rules say now, tags, a judge's override), the 分案 worklist with one-click assignment and
its preview, an absent judge's cases spread over the team, a court's rules, and the designation of
new cases between basic courts. Each view authorises, parses with a form, calls one service or
selector and renders; a refusal is shown on the form with the service's status."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from zhixing.accounts.models import User
from zhixing.cases.exceptions import DomainError, NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.cases.pages import visible_case
from zhixing.courts.choices import CourtLevel
from zhixing.pages import is_htmx, run_service

from . import assignment, selectors, services, transfers
from .choices import TransferStatus
from .forms import (
    AbsenceForm,
    ClearOverrideForm,
    OverrideForm,
    PolicyForm,
    PresetForm,
    ReassignForm,
    RuleFormSet,
    TagForm,
    TagRemoveForm,
    TransferCancelForm,
    TransferOrderForm,
    UnassignedFilterForm,
    rule_initial,
)
from .models import Absence, CaseTag
from .rules import (
    ABSENCE_RECORDERS,
    ASSIGN_CITATION,
    AUTO_ASSIGNERS,
    OVERRIDERS,
    PRESETS,
    TAGGERS,
    TRANSFER_CITATION,
    WEIGHTS_CITATION,
)

PAGE_SIZE = 50
CANDIDATES = 50  # new cases of the basic courts shown to the intermediate court
READ_ONLY = "上级法院监督角色只能查看，不能办理"


def _found(call):
    try:
        return call()
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _role(user, roles) -> bool:
    return user.is_superuser or user.role in roles


# ---------------------------------------------------------------- the case page panel


def case_panel(user: User, case: EnforcementCase, bound: dict) -> dict:
    """What the case page shows of triage, with the forms this user may use now (a bound form, with
    its errors, replaces its empty twin). Used by cases.views.render_detail."""
    panel = selectors.case_panel(case)
    staff = not user.is_read_only and (user.is_superuser or user.court_id == case.court_id) and case.is_open
    forms: dict = {}
    if staff and _role(user, OVERRIDERS):
        forms["override"] = bound.get("triage_override") or OverrideForm(initial={"track": panel.now.track})
        if panel.overridden:
            forms["clear"] = bound.get("triage_clear") or ClearOverrideForm()
    if staff and _role(user, TAGGERS):
        forms["tag"] = bound.get("triage_tag") or TagForm()
        failed = bound.get("triage_untag")
        forms["untag"] = [(t, failed if failed is not None and failed.tag_id == t.pk else TagRemoveForm(tag_id=t.pk))
                          for t in panel.active_tags]
    return {"panel": panel, "forms": forms}


def _case_action(request: HttpRequest, pk: int) -> EnforcementCase:
    return visible_case(request, pk, acting=True)


def _back_to_case(request: HttpRequest, case: EnforcementCase, message: str) -> HttpResponse:
    messages.success(request, message)
    url = reverse("cases:detail", args=[case.pk]) + "#triage"
    if is_htmx(request):
        return HttpResponse(headers={"HX-Redirect": url})
    return redirect(url)


def _case_failed(request: HttpRequest, case: EnforcementCase, name: str, form, status: int) -> HttpResponse:
    from zhixing.cases.views import render_detail

    return render_detail(request, case.pk, bound={name: form}, status=status)


def _act_on_case(request, pk: int, form_class, name: str, call, message, **form_kwargs) -> HttpResponse:
    case = _case_action(request, pk)
    form = form_class(request.POST, **form_kwargs)
    if not form.is_valid():
        return _case_failed(request, case, name, form, 422)
    done, status = run_service(form, lambda: call(case, form.cleaned_data))
    if done is None:
        return _case_failed(request, case, name, form, status)
    return _back_to_case(request, case, message(done))


@login_required
@require_POST
def override(request: HttpRequest, pk: int) -> HttpResponse:
    return _act_on_case(
        request, pk, OverrideForm, "triage_override",
        lambda case, d: services.triage_override(actor=request.user, case=case, track=d["track"], reason=d["reason"],
                                                 team_type=d["team_type"]),
        lambda d: f"已改定繁简分流：{d.get_track_display()}",
    )


@login_required
@require_POST
def clear_override(request: HttpRequest, pk: int) -> HttpResponse:
    return _act_on_case(
        request, pk, ClearOverrideForm, "triage_clear",
        lambda case, d: services.triage_override_clear(actor=request.user, case=case, reason=d["reason"]),
        lambda d: f"已撤销改定，按规则分流：{d.get_track_display()}",
    )


@login_required
@require_POST
def add_tag(request: HttpRequest, pk: int) -> HttpResponse:
    return _act_on_case(
        request, pk, TagForm, "triage_tag",
        lambda case, d: services.case_tag_add(actor=request.user, case=case, tag=d["tag"], note=d["note"]),
        lambda row: f"已标记：{row.get_tag_display()}",
    )


@login_required
@require_POST
def remove_tag(request: HttpRequest, pk: int, tag_id: int) -> HttpResponse:
    case = _case_action(request, pk)
    tag = CaseTag.objects.filter(pk=tag_id, case=case).first()
    if tag is None:
        raise Http404("标记不存在")
    form = TagRemoveForm(request.POST, tag_id=tag_id)
    form.tag_id = tag_id
    if not form.is_valid():
        return _case_failed(request, case, "triage_untag", form, 422)
    done, status = run_service(form, lambda: services.case_tag_remove(actor=request.user, tag=tag,
                                                                      reason=form.cleaned_data["reason"]))
    if done is None:
        return _case_failed(request, case, "triage_untag", form, status)
    return _back_to_case(request, case, f"已撤销标记：{done.get_tag_display()}")


@login_required
@require_POST
def retriage_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_action(request, pk)
    if not (request.user.is_superuser or request.user.court_id == case.court_id):
        raise Http404("案件不存在")
    result = services.retriage(case=case, actor=request.user, why="手动重新分流")
    case.refresh_from_db(fields=["track"])
    text = (f"分流改为：{case.get_track_display()}" if result.changed else
            "法官改定的分流保持不变" if result.overridden else "分流未变")
    return _back_to_case(request, case, f"已按现行规则重新分流，{text}")


# ---------------------------------------------------------------- the 分案 worklist


def _assigning_court(request: HttpRequest):
    try:
        return selectors.assigning_court_for(request.user)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc


@login_required
def assign_worklist(request: HttpRequest) -> HttpResponse:
    """未分案案件 of the user's court, most urgent deadline first, each with the judge auto-assignment
    would choose now (the preview: the page's cases in order, loads moving as it goes), and the
    judges' loads."""
    court = _assigning_court(request)
    form = UnassignedFilterForm(request.GET or None)
    cases = selectors.unassigned_cases(court_id=court.pk, filters=form.to_filter())
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    rules = selectors.court_rules(court.pk)
    loads = assignment.judge_loads(court.pk, rules=rules)
    proposals = {p.case_id: p for p in assignment.preview(court, rows, rules=rules, loads=loads)}
    today = timezone.localdate()
    for case in rows:
        case.proposal = proposals.get(case.pk)
        case.days_left = (case.assign_due - today).days if case.assign_due else None
    loads = sorted(loads, key=lambda j: (j.team_name, j.load, j.user_id))
    absences = list(Absence.objects.filter(court_id=court.pk, ends_on__gte=today).select_related("user").order_by("starts_on"))
    return render(request, "triage/assign.html", {
        "court": court, "form": form, "page": page, "rows": rows, "loads": loads, "absences": absences,
        "can_assign": _role(request.user, AUTO_ASSIGNERS), "can_absence": _role(request.user, ABSENCE_RECORDERS),
        "assign_citation": ASSIGN_CITATION, "weights_citation": WEIGHTS_CITATION,
        "rules": rules,
    })


@login_required
@require_POST
def assign_run(request: HttpRequest) -> HttpResponse:
    """一键分案: the ticked cases, one case (its row's button), or every unassigned case of the court."""
    court = _assigning_court(request)
    if request.POST.get("all") == "1":
        case_ids = None
    else:
        case_ids = [int(v) for v in request.POST.getlist("case") + [request.POST.get("one", "")] if str(v).isdigit()]
        if not case_ids:
            messages.error(request, "请勾选要分案的案件")
            return redirect(reverse("triage:assign"))
    try:
        result = assignment.assign_auto(actor=request.user, court=court, case_ids=case_ids)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("triage:assign"))
    (messages.success if result.done else messages.warning)(request, result.text)
    return redirect(reverse("triage:assign") + ("?" + request.POST["query"] if request.POST.get("query") else ""))


@login_required
@require_http_methods(["GET", "POST"])
def judge_page(request: HttpRequest, user_id: int) -> HttpResponse:
    """One judge: their load, absences, and how their open cases would be spread over the team
    (preview), with the forms to record an absence and to reassign."""
    court = _assigning_court(request)
    judge = _found(lambda: assignment.judge_of_court(court.pk, user_id))
    absence_form, reassign_form, status = AbsenceForm(), ReassignForm(), 200
    if request.method == "POST":
        if not _role(request.user, ABSENCE_RECORDERS):
            raise PermissionDenied("只有执行局长、院长或指挥中心可以登记不在岗和批量改派")
        if "absence-starts_on" in request.POST:
            absence_form = AbsenceForm(request.POST)
            if absence_form.is_valid():
                d = absence_form.cleaned_data
                done, status = run_service(absence_form, lambda: assignment.absence_record(
                    actor=request.user, user=judge, starts_on=d["starts_on"], ends_on=d["ends_on"], reason=d["reason"]))
                if done is not None:
                    messages.success(request, f"已登记 {judge.display_name} {done.starts_on}至{done.ends_on} 不在岗")
                    return redirect(request.path)
            else:
                status = 422
        else:
            reassign_form = ReassignForm(request.POST)
            if reassign_form.is_valid():
                done, status = run_service(reassign_form, lambda: assignment.reassign_absent(
                    actor=request.user, judge=judge, reason=reassign_form.cleaned_data["reason"]))
                if done is not None:
                    (messages.success if done.done else messages.warning)(request, "批量改派：" + done.text)
                    return redirect(request.path)
            else:
                status = 422
    loads = {j.user_id: j for j in assignment.judge_loads(court.pk)}
    return render(request, "triage/judge.html", {
        "court": court, "judge": judge, "load": loads.get(judge.pk), "preview": assignment.reassign_preview(judge=judge),
        "absences": list(Absence.objects.filter(user=judge).select_related("recorded_by")[:20]),
        "absence_form": absence_form, "reassign_form": reassign_form,
        "can_act": _role(request.user, ABSENCE_RECORDERS),
    }, status=status)


# ---------------------------------------------------------------- a court's rules


_RULE_PATH = re.compile(r"^rules\[(\d+)\](?:\.params)?\.?(\w*)$")
_PARAM_FIELDS = {"max_fen": "amount", "min_fen": "amount", "count": "count", "percent": "percent",
                 "subjects": "subjects", "case_types": "case_types"}


def _rule_errors(exc: DomainError, rows, policy_form) -> None:
    """Put a service's rules[i].… errors on the row they came from; the rest on the policy form."""
    from zhixing.cases.exceptions import ValidationFailed

    errors = exc.errors if isinstance(exc, ValidationFailed) else []
    rest = []
    for error in errors:
        match = _RULE_PATH.match(error.field)
        if match and int(match.group(1)) < len(rows):
            form = rows[int(match.group(1))]
            name = _PARAM_FIELDS.get(match.group(2), match.group(2))
            form.add_error(name if name in form.fields else None, error.message)
        else:
            rest.append(error)
    if rest or not errors:
        from zhixing.cases.exceptions import ValidationFailed as VF

        policy_form.add_domain_error(VF(rest) if rest else exc)


@login_required
@require_http_methods(["GET", "POST"])
def rules_page(request: HttpRequest) -> HttpResponse:
    court = _found(lambda: selectors.policy_court_for(request.user, _int(request.GET.get("court"))))
    current = selectors.court_rules(court.pk)
    can_edit = selectors.may_edit_policy(request.user, court.pk)
    initial = {"default_track": current.default_track, "weight_fast": current.weight("fast"),
               "weight_ordinary": current.weight("ordinary"), "weight_special": current.weight("special")}
    policy_form = PolicyForm(initial=initial)
    rules = RuleFormSet(initial=rule_initial(current.rules), prefix="rules")
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只有本院执行局长、院长或系统管理员可以修改繁简分流规则")
        if "preset" in request.POST:
            preset = PresetForm(request.POST)
            if preset.is_valid():
                services.triage_policy_from_preset(actor=request.user, court=court, preset=preset.cleaned_data["preset"])
                messages.success(request, f"已采用{PRESETS[preset.cleaned_data['preset']][0]}，保存为新版本")
                return redirect(request.get_full_path())
        elif "retriage" in request.POST:
            result = services.retriage_cases(
                selectors.unassigned_cases(court_id=court.pk).values_list("pk", flat=True),
                actor=request.user, why="按新规则重新分流（未分案案件）")
            messages.success(request, result.text)
            return redirect(request.get_full_path())
        else:
            policy_form, rules, status = PolicyForm(request.POST), RuleFormSet(request.POST, prefix="rules"), 422
            if policy_form.is_valid() and rules.is_valid():
                ordered = sorted(
                    [(f.cleaned_data.get("position") or 99, i, f) for i, f in enumerate(rules.forms) if f.rule()],
                    key=lambda row: row[:2])
                rows = [f for _, _, f in ordered]
                d = policy_form.cleaned_data
                try:
                    services.triage_policy_save(actor=request.user, court=court, rules=[f.rule() for f in rows],
                                                default_track=d["default_track"], weights=policy_form.weights(),
                                                note=d["note"])
                except DomainError as exc:
                    _rule_errors(exc, rows, policy_form)
                    status = exc.http_status
                else:
                    messages.success(request, "已保存为新版本；新规则用于此后的立案和重新分流")
                    return redirect(request.get_full_path())
    return render(request, "triage/rules.html", {
        "court": court, "current": current, "can_edit": can_edit, "policy_form": policy_form, "rules": rules,
        "presets": PresetForm(), "versions": selectors.policy_versions(court.pk),
        "weights_citation": WEIGHTS_CITATION,
    }, status=status)


def _int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- transfers


@login_required
@require_http_methods(["GET", "POST"])
def transfers_page(request: HttpRequest) -> HttpResponse:
    """指定执行（均衡调配）: the intermediate court orders; the receiving court registers; the original
    court closes its case. Each court sees the transfers it takes part in."""
    user = request.user
    intermediate = user.court if user.court_id and user.court.level == CourtLevel.INTERMEDIATE else None
    can_order = intermediate is not None and transfers.may_order(user, intermediate)
    order_form, status = (TransferOrderForm(intermediate=intermediate) if can_order else None), 200
    if request.method == "POST":
        if not can_order:
            raise PermissionDenied("指定执行须由中级人民法院的执行局长、院长或指挥中心决定")
        order_form = TransferOrderForm(request.POST, intermediate=intermediate)
        status = 422
        if order_form.is_valid():
            d = order_form.cleaned_data
            done, status = run_service(order_form, lambda: transfers.transfer_order(
                actor=user, case=order_form.case, to_court=d["to_court"], reason=d["reason"]))
            if done is not None:
                messages.success(request, f"已决定指定{done.to_court.name}执行{done.case.case_number}")
                return redirect(request.path)
    page = Paginator(selectors.transfers_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:
        row.can_register = row.status == TransferStatus.ORDERED and (user.is_superuser or user.court_id == row.to_court_id)
        row.can_close = row.status == TransferStatus.REGISTERED and (user.is_superuser or user.court_id == row.court_id)
        row.can_cancel = row.status == TransferStatus.ORDERED and transfers.may_order(user, row.ordering_court)
    balance = None
    if intermediate is not None:
        from zhixing.supervision import rebalancing

        side = rebalancing.courts_side_by_side(intermediate)
        balance = {"rows": side, "plan": rebalancing.balance_for(side),
                   "candidates": list(selectors.transfer_candidates(intermediate)[:CANDIDATES])}
    return render(request, "triage/transfers.html", {
        "rows": rows, "page": page, "order_form": order_form, "can_order": can_order, "balance": balance,
        "citation": TRANSFER_CITATION, "read_only": user.is_read_only,
    }, status=status)


@login_required
@require_POST
def transfer_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if request.user.is_read_only:
        raise PermissionDenied(READ_ONLY)
    row = _found(lambda: transfers.transfer_get_for(request.user, pk))
    calls = {
        "register": lambda: transfers.transfer_register(actor=request.user, transfer=row),
        "close": lambda: transfers.transfer_close_original(actor=request.user, transfer=row),
        "cancel": lambda: transfers.transfer_cancel(actor=request.user, transfer=row,
                                                    reason=request.POST.get("reason", "")),
    }
    if action not in calls:
        raise Http404("未知操作")
    form = TransferCancelForm(request.POST)
    done, _ = run_service(form, calls[action])
    if done is None:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    elif action == "register":
        messages.success(request, f"已立案：{done.case_number}")
    elif action == "close":
        messages.success(request, f"原案{done.case_number}已销案")
    else:
        messages.success(request, "已撤回指定执行")
    return redirect(reverse("triage:transfers"))
