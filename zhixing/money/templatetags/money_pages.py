"""Presentation helpers of the money pages: role names of approval steps and amounts in capitals."""

from __future__ import annotations

from django import template

from zhixing.accounts.choices import Role
from zhixing.documents.formatting import amount_capital

register = template.Library()

_ROLE_LABELS = dict(Role.choices)


@register.filter
def role_label(role: str | None) -> str:
    return _ROLE_LABELS.get(role or "", role or "")


@register.filter
def capital(fen) -> str:
    """人民币壹万贰仟叁佰肆拾伍元陆角柒分 (大写), for the amount being approved or paid."""
    if fen is None or fen == "":
        return ""
    return amount_capital(int(fen))
