"""Presentation of case data: node names and the before → after of execution-log entries."""

from __future__ import annotations

from django import template

from ..choices import CaseStatus, ClosingType, Stage
from ..rules import NODES_BY_CODE
from .money import fen_to_yuan_text

register = template.Library()

# Keys that services write into LogEntry.before/after, with their Chinese names.
_KEY_LABELS = {
    "stage": "阶段",
    "status": "状态",
    "handler": "承办人",
    "team": "团队",
    "occurred_on": "发生日期",
    "note": "说明",
    "closing_type": "结案方式",
    "closed_on": "结案日期",
    "performed_amount_fen": "实际执行到位（元）",
    "assign_due": "分案期限",
    "notice_due": "执行通知期限",
    "close_due": "结案期限",
    "archive_due": "归档期限",
    "archived_on": "归档日期",
    "name": "姓名/名称",
    "id_number": "身份证号",
    "credit_code": "统一社会信用代码",
    "legal_representative": "法定代表人",
    "phone": "联系电话",
    "address": "地址",
}
_VALUE_LABELS = {"stage": Stage, "status": CaseStatus, "closing_type": ClosingType}
_PERSONAL = {"id_number", "credit_code", "phone", "address"}


@register.filter
def node_name(code: str) -> str:
    node = NODES_BY_CODE.get(code)
    return node.name if node else code


def _value_text(key: str, value, read_only: bool) -> str:
    if value in (None, ""):
        return "（空）"
    if key in _VALUE_LABELS:
        try:
            return _VALUE_LABELS[key](value).label
        except ValueError:
            return str(value)
    if key.endswith("_fen") and isinstance(value, int):
        return fen_to_yuan_text(value)
    text = str(value)
    # A supervisor reads the log but not the parties' personal data (same rule as the parties table).
    if read_only and key in _PERSONAL:
        return f"{text[:6]}********{text[-4:]}" if len(text) == 18 else "****"
    return text


@register.simple_tag
def log_changes(entry, user) -> list[dict]:
    """[{label, before, after}] for the keys an entry changed. Registration snapshots are left out:
    the summary already says what was registered and the parties table shows the rest."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    if entry.action == "register":
        return []
    read_only = getattr(user, "is_read_only", True)
    rows = []
    for key in list(dict.fromkeys([*before, *after])):
        if key not in _KEY_LABELS:
            continue
        if key in before and key in after and before[key] == after[key]:
            continue  # e.g. a node that did not move the case to another stage
        if key not in before and after.get(key) in (None, ""):
            continue
        rows.append(
            {
                "label": _KEY_LABELS[key],
                # nothing to strike through when the field was empty before
                "before": _value_text(key, before[key], read_only) if before.get(key) not in (None, "") else None,
                "after": _value_text(key, after.get(key), read_only) if key in after else None,
            }
        )
    return rows
