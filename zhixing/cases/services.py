"""State changes of a case. Each is one transaction that validates against the rules, changes the
case and appends to its execution log. Callers (pages, API, imports, commands) pass the acting user."""

from __future__ import annotations

import datetime as dt
import functools

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.templatetags.money import fen_to_yuan_text
from zhixing.courts.models import Court, Team

from . import casenumbers, deadlines
from .choices import STAGE_ORDER, CaseStatus, ClosingType, LogAction, RegistrationSource, Stage
from .exceptions import Conflict, DomainError, FieldError, NotAllowed, NotFound, ValidationFailed
from .inputs import CaseInput, parse_party
from .log import GENESIS, log_append, log_tails, new_entry
from .models import ClaimItem, EnforcementCase, ExecutionBasis, ImportBatch, LogEntry, NodeRecord, Party
from .rules import CLOSING_RULES, NODES_BY_CODE, REGISTRARS, Node

# ---------------------------------------------------------------- permissions


def ensure_can_act(user: User, court_id: int) -> None:
    """Only a court's own staff change its cases; a higher court's supervisor reads but never writes."""
    if user.is_superuser:
        return
    if user.is_read_only and user.court_id and court_id in user.court.descendant_ids():
        raise NotAllowed("上级法院监督角色只能查看，不能办理")
    if user.court_id != court_id or user.is_read_only:
        raise NotFound("案件不存在")


def ensure_role(user: User, roles, what: str) -> None:
    if user.is_superuser or user.role in roles:
        return
    from zhixing.accounts.choices import Role

    allowed = "、".join(Role(r).label for r in sorted(roles))
    raise NotAllowed(f"您的角色（{user.get_role_display() or '无'}）不能{what}；可由：{allowed}")


def lock_case(case: EnforcementCase) -> EnforcementCase:
    """Re-read the case under a row lock: log sequence numbers and state checks must not race."""
    return EnforcementCase.objects.select_for_update().get(pk=case.pk)


def _supervision_after_change(case: EnforcementCase, action: str | None) -> None:
    """Refuse what a lock forbids (程序锁死, HTTP 423) — call before changing — or, with action=None
    after the change, recompute the case's deadlines and warnings in the same transaction."""
    from zhixing.supervision import engine
    from zhixing.supervision import services as supervision

    if action is not None:
        supervision.ensure_not_locked(case, action)
    else:
        engine.supervise_cases([case.pk])


def _names(parties, role: str) -> str:
    return "、".join(p.name for p in parties if p.role == role)[:500]


def _date_text(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# ---------------------------------------------------------------- registration


def _check_case_number(data: CaseInput, court: Court) -> casenumbers.CaseNumber | None:
    if not data.case_number:
        return None
    try:
        number = casenumbers.parse_case_number(data.case_number)
    except ValueError as exc:
        raise ValidationFailed([FieldError("case_number", str(exc))]) from exc
    problems = []
    if number.court_code != court.court_code:
        problems.append(f"法院代字 {number.court_code} 与立案法院 {court.court_code} 不符")
    if number.case_type != data.case_type:
        problems.append(f"类型代字 {number.case_type} 与案件类型 {data.case_type} 不符")
    if number.year != data.filed_on.year:
        problems.append(f"收案年度 {number.year} 与立案日期 {data.filed_on} 不符")
    if problems:
        raise ValidationFailed([FieldError("case_number", "；".join(problems))])
    return number


def case_register(
    *,
    actor: User,
    data: CaseInput,
    source: str = RegistrationSource.FORM,
    import_batch: ImportBatch | None = None,
    at: dt.datetime | None = None,
    supervise: bool = True,
) -> EnforcementCase:
    """立案. Numbers the case per court, year and type (法〔2015〕137号), stores its deadlines
    (TIME_LIMITS) and opens its execution log."""
    try:
        court = Court.objects.get(court_code=data.court_code)
    except Court.DoesNotExist as exc:
        raise ValidationFailed([FieldError("court_code", f"法院代字 {data.court_code} 不存在")]) from exc
    ensure_can_act(actor, court.pk)
    ensure_role(actor, REGISTRARS, "立案")
    given = _check_case_number(data, court)

    with transaction.atomic():
        if given:
            casenumbers.reserve_sequence(
                court_id=court.pk, year=given.year, case_type=given.case_type, sequence=given.sequence
            )
            number = given
        else:
            sequence = casenumbers.next_sequence(court_id=court.pk, year=data.filed_on.year, case_type=data.case_type)
            number = casenumbers.CaseNumber(data.filed_on.year, court.court_code, data.case_type, sequence)
        case = EnforcementCase(
            court=court,
            case_number=str(number),
            case_type=data.case_type,
            year=number.year,
            sequence=number.sequence,
            filed_on=data.filed_on,
            claim_amount_fen=data.claim_amount_fen,
            applicant_names=_names(data.parties, "applicant"),
            respondent_names=_names(data.parties, "respondent"),
            source=source,
            import_batch=import_batch,
            registered_by=actor,
            **deadlines.registration_deadlines(data.filed_on),
        )
        try:
            with transaction.atomic():
                case.save(force_insert=True)
        except IntegrityError as exc:
            raise Conflict(f"案号 {number} 已存在") from exc
        ExecutionBasis.objects.create(court=court, case=case, **vars(data.basis))
        Party.objects.bulk_create(
            [Party(court=court, case=case, position=i, **vars(p)) for i, p in enumerate(data.parties)]
        )
        ClaimItem.objects.bulk_create([ClaimItem(court=court, case=case, **vars(c)) for c in data.claims])
        now = at or timezone.now()
        NodeRecord.objects.create(
            court=court, case=case, node_code="register", occurred_on=data.filed_on, recorded_at=now, recorded_by=actor
        )
        from zhixing.triage.services import triage_registered

        triage = triage_registered(case=case, data=data, actor=actor)  # 繁简分流: part of the registration entry
        log_append(
            case=case,
            actor=actor,
            action=LogAction.REGISTER,
            node_code="register",
            summary=f"立案：{case.case_number}，申请执行标的 {fen_to_yuan_text(case.claim_amount_fen)} 元",
            after=registration_snapshot(case, data) | {"triage": triage},
            at=now,
        )
        if supervise:  # a bulk import supervises its cases once, at the end
            _supervision_after_change(case, None)
    return case


def registration_snapshot(case: EnforcementCase, data: CaseInput) -> dict:
    return {
        "case_number": case.case_number,
        "case_type": case.case_type,
        "filed_on": case.filed_on.isoformat(),
        "claim_amount_fen": case.claim_amount_fen,
        "basis": {
            "document_number": data.basis.document_number,
            "issuing_court": data.basis.issuing_court,
            "effective_on": data.basis.effective_on.isoformat(),
        },
        "parties": [
            {"role": p.role, "kind": p.kind, "name": p.name, "id": p.id_number or p.credit_code} for p in data.parties
        ],
        "claims": [{"kind": c.kind, "amount_fen": c.amount_fen} for c in data.claims],
        "source": case.source,
    }


# ---------------------------------------------------------------- flow nodes


def node_refusal(case: EnforcementCase, node: Node, user: User, recorded: set[str]) -> str | None:
    """Why `user` may not record `node` on `case` now, or None. Pages use it to offer only allowed actions."""
    if node.by_service:
        return f"“{node.name}”由专门的办理功能记录"
    if case.status != node.allowed_status:
        return f"案件{case.get_status_display()}，不能记录“{node.name}”"
    if not (user.is_superuser or user.role in node.roles):
        return f"您的角色不能记录“{node.name}”"
    if node.once and node.code in recorded:
        return f"“{node.name}”已记录，不能重复"
    if node.requires and not recorded.intersection(node.requires):
        names = "、".join(NODES_BY_CODE[c].name for c in node.requires)
        return f"“{node.name}”须先有：{names}（{node.citation}）"
    return None


def recorded_nodes(case: EnforcementCase) -> set[str]:
    return set(NodeRecord.objects.filter(case_id=case.pk).values_list("node_code", flat=True))


def record_service_node(*, case: EnforcementCase, node_code: str, occurred_on: dt.date, actor: User | None,
                        note: str = "", once_per_day: bool = False) -> NodeRecord | None:
    """Write a flow node and move the case into the node's stage (never back). For `node_record` and
    for the services that own a by-service node (measures, clues, documents); the caller holds the
    case lock, has checked the rules and writes the log entry."""
    if once_per_day and NodeRecord.objects.filter(case_id=case.pk, node_code=node_code, occurred_on=occurred_on).exists():
        return None
    record = NodeRecord.objects.create(
        court_id=case.court_id, case=case, node_code=node_code, occurred_on=occurred_on,
        recorded_at=timezone.now(), recorded_by=actor, note=note[:500],
    )
    node = NODES_BY_CODE[node_code]
    if node.stage and STAGE_ORDER[Stage(node.stage)] > STAGE_ORDER[Stage(case.stage)]:
        case.stage = node.stage
        case.save(update_fields=["stage"])
    return record


def node_record(
    *, actor: User, case: EnforcementCase, node_code: str, occurred_on: dt.date | None = None, note: str = ""
) -> NodeRecord:
    """Record a flow node. Refused with the reason when the node catalogue does not allow it now.
    A node of a later stage moves the case into that stage; earlier-stage work (a new query) does not move it back."""
    node = NODES_BY_CODE.get(node_code)
    if node is None:
        raise ValidationFailed([FieldError("node_code", f"未知节点 {node_code}")])
    ensure_can_act(actor, case.court_id)
    today = timezone.localdate()
    occurred_on = occurred_on or today
    with transaction.atomic():
        case = lock_case(case)
        if occurred_on > today:
            raise ValidationFailed([FieldError("occurred_on", f"{occurred_on} 晚于今天")])
        if occurred_on < case.filed_on:
            raise ValidationFailed([FieldError("occurred_on", f"{occurred_on} 早于立案日期 {case.filed_on}")])
        refusal = node_refusal(case, node, actor, recorded_nodes(case))
        if refusal:
            raise DomainError(refusal, code="node_not_allowed")
        _supervision_after_change(case, node.code)
        before_stage = case.stage
        record = record_service_node(case=case, node_code=node.code, occurred_on=occurred_on, actor=actor, note=note)
        log_append(
            case=case,
            actor=actor,
            action=LogAction.NODE,
            node_code=node.code,
            summary=f"{node.name}（{occurred_on:%Y-%m-%d}）",
            before={"stage": before_stage},
            after={"stage": case.stage, "occurred_on": occurred_on.isoformat(), "note": note[:500]},
            reason=note[:500],
        )
        _supervision_after_change(case, None)
    return record


# ---------------------------------------------------------------- assignment


def case_assign(*, actor: User, case: EnforcementCase, handler: User, team: Team | None = None, reason: str = "") -> EnforcementCase:
    """分案: a handler (and team) of the case's own court. Reassignment needs a reason."""
    from .rules import ASSIGNERS

    ensure_can_act(actor, case.court_id)
    ensure_role(actor, ASSIGNERS, "分案")
    team = team or handler.team
    if handler.court_id != case.court_id or (team and team.court_id != case.court_id):
        raise ValidationFailed([FieldError("handler", "承办人和团队必须属于本院")])
    with transaction.atomic():
        case = lock_case(case)
        if not case.is_open:
            raise DomainError("已结案件不能分案", code="case_closed")
        if case.handler_id and not reason.strip():
            raise ValidationFailed([FieldError("reason", "改派承办人须说明理由")])
        _supervision_after_change(case, "assign")
        before = {"handler": case.handler.display_name if case.handler_id else None, "team": str(case.team) if case.team_id else None}
        case.handler, case.team = handler, team
        case.save(update_fields=["handler", "team"])
        NodeRecord.objects.create(
            court_id=case.court_id, case=case, node_code="assign", occurred_on=timezone.localdate(),
            recorded_at=timezone.now(), recorded_by=actor, note=reason[:500],
        )
        log_append(
            case=case,
            actor=actor,
            action=LogAction.ASSIGN,
            node_code="assign",
            summary=f"分案至 {team or ''} {handler.display_name}".strip(),
            before=before,
            after={"handler": handler.display_name, "team": str(team) if team else None},
            reason=reason,
        )
        _supervision_after_change(case, None)
    return case


# ---------------------------------------------------------------- parties

PARTY_EDITABLE = ("name", "id_number", "credit_code", "legal_representative", "phone", "address")


def party_update(*, actor: User, party: Party, changes: dict, reason: str) -> Party:
    """Edit a party's data. The old values stay in the execution log; a reason is required."""
    ensure_can_act(actor, party.court_id)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "修改当事人信息须说明理由")])
    unknown = set(changes) - set(PARTY_EDITABLE)
    if unknown:
        raise ValidationFailed([FieldError(f, "不可修改的字段") for f in sorted(unknown)])
    with transaction.atomic():
        case = lock_case(party.case)
        _supervision_after_change(case, "party_update")
        party = Party.objects.get(pk=party.pk)
        merged = {f: getattr(party, f) for f in PARTY_EDITABLE} | {"role": party.role, "kind": party.kind} | changes
        errors: list[FieldError] = []
        checked = parse_party(merged, "party", errors, [], timezone.localdate())
        if errors:
            raise ValidationFailed(errors)
        before = {f: getattr(party, f) for f in changes}
        after = {f: getattr(checked, f) for f in changes}
        if before == after:
            raise DomainError("没有任何改动", code="no_change")
        for f, value in after.items():
            setattr(party, f, value)
        party.birth_on = checked.birth_on
        party.save()
        parties = list(case.parties.all())
        case.applicant_names, case.respondent_names = _names(parties, "applicant"), _names(parties, "respondent")
        case.save(update_fields=["applicant_names", "respondent_names"])
        log_append(
            case=case,
            actor=actor,
            action=LogAction.PARTY_UPDATE,
            summary=f"修改当事人 {party.name} 的信息：{'、'.join(Party._meta.get_field(f).verbose_name for f in after)}",
            before=before,
            after=after,
            reason=reason,
        )
    return party


# ---------------------------------------------------------------- closing and archiving


def case_close(
    *,
    actor: User,
    case: EnforcementCase,
    closing_type: str,
    performed_amount_fen: int,
    closed_on: dt.date | None = None,
    reason: str = "",
) -> EnforcementCase:
    """结案 with one closing type (法发〔2014〕26号) and the amount actually performed.
    终本 only after more than 3 months since filing (法〔2016〕373号 Art. 1(4)); the full 终本
    checklist comes with the closing module."""
    from .rules import HANDLING, LEADERS

    ensure_can_act(actor, case.court_id)
    ensure_role(actor, HANDLING | LEADERS, "结案")
    rule = CLOSING_RULES.get(closing_type)
    if rule is None:
        raise ValidationFailed([FieldError("closing_type", f"未知结案方式 {closing_type}")])
    today = timezone.localdate()
    closed_on = closed_on or today
    with transaction.atomic():
        case = lock_case(case)
        if not case.is_open:
            raise DomainError(f"案件已于 {case.closed_on} 结案", code="case_closed")
        _supervision_after_change(case, "close")
        errors = []
        if closed_on > today:
            errors.append(FieldError("closed_on", f"{closed_on} 晚于今天"))
        if closed_on < case.filed_on:
            errors.append(FieldError("closed_on", f"{closed_on} 早于立案日期 {case.filed_on}"))
        if not isinstance(performed_amount_fen, int) or performed_amount_fen < 0:
            errors.append(FieldError("performed_amount_fen", "实际执行到位金额应为不小于0的整数（分）"))
        elif performed_amount_fen > case.claim_amount_fen:
            errors.append(FieldError("performed_amount_fen", "实际执行到位金额不能超过申请执行标的"))
        elif rule.performed_amount_required and performed_amount_fen == 0 and case.claim_amount_fen > 0:
            errors.append(FieldError("performed_amount_fen", f"执行完毕须填写实际执行到位金额（{rule.citation}）"))
        if rule.ground and not (reason or "").strip():
            errors.append(FieldError("reason", f"{ClosingType(closing_type).label}须写明{rule.ground}（{rule.citation}）"))
        if errors:
            raise ValidationFailed(errors)
        if rule.min_months_since_filing:
            earliest = deadlines.earliest_zhongben(case.filed_on)
            if closed_on < earliest:
                raise DomainError(
                    f"立案未满{rule.min_months_since_filing}个月，{earliest:%Y年%m月%d日}前不得终结本次执行程序（{rule.citation}）",
                    code="zhongben_too_early",
                )
        from zhixing.closing.checks import ensure_close_allowed  # 智能终本: all of 法〔2016〕373号
        ensure_close_allowed(case, closing_type=closing_type, closed_on=closed_on)
        before = {"status": case.status, "stage": case.stage}
        case.status = CaseStatus.CLOSED
        case.stage = Stage.ARCHIVE
        case.closing_type = closing_type
        case.closed_on = closed_on
        case.performed_amount_fen = performed_amount_fen
        case.archive_due = deadlines.archive_deadline(closed_on)
        case.save(update_fields=["status", "stage", "closing_type", "closed_on", "performed_amount_fen", "archive_due"])
        NodeRecord.objects.create(
            court_id=case.court_id, case=case, node_code="close", occurred_on=closed_on,
            recorded_at=timezone.now(), recorded_by=actor, note=reason[:500],
        )
        log_append(
            case=case,
            actor=actor,
            action=LogAction.CLOSE,
            node_code="close",
            summary=f"结案：{ClosingType(closing_type).label}，实际执行到位 {fen_to_yuan_text(performed_amount_fen)} 元",
            before=before,
            after={
                "status": case.status,
                "closing_type": closing_type,
                "closed_on": closed_on.isoformat(),
                "performed_amount_fen": performed_amount_fen,
                "archive_due": _date_text(case.archive_due),
            },
            reason=reason,
        )
        _supervision_after_change(case, None)
    return case


def case_archive(*, actor: User, case: EnforcementCase, archived_on: dt.date | None = None, reason: str = "") -> EnforcementCase:
    """归档 of a closed case (within one month of closing: TIME_LIMITS['archive'])."""
    node = NODES_BY_CODE["archive"]
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, node.roles, "归档")
    archived_on = archived_on or timezone.localdate()
    with transaction.atomic():
        case = lock_case(case)
        if case.status != CaseStatus.CLOSED:
            raise DomainError("只有已结案件才能归档", code="not_closed")
        _supervision_after_change(case, "archive")
        if archived_on < case.closed_on or archived_on > timezone.localdate():
            raise ValidationFailed([FieldError("archived_on", f"归档日期应在结案日期 {case.closed_on} 与今天之间")])
        from zhixing.closing.archiving import ensure_archive_allowed  # dossier, money at zero
        ensure_archive_allowed(case)
        case.status = CaseStatus.ARCHIVED
        case.archived_on = archived_on
        case.save(update_fields=["status", "archived_on"])
        NodeRecord.objects.create(
            court_id=case.court_id, case=case, node_code="archive", occurred_on=archived_on,
            recorded_at=timezone.now(), recorded_by=actor, note=reason[:500],
        )
        late = archived_on > case.archive_due if case.archive_due else False
        log_append(
            case=case,
            actor=actor,
            action=LogAction.ARCHIVE,
            node_code="archive",
            summary=f"归档（{archived_on:%Y-%m-%d}）" + ("，已超过归档期限" if late else ""),
            before={"status": CaseStatus.CLOSED},
            after={"status": CaseStatus.ARCHIVED, "archived_on": archived_on.isoformat()},
            reason=reason,
        )
        _supervision_after_change(case, None)
    return case


# ---------------------------------------------------------------- recomputing stored deadlines

REGISTRATION_DUES = ("assign_due", "notice_due", "close_due")
_RECOMPUTE_CHUNK = 500


def _due_changes(case, registration, archive) -> dict[str, tuple[dt.date | None, dt.date]]:
    """{field: (stored, recomputed)} for the deadlines of `case` that the calendar now puts elsewhere.
    Open cases: the registration deadlines from filed_on; closed cases: the archive deadline from
    closed_on; archived cases are finished and keep what they had."""
    if case.status == CaseStatus.OPEN:
        new = registration(case.filed_on)
    elif case.status == CaseStatus.CLOSED and case.closed_on:
        new = archive(case.closed_on)
    else:
        return {}
    return {f: (getattr(case, f), due) for f, due in new.items() if getattr(case, f) != due}


def deadlines_recompute(*, years: set[int] | frozenset[int], actor: User | None = None, reason: str) -> int:
    """期限重算: after the holidays of `years` were loaded or edited, recount the stored deadlines
    (TIME_LIMITS; CPL Art. 85 roll-off, 民法典 Art. 202) that could fall in those years — of open cases
    from filed_on, of closed cases the archive deadline from closed_on — and log each changed case
    with the old and new dates. Returns the number of cases changed; a second run changes none.

    The caller has already invalidated the calendar cache so that the new table is used.
    """
    if not years:
        return 0
    from zhixing.supervision.models import DueDate

    # Supervision remembers dates per start date; the calendar changed, so forget them (refilled next run).
    DueDate.objects.all().delete()
    reason = reason[:500]
    # A roll-off from the last days of December can end in January of the next year.
    span = (dt.date(min(years), 1, 1), dt.date(max(years) + 1, 1, 31))
    # One calendar computation per distinct start date, however many cases share it.
    registration = functools.cache(deadlines.registration_deadlines)
    archive = functools.cache(lambda closed_on: {"archive_due": deadlines.archive_deadline(closed_on)})
    open_in_span = Q(assign_due__range=span) | Q(notice_due__range=span) | Q(close_due__range=span)
    candidates = EnforcementCase.objects.filter(
        (Q(status=CaseStatus.OPEN) & open_in_span) | Q(status=CaseStatus.CLOSED, archive_due__range=span)
    ).order_by()
    fields = ("pk", "status", "filed_on", "closed_on", *REGISTRATION_DUES, "archive_due")
    labels = {f: EnforcementCase._meta.get_field(f).verbose_name for f in (*REGISTRATION_DUES, "archive_due")}
    now = timezone.now()
    changed = 0
    with transaction.atomic():
        stale = [
            case.pk
            for case in candidates.only(*fields).iterator(chunk_size=2000)
            if _due_changes(case, registration, archive)
        ]
        stale.sort()  # rows locked in key order: two recomputations at once wait for each other, never deadlock
        for start in range(0, len(stale), _RECOMPUTE_CHUNK):
            locked = list(
                EnforcementCase.objects.select_for_update()
                .filter(pk__in=stale[start : start + _RECOMPUTE_CHUNK])
                .only("court_id", *fields)
                .order_by("pk")
            )
            # Checked again under the lock: a case closed or archived meanwhile follows its new status.
            changes = {case.pk: _due_changes(case, registration, archive) for case in locked}
            locked = [case for case in locked if changes[case.pk]]
            by_fields: dict[tuple[str, ...], list[EnforcementCase]] = {}
            for case in locked:
                for f, (_, due) in changes[case.pk].items():
                    setattr(case, f, due)
                by_fields.setdefault(tuple(changes[case.pk]), []).append(case)
            for update_fields, cases in by_fields.items():
                EnforcementCase.objects.bulk_update(cases, update_fields)
            tails = log_tails(case.pk for case in locked)
            entries = []
            for case in locked:
                seq, prev_hash = tails.get(case.pk, (0, GENESIS))
                diff = changes[case.pk]
                moves = "；".join(
                    f"{labels[f]} {_date_text(old) or '（空）'} → {new}" for f, (old, new) in diff.items()
                )
                entries.append(
                    new_entry(
                        case=case,
                        seq=seq + 1,
                        prev_hash=prev_hash,
                        actor=actor,
                        action=LogAction.DEADLINE_RECOMPUTE,
                        summary=f"期限重算：{moves}",
                        before={f: _date_text(old) for f, (old, _) in diff.items()},
                        after={f: _date_text(new) for f, (_, new) in diff.items()},
                        reason=reason,
                        at=now,
                    )
                )
            LogEntry.objects.bulk_create(entries)
            changed += len(locked)
    return changed


def case_get(pk: int) -> EnforcementCase:
    try:
        return EnforcementCase.objects.get(pk=pk)
    except EnforcementCase.DoesNotExist as exc:
        raise NotFound("案件不存在") from exc
