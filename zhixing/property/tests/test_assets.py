"""Assets: the kind's fields checked, one identity per thing, and the newest reported value kept."""

from __future__ import annotations

import datetime as dt

import pytest

from zhixing.cases.exceptions import ValidationFailed
from zhixing.property.assets import asset_upsert, clean_details, identity_key
from zhixing.property.models import Asset
from zhixing.property.rules import ASSET_KINDS

D = dt.date
OWNER = ("韩某", "110101199003070011")


def upsert(balance: str, on: dt.date, account: str = "6214 8301 0000 5678") -> Asset:
    details, value = clean_details("bank_deposit", {"bank": "招商银行", "account": account, "balance": balance})
    return asset_upsert(kind_code="bank_deposit", details=details, value_fen=value, value_on=on,
                        owner_name=OWNER[0], owner_identity=OWNER[1])[0]


@pytest.mark.django_db
def test_the_same_account_typed_two_ways_is_one_asset_and_keeps_the_newest_balance():
    first = upsert("1,000.00", D(2026, 3, 1))
    same = upsert("250", D(2026, 5, 1), account="621483010000 5678")  # spaces differ: the same account
    assert same.pk == first.pk and Asset.objects.count() == 1
    older = upsert("9,999.00", D(2026, 4, 1))  # a reply dated earlier does not overwrite a later one
    older.refresh_from_db()
    assert (older.value_fen, older.value_on) == (25_000, D(2026, 5, 1))


def test_bad_fields_are_named_with_the_row_and_money_never_goes_through_float():
    with pytest.raises(ValidationFailed) as exc:
        clean_details("real_estate", {"certificate_number": "", "address": "海淀区1号", "area": "-3"}, row=7)
    assert {(e.field, e.row) for e in exc.value.errors} == {("certificate_number", 7), ("area", 7)}
    details, value = clean_details("bank_deposit", {"bank": "工行", "account": "1", "balance": "0.29"})
    assert value == 29 and details["balance"] == 29


def test_an_equity_stake_is_the_company_and_the_holder():
    kind = ASSET_KINDS["equity"]
    details = {"company": "某公司", "company_credit_code": "91110108MA01ABCD1X", "share": "30%"}
    assert identity_key(kind, details, "110101199003070011") != identity_key(kind, details, "110101198001010017")
