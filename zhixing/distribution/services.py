"""State changes of the distribution plans, one transaction each, under the case's row lock: the plan,
its lines or objection, and the case's execution-log entry commit together or not at all.

参与分配 (CPL-JI Arts 506–510, 514; rules.md §8): the proceeds pay the enforcement costs first, then
priority claims, then ordinary claims pro rata (by seizure order for a company respondent). The plan is
served on all; objections within 15 days; the others may oppose within 15 days; an opposed objector
may sue within 15 days, else the plan stands. A served version is never changed: amending it, or an
objection upheld, makes the next version."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, LogAction
from zhixing.cases.exceptions import Conflict, DomainError, FieldError, NotFound, ValidationFailed
from zhixing.cases.inputs import MAX_AMOUNT_FEN
from zhixing.cases.log import log_append
from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import ensure_can_act, ensure_role, lock_case
from zhixing.cases.templatetags.money import fen_to_yuan_text
from zhixing.money import services as money
from zhixing.money.choices import OrderKind
from zhixing.money.models import PayoutOrder
from zhixing.workdays import calendar

from . import rules, selectors, shares
from .choices import (
    OBJECTABLE_STATUSES,
    Method,
    ObjectionStatus,
    PlanStatus,
    PriorityKind,
    Tier,
)
from .models import DistributionLine, DistributionObjection, DistributionPlan

LINE_FIELDS = ("tier", "creditor_name", "creditor_case_number", "claim_fen", "priority_kind", "rank", "basis",
               "seized_on", "retained", "payee_name", "payee_account", "payee_bank")


def yuan(fen: int) -> str:
    return f"{fen_to_yuan_text(fen)} 元"


# ---------------------------------------------------------------- helpers


def _ensure_drafter(actor: User, case: EnforcementCase) -> None:
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, rules.DRAFTERS, "办理参与分配")


def _log(case: EnforcementCase, actor: User, summary: str, *, reason: str = "", before=None, after=None) -> None:
    log_append(case=case, actor=actor, action=LogAction.DISTRIBUTION, summary=summary[:300], reason=reason[:500],
               before=before, after=after)


def _locked_plan(plan: DistributionPlan) -> tuple[EnforcementCase, DistributionPlan]:
    """Lock the case (the log's order), then re-read the plan under its own row lock."""
    case = lock_case(plan.case)
    return case, DistributionPlan.objects.select_for_update().get(pk=plan.pk)


def _label(plan: DistributionPlan) -> str:
    return f"第{plan.version}版分配方案"


def _check_fen(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed([FieldError(field, "金额须为整数“分”")])
    if value <= 0:
        raise ValidationFailed([FieldError(field, "金额须大于零")])
    if value >= MAX_AMOUNT_FEN:
        raise ValidationFailed([FieldError(field, "金额超出可记录范围")])
    return value


def _check_day(day: dt.date, field: str, *, not_before: dt.date | None = None, what: str = "") -> dt.date:
    today = timezone.localdate()
    if day > today:
        raise ValidationFailed([FieldError(field, f"{day} 晚于今天（{today}）")])
    if not_before and day < not_before:
        raise ValidationFailed([FieldError(field, f"{day} 早于{what}（{not_before}）")])
    return day


def _check_method(method: str) -> str:
    if method not in Method.values:
        raise ValidationFailed([FieldError("method", f"未知受偿方式 {method}")])
    return method


def _recompute(plan: DistributionPlan) -> list[DistributionLine]:
    """Work out every line's share again (shares.allocate) and store it with the plan's total."""
    lines = list(plan.lines.order_by("position"))
    claims = [shares.Claim(line.tier, line.claim_fen, line.rank or 0, line.seized_on) for line in lines]
    for line, share in zip(lines, shares.allocate(plan.proceeds_fen, claims, by_seizure=plan.method == Method.BY_SEIZURE),
                           strict=True):
        line.share_fen = share
    DistributionLine.objects.bulk_update(lines, ["share_fen"])
    plan.distributed_fen = sum(line.share_fen for line in lines)
    plan.save(update_fields=["distributed_fen"])
    return lines


def _shares_after(lines: list[DistributionLine]) -> list[dict]:
    return [{"line": line.pk, "creditor": line.creditor_name, "claim_fen": line.claim_fen, "share_fen": line.share_fen}
            for line in lines]


def _same_court_case(court_id: int, case_number: str) -> EnforcementCase | None:
    """The creditor's case when it is one of this court's (money can be transferred to it)."""
    return EnforcementCase.objects.filter(court_id=court_id, case_number=case_number).first() if case_number else None


# ---------------------------------------------------------------- plans


def plan_create(*, actor: User, case: EnforcementCase, proceeds_fen: int | None = None, method: str | None = None,
                prefill: bool = True, reason: str = "") -> DistributionPlan:
    """A new plan, as a draft: the proceeds default to the money available on the case's account; the
    method follows the respondent (pro rata; by seizure for a company, CPL-JI Art. 514); the creditors are
    this case's applicant and the cases holding measures on the same property (selectors.eligible_creditors)."""
    _ensure_drafter(actor, case)
    if method is not None:
        _check_method(method)
    with transaction.atomic():
        case = lock_case(case)
        if case.status == CaseStatus.ARCHIVED:
            raise DomainError("案件已归档，不能再制作分配方案", code="case_archived")
        current = selectors.open_plan(case.pk)
        if current is not None:
            raise Conflict(f"本案已有{_label(current)}（{current.get_status_display()}），请在该版本上办理",
                           code="plan_open")
        available = money.available_fen(case)
        if proceeds_fen is None:
            if available <= 0:
                raise ValidationFailed([FieldError("proceeds_fen", "本案案款可用余额为零，请填写可供分配金额")])
            proceeds_fen = available
        _check_fen(proceeds_fen, "proceeds_fen")
        method = method or selectors.method_for(case)
        version = _next_version(case)
        plan = DistributionPlan.objects.create(
            court_id=case.court_id, case=case, version=version, proceeds_fen=proceeds_fen, method=method,
            method_citation=rules.METHODS[method].citation, reason=reason.strip()[:500], created_by=actor,
        )
        if prefill:
            money_on_account = min(available, proceeds_fen) if available > 0 else 0
            DistributionLine.objects.bulk_create([
                DistributionLine(court_id=case.court_id, plan=plan, position=index, tier=Tier.ORDINARY,
                                 creditor_name=c.creditor_name[:100], creditor_case=c.creditor_case,
                                 creditor_case_number=c.creditor_case.case_number, claim_fen=c.claim_fen,
                                 seized_on=c.seized_on)
                for index, c in enumerate(selectors.eligible_creditors(case, money_on_account_fen=money_on_account), 1)
                if c.claim_fen > 0
            ])
        lines = _recompute(plan)
        _log(case, actor, f"制作{_label(plan)}（草稿）：可供分配 {yuan(proceeds_fen)}，{plan.get_method_display()}，"
             f"债权人{len(lines)}名", reason=reason,
             after={"plan": plan.pk, "version": version, "proceeds_fen": proceeds_fen, "method": method,
                    "lines": _shares_after(lines)})
    return plan


def _draft(plan: DistributionPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(f"{_label(plan)}{plan.get_status_display()}，不能再修改；修改已送达的方案须生成新版本",
                       code="plan_not_draft")


def plan_update(*, actor: User, plan: DistributionPlan, proceeds_fen: int, method: str, reason: str = "") -> DistributionPlan:
    """Change a draft's proceeds or method; the shares are worked out again."""
    _ensure_drafter(actor, plan.case)
    _check_fen(proceeds_fen, "proceeds_fen")
    _check_method(method)
    with transaction.atomic():
        case, plan = _locked_plan(plan)
        _draft(plan)
        before = {"proceeds_fen": plan.proceeds_fen, "method": plan.method}
        if before == {"proceeds_fen": proceeds_fen, "method": method}:
            return plan
        plan.proceeds_fen, plan.method = proceeds_fen, method
        plan.method_citation = rules.METHODS[method].citation
        plan.save(update_fields=["proceeds_fen", "method", "method_citation"])
        lines = _recompute(plan)
        _log(case, actor, f"修改{_label(plan)}（草稿）：可供分配 {yuan(proceeds_fen)}，{plan.get_method_display()}",
             reason=reason, before=before,
             after={"proceeds_fen": proceeds_fen, "method": method, "lines": _shares_after(lines)})
    return plan


def plan_withdraw(*, actor: User, plan: DistributionPlan, reason: str) -> DistributionPlan:
    """Drop a draft that will not be served (the proceeds need no distribution after all)."""
    _ensure_drafter(actor, plan.case)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请填写撤销草稿的理由")])
    with transaction.atomic():
        case, plan = _locked_plan(plan)
        if plan.status == PlanStatus.WITHDRAWN:
            return plan
        _draft(plan)
        plan.status = PlanStatus.WITHDRAWN
        plan.save(update_fields=["status"])
        _log(case, actor, f"撤销{_label(plan)}（草稿，未送达）", reason=reason, after={"plan": plan.pk, "status": plan.status})
    return plan


# ---------------------------------------------------------------- lines


def _clean_line(plan: DistributionPlan, data: dict) -> dict:
    """A line's fields checked against the rules; errors name the field."""
    errors: list[FieldError] = []
    tier = data.get("tier") or ""
    if tier not in Tier.values:
        errors.append(FieldError("tier", f"请选择受偿顺序（{'、'.join(Tier.labels)}）"))
    name = (data.get("creditor_name") or "").strip()
    if not name:
        errors.append(FieldError("creditor_name", "请填写债权人或费用项目"))
    claim = data.get("claim_fen")
    if isinstance(claim, bool) or not isinstance(claim, int) or claim <= 0:
        errors.append(FieldError("claim_fen", "债权额须为大于零的整数“分”"))
    elif claim >= MAX_AMOUNT_FEN:
        errors.append(FieldError("claim_fen", "金额超出可记录范围"))
    kind, rank, basis = data.get("priority_kind") or "", data.get("rank"), (data.get("basis") or "").strip()
    if tier == Tier.PRIORITY:
        if kind not in PriorityKind.values:
            errors.append(FieldError("priority_kind", "优先受偿债权须选择优先权类别"))
        if not isinstance(rank, int) or isinstance(rank, bool) or not 1 <= rank <= rules.MAX_RANK:
            errors.append(FieldError("rank", "优先受偿债权须填写顺位（1为最先受偿，同一顺位按比例受偿）"))
        if not basis:
            errors.append(FieldError("basis", "优先受偿债权须写明依据（如抵押登记证明号、生效裁判）"))
    else:
        kind, rank = "", None
    seized_on = data.get("seized_on")
    if seized_on is not None and seized_on > timezone.localdate():
        errors.append(FieldError("seized_on", f"{seized_on} 晚于今天"))
    retained = bool(data.get("retained"))
    if retained and tier != Tier.COST:
        errors.append(FieldError("retained", "只有执行费用可以由本院收取"))
    payee_account = (data.get("payee_account") or "").replace(" ", "")
    if payee_account and not payee_account.isdigit():
        errors.append(FieldError("payee_account", "收款账号只能由数字组成"))
    if errors:
        raise ValidationFailed(errors)
    number = (data.get("creditor_case_number") or "").strip()
    return {
        "tier": tier, "creditor_name": name[:100], "creditor_case_number": number[:40], "claim_fen": claim,
        "priority_kind": kind, "rank": rank, "basis": basis[:300], "seized_on": seized_on, "retained": retained,
        "payee_name": (data.get("payee_name") or "").strip()[:100], "payee_account": payee_account[:40],
        "payee_bank": (data.get("payee_bank") or "").strip()[:100],
    }


def _duplicate(plan: DistributionPlan, fields: dict, creditor_case: EnforcementCase | None, line_pk: int | None) -> None:
    if creditor_case is None or fields["tier"] == Tier.COST:
        return
    same = plan.lines.filter(tier=fields["tier"], creditor_case=creditor_case).exclude(pk=line_pk)
    if same.exists():
        raise ValidationFailed([FieldError("creditor_case_number",
                                           f"{creditor_case.case_number}已列入{Tier(fields['tier']).label}，不能重复列入")])


def line_save(*, actor: User, plan: DistributionPlan, line: DistributionLine | None = None, **data) -> DistributionLine:
    """Add a line to a draft (line=None) or change one; the shares are worked out again. `data`: the
    LINE_FIELDS, money in fen."""
    _ensure_drafter(actor, plan.case)
    unknown = set(data) - set(LINE_FIELDS)
    if unknown:
        raise ValidationFailed([FieldError(name, "未知字段") for name in sorted(unknown)])
    with transaction.atomic():
        case, plan = _locked_plan(plan)
        _draft(plan)
        if line is not None:
            line = DistributionLine.objects.filter(pk=line.pk, plan=plan).first()
            if line is None:
                raise NotFound("分配明细不存在")
            data = {**{name: getattr(line, name) for name in LINE_FIELDS}, **data}
        fields = _clean_line(plan, data)
        creditor_case = _same_court_case(case.court_id, fields["creditor_case_number"])
        if line is not None and line.creditor_case_id and line.creditor_case_number == fields["creditor_case_number"]:
            creditor_case = line.creditor_case  # prefilled from another court's measure: kept
        _duplicate(plan, fields, creditor_case, line.pk if line else None)
        if line is None:
            if plan.lines.count() >= rules.MAX_LINES:
                raise DomainError(f"一个分配方案最多{rules.MAX_LINES}项", code="too_many_lines")
            position = (plan.lines.aggregate(p=Max("position"))["p"] or 0) + 1
            line = DistributionLine(court_id=case.court_id, plan=plan, position=position)
            before = None
        else:
            before = {name: _jsonable(getattr(line, name)) for name in LINE_FIELDS}
        for name, value in fields.items():
            setattr(line, name, value)
        line.creditor_case = creditor_case
        line.save()
        lines = _recompute(plan)
        line.refresh_from_db()
        what = "修改" if before else "列入"
        _log(case, actor, f"{_label(plan)}（草稿）{what}{line.get_tier_display()}：{line.creditor_name} {yuan(line.claim_fen)}",
             before=before, after={"line": line.pk, **{n: _jsonable(fields[n]) for n in LINE_FIELDS},
                                   "shares": _shares_after(lines)})
    return line


def _jsonable(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def line_remove(*, actor: User, line: DistributionLine, reason: str = "") -> DistributionPlan:
    _ensure_drafter(actor, line.plan.case)
    with transaction.atomic():
        case, plan = _locked_plan(line.plan)
        _draft(plan)
        line = DistributionLine.objects.filter(pk=line.pk, plan=plan).first()
        if line is None:
            return plan  # a retry: already removed
        before = {"line": line.pk, "tier": line.tier, "creditor_name": line.creditor_name, "claim_fen": line.claim_fen}
        line.delete()
        lines = _recompute(plan)
        _log(case, actor, f"{_label(plan)}（草稿）删除：{before['creditor_name']} {yuan(before['claim_fen'])}",
             reason=reason, before=before, after={"shares": _shares_after(lines)})
    return plan


def line_set_payee(*, actor: User, line: DistributionLine, payee_name: str, payee_account: str,
                   payee_bank: str = "") -> DistributionLine:
    """The account a share is paid to, on any version not yet paid out: it changes no amount of the plan,
    so a served version takes it too (a creditor often gives the account after the plan is served)."""
    _ensure_drafter(actor, line.plan.case)
    payee_account = payee_account.replace(" ", "")
    errors = []
    if not payee_name.strip():
        errors.append(FieldError("payee_name", "请填写收款人"))
    if not payee_account:
        errors.append(FieldError("payee_account", "请填写收款账号"))
    elif not payee_account.isdigit():
        errors.append(FieldError("payee_account", "收款账号只能由数字组成"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        case, plan = _locked_plan(line.plan)
        if plan.status in (PlanStatus.SUPERSEDED, PlanStatus.WITHDRAWN):
            raise Conflict(f"{_label(plan)}{plan.get_status_display()}", code="plan_closed")
        line = DistributionLine.objects.select_related("order").get(pk=line.pk, plan=plan)
        if not selectors.unordered(line):
            raise Conflict(f"该项已申请发放（付款单{line.order_id}），收款信息以付款单为准", code="line_ordered")
        before = {"payee_name": line.payee_name, "payee_account": line.payee_account, "payee_bank": line.payee_bank}
        line.payee_name, line.payee_account, line.payee_bank = payee_name.strip()[:100], payee_account[:40], payee_bank.strip()[:100]
        after = {"payee_name": line.payee_name, "payee_account": line.payee_account, "payee_bank": line.payee_bank}
        if before == after:
            return line
        line.save(update_fields=["payee_name", "payee_account", "payee_bank"])
        _log(case, actor, f"{_label(plan)}：登记{line.creditor_name}的收款账户", before=before,
             after={"line": line.pk, **after})
    return line


# ---------------------------------------------------------------- serving and objections


def plan_serve(*, actor: User, plan: DistributionPlan, served_on: dt.date) -> DistributionPlan:
    """送达: the draft becomes the plan served on every creditor and the respondent; from now on it is
    never changed. The objection period (rules.OBJECTION) runs from the day after service."""
    _ensure_drafter(actor, plan.case)
    with transaction.atomic():
        case, plan = _locked_plan(plan)
        if plan.status == PlanStatus.SERVED and plan.served_on == served_on:
            return plan  # a retry
        _draft(plan)
        # A plan served on paper before it was entered here is recorded with its real date of service.
        _check_day(served_on, "served_on", not_before=case.filed_on, what="立案日期")
        lines = list(plan.lines.order_by("position"))
        errors = []
        if not any(line.tier != Tier.COST for line in lines):
            errors.append(FieldError("lines", "分配方案须列明参与分配的债权人"))
        if plan.method == Method.BY_SEIZURE:
            errors += [FieldError(f"lines[{line.position}].seized_on",
                                  f"{line.creditor_name}：按查封先后顺序受偿须填写查封（冻结、扣押）日期（{rules.CITATION_SEIZURE}）")
                       for line in lines if line.tier == Tier.ORDINARY and line.seized_on is None]
        if errors:
            raise ValidationFailed(errors)
        plan.status = PlanStatus.SERVED
        plan.served_on = served_on
        plan.objection_due = calendar.add_days(served_on, rules.OBJECTION.days)
        plan.save(update_fields=["status", "served_on", "objection_due"])
        _log(case, actor, f"送达{_label(plan)}：分配 {yuan(plan.distributed_fen)}，异议期至{plan.objection_due:%Y-%m-%d}",
             reason=rules.OBJECTION.text,
             after={"plan": plan.pk, "served_on": served_on.isoformat(), "objection_due": plan.objection_due.isoformat(),
                    "lines": _shares_after(lines)})
    return plan


def objection_lodge(*, actor: User, plan: DistributionPlan, objector_name: str, lodged_on: dt.date,
                    text: str) -> DistributionObjection:
    """异议: a creditor or the respondent objects in writing within the period — counted by the day it was
    lodged (a posted objection by its postmark: time in transit is not counted, CPL Art. 85)."""
    _ensure_drafter(actor, plan.case)
    errors = []
    if not objector_name.strip():
        errors.append(FieldError("objector_name", "请填写异议人"))
    if not text.strip():
        errors.append(FieldError("text", "请填写异议内容"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        case, plan = _locked_plan(plan)
        if plan.status not in OBJECTABLE_STATUSES:
            raise Conflict(f"{_label(plan)}{plan.get_status_display()}，不能登记异议", code="plan_not_objectable")
        _check_day(lodged_on, "lodged_on", not_before=plan.served_on, what="方案送达日")
        if lodged_on > plan.objection_due:
            raise ValidationFailed([FieldError("lodged_on", f"异议期已于{plan.objection_due:%Y-%m-%d}届满，"
                                                            f"{lodged_on:%Y-%m-%d}提出的异议逾期（{rules.OBJECTION.text}）")])
        objection = DistributionObjection.objects.create(
            court_id=case.court_id, plan=plan, objector_name=objector_name.strip()[:100], lodged_on=lodged_on,
            text=text.strip()[:2000], created_by=actor,
        )
        before = plan.status
        if plan.status != PlanStatus.OBJECTED:
            plan.status = PlanStatus.OBJECTED
            plan.finalised_on = None
            plan.save(update_fields=["status", "finalised_on"])
        _log(case, actor, f"{objection.objector_name}对{_label(plan)}提出异议（{lodged_on:%Y-%m-%d}）",
             reason=objection.text[:500], before={"status": before},
             after={"objection": objection.pk, "status": plan.status})
    return objection


def _locked_objection(objection: DistributionObjection) -> tuple[EnforcementCase, DistributionPlan, DistributionObjection]:
    case, plan = _locked_plan(objection.plan)
    return case, plan, DistributionObjection.objects.select_for_update().get(pk=objection.pk)


def _pending(objection: DistributionObjection) -> None:
    if objection.status != ObjectionStatus.PENDING:
        raise Conflict(f"该异议已处理（{objection.get_status_display()}）", code="objection_decided")


def objection_notify(*, actor: User, objection: DistributionObjection, notified_on: dt.date) -> DistributionObjection:
    """The objection is notified to the other creditors and the respondent: their opposition period runs."""
    _ensure_drafter(actor, objection.plan.case)
    with transaction.atomic():
        case, plan, objection = _locked_objection(objection)
        if objection.notified_on == notified_on:
            return objection
        _pending(objection)
        if objection.notified_on:
            raise Conflict(f"已于{objection.notified_on:%Y-%m-%d}通知", code="objection_notified")
        _check_day(notified_on, "notified_on", not_before=objection.lodged_on, what="异议提出日")
        objection.notified_on = notified_on
        objection.opposition_due = calendar.add_days(notified_on, rules.OPPOSITION.days)
        objection.save(update_fields=["notified_on", "opposition_due"])
        _log(case, actor, f"将{objection.objector_name}的异议通知其他债权人和被执行人，反对意见期限至{objection.opposition_due:%Y-%m-%d}",
             reason=rules.OPPOSITION.text, after={"objection": objection.pk, "opposition_due": objection.opposition_due.isoformat()})
    return objection


def objection_oppose(*, actor: User, objection: DistributionObjection, opposer_name: str,
                     opposed_on: dt.date) -> DistributionObjection:
    """反对意见: someone opposed the objection in time; `opposed_on` is the day the objector was told of it,
    from which the objector's 15 days to sue run."""
    _ensure_drafter(actor, objection.plan.case)
    if not opposer_name.strip():
        raise ValidationFailed([FieldError("opposer_name", "请填写提出反对意见的人")])
    with transaction.atomic():
        case, plan, objection = _locked_objection(objection)
        if objection.opposed_on == opposed_on and objection.opposer_name == opposer_name.strip()[:100]:
            return objection
        _pending(objection)
        if not objection.notified_on:
            raise Conflict("须先将异议通知其他债权人和被执行人", code="objection_not_notified")
        if objection.opposed_on:
            raise Conflict(f"已登记{objection.opposer_name}的反对意见", code="objection_opposed")
        _check_day(opposed_on, "opposed_on", not_before=objection.notified_on, what="异议通知日")
        objection.opposer_name = opposer_name.strip()[:100]
        objection.opposed_on = opposed_on
        objection.suit_due = calendar.add_days(opposed_on, rules.SUIT.days)
        objection.save(update_fields=["opposer_name", "opposed_on", "suit_due"])
        _log(case, actor, f"{objection.opposer_name}对{objection.objector_name}的异议提出反对意见，异议人起诉期限至{objection.suit_due:%Y-%m-%d}",
             reason=rules.SUIT.text, after={"objection": objection.pk, "suit_due": objection.suit_due.isoformat()})
    return objection


def objection_decide(*, actor: User, objection: DistributionObjection, outcome: str, note: str = "",
                     withheld_line_ids: list[int] | tuple[int, ...] = ()) -> DistributionObjection:
    """How an objection ended (rules.OPPOSITION, rules.SUIT):
    - withdrawn: the objector withdrew it;
    - upheld: nobody opposed within the period, the court amends the plan (then plan_amend);
    - stands: opposed, and the objector did not sue within the period — the plan stands;
    - suit: opposed, and the objector sued — the disputed shares (`withheld_line_ids`) are held back;
    - suit_ended: the suit is over and the held shares may be paid (a judgment that changes the shares
      is entered as a new version instead)."""
    _ensure_drafter(actor, objection.plan.case)
    if outcome not in ObjectionStatus.values or outcome == ObjectionStatus.PENDING:
        raise ValidationFailed([FieldError("outcome", f"未知处理结果 {outcome}")])
    today = timezone.localdate()
    with transaction.atomic():
        case, plan, objection = _locked_objection(objection)
        if objection.status == outcome:
            return objection  # a retry
        if outcome == ObjectionStatus.SUIT_ENDED:
            if objection.status != ObjectionStatus.SUIT:
                raise Conflict("只有异议人已起诉的异议才能登记诉讼结束", code="objection_not_in_suit")
            if not note.strip():
                raise ValidationFailed([FieldError("note", "请写明诉讼结果（判决书号）")])
        else:
            _pending(objection)
        refusal = _outcome_refusal(objection, outcome, today)
        if refusal:
            raise DomainError(refusal, code="objection_outcome_refused")
        withheld = []
        if outcome == ObjectionStatus.SUIT:
            withheld = list(plan.lines.filter(pk__in=list(withheld_line_ids), share_fen__gt=0))
            if not withheld or len(withheld) != len(set(withheld_line_ids)):
                raise ValidationFailed([FieldError("withheld_line_ids", "请选择有争议、须暂缓发放的分配项（本方案中分配金额大于零的项）")])
            if any(line.order_id for line in withheld):
                raise Conflict("所选分配项已申请发放，不能再暂缓", code="line_ordered")
        if outcome == ObjectionStatus.UPHELD and not note.strip():
            raise ValidationFailed([FieldError("note", "请写明异议成立的理由及方案应如何修改")])
        before = objection.status
        objection.status = outcome
        objection.decided_on = today
        objection.decided_by = actor
        objection.decision_note = note.strip()[:500]
        objection.save(update_fields=["status", "decided_on", "decided_by", "decision_note"])
        for line in withheld:
            line.withheld_by = objection
        DistributionLine.objects.bulk_update(withheld, ["withheld_by"])
        if not selectors.pending_objections(plan) and plan.status == PlanStatus.OBJECTED and not plan.objections.filter(
                status=ObjectionStatus.UPHELD).exists():
            plan.status = PlanStatus.SERVED  # back to waiting for the period to end (finalise)
            plan.save(update_fields=["status"])
        held = "、".join(f"{line.creditor_name} {yuan(line.share_fen)}" for line in withheld)
        _log(case, actor, f"{objection.objector_name}的异议：{objection.get_status_display()}"
             + (f"（暂缓发放：{held}）" if held else ""), reason=note,
             before={"status": before}, after={"objection": objection.pk, "status": outcome, "plan_status": plan.status,
                                               "withheld_lines": [line.pk for line in withheld]})
    return objection


def _outcome_refusal(objection: DistributionObjection, outcome: str, today: dt.date) -> str | None:
    if outcome == ObjectionStatus.UPHELD:
        if objection.opposed_on:
            return f"{objection.opposer_name}已提出反对意见：异议人可在{objection.suit_due:%Y-%m-%d}前起诉，逾期按原方案分配（{rules.SUIT.citation}）"
        if not objection.notified_on:
            return "须先将异议通知其他债权人和被执行人，反对意见期限届满后方可认定异议成立"
        if today <= objection.opposition_due:
            return f"反对意见期限至{objection.opposition_due:%Y-%m-%d}届满，届满后方可认定（{rules.OPPOSITION.text}）"
    if outcome in (ObjectionStatus.STANDS, ObjectionStatus.SUIT) and not objection.opposed_on:
        return "没有反对意见的异议不适用此结果：无人反对的，依异议修改方案（异议成立）"
    if outcome == ObjectionStatus.STANDS and today <= objection.suit_due:
        return f"异议人起诉期限至{objection.suit_due:%Y-%m-%d}届满，届满未起诉的方可按原方案分配（{rules.SUIT.citation}）"
    return None


def plan_amend(*, actor: User, plan: DistributionPlan, reason: str) -> DistributionPlan:
    """A new version, as a draft copy of this one (shares worked out again); this one is superseded.
    The way to change a served plan: the court's own correction, or an objection upheld."""
    _ensure_drafter(actor, plan.case)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请填写修改理由（如：异议成立，某债权人债权额有误）")])
    with transaction.atomic():
        case, plan = _locked_plan(plan)
        if plan.status == PlanStatus.SUPERSEDED:
            successor = DistributionPlan.objects.get(supersedes=plan)
            if successor.reason == reason.strip()[:500]:
                return successor  # a retry
            raise Conflict(f"{_label(plan)}已被第{successor.version}版取代", code="plan_superseded")
        if plan.status not in OBJECTABLE_STATUSES:
            raise Conflict(f"{_label(plan)}{plan.get_status_display()}，不能生成新版本"
                           + ("（草稿可直接修改）" if plan.status == PlanStatus.DRAFT else ""), code="plan_not_amendable")
        if pending := selectors.pending_objections(plan):
            raise Conflict(f"尚有{len(pending)}项异议未处理（{pending[0].objector_name}），请先处理", code="objection_pending")
        if plan.lines.filter(order__isnull=False).exists():
            raise Conflict("该方案已有分配款申请发放，不能修改", code="plan_ordered")
        upheld = [o.pk for o in plan.objections.all() if o.status == ObjectionStatus.UPHELD]
        plan.status = PlanStatus.SUPERSEDED
        plan.save(update_fields=["status"])
        new = DistributionPlan.objects.create(
            court_id=case.court_id, case=case, version=_next_version(case), proceeds_fen=plan.proceeds_fen,
            method=plan.method, method_citation=plan.method_citation, reason=reason.strip()[:500], supersedes=plan,
            created_by=actor,
        )
        DistributionLine.objects.bulk_create([
            DistributionLine(court_id=case.court_id, plan=new, position=line.position, tier=line.tier,
                             priority_kind=line.priority_kind, rank=line.rank, basis=line.basis,
                             creditor_name=line.creditor_name, creditor_case_id=line.creditor_case_id,
                             creditor_case_number=line.creditor_case_number, claim_fen=line.claim_fen,
                             seized_on=line.seized_on, retained=line.retained, payee_name=line.payee_name,
                             payee_account=line.payee_account, payee_bank=line.payee_bank)
            for line in plan.lines.order_by("position")
        ])
        _recompute(new)
        _log(case, actor, f"{_label(plan)}修改为第{new.version}版（草稿），原版本作废", reason=reason,
             before={"plan": plan.pk, "status": PlanStatus.SERVED},
             after={"plan": new.pk, "version": new.version, "supersedes": plan.pk, "upheld_objections": upheld})
    return new


def _next_version(case: EnforcementCase) -> int:
    return (DistributionPlan.objects.filter(case_id=case.pk).aggregate(v=Max("version"))["v"] or 0) + 1


# ---------------------------------------------------------------- taking effect and paying out


def plan_finalise(*, actor: User, plan: DistributionPlan) -> DistributionPlan:
    """生效: the objection period is over and every objection dealt with (none upheld): the plan stands.
    The judge confirms it rather than the clock, because an objection posted on the last day may still
    be on its way (CPL Art. 85)."""
    _ensure_drafter(actor, plan.case)
    with transaction.atomic():
        case, plan = _locked_plan(plan)
        if plan.status in (PlanStatus.FINAL, PlanStatus.EXECUTED):
            return plan
        _finalise(case, plan, actor)
    return plan


def _finalise(case: EnforcementCase, plan: DistributionPlan, actor: User) -> None:
    refusal = selectors.finalise_refusal(plan)
    if refusal:
        raise DomainError(refusal, code="plan_not_final")
    before = plan.status
    plan.status = PlanStatus.FINAL
    plan.finalised_on = timezone.localdate()
    plan.save(update_fields=["status", "finalised_on"])
    decided = [f"{o.objector_name}：{o.get_status_display()}" for o in plan.objections.all()]
    _log(case, actor, f"{_label(plan)}生效（异议期{plan.objection_due:%Y-%m-%d}届满"
         + (f"；异议：{'；'.join(decided)}" if decided else "，无人异议") + "）",
         reason=rules.OBJECTION.text, before={"status": before}, after={"plan": plan.pk, "status": plan.status})


def _order_keys(plan: DistributionPlan, lines: list[DistributionLine]) -> dict[int, str]:
    """Each line's order key: distribution:<plan>:<line> the first time; a line whose order was refused
    or withdrawn is ordered again under …:2, …:3 — so a retry never asks twice for the same share.
    One query for the plan's keys so far."""
    prefix = f"distribution:{plan.pk}:"
    used = PayoutOrder.objects.filter(key__startswith=prefix).values_list("key", flat=True)
    tried: dict[str, int] = {}
    for key in used:
        line_part = key.removeprefix(prefix).split(":", 1)[0]
        tried[line_part] = tried.get(line_part, 0) + 1
    keys = {}
    for line in lines:
        base, count = f"{prefix}{line.pk}", tried.get(str(line.pk), 0)
        keys[line.pk] = base if count == 0 else f"{base}:{count + 1}"
    return keys


def plan_execute(*, actor: User, plan: DistributionPlan) -> DistributionPlan:
    """Carry out a plan that has taken effect (finalising it first if its period is over): one payout
    order per share — a transfer to the creditor's case when it is another of this court's cases, else a
    payout to the payee — which then goes through the court's approval chain (case money). Refused when
    the case's available money is less than the plan distributes. Shares the court keeps (fees) stay
    on the account for the finance desk; shares held back for a suit stay too. Run again, it asks only
    for shares whose order was refused or withdrawn."""
    ensure_can_act(actor, plan.case.court_id)
    ensure_role(actor, rules.EXECUTORS, "申请发放分配款")
    with transaction.atomic():
        case, plan = _locked_plan(plan)
        plan = selectors.with_details(DistributionPlan.objects.filter(pk=plan.pk)).get()
        if plan.status in (PlanStatus.SERVED, PlanStatus.OBJECTED):
            _finalise(case, plan, actor)
        elif plan.status not in (PlanStatus.FINAL, PlanStatus.EXECUTED):
            raise Conflict(f"{_label(plan)}{plan.get_status_display()}，不能执行", code="plan_not_final")
        todo = selectors.lines_to_order(plan)
        if not todo:
            return plan  # a retry: everything is ordered
        errors = [FieldError(f"lines[{line.position}].payee_account", f"{line.creditor_name}：请登记收款人和收款账号")
                  for line in todo if selectors.order_kind(plan, line) == OrderKind.PAYOUT
                  and not (line.payee_name.strip() and line.payee_account.strip())]
        if errors:
            raise ValidationFailed(errors)
        first = plan.status != PlanStatus.EXECUTED
        need = plan.distributed_fen if first else sum(line.share_fen for line in todo)
        available = money.available_fen(case)
        if available < need:
            raise DomainError(f"案款可用余额 {yuan(available)}，不足{'分配方案合计' if first else '本次申请发放'} {yuan(need)}，"
                              "不能执行分配方案", code="insufficient_money")
        keys = _order_keys(plan, todo)
        for line in todo:
            kind = selectors.order_kind(plan, line)
            order = money.order_create(
                actor=actor, case=case, amount_fen=line.share_fen, kind=kind,
                reason=f"参与分配：{case.case_number}{_label(plan)}，{line.creditor_name}分配款",
                payee_name=line.payee_name, payee_account=line.payee_account, payee_bank=line.payee_bank,
                target_case=line.creditor_case if kind == OrderKind.TRANSFER else None, key=keys[line.pk],
            )
            line.order = order
        DistributionLine.objects.bulk_update(todo, ["order"])
        plan.status = PlanStatus.EXECUTED
        plan.executed_at = plan.executed_at or timezone.now()
        plan.executed_by = plan.executed_by or actor
        plan.save(update_fields=["status", "executed_at", "executed_by"])
        _log(case, actor, f"执行{_label(plan)}：申请发放{len(todo)}笔，合计 {yuan(sum(line.share_fen for line in todo))}",
             after={"plan": plan.pk, "orders": [{"line": line.pk, "order": line.order_id, "amount_fen": line.share_fen}
                                                for line in todo]})
    return plan
