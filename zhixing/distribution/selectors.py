"""Reads of the distribution plans: visibility by user, the creditors a plan starts from, and what a
user may do with a plan now — the same answers for the pages and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases import selectors as case_selectors
from zhixing.cases.choices import PartyRole
from zhixing.cases.exceptions import NotFound
from zhixing.cases.models import EnforcementCase
from zhixing.money.choices import OrderKind, OrderStatus
from zhixing.property.models import OPEN_MEASURE_STATUSES, ControlMeasure

from . import rules
from .choices import OBJECTABLE_STATUSES, ObjectionStatus, PlanStatus
from .models import DistributionLine, DistributionObjection, DistributionPlan

# ---------------------------------------------------------------- plans


def with_details(plans: QuerySet[DistributionPlan]) -> QuerySet[DistributionPlan]:
    lines = DistributionLine.objects.select_related("order", "withheld_by", "creditor_case").order_by("position")
    objections = DistributionObjection.objects.select_related("decided_by").order_by("lodged_on", "id")
    return plans.select_related("created_by", "executed_by", "supersedes").prefetch_related(
        Prefetch("lines", queryset=lines), Prefetch("objections", queryset=objections))


def plans_for_case(case: EnforcementCase) -> list[DistributionPlan]:
    """Every version of the case's plans, newest first, with lines and objections (three queries)."""
    return list(with_details(DistributionPlan.objects.filter(case_id=case.pk)).order_by("-version"))


def plan_get_for_user(*, user: User, pk: int) -> DistributionPlan:
    """The plan, or NotFound — also for another court's plan, so its existence is not revealed."""
    plan = with_details(DistributionPlan.objects.filter(pk=pk)).select_related("case", "court").first()
    if plan is None:
        raise NotFound("分配方案不存在")
    case_selectors.case_get_for_user(user=user, pk=plan.case_id)  # NotFound unless the case is visible
    return plan


def objection_get_for_user(*, user: User, pk: int) -> DistributionObjection:
    objection = DistributionObjection.objects.select_related("plan", "plan__case").filter(pk=pk).first()
    if objection is None:
        raise NotFound("异议不存在")
    case_selectors.case_get_for_user(user=user, pk=objection.plan.case_id)
    return objection


def line_get_for_user(*, user: User, pk: int) -> DistributionLine:
    line = DistributionLine.objects.select_related("plan", "plan__case", "order").filter(pk=pk).first()
    if line is None:
        raise NotFound("分配明细不存在")
    case_selectors.case_get_for_user(user=user, pk=line.plan.case_id)
    return line


def latest_plan(case_id: int) -> DistributionPlan | None:
    """The newest version (a withdrawn draft aside): what the 财产分配方案 document prints."""
    pk = latest_plan_id(case_id)
    return None if pk is None else with_details(DistributionPlan.objects.filter(pk=pk)).get()


def open_plan(case_id: int) -> DistributionPlan | None:
    from .choices import OPEN_PLAN_STATUSES

    return DistributionPlan.objects.filter(case_id=case_id, status__in=OPEN_PLAN_STATUSES).first()


# ---------------------------------------------------------------- creditors a plan starts from


@dataclass(frozen=True)
class Candidate:
    creditor_name: str
    creditor_case: EnforcementCase
    claim_fen: int
    seized_on: dt.date | None


def method_for(case: EnforcementCase) -> str:
    kinds = {p.kind for p in case.parties.all() if p.role == PartyRole.RESPONDENT}
    return rules.method_for_respondent_kinds(kinds)


def eligible_creditors(case: EnforcementCase, *, money_on_account_fen: int = 0) -> list[Candidate]:
    """This case's applicant, then every other case (of any court) holding an open measure on property
    this case has seized, earliest seizure first: the creditors the proceeds are shared among.

    The claim is what is still owed. This case's own receipts count as performed as soon as they
    arrive, so the money still on its account (`money_on_account_fen`, the proceeds) is added back:
    it has not reached the applicant yet. Two queries."""
    own = list(ControlMeasure.objects.filter(case_id=case.pk).values_list("asset_id", "started_on"))
    first_own = min((d for _, d in own), default=None)
    own_owed = case.claim_amount_fen - case.performed_amount_fen + money_on_account_fen
    candidates = [Candidate(case.applicant_names or "申请执行人", case,
                            min(max(own_owed, 0), case.claim_amount_fen), first_own)]
    others = (ControlMeasure.objects.filter(asset_id__in={a for a, _ in own}, status__in=OPEN_MEASURE_STATUSES)
              .exclude(case_id=case.pk).select_related("case", "case__court").order_by("started_on", "id"))
    seen: set[int] = set()
    for m in others:
        if m.case_id in seen:
            continue
        seen.add(m.case_id)
        candidates.append(Candidate(m.case.applicant_names or "申请执行人", m.case,
                                    max(m.case.claim_amount_fen - m.case.performed_amount_fen, 0), m.started_on))
    return candidates


# ---------------------------------------------------------------- what may be done now


def may_draft(user: User, case: EnforcementCase) -> bool:
    return user.is_superuser or (not user.is_read_only and user.court_id == case.court_id
                                 and user.role in rules.DRAFTERS)


def may_execute(user: User, case: EnforcementCase) -> bool:
    return user.is_superuser or (not user.is_read_only and user.court_id == case.court_id
                                 and user.role in rules.EXECUTORS)


def pending_objections(plan: DistributionPlan) -> list[DistributionObjection]:
    return [o for o in plan.objections.all() if o.status == ObjectionStatus.PENDING]


def finalise_refusal(plan: DistributionPlan, today: dt.date | None = None) -> str | None:
    """Why the plan cannot take effect yet (None: it can). After the objection period, with every
    objection dealt with and none upheld (an upheld one needs a new version)."""
    today = today or timezone.localdate()
    if plan.status not in (PlanStatus.SERVED, PlanStatus.OBJECTED):
        return f"分配方案{plan.get_status_display()}"
    if today <= plan.objection_due:
        return f"异议期至{plan.objection_due:%Y-%m-%d}届满，届满后方可生效（{rules.OBJECTION.text}）"
    objections = list(plan.objections.all())
    if pending := [o for o in objections if o.status == ObjectionStatus.PENDING]:
        return f"尚有{len(pending)}项异议未处理（{pending[0].objector_name}）"
    if any(o.status == ObjectionStatus.UPHELD for o in objections):
        return "异议成立，须修改方案并重新送达（生成新版本）"
    return None


def unordered(line: DistributionLine) -> bool:
    """No payout order yet, or only one that was refused or withdrawn: the share may be ordered (again)
    and its payee still changed."""
    return line.order_id is None or line.order.status in (OrderStatus.REJECTED, OrderStatus.CANCELLED)


def lines_to_order(plan: DistributionPlan) -> list[DistributionLine]:
    """Lines to ask payout orders for now: a share, not kept by the court, not withheld for a suit, and
    not ordered (`unordered`)."""
    return [line for line in plan.lines.all()
            if line.share_fen > 0 and not line.retained and not line.is_withheld and unordered(line)]


def execute_refusal(plan: DistributionPlan, today: dt.date | None = None) -> str | None:
    if plan.status == PlanStatus.EXECUTED:
        return None if lines_to_order(plan) else "分配款均已申请发放"
    if plan.status == PlanStatus.FINAL:
        return None
    return finalise_refusal(plan, today)


@dataclass(frozen=True)
class Actions:
    """What `user` may do with `plan` now; pages show the buttons by it, the API lists it."""

    edit: bool = False
    serve: bool = False
    withdraw: bool = False
    edit_payee: bool = False
    object: bool = False
    amend: bool = False
    finalise: bool = False
    execute: bool = False

    def names(self) -> list[str]:
        return [name for name, allowed in self.__dict__.items() if allowed]


def actions_for(user: User, plan: DistributionPlan, today: dt.date | None = None) -> Actions:
    if not may_draft(user, plan.case):
        return Actions()
    draft = plan.status == PlanStatus.DRAFT
    objectable = plan.status in OBJECTABLE_STATUSES
    return Actions(
        edit=draft, serve=draft, withdraw=draft,
        edit_payee=plan.status in (*OBJECTABLE_STATUSES, PlanStatus.DRAFT, PlanStatus.EXECUTED)
        and any(unordered(line) for line in plan.lines.all()),
        object=objectable,
        amend=objectable and not pending_objections(plan),
        finalise=plan.status in (PlanStatus.SERVED, PlanStatus.OBJECTED) and finalise_refusal(plan, today) is None,
        execute=may_execute(user, plan.case) and plan.status in (*OBJECTABLE_STATUSES, PlanStatus.EXECUTED)
        and execute_refusal(plan, today) is None,
    )


def order_kind(plan: DistributionPlan, line: DistributionLine) -> str:
    """A transfer when the creditor's case is another of the plan's court's cases (the money moves on
    approval, no bank involved); else a payout to the payee's account."""
    target = line.creditor_case
    if target is not None and target.court_id == plan.court_id and target.pk != plan.case_id:
        return OrderKind.TRANSFER
    return OrderKind.PAYOUT


def in_payment_order(lines) -> list[DistributionLine]:
    """Costs, then priority claims by rank, then ordinary claims (by seizure date under that method);
    within each, the order they were entered. How the page and the document list them."""
    tiers = list(rules.TIER_ORDER)
    return sorted(lines, key=lambda line: (tiers.index(line.tier), line.rank or 0, line.position))


def latest_plan_id(case_id: int) -> int | None:
    plans = DistributionPlan.objects.filter(case_id=case_id).exclude(status=PlanStatus.WITHDRAWN)
    return plans.order_by("-version").values_list("pk", flat=True).first()
