"""Amounts in capitals and figures, dates in characters, the application fee, and the field list:
what a template may use, how a misspelling is caught, and that the docs list every field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from zhixing.documents.distribution import Claim, by_seizure, pro_rata, ratio_text
from zhixing.documents.fields import known_paths, unknown_fields
from zhixing.documents.formatting import amount_capital, amount_digits, date_chinese, date_text
from zhixing.documents.rules import application_fee_fen

DOCS = Path(__file__).resolve().parents[3] / "docs" / "documents.md"


@pytest.mark.parametrize(("fen", "capital", "digits"), [
    (7, "人民币柒分", "0.07元"),
    (1_010, "人民币壹拾元壹角", "10.10元"),
    (10_000_005, "人民币壹拾万元零伍分", "100,000.05元"),
    (100_500, "人民币壹仟零伍元整", "1,005.00元"),
    (9_999_999_999_999, "人民币玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分", "99,999,999,999.99元"),
    (0, "人民币零元整", "0.00元"),
    (101_001, "人民币壹仟零壹拾元零壹分", "1,010.01元"),
])
def test_amounts_in_capitals_and_figures_at_the_edges(fen, capital, digits):
    assert amount_capital(fen) == capital
    assert amount_digits(fen) == digits


def test_amounts_refuse_floats_negatives_and_the_unwritable():
    with pytest.raises(TypeError):
        amount_capital(10.1)
    with pytest.raises(ValueError):
        amount_capital(-1)
    with pytest.raises(ValueError):
        amount_capital(10**16)
    assert amount_capital(None) == "" and amount_digits(None) == ""


def test_dates_under_the_signature_in_characters_and_in_the_text_in_figures():
    assert date_chinese(dt.date(2026, 11, 23)) == "二〇二六年十一月二十三日"
    assert date_chinese(dt.date(2030, 10, 10)) == "二〇三〇年十月十日"
    assert date_chinese(dt.date(2027, 1, 31)) == "二〇二七年一月三十一日"
    assert date_chinese(dt.date(2026, 2, 20)) == "二〇二六年二月二十日"
    assert date_text(dt.date(2026, 1, 5)) == "2026年1月5日"


@pytest.mark.parametrize(("claim_yuan", "fee_yuan"), [
    (0, 50), (10_000, 50), (10_001, "50.02"), (500_000, 7_400), (5_000_000, 52_400), (10_000_000, 77_400),
    (20_000_000, 87_400),
])
def test_the_application_fee_by_band(claim_yuan, fee_yuan):
    from decimal import Decimal

    assert application_fee_fen(claim_yuan * 100) == int(Decimal(str(fee_yuan)) * 100)


def test_pro_rata_shares_add_up_to_the_pot_to_the_fen():
    claims = [Claim("甲", "1", 100_000), Claim("乙", "2", 100_000), Claim("丙", "3", 100_000)]
    pro_rata(100_000, claims)
    assert sorted(c.share_fen for c in claims) == [33_333, 33_333, 33_334]
    assert sum(c.share_fen for c in claims) == 100_000
    enough = [Claim("甲", "1", 500), Claim("乙", "2", 700)]
    pro_rata(10_000, enough)
    assert [c.share_fen for c in enough] == [500, 700]  # never more than owed


def test_by_seizure_pays_the_earliest_seizure_first():
    claims = [Claim("后", "2", 80_000, dt.date(2026, 7, 2)), Claim("先", "1", 60_000, dt.date(2026, 7, 1))]
    by_seizure(100_000, claims)
    assert {c.creditor: c.share_fen for c in claims} == {"先": 60_000, "后": 40_000}
    assert ratio_text(40_000, 80_000) == "50.00%" and ratio_text(1, 3) == "33.33%"


def test_unknown_fields_are_named_with_their_path():
    source = ("{{ case.number }}{{ case.numbr }}{% for m in measures %}{{ m.kind }}{{ m.knd }}{{ loop.index }}{% endfor %}"
              "{{ nosuch }}{% set x = case.number %}{{ x.anything }}{{ respondents[0].name }}{{ respondents[0].nam }}"
              "{% for r in distribution.rows %}{{ r.share }}{% endfor %}{{ distribution.rows[0].shar }}"
              "{% macro line(p) %}{{ p.whatever }}{% endmacro %}{{ line(case) }}{{ case['handler'] }}")
    assert unknown_fields(source) == ["case.numbr", "distribution.rows[].shar", "measures[].knd", "nosuch",
                                      "respondents[].nam"]


def test_the_docs_list_every_field():
    text = DOCS.read_text(encoding="utf-8")
    missing = [path for path, _ in known_paths() if f"`{path}`" not in text]
    assert not missing, f"docs/documents.md lacks {missing}"
