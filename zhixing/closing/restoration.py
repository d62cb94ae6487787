"""恢复执行: from a proposal (property found in the pool, a clue, the applicant's application) to a new
执恢 case linked to the 终本 case, carrying its parties, basis, outstanding amount and the references of
its dossier — within rules.RESTORATION_LIMIT working days of confirming the property (seed 002 §(三)4;
民诉法解释第517条: re-application is not time-barred). Logged on both cases."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.choices import CaseType, ClaimKind, ClosingType, LogAction, RegistrationSource
from zhixing.cases.exceptions import Conflict, DomainError, FieldError, ValidationFailed
from zhixing.cases.inputs import BasisInput, CaseInput, ClaimInput, PartyInput
from zhixing.cases.log import log_append
from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import case_register, ensure_can_act, ensure_role, lock_case
from zhixing.cases.templatetags.money import fen_to_yuan_text
from zhixing.workdays import calendar

from .choices import OPEN_PROPOSAL_STATUSES, PoolStatus, ProposalSource, ProposalStatus
from .models import PoolEntry, RestorationProposal
from .rules import RESTORATION_BASIS, RESTORATION_LIMIT, RESTORATION_ROLES

DOSSIER_DOCUMENTS_LISTED = 50


def restore_due(confirmed_on: dt.date) -> dt.date:
    """The last day to restore: `RESTORATION_LIMIT` working days after the property is confirmed
    (the PRC calendar, make-up workdays included)."""
    return calendar.add_working_days(confirmed_on, RESTORATION_LIMIT.amount)


def _is_zhongben(case: EnforcementCase) -> bool:
    return case.closing_type == ClosingType.TERMINATE_CURRENT and not case.is_open


def _lock_proposal(proposal: RestorationProposal) -> tuple[EnforcementCase, RestorationProposal]:
    case = lock_case(proposal.case)
    return case, RestorationProposal.objects.select_for_update().get(pk=proposal.pk)


def _check_day(field: str, day: dt.date, after: dt.date, label: str) -> None:
    today = timezone.localdate()
    if day > today:
        raise ValidationFailed([FieldError(field, f"{label} {day} 晚于今天")])
    if day < after:
        raise ValidationFailed([FieldError(field, f"{label} {day} 早于 {after}")])


def proposal_record(*, actor: User, case: EnforcementCase, source: str, description: str, provider: str = "",
                    received_on: dt.date | None = None) -> RestorationProposal:
    """A clue or the applicant's application to restore a 终本 case (Art. 9: at any time)."""
    ensure_can_act(actor, case.court_id)
    ensure_role(actor, RESTORATION_ROLES | {Role.CLERK}, "登记恢复执行线索或申请")
    errors = []
    if source not in (ProposalSource.CLUE, ProposalSource.APPLICATION):
        errors.append(FieldError("source", "来源应为：财产线索、申请恢复执行"))
    if not (description or "").strip():
        errors.append(FieldError("description", "须写明线索内容或申请理由"))
    if errors:
        raise ValidationFailed(errors)
    received_on = received_on or timezone.localdate()
    with transaction.atomic():
        case = lock_case(case)
        if not _is_zhongben(case):
            raise DomainError("只有以终结本次执行程序结案的案件才能登记恢复执行", code="not_zhongben")
        _check_day("received_on", received_on, case.closed_on, "收到日期")
        same = case.restoration_proposals.filter(source=source, description=description.strip()[:1000],
                                                 detected_on=received_on, status__in=OPEN_PROPOSAL_STATUSES).first()
        if same is not None:
            return same  # a retry of the same registration
        proposal = RestorationProposal.objects.create(
            court_id=case.court_id, case=case, source=source, description=description.strip()[:1000],
            provider=provider.strip()[:100], detected_on=received_on, recorded_by=actor, recorded_at=timezone.now())
        log_append(case=case, actor=actor, action=LogAction.NOTE,
                   summary=f"恢复执行建议（{proposal.get_source_display()}）：{proposal.description}"[:300],
                   after={"restoration_proposal": proposal.pk, "source": source, "received_on": received_on.isoformat()},
                   reason=proposal.provider)
    return proposal


def proposal_confirm(*, actor: User, proposal: RestorationProposal, confirmed_on: dt.date | None = None,
                     note: str = "") -> RestorationProposal:
    """确认: the property is there and may be enforced — the restoration clock starts (3 working days)."""
    ensure_can_act(actor, proposal.court_id)
    ensure_role(actor, RESTORATION_ROLES, "确认恢复执行条件")
    confirmed_on = confirmed_on or timezone.localdate()
    with transaction.atomic():
        case, proposal = _lock_proposal(proposal)
        if proposal.status == ProposalStatus.CONFIRMED:
            return proposal  # a retry
        if proposal.status != ProposalStatus.PENDING:
            raise Conflict(f"该建议已{proposal.get_status_display()}", code="proposal_closed")
        _check_day("confirmed_on", confirmed_on, proposal.detected_on, "确认日期")
        proposal.status, proposal.confirmed_on = ProposalStatus.CONFIRMED, confirmed_on
        proposal.restore_due, proposal.decided_by, proposal.decision_note = restore_due(confirmed_on), actor, note.strip()[:500]
        proposal.save(update_fields=["status", "confirmed_on", "restore_due", "decided_by", "decision_note"])
        log_append(case=case, actor=actor, action=LogAction.NOTE,
                   summary=f"确认符合恢复执行条件，应于 {proposal.restore_due:%Y-%m-%d} 前恢复执行"[:300],
                   after={"restoration_proposal": proposal.pk, "restore_due": proposal.restore_due.isoformat(),
                          "citation": RESTORATION_LIMIT.citation}, reason=proposal.decision_note)
    return proposal


def proposal_dismiss(*, actor: User, proposal: RestorationProposal, note: str) -> RestorationProposal:
    """不予恢复: e.g. the asset is exempt, already disposed of, or another's. A reason is required."""
    ensure_can_act(actor, proposal.court_id)
    ensure_role(actor, RESTORATION_ROLES, "处理恢复执行建议")
    if not (note or "").strip():
        raise ValidationFailed([FieldError("note", "不予恢复须说明理由")])
    with transaction.atomic():
        case, proposal = _lock_proposal(proposal)
        if proposal.status not in OPEN_PROPOSAL_STATUSES:
            raise Conflict(f"该建议已{proposal.get_status_display()}", code="proposal_closed")
        before = proposal.status
        proposal.status, proposal.decided_by, proposal.decision_note = ProposalStatus.DISMISSED, actor, note.strip()[:500]
        proposal.save(update_fields=["status", "decided_by", "decision_note"])
        log_append(case=case, actor=actor, action=LogAction.NOTE, summary=f"不予恢复执行：{proposal.decision_note}"[:300],
                   before={"status": before}, after={"restoration_proposal": proposal.pk, "status": proposal.status},
                   reason=proposal.decision_note)
    return proposal


def _case_input(case: EnforcementCase, filed_on: dt.date, outstanding_fen: int) -> CaseInput:
    basis = case.basis
    parties = [PartyInput(role=p.role, kind=p.kind, name=p.name, id_number=p.id_number, credit_code=p.credit_code,
                          birth_on=p.birth_on, legal_representative=p.legal_representative, phone=p.phone,
                          address=p.address) for p in case.parties.order_by("position", "id")]
    if case.performed_amount_fen == 0:
        claims = [ClaimInput(kind=c.kind, amount_fen=c.amount_fen, note=c.note) for c in case.claims.order_by("id")]
    else:  # what is still owed after what was performed in the original case
        claims = [ClaimInput(kind=ClaimKind.OTHER, amount_fen=outstanding_fen, note=f"原案{case.case_number}未履行部分")]
    return CaseInput(court_code=case.court.court_code, case_type=CaseType.RESTORED, filed_on=filed_on,
                     basis=BasisInput(document_number=basis.document_number, issuing_court=basis.issuing_court,
                                      effective_on=basis.effective_on, main_text=basis.main_text),
                     parties=parties, claims=claims)


def dossier_index(case: EnforcementCase) -> dict:
    """The original dossier as references (not copies): its documents with their hashes, its assets."""
    from zhixing.documents.models import GeneratedDocument
    from zhixing.property.models import CaseAsset

    docs = list(GeneratedDocument.objects.filter(case_id=case.pk).order_by("generated_at", "id")
                .values("pk", "kind", "title", "version", "file_id")[:DOSSIER_DOCUMENTS_LISTED])
    return {
        "origin_case": case.case_number, "origin_case_id": case.pk,
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "documents": [{"id": d["pk"], "kind": d["kind"], "title": d["title"], "version": d["version"],
                       "sha256": d["file_id"]} for d in docs],
        "assets": list(CaseAsset.objects.filter(case_id=case.pk).values_list("asset_id", flat=True)[:100]),
        "log_entries": case.log_entries.count(),
    }


def restoration_open(*, actor: User, proposal: RestorationProposal, filed_on: dt.date | None = None,
                     note: str = "") -> EnforcementCase:
    """恢复执行: register a 执恢 case linked to the 终本 case (origin_case), with its parties and basis,
    the outstanding amount as its claim, the property or clue that prompted it, and the dossier's
    references. A pending proposal is confirmed on the way. Retrying returns the case already opened."""
    ensure_can_act(actor, proposal.court_id)
    ensure_role(actor, RESTORATION_ROLES, "恢复执行")
    today = timezone.localdate()
    filed_on = filed_on or today
    with transaction.atomic():
        original, proposal = _lock_proposal(proposal)
        if proposal.status == ProposalStatus.RESTORED and proposal.restored_case_id:
            return proposal.restored_case
        if proposal.status not in OPEN_PROPOSAL_STATUSES:
            raise Conflict(f"该建议已{proposal.get_status_display()}", code="proposal_closed")
        if not _is_zhongben(original):
            raise DomainError("只有以终结本次执行程序结案的案件才能恢复执行", code="not_zhongben")
        active = original.restored_cases.filter(status="open").first()
        if active is not None:
            raise Conflict(f"本案已恢复执行（{active.case_number}），尚未办结", code="already_restored")
        outstanding = original.claim_amount_fen - original.performed_amount_fen
        if outstanding <= 0:
            raise DomainError("原案已无未履行金额，无需恢复执行", code="nothing_outstanding")
        _check_day("filed_on", filed_on, proposal.detected_on, "恢复执行立案日期")
        if proposal.status == ProposalStatus.PENDING:
            proposal.confirmed_on, proposal.restore_due = filed_on, restore_due(filed_on)
        late = filed_on > proposal.restore_due
        new_case = case_register(actor=actor, data=_case_input(original, filed_on, outstanding), source=RegistrationSource.FORM)
        new_case.origin_case = original
        new_case.save(update_fields=["origin_case"])
        dossier = dossier_index(original)
        _carry_trigger(actor, proposal, new_case)
        proposal.status, proposal.restored_case, proposal.restored_on = ProposalStatus.RESTORED, new_case, filed_on
        proposal.outstanding_fen, proposal.dossier, proposal.decided_by = outstanding, dossier, actor
        proposal.decision_note = (note.strip() or proposal.decision_note)[:500]
        proposal.save()
        # other open proposals of the case are answered by the same restoration
        original.restoration_proposals.filter(status__in=OPEN_PROPOSAL_STATUSES).exclude(pk=proposal.pk).update(
            status=ProposalStatus.RESTORED, restored_case=new_case, restored_on=filed_on)
        PoolEntry.objects.filter(case_id=original.pk, status=PoolStatus.IN_POOL).update(
            status=PoolStatus.RESTORED, next_query_due=None, left_on=filed_on)
        timing = f"，已超过恢复执行期限 {proposal.restore_due:%Y-%m-%d}" if late else f"（期限 {proposal.restore_due:%Y-%m-%d}）"
        log_append(case=original, actor=actor, action=LogAction.NOTE,
                   summary=f"恢复执行：立案 {new_case.case_number}，未履行 {fen_to_yuan_text(outstanding)} 元{timing}"[:300],
                   after={"restored_case": new_case.case_number, "restored_case_id": new_case.pk, "outstanding_fen": outstanding,
                          "restoration_proposal": proposal.pk, "late": late, "citation": RESTORATION_LIMIT.citation},
                   reason=proposal.description[:500])
        log_append(case=new_case, actor=actor, action=LogAction.NOTE,
                   summary=(f"恢复执行：原案 {original.case_number}（终本于 {original.closed_on:%Y-%m-%d}），"
                            f"未履行 {fen_to_yuan_text(outstanding)} 元；原案卷宗文书 {len(dossier['documents'])} 份"[:300]),
                   after={"origin_case": original.case_number, "origin_case_id": original.pk, "outstanding_fen": outstanding,
                          "dossier": dossier, "trigger": proposal.get_source_display(), "citation": RESTORATION_BASIS},
                   reason=proposal.description[:500])
    return new_case


def _carry_trigger(actor: User, proposal: RestorationProposal, new_case: EnforcementCase) -> None:
    """What prompted the restoration goes into the new case: the asset found, or the clue to verify."""
    from zhixing.property.assets import case_asset_link
    from zhixing.property.clues import clue_receive
    from zhixing.property.models import ClueSource, FoundVia

    if proposal.asset_id:
        case_asset_link(case=new_case, asset=proposal.asset, found_on=new_case.filed_on, found_via=FoundVia.OTHER,
                        note=f"原案 {proposal.case.case_number} 终本后发现（恢复执行）")
    elif proposal.source == ProposalSource.CLUE:
        clue_receive(actor=actor, case=new_case, source=ClueSource.APPLICANT,
                     description=proposal.description, provider=proposal.provider, received_on=new_case.filed_on)
