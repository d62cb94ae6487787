"""Control measures (C15–C16): registering a found asset by hand, freezing, sealing, detaining and
deducting it, renewing (续行) before expiry, releasing (解除), and the queue (轮候) that moves up
when the measure ahead ends. Each service is one transaction and writes the case's execution log.

Statutory periods: CPL-JI Art. 485 (rules.PERIOD_CLASSES); lapse without renewal: 查封规定 Art. 27;
the earliest-registered queued measure takes effect on release: 查封规定 Art. 26."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import LogAction, PartyRole
from zhixing.cases.exceptions import Conflict, DomainError, FieldError, ValidationFailed
from zhixing.cases.log import log_append
from zhixing.cases.models import EnforcementCase, Party
from zhixing.cases.rules import HANDLING, NODES_BY_CODE
from zhixing.cases.services import _supervision_after_change, ensure_can_act, ensure_role, record_service_node
from zhixing.cases.templatetags.money import fen_to_yuan_text
from zhixing.courts.models import Court
from zhixing.triage.services import retriage
from zhixing.workdays import calendar

from .assets import asset_upsert, case_asset_link, clean_details
from .models import (
    OPEN_MEASURE_STATUSES,
    Asset,
    CaseAsset,
    ControlMeasure,
    FoundVia,
    MeasureKind,
    MeasureStatus,
)
from .rules import (
    ASSET_KINDS,
    DEDUCT_CITATION,
    MEASURE_FIT_CITATION,
    MEASURES_FOR_ASSET,
    PERIOD_CLASSES,
    QUEUE_CITATION,
    RENEWAL_CITATION,
    RENEWAL_REMINDER_DAYS,
    PeriodClass,
)

# The flow node each measure records, for the case's stage and timeline (supervision reads the measures).
NODE_OF_KIND = {
    MeasureKind.FREEZE: "freeze",
    MeasureKind.SEAL: "seal",
    MeasureKind.DETAIN: "detain",
    MeasureKind.DEDUCT: "deduct",
}
MEASURE_ROLES = HANDLING | NODES_BY_CODE["seal"].roles  # judges, assistants and bailiffs (field work)


# ---------------------------------------------------------------- helpers shared with clues.py


def check_day(field: str, day: dt.date | None, case: EnforcementCase, label: str) -> dt.date:
    """A date of something done in the case: not in the future, not before filing."""
    if day is None:
        raise ValidationFailed([FieldError(field, f"须填写{label}")])
    if day > timezone.localdate():
        raise ValidationFailed([FieldError(field, f"{label} {day} 晚于今天")])
    if day < case.filed_on:
        raise ValidationFailed([FieldError(field, f"{label} {day} 早于立案日期 {case.filed_on}")])
    return day


def ensure_open(case: EnforcementCase) -> None:
    if not case.is_open:
        raise DomainError(f"案件{case.get_status_display()}，不能办理", code="case_closed")


def lock_cases(*case_ids: int) -> dict[int, EnforcementCase]:
    """Row locks on several cases, taken in key order so two releases never deadlock."""
    ids = sorted(set(case_ids))
    return {c.pk: c for c in EnforcementCase.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _lock_asset(asset: Asset) -> Asset:
    """The asset row lock serialises every queue change on one asset, across courts."""
    return Asset.objects.select_for_update().get(pk=asset.pk)


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else f"{fen_to_yuan_text(fen)}"


def statutory_end(period: PeriodClass, effective_on: dt.date) -> dt.date:
    """The last day a measure is in force: the day before the same date `period.months` later.

    A measure is in force from the day it takes effect, and that day counts (a freeze notice reads
    "自2026年3月1日起至2027年2月28日止"), so a period of N years ends the day before the N-th
    anniversary: 2026-03-01 + 1 year → 2027-02-28; + 2 years → 2028-02-29 (a leap year). When the
    anniversary does not exist (from 29 February), the period ends on the last day of that month
    (民法典 Art. 202: no corresponding day → the month's last day): 2024-02-29 + 1 year → 2025-02-28.
    There is no roll-off to a workday: a measure ends on a calendar day (CPL-JI Art. 485, 查封规定 Art. 27).
    """
    return calendar.last_day_in_force(effective_on, period.months)


def measure_citation(m: ControlMeasure) -> str:
    """Where the measure's end (or, for a deduction, the measure itself) comes from in law."""
    return PERIOD_CLASSES[m.period_class].citation if m.period_class else DEDUCT_CITATION


def describe_measure(m: ControlMeasure) -> str:
    return f"{m.court.name if m.court_id else ''} {m.case.case_number} {m.get_kind_display()}（{m.started_on:%Y-%m-%d}）".strip()


def _measure_after(m: ControlMeasure) -> dict:
    return {
        "measure": m.pk, "asset": m.asset_id, "kind": m.kind, "status": m.status,
        "started_on": m.started_on.isoformat(), "ends_on": m.ends_on.isoformat() if m.ends_on else None,
        "queue_rank": m.queue_rank, "ahead": m.ahead, "amount_fen": m.amount_fen,
        "document_number": m.document_number,
        "citation": measure_citation(m),
    }


# ---------------------------------------------------------------- assets


def asset_register(*, actor: User, case: EnforcementCase, kind: str, details: dict, owner_party: Party,
                   found_on: dt.date, found_via: str, note: str = "", clue=None) -> CaseAsset:
    """登记财产 by hand (on-site investigation, the respondent's report, a verified clue…). The same asset
    found by other cases or courts is one row (assets.asset_upsert); records 有财产可供执行 (法发〔2006〕35号
    第1条), once a day per case, and the log entry."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, NODES_BY_CODE["property_found"].roles | NODES_BY_CODE["clue_verified"].roles, "登记财产")
    if found_via not in FoundVia.values:
        raise ValidationFailed([FieldError("found_via", f"未知发现途径 {found_via!r}")])
    if owner_party is None or owner_party.case_id != case.pk or owner_party.role != PartyRole.RESPONDENT:
        raise ValidationFailed([FieldError("owner_party", "权利人须为本案被执行人")])
    cleaned, value_fen = clean_details(kind, details or {})
    with transaction.atomic():
        case = lock_cases(case.pk)[case.pk]
        ensure_open(case)
        check_day("found_on", found_on, case, "发现日期")
        _supervision_after_change(case, "property_found")
        asset, created = asset_upsert(
            kind_code=kind, details=cleaned, value_fen=value_fen, value_on=found_on if value_fen is not None else None,
            owner_name=owner_party.name, owner_identity=owner_party.id_number or owner_party.credit_code,
        )
        link, linked = case_asset_link(case=case, asset=asset, found_on=found_on, found_via=found_via, clue=clue, note=note)
        if not linked:
            raise Conflict(f"该财产已于 {link.found_on} 在本案登记：{asset.description}")
        record_service_node(case=case, node_code="property_found", occurred_on=found_on, actor=actor, note=asset.description,
                    once_per_day=True)
        others = CaseAsset.objects.filter(asset=asset).exclude(case_id=case.pk).count()
        log_append(
            case=case, actor=actor, action=LogAction.ASSET, node_code="property_found",
            summary=f"登记财产：{asset.description}（{FoundVia(found_via).label}，{found_on:%Y-%m-%d}）"
                    + (f"，另有{others}件其他案件登记了同一财产" if others else ""),
            after={"asset": asset.pk, "kind": kind, "details": cleaned, "value_fen": value_fen,
                   "found_on": found_on.isoformat(), "found_via": found_via, "new_asset": created,
                   "clue": clue.pk if clue else None, "other_cases": others},
            reason=note[:500],
        )
        retriage(case=case, actor=actor, why="登记财产")  # found property may make it a simple or a complex case
        _supervision_after_change(case, None)
    return link


def case_assets(case: EnforcementCase) -> list[CaseAsset]:
    return list(CaseAsset.objects.filter(case=case).select_related("asset", "clue").order_by("found_on", "id"))


# ---------------------------------------------------------------- taking a measure


def _check_amount(kind: str, amount_fen, asset: Asset) -> list[FieldError]:
    if amount_fen is not None and (isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0):
        return [FieldError("amount_fen", "金额应为大于0的整数（分）")]
    if kind == MeasureKind.DEDUCT:
        if amount_fen is None:
            return [FieldError("amount_fen", f"扣划须填写扣划金额（{DEDUCT_CITATION}）")]
        if asset.value_fen is not None and amount_fen > asset.value_fen:
            return [FieldError("amount_fen", f"扣划金额 {_yuan(amount_fen)} 元超过已知余额 {_yuan(asset.value_fen)} 元")]
    return []


def measure_take(*, actor: User, case: EnforcementCase, asset: Asset, kind: str, started_on: dt.date,
                 amount_fen: int | None = None, document_number: str = "", queue_rank: int = 1,
                 ahead: str = "") -> ControlMeasure:
    """冻结/查封/扣押/扣划 of an asset registered in the case.

    The statutory end date follows the asset's period class (CPL-JI Art. 485: deposits 1 year,
    movables 2, real estate and other rights 3; see `statutory_end`). A deduction has no period.
    If another measure (any case, any court) holds the asset first, this one is queued (轮候) behind
    every open measure, and `ahead` names who holds it; a queued measure has no end date until it
    takes effect (查封规定 Art. 26)."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, MEASURE_ROLES, "采取控制措施")
    errors: list[FieldError] = []
    if kind not in MeasureKind.values:
        raise ValidationFailed([FieldError("kind", f"未知措施 {kind!r}")])
    asset_kind = ASSET_KINDS[asset.kind]
    if kind not in MEASURES_FOR_ASSET.get(asset.kind, frozenset()):
        allowed = "、".join(MeasureKind(k).label for k in sorted(MEASURES_FOR_ASSET[asset.kind]))
        citation = DEDUCT_CITATION if kind == MeasureKind.DEDUCT else MEASURE_FIT_CITATION
        raise ValidationFailed([FieldError("kind", f"{asset_kind.name}不能{MeasureKind(kind).label}，可{allowed}（{citation}）")])
    errors += _check_amount(kind, amount_fen, asset)
    if isinstance(queue_rank, bool) or not isinstance(queue_rank, int) or queue_rank < 1:
        errors.append(FieldError("queue_rank", "顺位应为不小于1的整数"))
    elif queue_rank > 1 and not ahead.strip():
        errors.append(FieldError("ahead", f"轮候（顺位{queue_rank}）须写明在先查封的法院和案号"))
    if kind == MeasureKind.DEDUCT and queue_rank != 1:
        errors.append(FieldError("queue_rank", "扣划不能轮候：款项已被在先冻结的，由在先冻结的法院处置"))
    if errors:
        raise ValidationFailed(errors)
    node_code = NODE_OF_KIND[kind]
    with transaction.atomic():
        asset = _lock_asset(asset)
        case = lock_cases(case.pk)[case.pk]
        ensure_open(case)
        check_day("started_on", started_on, case, "起始日")
        if not CaseAsset.objects.filter(case=case, asset=asset).exists():
            raise ValidationFailed([FieldError("asset", "该财产未在本案登记，请先登记财产")])
        _supervision_after_change(case, node_code)
        open_measures = list(
            ControlMeasure.objects.filter(asset=asset, status__in=OPEN_MEASURE_STATUSES)
            .select_related("court", "case").order_by("queue_rank", "started_on", "id")
        )
        holder = next((m for m in open_measures if m.status == MeasureStatus.ACTIVE and m.queue_rank == 1), None)
        if kind == MeasureKind.DEDUCT:
            if holder is not None and holder.case_id != case.pk:
                raise DomainError(f"该财产已被{describe_measure(holder)}在先控制，不能扣划（{QUEUE_CITATION}）",
                                  code="held_by_other_case")
        else:
            own = [m for m in open_measures if m.case_id == case.pk]
            if own:
                raise Conflict(f"本案已对该财产采取{own[0].get_kind_display()}（{own[0].get_status_display()}），"
                               f"到期前应续行而不是重复采取（{RENEWAL_CITATION}）")
            if holder is not None:
                queue_rank = max(queue_rank, len(open_measures) + 1)
                known = f"{describe_measure(holder)}（顺位1）"
                ahead = f"{known}；{ahead.strip()}" if ahead.strip() and ahead.strip() not in known else known
        period = PERIOD_CLASSES[asset_kind.period_class]
        measure = ControlMeasure(
            court_id=case.court_id, case=case, asset=asset, kind=kind, started_on=started_on,
            amount_fen=amount_fen, document_number=document_number.strip()[:60], queue_rank=queue_rank,
            ahead=ahead.strip()[:200], recorded_by=actor, recorded_at=timezone.now(),
        )
        if kind == MeasureKind.DEDUCT:
            measure.status, measure.ended_on = MeasureStatus.DONE, started_on
            citation = DEDUCT_CITATION
        else:
            measure.period_class = period.code
            measure.status = MeasureStatus.ACTIVE if queue_rank == 1 else MeasureStatus.QUEUED
            measure.ends_on = statutory_end(period, started_on) if queue_rank == 1 else None
            citation = period.citation
        measure.save()
        record_service_node(case=case, node_code=node_code, occurred_on=started_on, actor=actor, note=asset.description)
        if measure.status == MeasureStatus.QUEUED:
            detail = f"轮候顺位{queue_rank}，在先：{measure.ahead}；在先措施解除后自动生效（{QUEUE_CITATION}）"
        elif measure.ends_on:
            detail = f"法定届满日 {measure.ends_on:%Y-%m-%d}（{citation}）"
        else:
            detail = f"扣划 {_yuan(amount_fen)} 元（{citation}）"
        log_append(
            case=case, actor=actor, action=LogAction.MEASURE, node_code=node_code,
            summary=f"{measure.get_kind_display()}：{asset.description}，自 {started_on:%Y-%m-%d} 起，{detail}"[:300],
            after=_measure_after(measure) | {"citation": citation}, reason=measure.document_number,
        )
        retriage(case=case, actor=actor, why="采取控制措施")
        _supervision_after_change(case, None)
    return measure


# ---------------------------------------------------------------- renewal, release, lapse


def _get_measure_locked(measure: ControlMeasure) -> ControlMeasure:
    return ControlMeasure.objects.select_related("asset", "case", "court").get(pk=measure.pk)


def measure_renew(*, actor: User, measure: ControlMeasure, started_on: dt.date | None = None,
                  document_number: str = "") -> ControlMeasure:
    """续行: before the measure expires — on its last day at the latest — a new measure of the same
    period (CPL-JI Art. 485) continues it; after that day it has lapsed and the asset must be taken
    again (查封规定 Art. 27). The renewal is done on `started_on` if given (the new period then runs
    from that day), else today with the new period starting the day after the old one ends."""
    ensure_can_act(actor, measure.court_id)
    ensure_role(actor, MEASURE_ROLES, "续行")
    today = timezone.localdate()
    with transaction.atomic():
        _lock_asset(measure.asset)
        case = lock_cases(measure.case_id)[measure.case_id]
        old = _get_measure_locked(measure)
        if old.status != MeasureStatus.ACTIVE or old.ends_on is None:
            raise DomainError(f"只有有效的冻结、查封、扣押才能续行（当前：{old.get_status_display()}）", code="not_active")
        errors = []
        if started_on is not None:
            if started_on > today:
                errors.append(FieldError("started_on", f"续行日期 {started_on} 晚于今天"))
            elif started_on <= old.started_on:
                errors.append(FieldError("started_on", f"续行日期应晚于原措施起始日 {old.started_on}"))
        if errors:
            raise ValidationFailed(errors)
        renewed_on = started_on or today
        if renewed_on > old.ends_on:
            raise DomainError(
                f"原措施已于 {old.ends_on:%Y-%m-%d} 届满，期限届满前未续行的视为解除，不能续行，须重新采取措施（{RENEWAL_CITATION}）",
                code="measure_expired",
            )
        node_code = NODE_OF_KIND[old.kind]
        _supervision_after_change(case, node_code)
        new_start = started_on or old.ends_on + dt.timedelta(days=1)
        period = PERIOD_CLASSES[old.period_class]
        new = ControlMeasure.objects.create(
            court_id=old.court_id, case=case, asset=old.asset, kind=old.kind, period_class=old.period_class,
            started_on=new_start, ends_on=statutory_end(period, new_start), status=MeasureStatus.ACTIVE,
            queue_rank=1, amount_fen=old.amount_fen, document_number=document_number.strip()[:60],
            renewal_of=old, recorded_by=actor, recorded_at=timezone.now(),
        )
        old.status, old.ended_on = MeasureStatus.RENEWED, new_start - dt.timedelta(days=1)
        old.end_reason = f"续行（{new.document_number or '无文书号'}）"
        old.save(update_fields=["status", "ended_on", "end_reason"])
        # Supervision counts a renewal as the measure recorded again: the node restarts its expiry period.
        record_service_node(case=case, node_code=node_code, occurred_on=new_start, actor=actor, note=f"续行：{old.asset.description}")
        log_append(
            case=case, actor=actor, action=LogAction.MEASURE_RENEW, node_code=node_code,
            summary=f"续行{old.get_kind_display()}：{old.asset.description}，原届满日 {old.ends_on:%Y-%m-%d}，"
                    f"新期限 {new.started_on:%Y-%m-%d} 至 {new.ends_on:%Y-%m-%d}（{period.citation}）"[:300],
            before=_measure_after(old), after=_measure_after(new) | {"renewed_on": renewed_on.isoformat(),
                                                                     "renewal_citation": RENEWAL_CITATION},
            reason=new.document_number,
        )
        _supervision_after_change(case, None)
    return new


def _queued(asset: Asset) -> list[ControlMeasure]:
    return list(
        ControlMeasure.objects.filter(asset=asset, status=MeasureStatus.QUEUED)
        .select_related("case", "court").order_by("queue_rank", "started_on", "id")
    )


def _lock_with_queue(measure: ControlMeasure) -> tuple[Asset, dict[int, EnforcementCase], ControlMeasure]:
    """Asset first, then the measure's case and every case queued on the asset, in key order."""
    asset = _lock_asset(measure.asset)
    queued_case_ids = ControlMeasure.objects.filter(asset=asset, status=MeasureStatus.QUEUED).values_list("case_id", flat=True)
    cases = lock_cases(measure.case_id, *queued_case_ids)
    return asset, cases, _get_measure_locked(measure)


def _move_queue(*, asset: Asset, cases: dict[int, EnforcementCase], effective_on: dt.date, left_rank: int | None,
                cause: str) -> ControlMeasure | None:
    """After a measure stops holding or waiting for the asset. If the holder left (`left_rank` None),
    the first queued measure — lowest rank, then earliest registered — takes effect on `effective_on`
    (查封规定 Art. 26), in whatever case and court it is; every measure behind the one that left moves
    up one rank. Each change is an entry in its own case's log, written by the system."""
    queued = _queued(asset)
    promoted = None
    for m in queued:
        if left_rank is not None and m.queue_rank < left_rank:
            continue  # ahead of the one that left: unchanged
        case = cases[m.case_id]
        before = _measure_after(m)
        if left_rank is None and promoted is None:
            period = PERIOD_CLASSES[m.period_class]
            m.status, m.queue_rank, m.ahead = MeasureStatus.ACTIVE, 1, ""
            m.ends_on = statutory_end(period, effective_on)
            m.save(update_fields=["status", "queue_rank", "ahead", "ends_on"])
            node_code = NODE_OF_KIND[m.kind]
            record_service_node(case=case, node_code=node_code, occurred_on=effective_on, actor=None,
                        note=f"轮候转为正式：{asset.description}")
            log_append(
                case=case, actor=None, action=LogAction.MEASURE, node_code=node_code,
                summary=f"轮候{m.get_kind_display()}自动生效：{asset.description}，自 {effective_on:%Y-%m-%d} 起，"
                        f"法定届满日 {m.ends_on:%Y-%m-%d}（{period.citation}）"[:300],
                before=before, after=_measure_after(m) | {"effective_on": effective_on.isoformat()},
                reason=f"{cause}；{QUEUE_CITATION}"[:500],
            )
            promoted = m
            continue
        m.queue_rank = max(1, m.queue_rank - 1)
        m.save(update_fields=["queue_rank"])
        log_append(
            case=case, actor=None, action=LogAction.MEASURE, node_code="",
            summary=f"轮候顺位前移：{asset.description}，顺位 {before['queue_rank']} → {m.queue_rank}"[:300],
            before=before, after=_measure_after(m), reason=f"{cause}；{QUEUE_CITATION}"[:500],
        )
    for case_id in sorted({m.case_id for m in queued}):
        _supervision_after_change(cases[case_id], None)
    return promoted


def measure_release(*, actor: User, measure: ControlMeasure, released_on: dt.date, reason: str) -> ControlMeasure:
    """解除 of an active or queued measure, with its reason. When the holder is released, the
    earliest-registered queued measure on the asset takes effect automatically that day (查封规定
    Art. 26), in its own case and court; the rest of the queue moves up."""
    ensure_can_act(actor, measure.court_id)
    ensure_role(actor, MEASURE_ROLES, "解除控制措施")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([FieldError("reason", "解除须说明理由")])
    with transaction.atomic():
        asset, cases, m = _lock_with_queue(measure)
        case = cases[m.case_id]
        if m.status not in OPEN_MEASURE_STATUSES:
            raise DomainError(f"该措施已{m.get_status_display()}，不能解除", code="not_open")
        if released_on is None:
            raise ValidationFailed([FieldError("released_on", "须填写解除日期")])
        if released_on > timezone.localdate():
            raise ValidationFailed([FieldError("released_on", f"解除日期 {released_on} 晚于今天")])
        if released_on < m.started_on:
            raise ValidationFailed([FieldError("released_on", f"解除日期 {released_on} 早于措施起始日 {m.started_on}")])
        _supervision_after_change(case, "measure_release")
        before = _measure_after(m)
        left_rank = None if m.status == MeasureStatus.ACTIVE else m.queue_rank
        m.status, m.ended_on, m.end_reason = MeasureStatus.RELEASED, released_on, reason[:300]
        m.save(update_fields=["status", "ended_on", "end_reason"])
        log_append(
            case=case, actor=actor, action=LogAction.MEASURE_END, node_code="",
            summary=f"解除{m.get_kind_display()}：{asset.description}（{released_on:%Y-%m-%d}）"[:300],
            before=before, after=_measure_after(m) | {"released_on": released_on.isoformat()}, reason=reason[:500],
        )
        cause = f"{m.court.name}{case.case_number} 于 {released_on:%Y-%m-%d} 解除{m.get_kind_display()}（{actor.display_name}）"
        _move_queue(asset=asset, cases=cases, effective_on=released_on, left_rank=left_rank, cause=cause)
        _supervision_after_change(case, None)
    return m


def measure_lapse(*, actor: User, measure: ControlMeasure, reason: str = "") -> ControlMeasure:
    """到期失效: an active measure whose last day has passed without renewal is deemed released
    (查封规定 Art. 27); the queued measure behind it takes effect the next day (Art. 26)."""
    ensure_can_act(actor, measure.court_id)
    ensure_role(actor, MEASURE_ROLES, "登记措施失效")
    with transaction.atomic():
        asset, cases, m = _lock_with_queue(measure)
        case = cases[m.case_id]
        if m.status != MeasureStatus.ACTIVE or m.ends_on is None:
            raise DomainError(f"只有有效的措施才会到期失效（当前：{m.get_status_display()}）", code="not_active")
        if m.ends_on >= timezone.localdate():
            raise DomainError(f"该措施至 {m.ends_on:%Y-%m-%d} 仍然有效，尚未到期（可续行：{RENEWAL_CITATION}）",
                              code="not_expired")
        before = _measure_after(m)
        why = (reason or "").strip() or "期限届满未续行"
        m.status, m.ended_on, m.end_reason = MeasureStatus.LAPSED, m.ends_on, why[:300]
        m.save(update_fields=["status", "ended_on", "end_reason"])
        log_append(
            case=case, actor=actor, action=LogAction.MEASURE_END, node_code="",
            summary=f"{m.get_kind_display()}到期失效：{asset.description}，届满日 {m.ends_on:%Y-%m-%d}，"
                    f"未续行的视为解除（查封规定第27条）"[:300],
            before=before, after=_measure_after(m), reason=why[:500],
        )
        cause = f"{m.court.name}{case.case_number} 的{m.get_kind_display()}于 {m.ends_on:%Y-%m-%d} 届满失效"
        _move_queue(asset=asset, cases=cases, effective_on=m.ends_on + dt.timedelta(days=1), left_rank=None, cause=cause)
        _supervision_after_change(case, None)
    return m


# ---------------------------------------------------------------- selectors


def expiring_measures(court: Court, within_days: int = RENEWAL_REMINDER_DAYS, *, as_of: dt.date | None = None) -> QuerySet[ControlMeasure]:
    """续行提醒: the court's active measures whose last day is within `within_days` — and those already
    past it but not yet marked lapsed — soonest first (uses the partial index on active measures)."""
    today = as_of or timezone.localdate()
    return (
        ControlMeasure.objects.filter(court=court, status=MeasureStatus.ACTIVE, ends_on__isnull=False,
                                      ends_on__lte=today + dt.timedelta(days=within_days))
        .select_related("case", "asset")
        .order_by("ends_on", "id")
    )


def case_measures(case: EnforcementCase) -> list[ControlMeasure]:
    return list(
        ControlMeasure.objects.filter(case=case).select_related("asset", "renewal_of", "recorded_by")
        .order_by("asset_id", "started_on", "id")
    )
