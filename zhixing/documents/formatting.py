"""Chinese legal formatting: amounts in digits and in capitals (大写金额), dates in figures and in
characters (二〇二六年十一月二十三日). Money arrives as integer fen and never passes through float."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import cn2an

# 法院诉讼文书样式: the date under the signature is written in characters, with 〇 for zero;
# dates in the body are written in figures (2026年1月5日).
_DIGITS = "〇一二三四五六七八九"
_MAX_FEN = 9_999_999_999_999_99  # 9,999,999,999,999.99 yuan: beyond any claim and cn2an's range


def number_words(n: int) -> str:
    """1..99 as 一 … 十 … 三十一 (months, days, periods in days)."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return _DIGITS[units]
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[units] if units else ''}"


def date_chinese(day: dt.date | None) -> str:
    """二〇二六年十一月二十三日 — for the date under the signature (落款)."""
    if day is None:
        return ""
    year = "".join(_DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{number_words(day.month)}月{number_words(day.day)}日"


def date_text(day: dt.date | None) -> str:
    """2026年1月5日 — dates in the body of a document."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def _check_fen(fen: int) -> int:
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"金额须为整数（分），收到 {type(fen).__name__}")
    if fen < 0 or fen > _MAX_FEN:
        raise ValueError(f"金额 {fen} 分超出可书写的范围（0 至 {_MAX_FEN} 分）")
    return fen


def yuan_decimal(fen: int) -> Decimal:
    return (Decimal(_check_fen(fen)) / 100).quantize(Decimal("0.01"))


def yuan_text(fen: int) -> str:
    """-1,234.56 元 — for messages and log lines: signed, exact (integer arithmetic, no float)."""
    whole, cents = divmod(abs(fen), 100)
    return f"{'-' if fen < 0 else ''}{whole:,}.{cents:02d} 元"


def amount_digits(fen: int | None) -> str:
    """100,000.05元 — grouped figures, always two decimals."""
    if fen is None:
        return ""
    return f"{yuan_decimal(fen):,}元"


def amount_capital(fen: int | None) -> str:
    """人民币壹拾万元零伍分 — the amount in capitals as 支付结算办法 writes it: 整 after 元, none after 分."""
    if fen is None:
        return ""
    # cn2an truncates beyond two decimals and returns float elsewhere: hand it a quantized string.
    return "人民币" + cn2an.an2cn(str(yuan_decimal(fen)), "rmb")


def amount_both(fen: int | None) -> str:
    """人民币壹拾万元零伍分（100,000.05元） — capitals first, figures in brackets, as rulings write sums."""
    if fen is None:
        return ""
    return f"{amount_capital(fen)}（{amount_digits(fen)}）"
