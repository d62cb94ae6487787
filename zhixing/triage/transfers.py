"""均衡调配 of new cases between the basic courts of an intermediate court (统一执行中心, seed 001
case 12), carried out as 指定执行 (designated enforcement).

Why the case does not simply change court: its number carries the court's code (（2026）京0108执12号,
法〔2015〕137号), its sequence is the court's, and its parties, nodes, measures, money account and
execution log all carry that court (the log cannot even be updated: triggers refuse it). So the move
is done as the national rules for designated enforcement say (法明传〔2018〕335号 point 3): the
receiving court registers its own 执 case for what is still owed, and the original is closed as
销案. Each court acts on its own case, in three steps, each logged on both sides:

1. the intermediate court orders it (transfer_order) — logged in the original case;
2. the receiving court registers the new case (transfer_register) — logged in both cases;
3. the original court closes its case as 销案 (transfer_close_original) — logged in both cases.
An order not yet registered may be withdrawn by the intermediate court (transfer_cancel).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, CaseType, ClaimKind, ClosingType, LogAction, RegistrationSource
from zhixing.cases.exceptions import Conflict, DomainError, FieldError, NotAllowed, NotFound, ValidationFailed
from zhixing.cases.inputs import BasisInput, CaseInput, ClaimInput, PartyInput
from zhixing.cases.log import log_append
from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import case_close, case_register, lock_case
from zhixing.courts.choices import CourtLevel
from zhixing.courts.models import Court
from zhixing.money.models import Journal
from zhixing.property.models import ControlMeasure

from .choices import TransferStatus
from .models import CaseTransfer
from .rules import TRANSFER_CITATION, TRANSFER_ORDERERS, TRANSFER_WINDOW_DAYS

SHORT_CITATION = "统一执行中心均衡调配（seed 001 案例12）；法明传〔2018〕335号第三条"


def may_order(user: User, intermediate: Court) -> bool:
    """The intermediate court's bureau head, president or command centre (not its read-only supervisors)."""
    if user.is_superuser:
        return True
    return (user.court_id == intermediate.pk and intermediate.level == CourtLevel.INTERMEDIATE
            and not user.is_read_only and user.role in TRANSFER_ORDERERS)


def transfer_refusal(case: EnforcementCase, *, today: dt.date | None = None) -> str | None:
    """Why this case cannot be designated to another court now, or None. Only new, unassigned first-
    enforcement cases with nothing held and no money move: what a court has seized or received
    stays with the proceeding that holds it."""
    from zhixing.supervision.services import lock_refusal

    today = today or timezone.localdate()
    if case.status != CaseStatus.OPEN:
        return "案件已结"
    if case.case_type != CaseType.FIRST:
        return "只有首次执行（执）案件可以指定执行"
    if case.handler_id:
        return "案件已分案，只调配尚未分案的新收案件"
    if (today - case.filed_on).days >= TRANSFER_WINDOW_DAYS:
        return f"立案已满{TRANSFER_WINDOW_DAYS}日，不属新收案件"
    if ControlMeasure.objects.filter(case_id=case.pk).exists():
        return "本案已采取控制措施，财产由本院控制，不能移送"
    if Journal.objects.filter(case_id=case.pk).exists():
        return "本案已有案款收支，不能移送"
    if CaseTransfer.objects.filter(case_id=case.pk, status__in=(TransferStatus.ORDERED, TransferStatus.REGISTERED)).exists():
        return "本案已在指定执行中"
    return lock_refusal(case.pk, "transfer")


def transfer_order(*, actor: User, case: EnforcementCase, to_court: Court, reason: str) -> CaseTransfer:
    """The intermediate court designates another of its basic courts to enforce a new case."""
    intermediate = case.court.parent
    if intermediate is None or not may_order(actor, intermediate):
        raise NotAllowed("指定执行（均衡调配）须由上一级中级人民法院的执行局长、院长或指挥中心决定")
    errors = []
    if to_court.pk == case.court_id:
        errors.append(FieldError("to_court", "受指定法院不能是原执行法院"))
    elif to_court.parent_id != intermediate.pk or to_court.level != CourtLevel.BASIC:
        errors.append(FieldError("to_court", f"只能在{intermediate.name}辖区的基层法院之间调配"))
    if not reason.strip():
        errors.append(FieldError("reason", "请写明调配理由（如：某院新收案件增速过快）"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        case = lock_case(case)
        refusal = transfer_refusal(case)
        if refusal:
            raise DomainError(f"{case.case_number}不能指定执行：{refusal}", code="transfer_refused")
        try:
            with transaction.atomic():
                transfer = CaseTransfer.objects.create(
                    court_id=case.court_id, case=case, to_court=to_court, ordering_court=intermediate,
                    reason=reason.strip()[:500], ordered_by=actor, ordered_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise Conflict("本案已在指定执行中") from exc
        log_append(
            case=case, actor=actor, action=LogAction.NOTE,
            summary=f"{intermediate.name}决定指定{to_court.name}执行（均衡调配），待其立案后本案以销案方式结案",
            after={"transfer": transfer.pk, "to_court": to_court.court_code, "citation": SHORT_CITATION},
            reason=reason.strip()[:500],
        )
    return transfer


def _input_for(case: EnforcementCase, to_court: Court, filed_on: dt.date) -> CaseInput:
    """The receiving court's registration: the same title, parties and claim; the amount is what is
    still owed in the original (法明传〔2018〕335号 point 3)."""
    basis = case.basis
    parties = [
        PartyInput(role=p.role, kind=p.kind, name=p.name, id_number=p.id_number, credit_code=p.credit_code,
                   birth_on=p.birth_on, legal_representative=p.legal_representative, phone=p.phone, address=p.address)
        for p in case.parties.order_by("position", "id")
    ]
    if case.performed_amount_fen == 0:
        claims = [ClaimInput(kind=c.kind, amount_fen=c.amount_fen, note=c.note) for c in case.claims.order_by("id")]
    else:
        claims = [ClaimInput(kind=ClaimKind.OTHER, amount_fen=case.claim_amount_fen - case.performed_amount_fen,
                             note=f"{case.case_number}未执行到位的金额")]
    return CaseInput(
        court_code=to_court.court_code, case_type=CaseType.FIRST, filed_on=filed_on,
        basis=BasisInput(document_number=basis.document_number, issuing_court=basis.issuing_court,
                         effective_on=basis.effective_on, main_text=basis.main_text),
        parties=parties, claims=claims,
    )


def _get_open(transfer: CaseTransfer, status: str) -> CaseTransfer:
    transfer = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status != status:
        raise Conflict(f"该指定执行{transfer.get_status_display()}")
    return transfer


def transfer_register(*, actor: User, transfer: CaseTransfer) -> EnforcementCase:
    """The receiving court registers its own 执 case (cases.services.case_register: its clerk, its
    number, its deadlines from today). Idempotent: a second call finds the transfer registered."""
    if actor.court_id != transfer.to_court_id and not actor.is_superuser:
        raise NotFound("指定执行不存在")
    with transaction.atomic():
        original = lock_case(transfer.case)
        transfer = _get_open(transfer, TransferStatus.ORDERED)
        if original.status != CaseStatus.OPEN:
            raise Conflict(f"原案{original.case_number}已结案，无需立案")
        new = case_register(actor=actor, data=_input_for(original, transfer.to_court, timezone.localdate()),
                            source=RegistrationSource.FORM)
        transfer.status, transfer.new_case = TransferStatus.REGISTERED, new
        transfer.registered_by, transfer.registered_at = actor, timezone.now()
        transfer.save(update_fields=["status", "new_case", "registered_by", "registered_at"])
        log_append(
            case=lock_case(new), actor=actor, action=LogAction.NOTE,
            summary=f"经{transfer.ordering_court.name}指定执行，由{original.court.name}{original.case_number}移送立案",
            after={"transfer": transfer.pk, "from_case": original.case_number, "citation": SHORT_CITATION},
            reason=transfer.reason,
        )
        log_append(
            case=original, actor=actor, action=LogAction.NOTE,
            summary=f"{transfer.to_court.name}已立案：{new.case_number}；本案待销案",
            after={"transfer": transfer.pk, "new_case": new.case_number}, reason=transfer.reason,
        )
    return new


def transfer_close_original(*, actor: User, transfer: CaseTransfer) -> EnforcementCase:
    """The original court closes its case as 销案 (cases.services.case_close checks who may close)."""
    if actor.court_id != transfer.court_id and not actor.is_superuser:
        raise NotFound("指定执行不存在")
    with transaction.atomic():
        transfer = _get_open(transfer, TransferStatus.REGISTERED)
        new = transfer.new_case
        original = case_close(
            actor=actor, case=transfer.case, closing_type=ClosingType.WITHDRAWN,
            performed_amount_fen=transfer.case.performed_amount_fen,
            reason=f"经{transfer.ordering_court.name}指定{transfer.to_court.name}执行，新案号{new.case_number}"
                   f"（{TRANSFER_CITATION.split('；')[1]}）"[:500],
        )
        transfer.status, transfer.finished_by, transfer.finished_at = TransferStatus.CLOSED, actor, timezone.now()
        transfer.save(update_fields=["status", "finished_by", "finished_at"])
        log_append(
            case=lock_case(new), actor=actor, action=LogAction.NOTE,
            summary=f"原案{original.case_number}已由{original.court.name}销案",
            after={"transfer": transfer.pk, "from_case": original.case_number},
        )
    return original


def transfer_cancel(*, actor: User, transfer: CaseTransfer, reason: str) -> CaseTransfer:
    """The intermediate court withdraws an order the receiving court has not yet registered."""
    if not may_order(actor, transfer.ordering_court):
        raise NotAllowed("只有作出决定的中级人民法院可以撤回指定执行")
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "撤回须说明理由")])
    with transaction.atomic():
        case = lock_case(transfer.case)
        transfer = _get_open(transfer, TransferStatus.ORDERED)
        transfer.status, transfer.finished_by, transfer.finished_at = TransferStatus.CANCELLED, actor, timezone.now()
        transfer.finish_note = reason.strip()[:500]
        transfer.save(update_fields=["status", "finished_by", "finished_at", "finish_note"])
        log_append(case=case, actor=actor, action=LogAction.NOTE,
                   summary=f"{transfer.ordering_court.name}撤回指定{transfer.to_court.name}执行的决定",
                   after={"transfer": transfer.pk}, reason=transfer.finish_note)
    return transfer


def transfer_get_for(user: User, pk: int) -> CaseTransfer:
    """A transfer the user's court takes part in; otherwise NotFound."""
    row = CaseTransfer.objects.select_related("case", "case__court", "new_case", "to_court", "ordering_court").filter(pk=pk).first()
    if row is None:
        raise NotFound("指定执行不存在")
    if user.is_superuser or user.court_id in (row.court_id, row.to_court_id, row.ordering_court_id):
        return row
    from zhixing.cases.selectors import visible_court_ids

    if row.court_id in (visible_court_ids(user) or []):
        return row
    raise NotFound("指定执行不存在")
