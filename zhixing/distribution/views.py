"""Pages of 参与分配: a case's plans (every version, the current one with its shares, objection period
and the actions the user may take), the draft editor (lines added and removed in place with htmx),
and one view per action — authorise, parse with a form, call one service, answer: a redirect on
success (htmx follows it), the plan panel with the form's errors on failure."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhixing.cases.choices import CaseStatus
from zhixing.cases.exceptions import NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.cases.pages import visible_case
from zhixing.money.choices import OrderKind
from zhixing.money.services import available_fen
from zhixing.pages import is_htmx, run_service

from . import rules, selectors, services, shares
from .choices import ObjectionStatus, PlanStatus, Tier
from .forms import (
    ConfirmForm,
    DecideForm,
    LineForm,
    NotifyForm,
    ObjectionForm,
    OpposeForm,
    PayeeForm,
    PlanCreateForm,
    PlanUpdateForm,
    ReasonForm,
    ServeForm,
    SuitEndForm,
)
from .models import DistributionLine, DistributionObjection, DistributionPlan

T = TypeVar("T")


def case_summary(case: EnforcementCase) -> dict:
    """One line for the case page: how many plan versions, and the current one's state."""
    plan = DistributionPlan.objects.filter(case_id=case.pk).order_by("-version").only("version", "status").first()
    return {"plan": plan}


# ---------------------------------------------------------------- reading


def _visible(request: HttpRequest, get: Callable[..., T], pk: int, *, acting: bool = False) -> T:
    """The object through its selector (`get(user=…, pk=…)`), NotFound as a 404; `acting`: a read-only
    (supervising) user is refused first."""
    if acting and request.user.is_read_only:
        raise PermissionDenied("上级法院监督角色只能查看，不能办理")
    try:
        return get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _visible_plan(request: HttpRequest, pk: int, *, acting: bool = False) -> DistributionPlan:
    return _visible(request, selectors.plan_get_for_user, pk, acting=acting)


def plan_context(user, plan: DistributionPlan, bound: dict | None = None) -> dict:
    """What `_plan.html` shows: the lines with their ratios, the objection period, the forms the user
    may use now (a failed one, in `bound`, with its errors)."""
    bound = bound or {}
    today = timezone.localdate()
    actions = selectors.actions_for(user, plan, today)
    lines = selectors.in_payment_order(plan.lines.all())
    for line in lines:
        line.ratio = shares.ratio_text(line.share_fen, line.claim_fen)
        line.same_court_case = line.creditor_case_id and line.creditor_case.court_id == plan.court_id
        line.transfer = selectors.order_kind(plan, line) == OrderKind.TRANSFER
        if actions.edit_payee and not line.retained and not line.transfer and line.share_fen and selectors.unordered(line):
            line.payee_form = bound.get(f"payee-{line.pk}") or PayeeForm(prefix=f"payee-{line.pk}", initial={
                "payee_name": line.payee_name or line.creditor_name, "payee_account": line.payee_account,
                "payee_bank": line.payee_bank})
    objections = list(plan.objections.all())
    if actions.object:
        for o in objections:
            if o.status == ObjectionStatus.PENDING:
                if not o.notified_on:
                    o.notify_form = bound.get(f"notify-{o.pk}") or NotifyForm(prefix=f"notify-{o.pk}")
                elif not o.opposed_on:
                    o.oppose_form = bound.get(f"oppose-{o.pk}") or OpposeForm(prefix=f"oppose-{o.pk}")
                o.decide_form = bound.get(f"decide-{o.pk}") or DecideForm(prefix=f"decide-{o.pk}", plan=plan)
            elif o.status == ObjectionStatus.SUIT:
                o.suit_end_form = bound.get(f"suitend-{o.pk}") or SuitEndForm(prefix=f"suitend-{o.pk}")
    days_left = (plan.objection_due - today).days if plan.objection_due else None
    forms = {}
    if actions.edit:
        forms["line"] = bound.get("line") or LineForm(prefix="line")
        forms["plan"] = bound.get("plan") or PlanUpdateForm.for_plan(plan)
    if actions.serve:
        forms["serve"] = bound.get("serve") or ServeForm(prefix="serve")
    if actions.withdraw:
        forms["withdraw"] = bound.get("withdraw") or ReasonForm(prefix="withdraw")
    if actions.object:
        forms["objection"] = bound.get("objection") or ObjectionForm(prefix="objection")
    if actions.amend:
        forms["amend"] = bound.get("amend") or ReasonForm(prefix="amend")
    if plan.status in (PlanStatus.SERVED, PlanStatus.OBJECTED, PlanStatus.FINAL, PlanStatus.EXECUTED):
        forms["finalise"] = bound.get("finalise") or (ConfirmForm() if actions.finalise else None)
        forms["execute"] = bound.get("execute") or (ConfirmForm() if actions.execute else None)
    return {
        "plan": plan, "lines": lines, "objections": objections, "actions": actions, "forms": forms, "today": today,
        "days_left": days_left, "rules": rules, "tiers": Tier,
        "costs_fen": sum(line.share_fen for line in lines if line.tier == Tier.COST),
        "finalise_refusal": selectors.finalise_refusal(plan, today)
        if plan.status in (PlanStatus.SERVED, PlanStatus.OBJECTED) else None,
        "to_order": selectors.lines_to_order(plan) if plan.status in (PlanStatus.FINAL, PlanStatus.EXECUTED) else [],
    }


def _page(request: HttpRequest, case: EnforcementCase, shown: DistributionPlan | None, *, bound: dict | None = None,
          status: int = 200) -> HttpResponse:
    plans = selectors.plans_for_case(case)
    if shown is not None:
        shown = next((p for p in plans if p.pk == shown.pk), shown)
    elif plans:
        shown = plans[0]
    user = request.user
    context = {
        "case": case, "plans": plans, "shown": shown, "available_fen": available_fen(case),
        "may_draft": selectors.may_draft(user, case), "rules": rules,
    }
    if shown is not None:
        shown.case = case
        context.update(plan_context(user, shown, bound))
    open_plan = next((p for p in plans if p.status in (PlanStatus.DRAFT, PlanStatus.SERVED, PlanStatus.OBJECTED,
                                                         PlanStatus.FINAL)), None)
    if context["may_draft"] and open_plan is None and case.status != CaseStatus.ARCHIVED:
        context["create_form"] = (bound or {}).get("create") or PlanCreateForm(prefix="create")
        context["candidates"] = selectors.eligible_creditors(case, money_on_account_fen=max(context["available_fen"], 0))
        context["suggested_method"] = selectors.method_for(case)
    return render(request, "distribution/case.html", context, status=status)


@login_required
@require_GET
def case_plans(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, visible_case(request, pk), None)


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _visible_plan(request, pk)
    return _page(request, visible_case(request, plan.case_id), plan)


# ---------------------------------------------------------------- acting


def _for_action(request: HttpRequest, plan_pk: int) -> DistributionPlan:
    return _visible_plan(request, plan_pk, acting=True)


def plan_url(plan: DistributionPlan) -> str:
    return reverse("distribution:plan", args=[plan.pk])


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if is_htmx(request):  # htmx follows with a full page load: the message and the new state
        return HttpResponse(headers={"HX-Redirect": url})
    return redirect(url)


def _panel(request: HttpRequest, plan: DistributionPlan, bound: dict | None = None, status: int = 200) -> HttpResponse:
    """The plan panel alone (htmx swaps it), or the whole page."""
    if is_htmx(request):
        plan = selectors.plan_get_for_user(user=request.user, pk=plan.pk)
        return render(request, "distribution/_plan.html", plan_context(request.user, plan, bound), status=status)
    return _page(request, plan.case, plan, bound=bound, status=status)  # re-reads the case's plans


def _act(request: HttpRequest, plan: DistributionPlan, name: str, form, call: Callable[[dict], object],
         message: Callable[[object], str], *, in_place: bool = False) -> HttpResponse:
    """Validate the form, call the service. Success: the draft editor is redrawn in place (`in_place`),
    anything else redirects to the plan it led to. Failure: the panel with the form's errors."""
    status = 422
    if form.is_valid():
        done, status = run_service(form, lambda: call(form.cleaned_data))
        if done is not None:
            # a line or an objection leads back to its plan; amending leads to the new version
            target = done if isinstance(done, DistributionPlan) else getattr(done, "plan", plan)
            if in_place and is_htmx(request):
                return _panel(request, target)
            messages.success(request, message(done))
            return _redirect(request, plan_url(target))
    return _panel(request, plan, {name: form}, status)


@login_required
@require_POST
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk, acting=True)
    form = PlanCreateForm(request.POST, prefix="create")
    status = 422
    if form.is_valid():
        d = form.cleaned_data
        plan, status = run_service(form, lambda: services.plan_create(
            actor=request.user, case=case, proceeds_fen=d["proceeds"], method=d["method"] or None, prefill=d["prefill"],
            reason=d["reason"]))
        if plan is not None:
            messages.success(request, f"已制作第{plan.version}版分配方案（草稿）")
            return _redirect(request, plan_url(plan))
    return _page(request, case, None, bound={"create": form}, status=status)


@login_required
@require_POST
def plan_update(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _for_action(request, pk)
    form = PlanUpdateForm(request.POST, prefix="plan")
    return _act(request, plan, "plan", form, lambda d: services.plan_update(
        actor=request.user, plan=plan, proceeds_fen=d["proceeds"], method=d["method"], reason=d["reason"]),
        lambda p: "已修改草稿", in_place=True)


@login_required
@require_POST
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _for_action(request, pk)
    form = LineForm(request.POST, prefix="line")
    return _act(request, plan, "line", form, lambda d: services.line_save(actor=request.user, plan=plan, **form.line_data()),
                lambda line: f"已列入{line.creditor_name}", in_place=True)


def _line(request: HttpRequest, pk: int) -> DistributionLine:
    return _visible(request, selectors.line_get_for_user, pk, acting=True)


@login_required
@require_POST
def line_remove(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    return _act(request, line.plan, "remove", ConfirmForm(request.POST), lambda d: services.line_remove(
        actor=request.user, line=line), lambda p: f"已删除{line.creditor_name}", in_place=True)


@login_required
@require_POST
def line_payee(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    form = PayeeForm(request.POST, prefix=f"payee-{line.pk}")
    return _act(request, line.plan, f"payee-{line.pk}", form, lambda d: services.line_set_payee(
        actor=request.user, line=line, **d), lambda line: f"已登记{line.creditor_name}的收款账户")


@login_required
@require_POST
def plan_serve(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _for_action(request, pk)
    form = ServeForm(request.POST, prefix="serve")
    return _act(request, plan, "serve", form, lambda d: services.plan_serve(
        actor=request.user, plan=plan, served_on=d["served_on"]),
        lambda p: f"已送达第{p.version}版分配方案，异议期至 {p.objection_due:%Y-%m-%d}")


@login_required
@require_POST
def plan_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _for_action(request, pk)
    form = ReasonForm(request.POST, prefix="withdraw")
    return _act(request, plan, "withdraw", form, lambda d: services.plan_withdraw(
        actor=request.user, plan=plan, reason=d["reason"]), lambda p: f"已撤销第{p.version}版分配方案草稿")


@login_required
@require_POST
def objection_lodge(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _for_action(request, pk)
    form = ObjectionForm(request.POST, prefix="objection")
    return _act(request, plan, "objection", form, lambda d: services.objection_lodge(
        actor=request.user, plan=plan, **d), lambda o: f"已登记{o.objector_name}的异议")


def _objection(request: HttpRequest, pk: int) -> DistributionObjection:
    return _visible(request, selectors.objection_get_for_user, pk, acting=True)


@login_required
@require_POST
def objection_notify(request: HttpRequest, pk: int) -> HttpResponse:
    o = _objection(request, pk)
    form = NotifyForm(request.POST, prefix=f"notify-{o.pk}")
    return _act(request, o.plan, f"notify-{o.pk}", form, lambda d: services.objection_notify(
        actor=request.user, objection=o, **d), lambda o: f"已登记通知，反对意见期限至 {o.opposition_due:%Y-%m-%d}")


@login_required
@require_POST
def objection_oppose(request: HttpRequest, pk: int) -> HttpResponse:
    o = _objection(request, pk)
    form = OpposeForm(request.POST, prefix=f"oppose-{o.pk}")
    return _act(request, o.plan, f"oppose-{o.pk}", form, lambda d: services.objection_oppose(
        actor=request.user, objection=o, **d),
        lambda o: f"已登记反对意见，异议人起诉期限至 {o.suit_due:%Y-%m-%d}")


@login_required
@require_POST
def objection_decide(request: HttpRequest, pk: int) -> HttpResponse:
    o = _objection(request, pk)
    form = DecideForm(request.POST, prefix=f"decide-{o.pk}", plan=o.plan)
    return _act(request, o.plan, f"decide-{o.pk}", form, lambda d: services.objection_decide(
        actor=request.user, objection=o, outcome=d["outcome"], note=d["note"], withheld_line_ids=d["withheld_line_ids"]),
        lambda o: f"{o.objector_name}的异议：{o.get_status_display()}")


@login_required
@require_POST
def objection_suit_end(request: HttpRequest, pk: int) -> HttpResponse:
    o = _objection(request, pk)
    form = SuitEndForm(request.POST, prefix=f"suitend-{o.pk}")
    return _act(request, o.plan, f"suitend-{o.pk}", form, lambda d: services.objection_decide(
        actor=request.user, objection=o, outcome=ObjectionStatus.SUIT_ENDED, note=d["note"]),
        lambda o: "已登记诉讼结束，暂缓的分配款可以申请发放")


@login_required
@require_POST
def plan_amend(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _for_action(request, pk)
    form = ReasonForm(request.POST, prefix="amend")
    return _act(request, plan, "amend", form, lambda d: services.plan_amend(
        actor=request.user, plan=plan, reason=d["reason"]), lambda p: f"已生成第{p.version}版（草稿），原版本作废")


@login_required
@require_POST
def plan_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _for_action(request, pk)
    return _act(request, plan, "finalise", ConfirmForm(request.POST), lambda d: services.plan_finalise(
        actor=request.user, plan=plan), lambda p: f"第{p.version}版分配方案已生效")


@login_required
@require_POST
def plan_execute(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _for_action(request, pk)
    return _act(request, plan, "execute", ConfirmForm(request.POST), lambda d: services.plan_execute(
        actor=request.user, plan=plan), lambda p: "已逐项申请发放或划转，付款单进入审批")
