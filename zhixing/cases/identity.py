"""Identity numbers of parties: the 18-digit resident ID and the 18-character unified social credit code.

Rejected on format, birth date and check digit. The region code is only *warned* about: an ID carries
the region code in force when it was issued, often years after birth, so python-stdnum's
region-by-birth-year check would reject genuine IDs (../shared/STACK.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError


class IdentityError(ValueError):
    """A number that cannot be right. The message says which rule it breaks, in Chinese."""


@dataclass
class Checked:
    number: str
    birth_on: dt.date | None = None
    warnings: list[str] = field(default_factory=list)


def check_id_number(raw: str, *, today: dt.date | None = None) -> Checked:
    number = (raw or "").strip().replace(" ", "").upper()
    if len(number) != 18:
        raise IdentityError(f"身份证号应为18位，实为{len(number)}位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdentityError("身份证号前17位应为数字，末位为数字或X")
    try:
        birth_on = ric.get_birth_date(number)
    except StdnumError as exc:
        raise IdentityError(f"身份证号中的出生日期 {number[6:14]} 不是有效日期") from exc
    today = today or timezone.localdate()  # Beijing date, not the server's
    if birth_on > today or birth_on.year < 1900:
        raise IdentityError(f"身份证号中的出生日期 {birth_on:%Y-%m-%d} 不可能")
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise IdentityError(f"身份证号校验位错误（GB 11643，ISO 7064 MOD 11-2）：末位应为 {expected}，实为 {number[17]}")
    warnings = []
    if not _region_known(number[:6]):
        warnings.append(f"身份证号地区码 {number[:6]} 不在行政区划表中，请核对（不影响登记）")
    return Checked(number=number, birth_on=birth_on, warnings=warnings)


def _region_known(code: str) -> bool:
    # The table answers per part (province, then county); a county entry is what makes a code known.
    return any("county" in props for _part, props in numdb.get("cn/loc").info(code))


def check_credit_code(raw: str) -> Checked:
    number = (raw or "").strip().replace(" ", "").upper()
    if len(number) != 18:
        raise IdentityError(f"统一社会信用代码应为18位，实为{len(number)}位")
    try:
        uscc.validate(number)
    except uscc.InvalidChecksum as exc:
        raise IdentityError(
            f"统一社会信用代码校验位错误（GB 32100）：末位应为 {uscc.calc_check_digit(number)}，实为 {number[17]}"
        ) from exc
    except StdnumError as exc:
        raise IdentityError("统一社会信用代码格式错误（GB 32100：前8位为数字，其余为数字或不含I、O、S、V、Z的大写字母）") from exc
    return Checked(number=number)
