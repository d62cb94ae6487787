"""State changes of the indicators app: the records no other app keeps (petitions, reviews of
enforcement acts, disclosures) — each in one transaction with an entry in the case's execution log —
and a court's scorecard weights (a new version each time, never an edit).

Retries are idempotent: the same petition number, review document number or disclosure (case, kind,
date) recorded again returns the first record if it says the same, and is refused if it does not.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import LogAction
from zhixing.cases.exceptions import Conflict, FieldError, NotAllowed, ValidationFailed
from zhixing.cases.log import log_append
from zhixing.cases.models import EnforcementCase
from zhixing.cases.rules import LEADERS, REGISTRARS
from zhixing.cases.services import ensure_can_act, ensure_role, lock_case
from zhixing.courts.models import Court

from .choices import DisclosureKind, PetitionChannel, ReviewKind, ReviewOutcome
from .models import ConductReview, Disclosure, Petition, ScorecardWeight
from .rules import INDICATORS, MAX_WEIGHT, SCORED_CODES, ScoreLine

# Who records petitions, review outcomes and disclosures: the staff who register cases (clerks,
# handlers, the command centre, leaders). Who sets the scorecard: the bureau head and the president.
RECORDERS = REGISTRARS
WEIGHT_SETTERS = LEADERS


def _dates(errors: list[FieldError], today: dt.date, **dates: dt.date | None) -> None:
    for name, value in dates.items():
        if value is not None and value > today:
            errors.append(FieldError(name, f"{value} 晚于今天，不能登记将来的日期"))


def _valid_choice(errors: list[FieldError], name: str, value: str, choices, label: str) -> None:
    if value not in choices.values:
        allowed = "、".join(f"{c.value}（{c.label}）" for c in choices)
        errors.append(FieldError(name, f"未知{label}“{value}”；应为：{allowed}"))


def _text(errors: list[FieldError], name: str, value: str, label: str, *, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.append(FieldError(name, f"请填写{label}"))
    if len(value) > max_length:
        errors.append(FieldError(name, f"{label}不能超过{max_length}字"))
    return value


def _same(row, **fields) -> bool:
    return all(getattr(row, name) == value for name, value in fields.items())


# ---------------------------------------------------------------- petitions (执行信访)


def petition_register(*, actor: User, case: EnforcementCase, received_on: dt.date, summary: str,
                      channel: str = PetitionChannel.VISIT, reference: str = "",
                      closed_on: dt.date | None = None, outcome: str = "") -> Petition:
    """登记执行信访 about a case (counted in 执行信访案件办结率 and 案访比, rules.INDICATORS)."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, RECORDERS, "登记执行信访")
    today = timezone.localdate()
    errors: list[FieldError] = []
    summary = _text(errors, "summary", summary, "信访事项", max_length=300, required=True)
    reference = _text(errors, "reference", reference, "信访编号", max_length=60)
    outcome = _text(errors, "outcome", outcome, "办理结果", max_length=300)
    _valid_choice(errors, "channel", channel, PetitionChannel, "信访方式")
    _dates(errors, today, received_on=received_on, closed_on=closed_on)
    if closed_on is not None and closed_on < received_on:
        errors.append(FieldError("closed_on", f"办结日期 {closed_on} 早于收到日期 {received_on}"))
    if errors:
        raise ValidationFailed(errors)
    fields = dict(received_on=received_on, summary=summary, channel=channel, closed_on=closed_on)
    with transaction.atomic():
        case = lock_case(case)
        if reference:
            existing = Petition.objects.filter(court_id=case.court_id, reference=reference).first()
            if existing is not None:
                if existing.case_id == case.pk and _same(existing, **fields):
                    return existing
                raise Conflict(f"信访编号 {reference} 已登记（{existing.case.case_number}，{existing.received_on}）",
                               code="petition_exists")
        else:  # without a number, the same matter on the same day is the same petition (a retry, a re-import)
            existing = Petition.objects.filter(case=case, reference="", received_on=received_on, summary=summary).first()
            if existing is not None:
                return existing
        petition = Petition.objects.create(court_id=case.court_id, case=case, reference=reference, outcome=outcome,
                                           recorded_by=actor, closed_by=actor if closed_on else None, **fields)
        done = f"，已于 {closed_on} 办结" if closed_on else ""
        log_append(case=case, actor=actor, action=LogAction.NOTE,
                   summary=f"登记执行信访（{PetitionChannel(channel).label}，{received_on} 收到）{done}：{summary}"[:300],
                   after={"petition": petition.pk, "reference": reference, "received_on": received_on.isoformat(),
                          "closed_on": closed_on.isoformat() if closed_on else None})
    return petition


def petition_close(*, actor: User, petition: Petition, closed_on: dt.date, outcome: str) -> Petition:
    """办结 a petition, once: a second closing on the same date is a retry, on another date a conflict."""
    ensure_can_act(actor, petition.court_id)
    ensure_role(actor, RECORDERS, "办结执行信访")
    errors: list[FieldError] = []
    outcome = _text(errors, "outcome", outcome, "办理结果", max_length=300, required=True)
    _dates(errors, timezone.localdate(), closed_on=closed_on)
    if closed_on < petition.received_on:
        errors.append(FieldError("closed_on", f"办结日期 {closed_on} 早于收到日期 {petition.received_on}"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        case = lock_case(petition.case)
        petition = Petition.objects.select_for_update().get(pk=petition.pk)
        if petition.closed_on is not None:
            if petition.closed_on == closed_on:
                return petition
            raise Conflict(f"该信访已于 {petition.closed_on} 办结", code="petition_closed")
        petition.closed_on, petition.outcome, petition.closed_by = closed_on, outcome, actor
        petition.save(update_fields=["closed_on", "outcome", "closed_by"])
        log_append(case=case, actor=actor, action=LogAction.NOTE,
                   summary=f"执行信访办结（{petition.received_on} 收到）：{outcome}"[:300],
                   before={"closed_on": None}, after={"petition": petition.pk, "closed_on": closed_on.isoformat()})
    return petition


# ---------------------------------------------------------------- reviews of enforcement acts


def review_record(*, actor: User, case: EnforcementCase, kind: str, outcome: str, decided_on: dt.date,
                  document_number: str = "", note: str = "") -> ConductReview:
    """登记执行行为审查结果: 撤销/变更 counts in 执行行为撤改率, 决定赔偿 in 国家赔偿率."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, RECORDERS, "登记执行行为审查结果")
    errors: list[FieldError] = []
    _valid_choice(errors, "kind", kind, ReviewKind, "审查类型")
    _valid_choice(errors, "outcome", outcome, ReviewOutcome, "审查结果")
    compensation = {ReviewOutcome.COMPENSATED, ReviewOutcome.NOT_COMPENSATED}
    if not errors and (kind == ReviewKind.STATE_COMPENSATION) != (outcome in compensation):
        fitting = "决定赔偿、不予赔偿" if kind == ReviewKind.STATE_COMPENSATION else "维持或驳回、撤销、变更"
        errors.append(FieldError("outcome", f"{ReviewKind(kind).label}的结果应为：{fitting}"))
    document_number = _text(errors, "document_number", document_number, "文书号", max_length=60)
    note = _text(errors, "note", note, "说明", max_length=300)
    _dates(errors, timezone.localdate(), decided_on=decided_on)
    if errors:
        raise ValidationFailed(errors)
    fields = dict(kind=kind, outcome=outcome, decided_on=decided_on)
    with transaction.atomic():
        case = lock_case(case)
        if document_number:
            existing = ConductReview.objects.filter(court_id=case.court_id, document_number=document_number).first()
            if existing is not None:
                if existing.case_id == case.pk and _same(existing, **fields):
                    return existing
                raise Conflict(f"文书号 {document_number} 已登记", code="review_exists")
        else:
            existing = ConductReview.objects.filter(case=case, document_number="", **fields).first()
            if existing is not None:
                return existing
        review = ConductReview.objects.create(court_id=case.court_id, case=case, document_number=document_number,
                                              note=note, recorded_by=actor, **fields)
        log_append(case=case, actor=actor, action=LogAction.NOTE,
                   summary=f"{ReviewKind(kind).label}结果：{ReviewOutcome(outcome).label}（{decided_on}"
                           f"{'，' + document_number if document_number else ''}）"[:300],
                   after={"conduct_review": review.pk, "kind": kind, "outcome": outcome,
                          "decided_on": decided_on.isoformat()}, reason=note)
    return review


# ---------------------------------------------------------------- disclosures (执行公开)


def disclosure_record(*, actor: User, case: EnforcementCase, kind: str, disclosed_on: dt.date,
                      reference: str = "") -> Disclosure:
    """登记执行公开 (counted in 执行公开率). The same case, kind and date twice is one disclosure."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, RECORDERS, "登记执行公开")
    errors: list[FieldError] = []
    _valid_choice(errors, "kind", kind, DisclosureKind, "公开事项")
    reference = _text(errors, "reference", reference, "公开载体或网址", max_length=200)
    _dates(errors, timezone.localdate(), disclosed_on=disclosed_on)
    if disclosed_on < case.filed_on:
        errors.append(FieldError("disclosed_on", f"公开日期 {disclosed_on} 早于立案日期 {case.filed_on}"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        case = lock_case(case)
        existing = Disclosure.objects.filter(case=case, kind=kind, disclosed_on=disclosed_on).first()
        if existing is not None:
            return existing
        disclosure = Disclosure.objects.create(court_id=case.court_id, case=case, kind=kind, disclosed_on=disclosed_on,
                                               reference=reference, recorded_by=actor)
        log_append(case=case, actor=actor, action=LogAction.NOTE,
                   summary=f"执行公开：{DisclosureKind(kind).label}（{disclosed_on}）"[:300],
                   after={"disclosure": disclosure.pk, "kind": kind, "disclosed_on": disclosed_on.isoformat(),
                          "reference": reference})
    return disclosure


# ---------------------------------------------------------------- scorecard weights


def _decimal(errors: list[FieldError], name: str, value, label: str) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.append(FieldError(name, f"{label}“{value}”不是数字"))
        return None
    if not number.is_finite() or abs(number) >= Decimal("10000000") or number.as_tuple().exponent < -2:
        errors.append(FieldError(name, f"{label}应为不超过两位小数的数字"))
        return None
    return number


def weights_set(*, actor: User, court: Court, lines: dict[str, dict], reason: str) -> list[ScorecardWeight]:
    """A court's scorecard: for each of the nine indicators a weight (points, 0–100) and the values
    earning full and zero marks. Stored as a new version; the earlier ones stay (models.ScorecardWeight)."""
    if actor.is_read_only:
        raise NotAllowed("上级法院监督角色只能查看，不能设置评分权重")
    if not actor.is_superuser and actor.court_id != court.pk:
        raise NotAllowed("只能设置本院的评分权重")
    ensure_role(actor, WEIGHT_SETTERS, "设置评分权重")
    errors: list[FieldError] = []
    parsed: list[ScoreLine] = []
    missing = [INDICATORS[code].name for code in SCORED_CODES if code not in lines]
    if missing:
        errors.append(FieldError("lines", f"缺少指标：{'、'.join(missing)}"))
    for code in SCORED_CODES:
        given = lines.get(code)
        if given is None:
            continue
        name = INDICATORS[code].name
        weight = given.get("weight")
        if isinstance(weight, str) and weight.strip().isdigit():
            weight = int(weight.strip())
        if not isinstance(weight, int) or isinstance(weight, bool) or not 0 <= weight <= MAX_WEIGHT:
            errors.append(FieldError(f"{code}.weight", f"{name}的权重应为0至{MAX_WEIGHT}的整数"))
            continue
        full_at = _decimal(errors, f"{code}.full_at", given.get("full_at"), f"{name}的满分值")
        zero_at = _decimal(errors, f"{code}.zero_at", given.get("zero_at"), f"{name}的零分值")
        if full_at is not None and zero_at is not None:
            if full_at == zero_at:
                errors.append(FieldError(f"{code}.zero_at", f"{name}的满分值与零分值不能相同"))
            else:
                parsed.append(ScoreLine(code, weight, full_at, zero_at))
    if not errors and not sum(line.weight for line in parsed):
        errors.append(FieldError("lines", "权重合计不能为0"))
    reason = (reason or "").strip()
    if not reason:
        errors.append(FieldError("reason", "请写明调整理由（如依据的考核办法）"))
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            return ScorecardWeight.objects.bulk_create([
                ScorecardWeight(court=court, indicator=line.indicator, weight=line.weight, full_at=line.full_at,
                                zero_at=line.zero_at, set_at=now, set_by=actor, reason=reason[:300])
                for line in parsed
            ])
    except IntegrityError as exc:  # pragma: no cover - the checks above keep the constraint
        raise Conflict("评分权重未能保存") from exc
