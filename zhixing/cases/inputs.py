"""What a registration needs, parsed and validated once for the form, the API and the import.

`parse_case(raw)` takes plain dicts/strings (as they come from a form, JSON or a spreadsheet row)
and returns a CaseInput or raises ValidationFailed listing every bad field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .choices import CaseType, ClaimKind, PartyKind, PartyRole
from .exceptions import FieldError, ValidationFailed
from .identity import IdentityError, check_credit_code, check_id_number

# 10 trillion yuan: above any real claim, well inside a 64-bit fen column.
MAX_AMOUNT_FEN = 10**15
EARLIEST_DATE = dt.date(1990, 1, 1)


@dataclass
class PartyInput:
    role: str
    kind: str
    name: str
    id_number: str = ""
    credit_code: str = ""
    birth_on: dt.date | None = None
    legal_representative: str = ""
    phone: str = ""
    address: str = ""


@dataclass
class ClaimInput:
    kind: str
    amount_fen: int
    note: str = ""


@dataclass
class BasisInput:
    document_number: str
    issuing_court: str
    effective_on: dt.date
    main_text: str = ""


@dataclass
class CaseInput:
    court_code: str
    case_type: str
    filed_on: dt.date
    basis: BasisInput
    parties: list[PartyInput]
    claims: list[ClaimInput]
    case_number: str = ""  # given only by imports from an old system
    warnings: list[str] = field(default_factory=list)

    @property
    def claim_amount_fen(self) -> int:
        return sum(c.amount_fen for c in self.claims)


_YUAN = re.compile(r"^\d{1,13}(\.\d{1,2})?$")


def parse_yuan(value) -> int:
    """'12,345.67' / '¥12345.67' / '人民币12345.67元' / Decimal → 1234567 fen. Never through float."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value * 100
    if isinstance(value, float):
        value = repr(value)  # spreadsheets hand over floats; repr keeps the digits the cell showed
    text = str(value or "").strip()
    for token in ("人民币", "RMB", "¥", "￥", "元", ",", "，", " "):
        text = text.replace(token, "")
    if not _YUAN.match(text):
        raise ValueError(f"{value!r} 不是有效金额（元，最多两位小数）")
    try:
        return int(Decimal(text) * 100)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes it
        raise ValueError(f"{value!r} 不是有效金额") from exc


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    match = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$", text)
    if not match:
        raise ValueError(f"{text!r} 不是日期（应为 YYYY-MM-DD）")
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{text} 不是存在的日期") from exc


_CHOICES_BY_LABEL = {
    "role": {**{c.value: c.value for c in PartyRole}, **{c.label: c.value for c in PartyRole}},
    "kind": {
        **{c.value: c.value for c in PartyKind},
        **{c.label: c.value for c in PartyKind},
        "其他组织": PartyKind.OTHER_ORGANISATION,
        "单位": PartyKind.LEGAL_PERSON,
    },
    "case_type": {c.value: c.value for c in CaseType},
    "claim_kind": {**{c.value: c.value for c in ClaimKind}, **{c.label: c.value for c in ClaimKind}},
}


def _choice(kind: str, value, field_name: str, errors: list[FieldError]) -> str:
    text = str(value or "").strip()
    result = _CHOICES_BY_LABEL[kind].get(text)
    if result is None:
        allowed = "、".join(sorted({k for k in _CHOICES_BY_LABEL[kind] if not k.isascii()} or _CHOICES_BY_LABEL[kind]))
        errors.append(FieldError(field_name, f"{text!r} 不是有效值（可选：{allowed}）"))
        return ""
    return result


def _text(raw: dict, key: str, field_name: str, errors: list[FieldError], *, required=False, max_length=200) -> str:
    text = str(raw.get(key) or "").strip()
    if required and not text:
        errors.append(FieldError(field_name, "必填"))
    elif len(text) > max_length:
        errors.append(FieldError(field_name, f"不能超过{max_length}个字"))
    return text


def _date(raw: dict, key: str, field_name: str, errors: list[FieldError], today: dt.date) -> dt.date | None:
    if not raw.get(key):
        errors.append(FieldError(field_name, "必填"))
        return None
    try:
        value = parse_date(raw[key])
    except ValueError as exc:
        errors.append(FieldError(field_name, str(exc)))
        return None
    if value > today:
        errors.append(FieldError(field_name, f"{value} 晚于今天，不可能"))
    elif value < EARLIEST_DATE:
        errors.append(FieldError(field_name, f"{value} 早于{EARLIEST_DATE.year}年，不可能"))
    return value


def parse_party(raw: dict, prefix: str, errors: list[FieldError], warnings: list[str], today: dt.date) -> PartyInput:
    role = _choice("role", raw.get("role"), f"{prefix}.role", errors)
    kind = _choice("kind", raw.get("kind"), f"{prefix}.kind", errors)
    name = _text(raw, "name", f"{prefix}.name", errors, required=True, max_length=100)
    party = PartyInput(
        role=role,
        kind=kind,
        name=name,
        legal_representative=_text(raw, "legal_representative", f"{prefix}.legal_representative", errors, max_length=50),
        phone=_text(raw, "phone", f"{prefix}.phone", errors, max_length=30),
        address=_text(raw, "address", f"{prefix}.address", errors, max_length=200),
    )
    id_number = str(raw.get("id_number") or "").strip()
    credit_code = str(raw.get("credit_code") or "").strip()
    if kind == PartyKind.NATURAL_PERSON:
        if credit_code:
            errors.append(FieldError(f"{prefix}.credit_code", "自然人不应填写统一社会信用代码"))
        if not id_number:
            errors.append(FieldError(f"{prefix}.id_number", "自然人必须填写18位身份证号"))
        else:
            try:
                checked = check_id_number(id_number, today=today)
                party.id_number, party.birth_on = checked.number, checked.birth_on
                warnings.extend(f"{prefix}（{name}）：{w}" for w in checked.warnings)
            except IdentityError as exc:
                errors.append(FieldError(f"{prefix}.id_number", str(exc)))
    elif kind:
        if id_number:
            errors.append(FieldError(f"{prefix}.id_number", "单位当事人应填写统一社会信用代码而非身份证号"))
        if kind == PartyKind.LEGAL_PERSON and not credit_code:
            errors.append(FieldError(f"{prefix}.credit_code", "法人必须填写18位统一社会信用代码"))
        elif credit_code:
            try:
                party.credit_code = check_credit_code(credit_code).number
            except IdentityError as exc:
                errors.append(FieldError(f"{prefix}.credit_code", str(exc)))
    return party


def parse_claims(raw_claims: list[dict], errors: list[FieldError]) -> list[ClaimInput]:
    claims = []
    for index, raw in enumerate(raw_claims):
        prefix = f"claims[{index}]"
        kind = _choice("claim_kind", raw.get("kind"), f"{prefix}.kind", errors)
        amount = None
        if "amount_fen" in raw and raw["amount_fen"] not in (None, ""):
            value = raw["amount_fen"]
            if isinstance(value, bool) or not isinstance(value, int):
                errors.append(FieldError(f"{prefix}.amount_fen", "应为整数（分）"))
            else:
                amount = value
        elif raw.get("amount_yuan") not in (None, ""):
            try:
                amount = parse_yuan(raw["amount_yuan"])
            except ValueError as exc:
                errors.append(FieldError(f"{prefix}.amount", str(exc)))
        else:
            errors.append(FieldError(f"{prefix}.amount", "缺少金额"))
        if amount is not None:
            if amount < 0:
                errors.append(FieldError(f"{prefix}.amount", "金额不能为负"))
            elif amount > MAX_AMOUNT_FEN:
                errors.append(FieldError(f"{prefix}.amount", "金额超过上限（10万亿元），请核对"))
            elif kind:
                claims.append(ClaimInput(kind=kind, amount_fen=amount, note=str(raw.get("note") or "").strip()[:200]))
    return claims


def parse_case(raw: dict, *, today: dt.date | None = None) -> CaseInput:
    """Validate a registration. Raises ValidationFailed with every problem found, not just the first."""
    from django.utils import timezone

    today = today or timezone.localdate()
    errors: list[FieldError] = []
    warnings: list[str] = []
    court_code = _text(raw, "court_code", "court_code", errors, required=True, max_length=12)
    case_type = _choice("case_type", raw.get("case_type") or CaseType.FIRST, "case_type", errors)
    filed_on = _date(raw, "filed_on", "filed_on", errors, today)

    basis_raw = raw.get("basis") or {}
    effective_on = _date(basis_raw, "effective_on", "basis.effective_on", errors, today)
    if effective_on and filed_on and effective_on > filed_on:
        errors.append(FieldError("basis.effective_on", f"执行依据生效日期 {effective_on} 晚于立案日期 {filed_on}，不可能"))
    basis = BasisInput(
        document_number=_text(basis_raw, "document_number", "basis.document_number", errors, required=True, max_length=60),
        issuing_court=_text(basis_raw, "issuing_court", "basis.issuing_court", errors, required=True, max_length=100),
        effective_on=effective_on,
        main_text=str(basis_raw.get("main_text") or "").strip(),
    )

    parties = [
        parse_party(p, f"parties[{i}]", errors, warnings, today) for i, p in enumerate(raw.get("parties") or [])
    ]
    roles = {p.role for p in parties}
    if "applicant" not in roles:
        errors.append(FieldError("parties", "至少需要一名申请执行人"))
    if "respondent" not in roles:
        errors.append(FieldError("parties", "至少需要一名被执行人"))
    seen = {}
    for i, p in enumerate(parties):
        key = (p.role, p.id_number or p.credit_code)
        if key[1] and key in seen:
            errors.append(FieldError(f"parties[{i}]", f"与 parties[{seen[key]}] 重复（同一地位、同一证件号）"))
        seen.setdefault(key, i)

    raw_claims = raw.get("claims") or []
    if not raw_claims:
        errors.append(FieldError("claims", "缺少申请执行标的金额"))
    claims = parse_claims(raw_claims, errors)

    if errors:
        raise ValidationFailed(errors)
    return CaseInput(
        court_code=court_code,
        case_type=case_type,
        filed_on=filed_on,
        basis=basis,
        parties=parties,
        claims=claims,
        case_number=str(raw.get("case_number") or "").strip(),
        warnings=warnings,
    )
