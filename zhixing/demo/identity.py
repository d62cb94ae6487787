"""Valid-looking identity numbers for demo data and tests (check digits computed, never real people)."""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric, uscc

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_id_number(*, region: str = "110108", birth_on: dt.date, serial: int, female: bool | None = None) -> str:
    """18-digit resident ID: region + birth date + 3-digit serial (odd = male) + ISO 7064 check digit."""
    serial = serial % 1000
    if female is not None and (serial % 2 == 0) != female:
        serial = (serial + 1) % 1000
    body = f"{region}{birth_on:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function expects a placeholder check digit


def make_credit_code(rng: random.Random, *, region: str = "110108") -> str:
    """18-character unified social credit code: 9 (registered by market regulator) 1 (enterprise) +
    region + 9-character organisation code + GB 32100 check character."""
    org = "".join(rng.choice(_USCC_ALPHABET) for _ in range(9))
    body = f"91{region}{org}"
    return body + uscc.calc_check_digit(body)
