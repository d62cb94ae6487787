"""确定参考价: the four methods in their legal order (rules.LADDER), each result's service on the parties,
the objection window and the objection → appraisal path (Wenling: 3 working days), and the 1-year
validity. One transaction per act, one execution-log entry each; the flow nodes supervision reads
(appraisal_started, appraisal_served, appraisal_objection) are recorded by these services.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import LogAction
from zhixing.cases.exceptions import Conflict, DomainError, FieldError, ValidationFailed
from zhixing.cases.log import log_append
from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import (
    _supervision_after_change,
    ensure_can_act,
    ensure_role,
    lock_case,
    record_service_node,
)
from zhixing.documents.formatting import yuan_text
from zhixing.property.models import ControlMeasure, MeasureStatus
from zhixing.property.rules import ASSET_KINDS
from zhixing.workdays import calendar

from . import adapters
from .choices import Ground, LookupOutcome, Method, ObjectionOutcome, PriceStatus, Selection
from .models import Objection, ReferencePrice, Valuation
from .rules import (
    GROUND_CITATIONS,
    GROUND_PASSES,
    INQUIRY_PLATFORMS,
    LADDER,
    LADDER_BY_METHOD,
    LADDER_CITATION,
    PRICE_ROLES,
    REFERENCE,
    TABLE_KIND_OF_ASSET,
    Period,
)

# What a reference price is fixed for: property that is sold. Money (deposits, balances) is deducted.
DISPOSABLE_HOLDS = ("seal", "detain", "freeze")
INQUIRY_METHODS = (Method.DIRECTED, Method.ONLINE)


def period_end(period: Period, start: dt.date) -> dt.date:
    if period.unit == "working_days":
        return calendar.add_working_days(start, period.amount)
    if period.unit == "months":
        return calendar.add_months(start, period.amount)
    return calendar.add_days(start, period.amount)  # CPL Art. 85: the first day is not counted


def longest_validity(result_on: dt.date) -> dt.date:
    """The last day a result may be valid: one year counting its first day (2026-03-01 → 2027-02-28)."""
    return calendar.last_day_in_force(result_on, REFERENCE.validity_months)


def _log(case: EnforcementCase, actor: User, summary: str, *, after: dict | None = None, before: dict | None = None,
         node_code: str = "", reason: str = "") -> None:
    log_append(case=case, actor=actor, action=LogAction.NODE, node_code=node_code, summary=summary[:300],
               before=before, after=after, reason=reason[:500])


def _snapshot(ref: ReferencePrice) -> dict:
    return {
        "reference": ref.pk, "asset": ref.asset_id, "method": ref.method, "status": ref.status, "grounds": ref.grounds,
        "price_fen": ref.price_fen, "result_on": ref.result_on.isoformat() if ref.result_on else None,
        "valid_until": ref.valid_until.isoformat() if ref.valid_until else None, "source": ref.source,
    }


def _check_day(field: str, day: dt.date | None, case: EnforcementCase, label: str) -> dt.date:
    day = day or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationFailed([FieldError(field, f"{label} {day} 晚于今天")])
    if day < case.filed_on:
        raise ValidationFailed([FieldError(field, f"{label} {day} 早于立案日期 {case.filed_on}")])
    return day


def _check_fen(field: str, value, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationFailed([FieldError(field, f"{label}应为大于0的整数（分）")])
    if value >= 10**15:
        raise ValidationFailed([FieldError(field, f"{label}超出可记录范围")])
    return value


def hold_of(case: EnforcementCase, asset) -> ControlMeasure | None:
    """The case's seizure, detention or freeze of the asset that is in force (not queued)."""
    return (ControlMeasure.objects.filter(case_id=case.pk, asset_id=asset.pk, kind__in=DISPOSABLE_HOLDS,
                                          status=MeasureStatus.ACTIVE).order_by("started_on", "id").first())


def start_due(case: EnforcementCase, asset) -> dt.date | None:
    """30 days after the case first seized the asset (法释〔2018〕15号第1条)."""
    first = (ControlMeasure.objects.filter(case_id=case.pk, asset_id=asset.pk, kind__in=DISPOSABLE_HOLDS)
             .order_by("started_on").values_list("started_on", flat=True).first())
    return period_end(REFERENCE.start, first) if first else None


def _ensure_disposable(case: EnforcementCase, asset) -> None:
    kind = ASSET_KINDS.get(asset.kind)
    if kind is not None and kind.cash:
        raise DomainError(f"{kind.name}直接扣划，无需确定参考价", code="cash_asset")
    if hold_of(case, asset) is None:
        raise DomainError("本案对该财产没有生效的查封、扣押或冻结（轮候查封在先查封解除前不生效），不能确定参考价"
                          "（法释〔2018〕15号第1条）", code="asset_not_held")


def _ensure_staff(actor: User, case: EnforcementCase, what: str) -> None:
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, PRICE_ROLES, what)


def _ensure_open_case(case: EnforcementCase) -> None:
    if not case.is_open:
        raise DomainError(f"案件{case.get_status_display()}，不能办理", code="case_closed")


# ---------------------------------------------------------------- the ladder


def history(case: EnforcementCase, asset) -> list[ReferencePrice]:
    return list(ReferencePrice.objects.filter(case_id=case.pk, asset_id=asset.pk).order_by("started_on", "id"))


def passed_rungs(rows: list[ReferencePrice], asset_kind: str) -> set[int]:
    """Rungs the case has already passed for this asset: a failed rung and every rung below it; any
    rung below one that was reached; the directed inquiry when the asset kind has no price table."""
    passed: set[int] = set()
    for row in rows:
        position = LADDER_BY_METHOD[row.method].position
        passed.update(range(1, position + (1 if row.status == PriceStatus.FAILED else 0)))
    if asset_kind not in TABLE_KIND_OF_ASSET:
        passed.add(LADDER_BY_METHOD[Method.DIRECTED].position)
    return passed


def ladder_refusal(method: str, grounds: list[str], rows: list[ReferencePrice], asset_kind: str,
                   today: dt.date) -> str | None:
    """Why `method` may not be used now for this asset in this case, or None (rules.LADDER)."""
    step = LADDER_BY_METHOD.get(method)
    if step is None:
        return f"未知确定方式 {method!r}"
    for row in rows:
        if row.status == PriceStatus.IN_PROGRESS:
            return f"该财产已有进行中的{row.get_method_display()}（{row.started_on:%Y-%m-%d}启动），须先得出结果或记录不能、不成"
        if row.status == PriceStatus.RESULT and row.valid_until and row.valid_until >= today:
            return (f"该财产已有有效参考价 {yuan_text(row.price_fen)}（{row.get_method_display()}，有效期至"
                    f"{row.valid_until:%Y-%m-%d}），不能重复确定")
    pending = [r for r in rows if r.status == PriceStatus.OBJECTED]
    if pending and method != Method.APPRAISAL:
        return f"{pending[-1].get_method_display()}结果的异议尚待处理（{GROUND_CITATIONS[Ground.OBJECTION]}）"
    accepted = set(step.grounds) | {Ground.LADDER}
    bad = [g for g in grounds if g not in accepted]
    if bad:
        names = "、".join(Ground(g).label if g in Ground.values else g for g in bad)
        allowed = "、".join(Ground(g).label for g in sorted(accepted))
        return f"{step.method.label}不适用理由：{names}；可用理由：{allowed}（{step.citation}）"
    if step.needs_table and asset_kind not in TABLE_KIND_OF_ASSET:
        return (f"{ASSET_KINDS[asset_kind].name if asset_kind in ASSET_KINDS else asset_kind}没有计税基准价、政府定价或"
                f"政府指导价，不能定向询价（{GROUND_CITATIONS[Ground.NO_DIRECTED_PRICE]}）")
    if Ground.OBJECTION in grounds and not _objection_allows_appraisal(rows):
        return f"没有对询价结果的待处理异议或成立的异议，不能以异议为由委托评估（{GROUND_CITATIONS[Ground.OBJECTION]}）"
    passed = passed_rungs(rows, asset_kind)
    for ground in grounds:
        passed |= GROUND_PASSES[ground]
    missing = [s for s in LADDER if s.position < step.position and s.position not in passed]
    if missing:
        names = "、".join(s.method.label for s in missing)
        return (f"须先进行{names}（不能或不成后方可{step.method.label}），或说明可不经该方式的理由（{LADDER_CITATION}；"
                f"{step.citation}）")
    return None


def _objection_allows_appraisal(rows: list[ReferencePrice]) -> bool:
    ids = [r.pk for r in rows]
    pending_inquiry = Objection.objects.filter(reference_id__in=ids, outcome=ObjectionOutcome.PENDING,
                                               reference__method__in=INQUIRY_METHODS).exists()
    upheld = Objection.objects.filter(reference_id__in=ids, outcome=ObjectionOutcome.UPHELD).exists()
    return pending_inquiry or upheld


def _clean_grounds(method: str, grounds: list[str] | None) -> list[str]:
    grounds = [g for g in (grounds or []) if g]
    if not grounds:
        grounds = [Ground.FIRST if method == Method.NEGOTIATION else Ground.LADDER]
    unknown = [g for g in grounds if g not in Ground.values]
    if unknown:
        raise ValidationFailed([FieldError("grounds", f"未知理由：{'、'.join(unknown)}")])
    return list(dict.fromkeys(grounds))


def _begin(*, actor: User, case: EnforcementCase, asset, method: str, grounds: list[str] | None, ground_note: str,
           started_on: dt.date | None, what: str) -> tuple[EnforcementCase, ReferencePrice, bool]:
    """Lock the case, check the ladder and open a rung (unsaved fields set by the caller). Returns the
    locked case, the rung and whether it is the asset's first rung in the case (appraisal_started)."""
    _ensure_staff(actor, case, what)
    grounds = _clean_grounds(method, grounds)
    if any(g not in (Ground.FIRST, Ground.LADDER) for g in grounds) and not ground_note.strip():
        raise ValidationFailed([FieldError("ground_note", "不经前一方式的，须写明理由（如双方当事人一致要求的书面意见）")])
    case = lock_case(case)
    _ensure_open_case(case)
    started_on = _check_day("started_on", started_on, case, "启动日期")
    _ensure_disposable(case, asset)
    rows = history(case, asset)
    refusal = ladder_refusal(method, grounds, rows, asset.kind, timezone.localdate())
    if refusal:
        raise DomainError(refusal, code="ladder_refused")
    _supervision_after_change(case, "appraisal_started")
    follows = rows[-1] if rows else None
    ref = ReferencePrice(
        court_id=case.court_id, case=case, asset=asset, method=method, grounds=grounds, ground_note=ground_note[:300],
        follows=follows, started_on=started_on, start_due=start_due(case, asset), recorded_by=actor,
        recorded_at=timezone.now())
    return case, ref, not rows


def _save_new(ref: ReferencePrice) -> ReferencePrice:
    try:
        with transaction.atomic():
            ref.save(force_insert=True)
    except IntegrityError as exc:  # another rung was opened for the asset at the same moment
        raise Conflict("该财产已有进行中的确定参考价程序") from exc
    return ref


def _node_started(case, actor, ref: ReferencePrice, first: bool) -> str:
    """启动评估（确定参考价）: on the asset's first rung (the 30-day start rule) and on every commissioned
    appraisal (the Wenling objection → appraisal rule is met by it)."""
    if first or ref.method == Method.APPRAISAL:
        record_service_node(case=case, node_code="appraisal_started", occurred_on=ref.started_on, actor=actor,
                            note=f"{ref.get_method_display()}：{ref.asset}")
        return "appraisal_started"
    return ""


def _started_text(ref: ReferencePrice) -> str:
    late = ref.start_due and ref.started_on > ref.start_due
    return (f"启动{ref.get_method_display()}（{ref.started_on:%Y-%m-%d}）：{ref.asset}；理由：{ref.grounds_text}"
            + (f"；已超过启动期限 {ref.start_due:%Y-%m-%d}（{REFERENCE.start.citation}）" if late else ""))


def _check_validity(result_on: dt.date, valid_until: dt.date | None) -> dt.date:
    longest = longest_validity(result_on)
    if valid_until is None:
        return longest
    if valid_until < result_on:
        raise ValidationFailed([FieldError("valid_until", f"有效期至 {valid_until} 早于结果日期 {result_on}")])
    if valid_until > longest:
        raise ValidationFailed([FieldError("valid_until", f"有效期最长至 {longest:%Y-%m-%d}（{REFERENCE.validity_citation}）")])
    return valid_until


def _fix(ref: ReferencePrice, *, price_fen: int, result_on: dt.date, valid_until: dt.date | None, source: str,
         report_number: str = "") -> None:
    ref.status = PriceStatus.RESULT
    ref.price_fen = price_fen
    ref.result_on = result_on
    ref.valid_until = _check_validity(result_on, valid_until)
    ref.source = source[:300]
    ref.report_number = report_number[:60]


def _result_text(ref: ReferencePrice) -> str:
    return (f"{ref.get_method_display()}结果：{ref.asset} 参考价 {yuan_text(ref.price_fen)}，有效期至"
            f"{ref.valid_until:%Y-%m-%d}（{ref.source}）")


# ---------------------------------------------------------------- 议价 and 定向询价 (one step each)


def negotiation_record(*, actor: User, case: EnforcementCase, asset, applicant_figure_fen: int,
                       respondent_figure_fen: int, agreed_price_fen: int | None, on: dt.date | None = None,
                       valid_until: dt.date | None = None, note: str = "") -> ReferencePrice:
    """当事人议价: both parties' figures; with an agreed price it is the reference price (no objection
    window: the parties agreed), without one the negotiation failed and the next rung opens."""
    _check_fen("applicant_figure_fen", applicant_figure_fen, "申请执行人报价")
    _check_fen("respondent_figure_fen", respondent_figure_fen, "被执行人报价")
    if agreed_price_fen is not None:
        _check_fen("agreed_price_fen", agreed_price_fen, "议定价格")
    with transaction.atomic():
        case, ref, first = _begin(actor=actor, case=case, asset=asset, method=Method.NEGOTIATION, grounds=None,
                                  ground_note="", started_on=on, what="确定参考价")
        ref.applicant_figure_fen, ref.respondent_figure_fen = applicant_figure_fen, respondent_figure_fen
        figures = f"申请执行人报价 {yuan_text(applicant_figure_fen)}，被执行人报价 {yuan_text(respondent_figure_fen)}"
        if agreed_price_fen is not None:
            _fix(ref, price_fen=agreed_price_fen, result_on=ref.started_on, valid_until=valid_until,
                 source=f"当事人议价（{figures}）")
            ref.served_on = ref.started_on  # the parties made it themselves
        else:
            ref.status = PriceStatus.FAILED
            ref.failure_reason = f"议价不成（{figures}）"
        _save_new(ref)
        node = _node_started(case, actor, ref, first)
        summary = _result_text(ref) if ref.status == PriceStatus.RESULT else f"当事人议价不成：{ref.asset}；{figures}"
        _log(case, actor, summary, after=_snapshot(ref) | {"applicant_figure_fen": applicant_figure_fen,
                                                           "respondent_figure_fen": respondent_figure_fen},
             node_code=node, reason=note)
        _supervision_after_change(case, None)
    return ref


def directed_inquiry_record(*, actor: User, case: EnforcementCase, valuation: Valuation, grounds: list[str] | None = None,
                            ground_note: str = "", valid_until: dt.date | None = None) -> ReferencePrice:
    """定向询价 from a lookup in the imported table (valuation.flat_lookup / vehicle_lookup) of this case:
    its value is the result, the table version cited; a lookup that found nothing records 定向询价不能."""
    if valuation.case_id != case.pk:
        raise ValidationFailed([FieldError("valuation", "该询价记录不属于本案")])
    asset = valuation.asset
    with transaction.atomic():
        case, ref, first = _begin(actor=actor, case=case, asset=asset, method=Method.DIRECTED, grounds=grounds,
                                  ground_note=ground_note, started_on=valuation.on, what="确定参考价")
        ref.valuation = valuation
        if valuation.outcome == LookupOutcome.VALUED:
            _fix(ref, price_fen=valuation.value_fen, result_on=valuation.on, valid_until=valid_until,
                 source=f"定向询价：{valuation.table.label}")
        else:
            ref.status = PriceStatus.FAILED
            ref.failure_reason = f"定向询价不能：{valuation.message}"[:300]
        _save_new(ref)
        node = _node_started(case, actor, ref, first)
        summary = _result_text(ref) if ref.status == PriceStatus.RESULT else f"{ref.failure_reason}：{ref.asset}"
        _log(case, actor, summary, after=_snapshot(ref) | {"valuation": valuation.pk, "table": valuation.table_id},
             node_code=node, reason=ground_note)
        _supervision_after_change(case, None)
    return ref


# ---------------------------------------------------------------- 网络询价


def inquiry_number(ref: ReferencePrice) -> str:
    return f"XJ{ref.court_id:04d}-{ref.pk:08d}"


def online_inquiry_send(*, actor: User, case: EnforcementCase, asset, grounds: list[str] | None = None,
                        ground_note: str = "", platforms: list[str] | None = None,
                        on: dt.date | None = None) -> ReferencePrice:
    """网络询价: one request to every listed platform, written to the outbox (adapters); the platforms'
    reply files are imported (inquiry_replies_import) and the result is their average."""
    platforms = list(dict.fromkeys(platforms or INQUIRY_PLATFORMS))
    unknown = [p for p in platforms if p not in INQUIRY_PLATFORMS]
    if unknown:
        raise ValidationFailed([FieldError("platforms", f"不在询价平台名单中：{'、'.join(unknown)}")])
    with transaction.atomic():
        case, ref, first = _begin(actor=actor, case=case, asset=asset, method=Method.ONLINE, grounds=grounds,
                                  ground_note=ground_note, started_on=on, what="网络询价")
        ref.platforms = platforms
        ref.reply_due = period_end(REFERENCE.inquiry_reply, ref.started_on)
        _save_new(ref)
        ref.request_file = adapters.inquiry_exchange().send(ref, inquiry_number(ref), case)
        ref.save(update_fields=["request_file"])
        node = _node_started(case, actor, ref, first)
        _log(case, actor, _started_text(ref) + f"；平台：{'、'.join(platforms)}；出具期限 {ref.reply_due:%Y-%m-%d}",
             after=_snapshot(ref) | {"platforms": platforms, "reply_due": ref.reply_due.isoformat(),
                                     "request_file": ref.request_file}, node_code=node, reason=ground_note)
        _supervision_after_change(case, None)
    return ref


def average_fen(prices: list[int]) -> int:
    """The mean of the platforms' prices, half up to the fen (integers throughout)."""
    return int((Decimal(sum(prices)) / len(prices)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def online_inquiry_conclude(*, actor: User, reference: ReferencePrice, on: dt.date | None = None) -> ReferencePrice:
    """The result of an online inquiry: the average of the results given in time; none in time → one
    extension of 3 days, then 网络询价不成 (REFERENCE.inquiry_reply)."""
    _ensure_staff(actor, reference.case, "确定网络询价结果")
    today = on or timezone.localdate()
    with transaction.atomic():
        case = lock_case(reference.case)
        ref = ReferencePrice.objects.select_for_update().get(pk=reference.pk)
        if ref.method != Method.ONLINE or ref.status != PriceStatus.IN_PROGRESS:
            raise DomainError(f"该程序{ref.get_status_display()}，不能确定网络询价结果", code="not_in_progress")
        replies = list(ref.replies.order_by("platform"))
        in_time = [r for r in replies if r.in_time]
        everyone = {r.platform for r in replies} >= set(ref.platforms)
        if not everyone and today <= ref.reply_due:
            raise DomainError(f"平台出具期限 {ref.reply_due:%Y-%m-%d} 尚未届满，已有{len(replies)}个平台出具结果"
                              f"（{REFERENCE.inquiry_reply.citation}）", code="inquiry_pending")
        _supervision_after_change(case, "appraisal_started")
        if in_time:
            price = average_fen([r.price_fen for r in in_time])
            parts = "、".join(f"{r.platform} {yuan_text(r.price_fen)}" for r in in_time)
            _fix(ref, price_fen=price, result_on=max(r.issued_on for r in in_time),
                 valid_until=min(min(r.valid_until for r in in_time), longest_validity(max(r.issued_on for r in in_time))),
                 source=f"网络询价平均值（{parts}）", report_number="、".join(r.report_number for r in in_time if r.report_number))
            ref.save()
            _log(case, actor, _result_text(ref), after=_snapshot(ref) | {"replies": [r.pk for r in in_time]})
        elif not ref.extended and REFERENCE.inquiry_extensions:
            before = ref.reply_due
            ref.reply_due = period_end(REFERENCE.inquiry_reply, ref.reply_due)
            ref.extended = True
            ref.save(update_fields=["reply_due", "extended"])
            _log(case, actor, f"网络询价平台均未在期限内出具结果，延长一次至 {ref.reply_due:%Y-%m-%d}（{REFERENCE.inquiry_reply.citation}）",
                 before={"reply_due": before.isoformat()}, after={"reply_due": ref.reply_due.isoformat()})
        else:
            ref.status = PriceStatus.FAILED
            ref.failure_reason = "网络询价不成：延长期限内仍无平台出具结果"
            ref.save(update_fields=["status", "failure_reason"])
            _log(case, actor, f"{ref.failure_reason}：{ref.asset}", after=_snapshot(ref))
        _supervision_after_change(case, None)
    return ref


# ---------------------------------------------------------------- 委托评估


def appraisal_commission(*, actor: User, case: EnforcementCase, asset, institution: str, selection: str,
                         grounds: list[str] | None = None, ground_note: str = "",
                         on: dt.date | None = None) -> ReferencePrice:
    """委托评估: the institution and how it was chosen; the report is due in 30 days. Started on an
    objection to an inquiry result (Wenling), it answers the objection: the inquiry is superseded."""
    if not institution.strip():
        raise ValidationFailed([FieldError("institution", "请填写评估机构")])
    if selection not in Selection.values:
        raise ValidationFailed([FieldError("selection", "请选择评估机构的选定方式")])
    with transaction.atomic():
        case, ref, first = _begin(actor=actor, case=case, asset=asset, method=Method.APPRAISAL, grounds=grounds,
                                  ground_note=ground_note, started_on=on, what="委托评估")
        ref.institution, ref.selection = institution.strip()[:100], selection
        ref.appraisal_due = period_end(REFERENCE.appraisal, ref.started_on)
        _save_new(ref)
        answered = []
        if Ground.OBJECTION in ref.grounds:
            for objection in Objection.objects.select_for_update().filter(
                    reference__case_id=case.pk, reference__asset_id=asset.pk, outcome=ObjectionOutcome.PENDING,
                    reference__method__in=INQUIRY_METHODS):
                late = objection.appraisal_due and ref.started_on > objection.appraisal_due
                objection.outcome, objection.decided_on = ObjectionOutcome.TO_APPRAISAL, ref.started_on
                objection.decision_note = "已启动委托评估" + ("（已超过3个工作日）" if late else "")
                objection.save(update_fields=["outcome", "decided_on", "decision_note"])
                ReferencePrice.objects.filter(pk=objection.reference_id).update(status=PriceStatus.SUPERSEDED)
                answered.append(objection.pk)
        node = _node_started(case, actor, ref, first)
        _log(case, actor, _started_text(ref) + f"；评估机构：{ref.institution}（{ref.get_selection_display()}）；"
             f"报告期限 {ref.appraisal_due:%Y-%m-%d}", node_code=node, reason=ground_note,
             after=_snapshot(ref) | {"institution": ref.institution, "selection": selection,
                                     "appraisal_due": ref.appraisal_due.isoformat(), "objections_answered": answered})
        _supervision_after_change(case, None)
    return ref


def appraisal_extend(*, actor: User, reference: ReferencePrice, days: int, reason: str) -> ReferencePrice:
    """Extend the appraisal: at most twice, each at most 15 days, with the institution's reason."""
    _ensure_staff(actor, reference.case, "延长评估期限")
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请写明评估机构申请延长的理由")])
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= REFERENCE.appraisal_extension_max_days:
        raise ValidationFailed([FieldError("days", f"每次延长1至{REFERENCE.appraisal_extension_max_days}日（{REFERENCE.appraisal.citation}）")])
    with transaction.atomic():
        case = lock_case(reference.case)
        ref = ReferencePrice.objects.select_for_update().get(pk=reference.pk)
        if ref.method != Method.APPRAISAL or ref.status != PriceStatus.IN_PROGRESS:
            raise DomainError("只有进行中的委托评估可以延长", code="not_in_progress")
        if ref.extensions >= REFERENCE.appraisal_max_extensions:
            raise DomainError(f"评估期限已延长{ref.extensions}次，不能再延长（{REFERENCE.appraisal.citation}）",
                              code="too_many_extensions")
        _supervision_after_change(case, "appraisal_started")
        before = ref.appraisal_due
        ref.appraisal_due = before + dt.timedelta(days=days)
        ref.extensions += 1
        ref.save(update_fields=["appraisal_due", "extensions"])
        _log(case, actor, f"评估期限延长{days}日（第{ref.extensions}次）至 {ref.appraisal_due:%Y-%m-%d}",
             before={"appraisal_due": before.isoformat()}, after={"appraisal_due": ref.appraisal_due.isoformat()},
             reason=reason)
    return ref


def appraisal_report(*, actor: User, reference: ReferencePrice, price_fen: int, report_number: str,
                     report_on: dt.date, fee_fen: int | None = None, valid_until: dt.date | None = None) -> ReferencePrice:
    """The appraisal report: its value is the reference price (valid at most one year)."""
    _ensure_staff(actor, reference.case, "登记评估报告")
    _check_fen("price_fen", price_fen, "评估价")
    if fee_fen is not None and (isinstance(fee_fen, bool) or not isinstance(fee_fen, int) or fee_fen < 0):
        raise ValidationFailed([FieldError("fee_fen", "评估费应为不小于0的整数（分）")])
    if not report_number.strip():
        raise ValidationFailed([FieldError("report_number", "请填写评估报告编号")])
    with transaction.atomic():
        case = lock_case(reference.case)
        ref = ReferencePrice.objects.select_for_update().get(pk=reference.pk)
        if ref.method != Method.APPRAISAL or ref.status != PriceStatus.IN_PROGRESS:
            raise DomainError("只有进行中的委托评估可以登记报告", code="not_in_progress")
        report_on = _check_day("report_on", report_on, case, "报告日期")
        if report_on < ref.started_on:
            raise ValidationFailed([FieldError("report_on", f"报告日期早于委托日期 {ref.started_on}")])
        _supervision_after_change(case, "appraisal_started")
        _fix(ref, price_fen=price_fen, result_on=report_on, valid_until=valid_until,
             source=f"委托评估：{ref.institution}评估报告 {report_number.strip()}", report_number=report_number.strip())
        ref.fee_fen = fee_fen
        ref.save()
        late = report_on > ref.appraisal_due
        _log(case, actor, _result_text(ref) + (f"；评估费 {yuan_text(fee_fen)}" if fee_fen else "")
             + ("；已超过评估期限" if late else ""), after=_snapshot(ref) | {"fee_fen": fee_fen})
        _supervision_after_change(case, None)
    return ref


def reference_fail(*, actor: User, reference: ReferencePrice, reason: str) -> ReferencePrice:
    """Record that a rung in progress cannot succeed (评估不能、询价不成…): the next rung opens."""
    _ensure_staff(actor, reference.case, "记录确定参考价不能或不成")
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "请写明不能或不成的原因")])
    with transaction.atomic():
        case = lock_case(reference.case)
        ref = ReferencePrice.objects.select_for_update().get(pk=reference.pk)
        if ref.status != PriceStatus.IN_PROGRESS:
            raise DomainError(f"该程序{ref.get_status_display()}，不能记录为不能或不成", code="not_in_progress")
        _supervision_after_change(case, "appraisal_started")
        ref.status, ref.failure_reason = PriceStatus.FAILED, reason.strip()[:300]
        ref.save(update_fields=["status", "failure_reason"])
        _log(case, actor, f"{ref.get_method_display()}不能或不成：{ref.asset}", after=_snapshot(ref), reason=reason)
    return ref


# ---------------------------------------------------------------- service, objection, decision


def reference_serve(*, actor: User, reference: ReferencePrice, served_on: dt.date) -> ReferencePrice:
    """送达询价、评估结果: the objection window (5 days from receipt) runs from here (REFERENCE.objection)."""
    _ensure_staff(actor, reference.case, "送达参考价结果")
    with transaction.atomic():
        case = lock_case(reference.case)
        ref = ReferencePrice.objects.select_for_update().get(pk=reference.pk)
        if ref.status != PriceStatus.RESULT or ref.method == Method.NEGOTIATION:
            raise DomainError("只有已得出的询价、评估结果需要送达", code="nothing_to_serve")
        if ref.served_on:
            if ref.served_on == served_on:
                return ref  # a retry
            raise Conflict(f"该结果已于 {ref.served_on:%Y-%m-%d} 送达")
        served_on = _check_day("served_on", served_on, case, "送达日期")
        if served_on < ref.result_on:
            raise ValidationFailed([FieldError("served_on", f"送达日期早于结果日期 {ref.result_on}")])
        _supervision_after_change(case, "appraisal_served")
        ref.served_on = served_on
        ref.objection_due = period_end(REFERENCE.objection, served_on)
        ref.save(update_fields=["served_on", "objection_due"])
        record_service_node(case=case, node_code="appraisal_served", occurred_on=served_on, actor=actor,
                            note=f"{ref.get_method_display()}结果：{ref.asset}")
        late = served_on > period_end(REFERENCE.serve_result, ref.result_on)
        _log(case, actor, f"送达{ref.get_method_display()}结果（{served_on:%Y-%m-%d}），异议期至 {ref.objection_due:%Y-%m-%d}"
             + (f"；已超过送达期限（{REFERENCE.serve_result.citation}）" if late else ""), node_code="appraisal_served",
             after={"reference": ref.pk, "served_on": served_on.isoformat(), "objection_due": ref.objection_due.isoformat()})
        _supervision_after_change(case, None)
    return ref


def objection_record(*, actor: User, reference: ReferencePrice, raised_on: dt.date, raised_by: str,
                     grounds: str) -> Objection:
    """A written objection within 5 days of receiving the result (法释〔2018〕15号第22条). Against an inquiry
    result, Wenling starts a commissioned appraisal within 3 working days (appraisal_due)."""
    _ensure_staff(actor, reference.case, "登记参考价异议")
    errors = []
    if not raised_by.strip():
        errors.append(FieldError("raised_by", "请填写异议人"))
    if not grounds.strip():
        errors.append(FieldError("grounds", "请写明异议理由"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        case = lock_case(reference.case)
        ref = ReferencePrice.objects.select_for_update().get(pk=reference.pk)
        raised_on = _check_day("raised_on", raised_on, case, "异议日期")
        if ref.status != PriceStatus.RESULT or ref.method == Method.NEGOTIATION:
            raise DomainError("只能对已送达的询价、评估结果提出异议（议价结果为当事人合意）", code="no_objection_possible")
        if not ref.served_on:
            raise DomainError("结果尚未送达，请先登记送达", code="not_served")
        if raised_on > ref.objection_due:
            raise DomainError(f"异议期已于 {ref.objection_due:%Y-%m-%d} 届满（{REFERENCE.objection.citation}）",
                              code="objection_late")
        _supervision_after_change(case, "appraisal_objection")
        due = period_end(REFERENCE.objection_to_appraisal, raised_on) if ref.method in INQUIRY_METHODS else None
        objection = Objection.objects.create(
            court_id=case.court_id, case=case, reference=ref, raised_on=raised_on, raised_by=raised_by.strip()[:100],
            grounds=grounds.strip()[:1000], appraisal_due=due, recorded_by=actor)
        ref.status = PriceStatus.OBJECTED
        ref.save(update_fields=["status"])
        record_service_node(case=case, node_code="appraisal_objection", occurred_on=raised_on, actor=actor,
                            note=f"{raised_by}对{ref.get_method_display()}结果提出异议")
        _log(case, actor, f"{raised_by}对{ref.get_method_display()}结果提出书面异议（{raised_on:%Y-%m-%d}）"
             + (f"，应于 {due:%Y-%m-%d} 前启动委托评估（{REFERENCE.objection_to_appraisal.citation}）" if due else ""),
             node_code="appraisal_objection", reason=grounds,
             after={"objection": objection.pk, "reference": ref.pk, "appraisal_due": due.isoformat() if due else None})
        _supervision_after_change(case, None)
    return objection


def objection_decide(*, actor: User, objection: Objection, upheld: bool, note: str) -> Objection:
    """异议处理: upheld — the result is set aside (a new appraisal on the ground of the objection);
    dismissed — the result stands again."""
    _ensure_staff(actor, objection.case, "处理参考价异议")
    if not note.strip():
        raise ValidationFailed([FieldError("note", "请写明处理理由")])
    with transaction.atomic():
        case = lock_case(objection.case)
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.outcome != ObjectionOutcome.PENDING:
            raise DomainError(f"该异议已处理（{objection.get_outcome_display()}）", code="objection_decided")
        _supervision_after_change(case, "appraisal_objection")
        ref = ReferencePrice.objects.select_for_update().get(pk=objection.reference_id)
        objection.outcome = ObjectionOutcome.UPHELD if upheld else ObjectionOutcome.DISMISSED
        objection.decided_on, objection.decision_note = timezone.localdate(), note.strip()[:500]
        objection.save(update_fields=["outcome", "decided_on", "decision_note"])
        ref.status = PriceStatus.SUPERSEDED if upheld else PriceStatus.RESULT
        ref.save(update_fields=["status"])
        _log(case, actor, f"参考价异议{objection.get_outcome_display()}：{ref.get_method_display()}结果"
             + ("不予采用" if upheld else "继续有效"), reason=note,
             after={"objection": objection.pk, "outcome": objection.outcome, "reference_status": ref.status})
        _supervision_after_change(case, None)  # the sale clock (sale_start) restarts or stays stopped
    return objection


# ---------------------------------------------------------------- reads used by the auctions


def standing_price(case: EnforcementCase, asset, on: dt.date) -> ReferencePrice | None:
    """The reference price a disposal may use on `on`: a result not under objection, served (unless
    agreed by the parties) and past its objection window."""
    for ref in reversed(history(case, asset)):
        if ref.status != PriceStatus.RESULT:
            continue
        if ref.method != Method.NEGOTIATION and (not ref.served_on or (ref.objection_due and on <= ref.objection_due)):
            continue
        return ref
    return None


def standing_refusal(case: EnforcementCase, asset, on: dt.date) -> str:
    """Why no reference price stands (for the refusal of a round)."""
    rows = history(case, asset)
    if not rows:
        return f"该财产尚未确定参考价（{REFERENCE.start.citation}）"
    last = rows[-1]
    if last.status == PriceStatus.RESULT and last.method != Method.NEGOTIATION:
        if not last.served_on:
            return f"{last.get_method_display()}结果尚未送达当事人（{REFERENCE.serve_result.citation}）"
        if last.objection_due and on <= last.objection_due:
            return f"{last.get_method_display()}结果的异议期至 {last.objection_due:%Y-%m-%d} 尚未届满（{REFERENCE.objection.citation}）"
    return f"该财产没有可用的参考价（最近一次：{last.get_method_display()}，{last.get_status_display()}）"
