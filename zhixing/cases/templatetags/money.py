"""Money in templates: integer fen shown as 元 with thousands separators, exactly (Decimal, never float)."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


def fen_to_yuan_text(fen: int) -> str:
    """1234567 → '12,345.67'; -5 → '-0.05'."""
    return f"{Decimal(int(fen)).scaleb(-2):,.2f}"


@register.filter
def yuan(value) -> str:
    if value is None or value == "":
        return ""
    return fen_to_yuan_text(value)


@register.filter
def yuan_plain(value) -> str:
    """For form inputs: '12345.67', no separators, so parse_yuan reads it back unchanged."""
    if value is None or value == "":
        return ""
    return f"{Decimal(int(value)).scaleb(-2):.2f}"
