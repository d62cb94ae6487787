"""Property clues, lawyer investigation orders, audits and leads to the respondent (C17).

Each service is one transaction, checks the acting user against the case's court, and writes an
entry of the case's execution log naming who did what, when and why."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import LogAction, PartyKind, PartyRole
from zhixing.cases.exceptions import DomainError, FieldError, ValidationFailed
from zhixing.cases.log import log_append
from zhixing.cases.models import EnforcementCase, Party
from zhixing.cases.rules import FIELD, HANDLING, LEADERS, NODES_BY_CODE, ROUTINE
from zhixing.cases.services import _supervision_after_change, ensure_can_act, ensure_role, record_service_node
from zhixing.cases.templatetags.money import fen_to_yuan_text
from zhixing.workdays import calendar

from .measures import asset_register, check_day, ensure_open, lock_cases
from .models import (
    AuditInvestigation,
    AuditStatus,
    CaseAsset,
    Clue,
    ClueOutcome,
    ClueSource,
    FoundVia,
    LawyerOrder,
    LeadOutcome,
    LeadSource,
    PersonLead,
)
from .rules import (
    ASSET_KINDS,
    AUDIT_CITATION,
    AUDIT_DECISION_DAYS,
    CLUE_CITATION,
    CLUE_VERIFY_DAYS,
    CLUE_VERIFY_URGENT_DAYS,
    LAWYER_ORDER_CITATION,
)

INVESTIGATORS = HANDLING | LEADERS
LEAD_ROLES = ROUTINE | FIELD


def _required(**texts: str) -> None:
    labels = {"description": "线索内容", "note": "核查说明", "reason": "理由", "content": "线索内容",
              "number": "调查令编号", "lawyer": "律师", "law_firm": "律师事务所", "licence_number": "执业证号",
              "target": "调查对象（单位）", "scope": "调查事项", "result": "结果", "auditor": "审计机构"}
    errors = [FieldError(name, f"须填写{labels.get(name, name)}") for name, text in texts.items() if not (text or "").strip()]
    if errors:
        raise ValidationFailed(errors)


def _respondent(case: EnforcementCase, party: Party | None, field: str = "party") -> Party:
    if party is None or party.case_id != case.pk or party.role != PartyRole.RESPONDENT:
        raise ValidationFailed([FieldError(field, "须为本案被执行人")])
    return party


# ---------------------------------------------------------------- clues


def clue_due(received_on: dt.date, urgent: bool) -> dt.date:
    """财产线索核查期限: 7 days from receipt, 3 if urgent (财产调查规定第2条). Calendar days, counted as
    the national rule says; a local rule of "7 working days" would give the court longer than the
    national 7 days, and a local rule may only be stricter than the law, so it does not apply (the
    same reasoning as supervision.rules `clue_verification`, issue #4)."""
    # A period in days ending on a rest day ends on the next workday (CPL Art. 85), as supervision counts it.
    return calendar.add_days(received_on, CLUE_VERIFY_URGENT_DAYS if urgent else CLUE_VERIFY_DAYS)


def clue_receive(*, actor: User, case: EnforcementCase, source: str, description: str, provider: str = "",
                 asset_kind: str = "", urgent: bool = False, received_on: dt.date | None = None) -> Clue:
    """收到财产线索: stores its verification deadline (`clue_due`) and records 收到财产线索."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, NODES_BY_CODE["clue_received"].roles, "登记财产线索")
    errors = []
    if source not in ClueSource.values:
        errors.append(FieldError("source", f"未知线索来源 {source!r}"))
    if asset_kind and asset_kind not in ASSET_KINDS:
        errors.append(FieldError("asset_kind", f"未知财产类别 {asset_kind!r}"))
    if not (description or "").strip():
        errors.append(FieldError("description", "须填写线索内容"))
    if errors:
        raise ValidationFailed(errors)
    received_on = received_on or timezone.localdate()
    with transaction.atomic():
        case = lock_cases(case.pk)[case.pk]
        ensure_open(case)
        check_day("received_on", received_on, case, "收到日期")
        _supervision_after_change(case, "clue_received")
        clue = Clue.objects.create(
            court_id=case.court_id, case=case, source=source, provider=provider.strip()[:100], asset_kind=asset_kind,
            description=description.strip()[:1000], urgent=bool(urgent), received_on=received_on,
            verify_due=clue_due(received_on, bool(urgent)), recorded_by=actor,
        )
        record_service_node(case=case, node_code="clue_received", occurred_on=received_on, actor=actor, note=clue.description)
        log_append(
            case=case, actor=actor, action=LogAction.CLUE, node_code="clue_received",
            summary=f"收到财产线索（{clue.get_source_display()}{'，紧急' if clue.urgent else ''}）："
                    f"{clue.description[:80]}，应于 {clue.verify_due:%Y-%m-%d} 前核查"[:300],
            after={"clue": clue.pk, "source": source, "provider": clue.provider, "asset_kind": asset_kind,
                   "urgent": clue.urgent, "received_on": received_on.isoformat(),
                   "verify_due": clue.verify_due.isoformat(), "citation": CLUE_CITATION},
            reason=clue.provider,
        )
        _supervision_after_change(case, None)
    return clue


def clue_verify(*, actor: User, clue: Clue, outcome: str, verified_on: dt.date, note: str,
                asset: dict | None = None) -> Clue:
    """线索核查 with its outcome. A clue found true may register the asset at once: `asset` is
    {"kind", "details", "owner_party"} and the asset is linked with found_via=clue. A verification
    after the deadline is recorded, and the log says how many days late (财产调查规定第2条)."""
    ensure_can_act(actor, clue.court_id)
    ensure_role(actor, NODES_BY_CODE["clue_verified"].roles, "核查财产线索")
    errors = []
    if outcome not in ClueOutcome.values or outcome == ClueOutcome.PENDING:
        errors.append(FieldError("outcome", "请选择核查结果"))
    if not (note or "").strip():
        errors.append(FieldError("note", "须填写核查说明"))
    if asset and outcome != ClueOutcome.FOUND:
        errors.append(FieldError("outcome", "只有“属实，发现财产”才能登记财产"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        case = lock_cases(clue.case_id)[clue.case_id]
        clue = Clue.objects.select_for_update().get(pk=clue.pk)
        if clue.outcome != ClueOutcome.PENDING:
            raise DomainError(f"该线索已于 {clue.verified_on} 核查（{clue.get_outcome_display()}）", code="already_verified")
        ensure_open(case)
        check_day("verified_on", verified_on, case, "核查日期")
        if verified_on < clue.received_on:
            raise ValidationFailed([FieldError("verified_on", f"核查日期早于收到日期 {clue.received_on}")])
        _supervision_after_change(case, "clue_verified")
        link = None
        if asset:
            link = asset_register(
                actor=actor, case=case, kind=asset.get("kind") or clue.asset_kind, details=asset.get("details") or {},
                owner_party=asset.get("owner_party"), found_on=verified_on, found_via=FoundVia.CLUE,
                note=f"线索核查：{clue.description[:100]}", clue=clue,
            )
            case.refresh_from_db(fields=["stage"])
        clue.outcome, clue.verified_on, clue.outcome_note = outcome, verified_on, note.strip()[:500]
        clue.save(update_fields=["outcome", "verified_on", "outcome_note"])
        record_service_node(case=case, node_code="clue_verified", occurred_on=verified_on, actor=actor, note=clue.outcome_note)
        late = (verified_on - clue.verify_due).days
        log_append(
            case=case, actor=actor, action=LogAction.CLUE_VERIFY, node_code="clue_verified",
            summary=f"核查财产线索：{clue.get_outcome_display()}（{verified_on:%Y-%m-%d}）"
                    + (f"，超过核查期限 {clue.verify_due:%Y-%m-%d} 共{late}日" if late > 0 else "")
                    + (f"，登记财产：{link.asset.description}" if link else ""),
            before={"outcome": ClueOutcome.PENDING},
            after={"clue": clue.pk, "outcome": outcome, "verified_on": verified_on.isoformat(),
                   "verify_due": clue.verify_due.isoformat(), "days_late": max(late, 0),
                   "asset": link.asset_id if link else None, "citation": CLUE_CITATION},
            reason=clue.outcome_note,
        )
        _supervision_after_change(case, None)
    return clue


def clues_pending(*, court):
    """A court's clues not yet verified, the overdue first (uses the clue_court_pending index)."""
    return (Clue.objects.filter(court=court, outcome=ClueOutcome.PENDING)
            .select_related("case").order_by("verify_due", "id"))


# ---------------------------------------------------------------- lawyer investigation orders


def lawyer_order_issue(*, actor: User, case: EnforcementCase, number: str, lawyer: str, law_firm: str,
                       licence_number: str, target: str, scope: str, issued_on: dt.date,
                       valid_until: dt.date) -> LawyerOrder:
    """签发律师调查令 to the applicant's lawyer for one agency and scope, valid for a stated time."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, INVESTIGATORS, "签发律师调查令")
    _required(number=number, lawyer=lawyer, law_firm=law_firm, licence_number=licence_number, target=target, scope=scope)
    with transaction.atomic():
        case = lock_cases(case.pk)[case.pk]
        ensure_open(case)
        check_day("issued_on", issued_on, case, "签发日期")
        if valid_until is None or valid_until <= issued_on:
            raise ValidationFailed([FieldError("valid_until", "有效期应晚于签发日期")])
        if LawyerOrder.objects.filter(court_id=case.court_id, number=number.strip()).exists():
            raise ValidationFailed([FieldError("number", f"调查令编号 {number.strip()} 已使用")])
        _supervision_after_change(case, "investigation")
        order = LawyerOrder.objects.create(
            court_id=case.court_id, case=case, number=number.strip()[:60], lawyer=lawyer.strip()[:50],
            law_firm=law_firm.strip()[:100], licence_number=licence_number.strip()[:30], target=target.strip()[:200],
            scope=scope.strip()[:500], issued_on=issued_on, valid_until=valid_until, recorded_by=actor,
        )
        log_append(
            case=case, actor=actor, action=LogAction.INVESTIGATION,
            summary=f"签发律师调查令 {order.number}：{order.law_firm} {order.lawyer} 向 {order.target} 调查，"
                    f"有效期至 {valid_until:%Y-%m-%d}"[:300],
            after={"lawyer_order": order.pk, "number": order.number, "lawyer": order.lawyer, "law_firm": order.law_firm,
                   "licence_number": order.licence_number, "target": order.target, "scope": order.scope,
                   "issued_on": issued_on.isoformat(), "valid_until": valid_until.isoformat(),
                   "citation": LAWYER_ORDER_CITATION},
            reason=order.scope,
        )
    return order


def lawyer_order_return(*, actor: User, order: LawyerOrder, returned_on: dt.date, result: str) -> LawyerOrder:
    """调查令交回 with what the lawyer found (a found asset is then registered or a clue recorded)."""
    ensure_can_act(actor, order.court_id)
    ensure_role(actor, INVESTIGATORS | ROUTINE, "登记调查令交回")
    _required(result=result)
    with transaction.atomic():
        case = lock_cases(order.case_id)[order.case_id]
        order = LawyerOrder.objects.select_for_update().get(pk=order.pk)
        if order.returned_on:
            raise DomainError(f"调查令 {order.number} 已于 {order.returned_on} 交回", code="already_returned")
        check_day("returned_on", returned_on, case, "交回日期")
        if returned_on < order.issued_on:
            raise ValidationFailed([FieldError("returned_on", f"交回日期早于签发日期 {order.issued_on}")])
        order.returned_on, order.result = returned_on, result.strip()[:1000]
        order.save(update_fields=["returned_on", "result"])
        late = returned_on > order.valid_until
        log_append(
            case=case, actor=actor, action=LogAction.INVESTIGATION,
            summary=f"律师调查令 {order.number} 交回（{returned_on:%Y-%m-%d}）"
                    + ("，已超过有效期" if late else "") + f"：{order.result[:100]}",
            before={"returned_on": None}, after={"lawyer_order": order.pk, "returned_on": returned_on.isoformat(),
                                                 "result": order.result, "after_valid_until": late},
            reason=order.result[:500],
        )
    return order


# ---------------------------------------------------------------- audits


def audit_apply(*, actor: User, case: EnforcementCase, party: Party, applied_on: dt.date) -> AuditInvestigation:
    """申请审计 of a legal-person or unincorporated-organisation respondent, on the applicant's written
    application; the court decides within 10 days (财产调查规定第17条)."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, INVESTIGATORS | ROUTINE, "登记审计申请")
    party = _respondent(case, party)
    if party.kind not in (PartyKind.LEGAL_PERSON, PartyKind.OTHER_ORGANISATION):
        raise ValidationFailed([FieldError("party", f"审计只适用于法人或非法人组织被执行人，{party.name}是{party.get_kind_display()}（{AUDIT_CITATION}）")])
    with transaction.atomic():
        case = lock_cases(case.pk)[case.pk]
        ensure_open(case)
        check_day("applied_on", applied_on, case, "申请日期")
        if AuditInvestigation.objects.filter(case=case, party=party, status__in=(AuditStatus.APPLIED, AuditStatus.GRANTED)).exists():
            raise DomainError(f"对{party.name}的审计申请尚未办结", code="audit_open")
        _supervision_after_change(case, "investigation")
        audit = AuditInvestigation.objects.create(
            court_id=case.court_id, case=case, party=party, applied_on=applied_on,
            decide_due=calendar.add_days(applied_on, AUDIT_DECISION_DAYS), recorded_by=actor,
        )
        log_append(
            case=case, actor=actor, action=LogAction.INVESTIGATION,
            summary=f"收到审计申请：被审计人 {party.name}，应于 {audit.decide_due:%Y-%m-%d} 前决定",
            after={"audit": audit.pk, "party": party.pk, "applied_on": applied_on.isoformat(),
                   "decide_due": audit.decide_due.isoformat(), "citation": AUDIT_CITATION},
        )
    return audit


def audit_decide(*, actor: User, audit: AuditInvestigation, granted: bool, decided_on: dt.date, auditor: str = "",
                 fee_fen: int | None = None, reason: str = "") -> AuditInvestigation:
    """准许 (with the auditor and the fee the applicant advances) or 不予准许 (with a reason)."""
    ensure_can_act(actor, audit.court_id)
    ensure_role(actor, INVESTIGATORS, "决定是否审计")
    errors = []
    if granted:
        if not (auditor or "").strip():
            errors.append(FieldError("auditor", "准许审计须写明审计机构"))
        if fee_fen is not None and (isinstance(fee_fen, bool) or not isinstance(fee_fen, int) or fee_fen < 0):
            errors.append(FieldError("fee_fen", "审计费用应为不小于0的整数（分）"))
    elif not (reason or "").strip():
        errors.append(FieldError("reason", "不予准许须说明理由"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        case = lock_cases(audit.case_id)[audit.case_id]
        audit = AuditInvestigation.objects.select_for_update().get(pk=audit.pk)
        if audit.status != AuditStatus.APPLIED:
            raise DomainError(f"该审计申请已{audit.get_status_display()}", code="already_decided")
        check_day("decided_on", decided_on, case, "决定日期")
        if decided_on < audit.applied_on:
            raise ValidationFailed([FieldError("decided_on", f"决定日期早于申请日期 {audit.applied_on}")])
        audit.status = AuditStatus.GRANTED if granted else AuditStatus.REFUSED
        audit.decided_on = decided_on
        if granted:
            audit.auditor, audit.fee_fen = auditor.strip()[:100], fee_fen
        audit.save(update_fields=["status", "decided_on", "auditor", "fee_fen"])
        late = (decided_on - audit.decide_due).days
        fee = f"，申请人预交费用 {fen_to_yuan_text(fee_fen)} 元" if granted and fee_fen is not None else ""
        log_append(
            case=case, actor=actor, action=LogAction.INVESTIGATION,
            summary=(f"准许审计，审计机构 {audit.auditor}{fee}" if granted else "不予准许审计")
                    + (f"（超过决定期限{late}日）" if late > 0 else ""),
            before={"status": AuditStatus.APPLIED},
            after={"audit": audit.pk, "status": audit.status, "decided_on": decided_on.isoformat(),
                   "auditor": audit.auditor, "fee_fen": audit.fee_fen, "days_late": max(late, 0),
                   "citation": AUDIT_CITATION},
            reason=(reason or "").strip()[:500],
        )
    return audit


def audit_finish(*, actor: User, audit: AuditInvestigation, result: str, evasion_found: bool,
                 finished_on: dt.date | None = None) -> AuditInvestigation:
    """审计完成 with its conclusion; if evasion is found the respondent bears the fee (财产调查规定第20条)."""
    ensure_can_act(actor, audit.court_id)
    ensure_role(actor, INVESTIGATORS, "登记审计结论")
    _required(result=result)
    finished_on = finished_on or timezone.localdate()
    with transaction.atomic():
        case = lock_cases(audit.case_id)[audit.case_id]
        audit = AuditInvestigation.objects.select_for_update().get(pk=audit.pk)
        if audit.status != AuditStatus.GRANTED:
            raise DomainError(f"只有准许的审计才能登记结论（当前：{audit.get_status_display()}）", code="not_granted")
        check_day("finished_on", finished_on, case, "完成日期")
        audit.status, audit.result, audit.evasion_found = AuditStatus.DONE, result.strip()[:1000], bool(evasion_found)
        audit.save(update_fields=["status", "result", "evasion_found"])
        log_append(
            case=case, actor=actor, action=LogAction.INVESTIGATION,
            summary=f"审计完成（{finished_on:%Y-%m-%d}）："
                    + ("查实被执行人规避执行，审计费用由被执行人承担" if audit.evasion_found else "未查实规避执行"),
            before={"status": AuditStatus.GRANTED},
            after={"audit": audit.pk, "status": audit.status, "evasion_found": audit.evasion_found,
                   "result": audit.result, "finished_on": finished_on.isoformat(), "citation": AUDIT_CITATION},
            reason=audit.result[:500],
        )
    return audit


# ---------------------------------------------------------------- finding the respondent


def person_lead_record(*, actor: User, case: EnforcementCase, party: Party, source: str, content: str,
                       received_on: dt.date | None = None) -> PersonLead:
    """查人线索: where the respondent may be (police, grid worker, big-data location or spending, the applicant)."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, LEAD_ROLES, "登记查人线索")
    party = _respondent(case, party)
    if source not in LeadSource.values:
        raise ValidationFailed([FieldError("source", f"未知线索来源 {source!r}")])
    _required(content=content)
    received_on = received_on or timezone.localdate()
    with transaction.atomic():
        case = lock_cases(case.pk)[case.pk]
        ensure_open(case)
        check_day("received_on", received_on, case, "收到日期")
        _supervision_after_change(case, "person_lead")
        lead = PersonLead.objects.create(
            court_id=case.court_id, case=case, party=party, source=source, content=content.strip()[:1000],
            received_on=received_on, recorded_by=actor,
        )
        log_append(
            case=case, actor=actor, action=LogAction.PERSON_LEAD,
            summary=f"查人线索（{lead.get_source_display()}）：{party.name}，{lead.content[:100]}"[:300],
            after={"lead": lead.pk, "party": party.pk, "source": source, "content": lead.content,
                   "received_on": received_on.isoformat()},
        )
    return lead


def person_lead_outcome(*, actor: User, lead: PersonLead, outcome: str, outcome_on: dt.date, note: str) -> PersonLead:
    """What came of a lead: found or not, and where."""
    ensure_can_act(actor, lead.court_id)
    ensure_role(actor, LEAD_ROLES, "登记查人结果")
    if outcome not in LeadOutcome.values or outcome == LeadOutcome.PENDING:
        raise ValidationFailed([FieldError("outcome", "请选择结果")])
    _required(note=note)
    with transaction.atomic():
        case = lock_cases(lead.case_id)[lead.case_id]
        lead = PersonLead.objects.select_for_update().get(pk=lead.pk)
        if lead.outcome != LeadOutcome.PENDING:
            raise DomainError(f"该线索已有结果（{lead.get_outcome_display()}）", code="already_done")
        check_day("outcome_on", outcome_on, case, "结果日期")
        if outcome_on < lead.received_on:
            raise ValidationFailed([FieldError("outcome_on", f"结果日期早于收到日期 {lead.received_on}")])
        lead.outcome, lead.outcome_on, lead.outcome_note = outcome, outcome_on, note.strip()[:500]
        lead.save(update_fields=["outcome", "outcome_on", "outcome_note"])
        log_append(
            case=case, actor=actor, action=LogAction.PERSON_LEAD,
            summary=f"查人线索结果：{lead.get_outcome_display()}（{outcome_on:%Y-%m-%d}）：{lead.outcome_note[:100]}"[:300],
            before={"outcome": LeadOutcome.PENDING},
            after={"lead": lead.pk, "outcome": outcome, "outcome_on": outcome_on.isoformat(), "note": lead.outcome_note},
            reason=lead.outcome_note,
        )
    return lead


def case_investigations(case: EnforcementCase) -> dict:
    return {
        "clues": list(Clue.objects.filter(case=case).order_by("received_on", "id")),
        "lawyer_orders": list(LawyerOrder.objects.filter(case=case).order_by("issued_on", "id")),
        "audits": list(AuditInvestigation.objects.filter(case=case).select_related("party").order_by("applied_on", "id")),
        "person_leads": list(PersonLead.objects.filter(case=case).select_related("party").order_by("received_on", "id")),
        "clue_assets": {link.clue_id: link for link in CaseAsset.objects.filter(case=case, clue__isnull=False).select_related("asset")},
    }
