"""归档 preconditions: the dossier holds what its closing type needs (rules.DOSSIER_REQUIREMENTS), and
the case's money account is at zero — or an explanation of what remains is recorded (rules.md §8).
Archiving is due one month after closing (supervision rule `archive`; seed 004 §程序规范7).

`cases.services.case_archive` calls `ensure_archive_allowed` under the case lock."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import CaseStatus, LogAction
from zhixing.cases.exceptions import DomainError, FieldError, ValidationFailed
from zhixing.cases.log import log_append
from zhixing.cases.models import EnforcementCase
from zhixing.cases.services import ensure_can_act, ensure_role, lock_case
from zhixing.cases.templatetags.money import fen_to_yuan_text

from .choices import TransferDocumentKind, TransferStatus
from .models import ArchiveExplanation, TransferCase, TransferDocument
from .rules import (
    ARCHIVE_CITATION,
    DOSSIER_REQUIREMENTS,
    EXPLANATION_ROLES,
    MONEY_CITATION,
    TRANSFER_DOSSIER_ITEM,
    DossierItem,
)


@dataclass(frozen=True)
class DossierLine:
    item: DossierItem
    present: bool
    detail: str = ""


@dataclass
class ArchiveReadiness:
    case: EnforcementCase
    lines: list[DossierLine] = field(default_factory=list)
    balance_fen: int = 0
    open_orders: int = 0
    explanation: ArchiveExplanation | None = None

    @property
    def money_ok(self) -> bool:
        if self.open_orders:
            return False
        return self.balance_fen == 0 or (self.explanation is not None and self.explanation.balance_fen == self.balance_fen)

    @property
    def dossier_ok(self) -> bool:
        return all(line.present for line in self.lines)

    @property
    def ready(self) -> bool:
        return self.dossier_ok and self.money_ok

    def problems(self) -> list[FieldError]:
        errors = [FieldError(f"dossier.{line.item.code}", f"卷宗缺少{line.item.label}" + (f"（{line.detail}）" if line.detail else "")
                             + (f"（{line.item.citation}）" if line.item.citation else ""))
                  for line in self.lines if not line.present]
        if self.open_orders:
            errors.append(FieldError("money", f"尚有 {self.open_orders} 笔付款单未办结（{MONEY_CITATION}）"))
        elif not self.money_ok:
            errors.append(FieldError("money", f"案款账户余额 {fen_to_yuan_text(self.balance_fen)} 元未发放完毕，且未说明余款去向（{MONEY_CITATION}）"))
        return errors


def _dossier_items(case: EnforcementCase) -> list[DossierItem]:
    items = list(DOSSIER_REQUIREMENTS.get(case.closing_type, ()))
    if TransferCase.objects.filter(case_id=case.pk, transfer__status=TransferStatus.ACCEPTED).exists():
        items.append(TRANSFER_DOSSIER_ITEM)
    return items


def archive_readiness(case: EnforcementCase) -> ArchiveReadiness:
    """What archiving `case` would find: each dossier item present or not, and the money account."""
    from zhixing.documents.models import GeneratedDocument
    from zhixing.money import selectors as money_selectors

    readiness = ArchiveReadiness(case)
    for item in _dossier_items(case):
        if item.code == TRANSFER_DOSSIER_ITEM.code:
            present = TransferDocument.objects.filter(transfer__moved__case_id=case.pk, kind=TransferDocumentKind.DECISION).exists()
            readiness.lines.append(DossierLine(item, present))
            continue
        docs = list(GeneratedDocument.objects.filter(case_id=case.pk, kind=item.document).only("signed_at", "sealed_at"))
        if not docs:
            readiness.lines.append(DossierLine(item, False, "未生成"))
        elif item.marked and not any(d.signed_at and d.sealed_at for d in docs):
            readiness.lines.append(DossierLine(item, False, "未签名或未用印"))
        else:
            readiness.lines.append(DossierLine(item, True))
    money = money_selectors.case_summary(case)
    readiness.balance_fen = money["balance_fen"]
    readiness.open_orders = money["open_orders"]
    readiness.explanation = ArchiveExplanation.objects.filter(case_id=case.pk).order_by("-recorded_at", "-id").first()
    return readiness


class ArchiveRefused(ValidationFailed):
    code = "archive_preconditions_missing"
    http_status = 409


def ensure_archive_allowed(case: EnforcementCase) -> None:
    """Refuse 归档 while the dossier lacks a required item or money remains unexplained."""
    readiness = archive_readiness(case)
    errors = readiness.problems()
    if errors:
        raise ArchiveRefused(errors, message="不能归档：" + "；".join(e.message for e in errors) + f"（{ARCHIVE_CITATION}）")


def explanation_record(*, actor: User, case: EnforcementCase, text: str) -> ArchiveExplanation:
    """Record why money remains in a closed case's account (or where it goes) so that it may be
    archived; the explanation holds for that balance only — a later movement needs a new one."""
    from zhixing.money import selectors as money_selectors

    ensure_can_act(actor, case.court_id)
    ensure_role(actor, EXPLANATION_ROLES, "说明案款余额")
    if not (text or "").strip():
        raise ValidationFailed([FieldError("text", "须写明余款的去向或未发放的原因")])
    with transaction.atomic():
        case = lock_case(case)
        if case.status != CaseStatus.CLOSED:
            raise DomainError("只有已结案、待归档的案件需要说明案款余额", code="not_closed")
        balance = money_selectors.case_summary(case)["balance_fen"]
        if balance == 0:
            raise DomainError("案款账户余额为零，无需说明", code="nothing_to_explain")
        latest = ArchiveExplanation.objects.filter(case=case).order_by("-recorded_at", "-id").first()
        if latest is not None and (latest.balance_fen, latest.text) == (balance, text.strip()[:500]):
            return latest  # a retry
        row = ArchiveExplanation.objects.create(court_id=case.court_id, case=case, balance_fen=balance,
                                                text=text.strip()[:500], recorded_by=actor, recorded_at=timezone.now())
        log_append(case=case, actor=actor, action=LogAction.NOTE,
                   summary=f"归档前说明案款余额 {fen_to_yuan_text(balance)} 元：{row.text}"[:300],
                   after={"archive_explanation": row.pk, "balance_fen": balance}, reason=row.text)
    return row
