"""A court's case-money settings (案款设置): the enforcement account, the sub-account prefix and the
payout approval chain. Changed only by the bureau head, the president or a system administrator,
validated, and audited: there is no case log for settings, so every change writes who, when, and the
values before and after into the admin history (django.contrib.admin LogEntry, shown under 系统管理 →
案款设置 → 历史) and to the `zhixing.audit` logger."""

from __future__ import annotations

import logging

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import transaction

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.exceptions import FieldError, NotAllowed, ValidationFailed
from zhixing.cases.models import EnforcementCase
from zhixing.cases.templatetags.money import fen_to_yuan_text
from zhixing.courts.models import Court

from . import ledger
from .choices import AccountKind
from .models import Account, MoneySettings
from .rules import APPROVER_ROLES, DEFAULT_APPROVAL_CHAIN
from .selectors import MAX_CHAIN_STEPS

audit = logging.getLogger("zhixing.audit")

SETTINGS_EDITORS = frozenset({Role.BUREAU_HEAD, Role.PRESIDENT})
MAX_PREFIX_DIGITS = 12
FIELD_LABELS = {
    "bank_name": "开户银行",
    "account_name": "户名",
    "account_number": "执行款专户账号",
    "sub_account_prefix": "子账号前缀",
    "approval_chain": "发款审批流程",
}


def may_edit(user: User, court_id: int | None) -> bool:
    return user.is_superuser or (court_id is not None and user.court_id == court_id and user.role in SETTINGS_EDITORS)


def effective_chain(row: MoneySettings) -> list[dict]:
    """The chain orders get: the court's own, else the default."""
    return list(row.approval_chain) or [step.as_dict() for step in DEFAULT_APPROVAL_CHAIN]


def chain_text(chain: list[dict]) -> str:
    labels = dict(Role.choices)
    parts = []
    for step in chain:
        label = labels.get(step["role"], step["role"])
        min_fen = int(step.get("min_fen", 0))
        parts.append(f"{label}（{fen_to_yuan_text(min_fen)} 元起）" if min_fen else label)
    return " → ".join(parts) or "默认流程"


def _check_chain(chain) -> list[FieldError]:
    errors: list[FieldError] = []
    if not isinstance(chain, list) or not chain:
        return [FieldError("approval_chain", "审批流程至少需要一个步骤")]
    if len(chain) > MAX_CHAIN_STEPS:
        errors.append(FieldError("approval_chain", f"审批流程最多 {MAX_CHAIN_STEPS} 个步骤"))
    allowed = "、".join(Role(r).label for r in sorted(APPROVER_ROLES))
    for index, step in enumerate(chain):
        where = f"approval_chain[{index}]"
        if not isinstance(step, dict):
            errors.append(FieldError(where, "步骤须为 {role, min_fen}"))
            continue
        if step.get("role") not in APPROVER_ROLES:
            errors.append(FieldError(f"{where}.role", f"第{index + 1}步的审批角色“{step.get('role')}”不可用；可选：{allowed}"))
        min_fen = step.get("min_fen", 0)
        if isinstance(min_fen, bool) or not isinstance(min_fen, int):
            errors.append(FieldError(f"{where}.min_fen", f"第{index + 1}步的起点金额须为整数“分”"))
        elif min_fen < 0:
            errors.append(FieldError(f"{where}.min_fen", f"第{index + 1}步的起点金额不能为负"))
        elif min_fen >= 10**15:
            errors.append(FieldError(f"{where}.min_fen", f"第{index + 1}步的起点金额超出可记录范围"))
    if not errors and all(step.get("min_fen", 0) > 0 for step in chain):
        # Otherwise an order below every threshold would need no approval at all.
        errors.append(FieldError("approval_chain", "至少一个步骤的起点金额须为 0（每一笔付款都须经审批）"))
    return errors


def money_settings_update(*, actor: User, court: Court, bank_name: str, account_name: str, account_number: str,
                          sub_account_prefix: str, approval_chain: list[dict]) -> MoneySettings:
    """Change a court's settings. A new chain applies to orders made after it (an order keeps the
    chain it was made with); a new prefix to case accounts opened after it (an account keeps its
    number, which payers may already have been told)."""
    if not may_edit(actor, court.pk):
        raise NotAllowed("只有本院执行局长、院长或系统管理员可以修改案款设置")
    bank_name, account_name = bank_name.strip(), account_name.strip()
    account_number = account_number.replace(" ", "").strip()
    sub_account_prefix = sub_account_prefix.strip()
    errors = _check_chain(approval_chain)
    if len(bank_name) > 100:
        errors.append(FieldError("bank_name", "开户银行最多 100 字"))
    if len(account_name) > 100:
        errors.append(FieldError("account_name", "户名最多 100 字"))
    if account_number and not account_number.isdigit():
        errors.append(FieldError("account_number", "账号只能由数字组成"))
    elif len(account_number) > 40:
        errors.append(FieldError("account_number", "账号最多 40 位"))
    if not sub_account_prefix.isdigit() or len(sub_account_prefix) > MAX_PREFIX_DIGITS:
        errors.append(FieldError("sub_account_prefix", f"子账号前缀须为 1 至 {MAX_PREFIX_DIGITS} 位数字"))
    if errors:
        raise ValidationFailed(errors)
    chain = [{"role": step["role"], "min_fen": int(step.get("min_fen", 0))} for step in approval_chain]
    with transaction.atomic():
        row = MoneySettings.objects.select_for_update().filter(court=court).first()
        created = row is None
        row = row or MoneySettings(court=court)
        before = _snapshot(row) if not created else {}
        row.bank_name, row.account_name, row.account_number = bank_name, account_name, account_number
        row.sub_account_prefix, row.approval_chain, row.updated_by = sub_account_prefix, chain, actor
        after = _snapshot(row)
        if not created and before == after:
            return row
        old_prefix = before.get("sub_account_prefix") if not created else MoneySettings._meta.get_field("sub_account_prefix").default
        if old_prefix != sub_account_prefix:
            _keep_told_numbers(court, old_prefix)
        row.save()
        message = _change_message(before, after)
        LogEntry.objects.log_actions(actor.pk, [row], ADDITION if created else CHANGE, change_message=message,
                                     single_object=True)
        audit.info("money settings of court %s changed by %s: %s", court.court_code, actor.username, message)
    return row


def _keep_told_numbers(court: Court, prefix: str) -> int:
    """A case's sub-account number is known (and may have been told to payers, on the notice) before
    its account opens. Before the prefix changes, every case of the court still without an account
    gets it opened under the old prefix, so every number ever shown stays that case's."""
    case_ids = (EnforcementCase.objects.filter(court=court).exclude(money_account__isnull=False)
                .values_list("pk", "case_number"))
    accounts = [Account(court=court, kind=AccountKind.CASE, case_id=pk, number=ledger.sub_account_number(prefix, pk),
                        name=f"{number} 案款") for pk, number in case_ids.iterator(chunk_size=5000)]
    Account.objects.bulk_create(accounts, batch_size=2000)
    return len(accounts)


def _snapshot(row: MoneySettings) -> dict:
    return {"bank_name": row.bank_name, "account_name": row.account_name, "account_number": row.account_number,
            "sub_account_prefix": row.sub_account_prefix, "approval_chain": chain_text(list(row.approval_chain))}


def _change_message(before: dict, after: dict) -> str:
    """开户银行：“甲” → “乙”；… — the previous values kept in the history."""
    parts = []
    for key, label in FIELD_LABELS.items():
        if not before:
            parts.append(f"{label}：“{after[key]}”")
        elif before[key] != after[key]:
            parts.append(f"{label}：“{before[key]}” → “{after[key]}”")
    return ("新建案款设置：" if not before else "修改案款设置：") + "；".join(parts)


def money_settings_history(court_id: int, limit: int = 20) -> list[LogEntry]:
    row = ledger.settings_for(court_id)
    if row.pk is None:
        return []
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(MoneySettings)
    return list(LogEntry.objects.filter(content_type=content_type, object_id=str(row.pk))
                .select_related("user").order_by("-action_time")[:limit])
