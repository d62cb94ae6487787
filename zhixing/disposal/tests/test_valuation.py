"""Directed inquiry, Wenling style: the formula on a hand-worked example, the address read, the price
table versions, every lookup logged and the daily limit, lookups outside a case refused, the batch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhixing.cases.exceptions import DomainError, NotAllowed, NotFound, ValidationFailed
from zhixing.disposal import price_tables, valuation
from zhixing.disposal.models import DisposalSettings, Valuation, ValuationBatch

from .conftest import FLAT, PRICE_TABLE_CSV, D, register, seal

# ---------------------------------------------------------------- the formula


def test_the_wenling_formula_on_a_hand_worked_example():
    # 89.56 × 1,234,560 fen = 110,567,193.6; × 1.02 = 112,778,537.472; × 0.98 = 110,522,966.72256 → 110,522,967 fen
    assert valuation.wenling_value_fen(Decimal("89.56"), 1_234_560, Decimal("1.0200"), Decimal("0.9800")) == 110_522_967


def test_the_formula_rounds_half_up_to_the_fen_once_at_the_end():
    # 10.05 × 10 fen = 100.5 fen exactly: half up gives 101 (banker's rounding would give 100)
    assert valuation.wenling_value_fen(Decimal("10.05"), 10, Decimal("1"), Decimal("1")) == 101
    # 10.04 × 10 = 100.4 → 100
    assert valuation.wenling_value_fen(Decimal("10.04"), 10, Decimal("1"), Decimal("1")) == 100


def test_the_address_gives_estate_building_and_floor():
    estates = frozenset({"锦园小区", "园小区", "东方花园"})
    flat = valuation.from_address("浙江省温岭市太平街道锦园小区3幢501室", "89.56", estates)
    assert (flat.estate, flat.building, flat.floor, flat.area) == ("锦园小区", "3", 5, Decimal("89.56"))  # longest estate wins
    high = valuation.from_address("温岭市城东街道东方花园１２栋１００３室", "120", estates)  # full-width digits
    assert (high.estate, high.building, high.floor) == ("东方花园", "12", 10)
    unknown = valuation.from_address("温岭市某村42号", "80", estates)
    assert unknown.building == "" and unknown.floor is None


def test_the_batchs_json_text_is_the_lookups_inputs():
    import json

    flat = valuation.FlatInput(estate='锦园"小区\\', building="3", floor=None, orientation="", area=Decimal("89.50"))
    assert json.loads(flat.json_text()) == flat.as_json()
    flat.floor = 5
    assert json.loads(flat.json_text()) == flat.as_json()


# ---------------------------------------------------------------- one lookup


def test_a_flat_lookup_values_the_flat_and_cites_the_table_version(judge, case, flat, price_table):
    result = valuation.flat_lookup(actor=judge, case=case, asset=flat, orientation="东", estate="锦园小区",
                                   building="3", floor=5, area="89.56")
    assert result.value_fen == 110_522_967
    assert result.table == price_table and price_table.version == 1
    assert (result.base_price_fen, result.floor_coefficient, result.orientation_coefficient) == (
        1_234_560, Decimal("1.0200"), Decimal("0.9800"))
    assert (result.user, result.case, result.on) == (judge, case, D(2026, 11, 25))


def test_without_typed_facts_the_address_is_read_and_the_default_orientation_used(judge, case, flat, price_table):
    result = valuation.flat_lookup(actor=judge, case=case, asset=flat)
    # 89.56 × 1,234,560 × 1.02 × 1.0000 = 112,778,537.472 → 112,778,537 fen
    assert result.value_fen == 112_778_537
    assert result.inputs["source"] == "address"


def test_facts_typed_once_are_used_by_the_next_lookup(judge, case, flat, price_table):
    valuation.flat_lookup(actor=judge, case=case, asset=flat, estate="锦园小区", building="3", floor=5, orientation="东",
                          area="89.56")
    again = valuation.flat_lookup(actor=judge, case=case, asset=flat)
    assert again.value_fen == 110_522_967 and again.inputs["source"] == "facts"


def test_a_flat_the_table_lacks_is_logged_as_not_valued(judge, case, price_table):
    asset = register(judge, case, details={**FLAT, "certificate_number": "X2", "address": "温岭市锦园小区9幢101室"})
    seal(judge, case, asset)
    result = valuation.flat_lookup(actor=judge, case=case, asset=asset)
    assert result.value_fen is None and result.outcome == "not_found"
    assert "锦园小区9幢" in result.message


def test_the_table_in_force_on_the_day_is_used(judge, case, flat, price_table, command_centre, courts):
    newer = PRICE_TABLE_CSV.replace("12345.60", "13000.00")
    table2, created = price_tables.price_table_import(
        actor=command_centre, court=courts["court"], kind="real_estate", file_name="2027.csv", content=newer.encode(),
        effective_from=D(2027, 1, 1), source="温岭市税务局")
    assert created and table2.version == 2
    assert valuation.flat_lookup(actor=judge, case=case, asset=flat).table == price_table  # 2027 not yet in force


def test_a_vehicle_is_valued_by_model_and_year(judge, case, car, vehicle_table):
    result = valuation.vehicle_lookup(actor=judge, case=case, asset=car, year=2022)
    assert result.value_fen == 7_200_050 and result.table == vehicle_table
    missing = valuation.vehicle_lookup(actor=judge, case=case, asset=car, year=2019)
    assert missing.outcome == "not_found" and Valuation.objects.filter(user=judge).count() == 2


# ---------------------------------------------------------------- log, limit, scope


def test_every_lookup_is_logged_and_the_daily_limit_is_the_courts_setting(judge, case, flat, price_table, courts):
    DisposalSettings.objects.create(court=courts["court"], daily_lookup_limit=3)
    for _ in range(3):
        valuation.flat_lookup(actor=judge, case=case, asset=flat)
    with pytest.raises(valuation.LookupLimitReached) as refused:
        valuation.flat_lookup(actor=judge, case=case, asset=flat)
    assert "3次" in refused.value.message and refused.value.http_status == 429
    log = list(Valuation.objects.filter(user=judge).values_list("case_id", "asset_id", "on"))
    assert log == [(case.pk, flat.pk, D(2026, 11, 25))] * 3


def test_the_limit_is_per_user_and_per_day(judge, assistant, case, flat, price_table, courts, time_machine):
    DisposalSettings.objects.create(court=courts["court"], daily_lookup_limit=1)
    valuation.flat_lookup(actor=judge, case=case, asset=flat)
    valuation.flat_lookup(actor=assistant, case=case, asset=flat)  # another user: their own count
    time_machine.move_to(dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    valuation.flat_lookup(actor=judge, case=case, asset=flat)  # the next day: counted afresh
    assert Valuation.objects.filter(user=judge).count() == 2


def test_a_lookup_outside_a_case_is_refused(judge, flat, price_table):
    with pytest.raises(ValidationFailed) as refused:
        valuation.flat_lookup(actor=judge, case=None, asset=flat)
    assert refused.value.errors[0].field == "case"


def test_a_lookup_of_an_asset_not_in_the_case_is_refused(judge, make_case, flat, price_table):
    other = make_case()
    with pytest.raises(ValidationFailed) as refused:
        valuation.flat_lookup(actor=judge, case=other, asset=flat)
    assert "未在本案登记" in refused.value.message
    assert not Valuation.objects.exists()


def test_another_courts_judge_and_a_supervisor_cannot_look_up(other_judge, supervisor, case, flat, price_table):
    with pytest.raises(NotFound):
        valuation.flat_lookup(actor=other_judge, case=case, asset=flat)
    with pytest.raises(NotAllowed):
        valuation.flat_lookup(actor=supervisor, case=case, asset=flat)


def test_no_table_in_force_is_a_clear_refusal(judge, case, flat):
    with pytest.raises(DomainError) as refused:
        valuation.flat_lookup(actor=judge, case=case, asset=flat)
    assert refused.value.code == "no_price_table"


# ---------------------------------------------------------------- the batch


def test_the_batch_values_every_seized_flat_of_the_court_once(judge, command_centre, make_case, case, flat, price_table):
    second = make_case(filed_on=D(2026, 3, 2))
    flat2 = register(judge, second, details={**FLAT, "certificate_number": "X2", "address": "温岭市东方花园12幢1003室",
                                             "area": "100"})
    seal(judge, second, flat2)
    seal(judge, second, register(judge, second))  # the same flat queued behind the first case: valued once
    unknown = register(judge, second, details={**FLAT, "certificate_number": "X3", "address": "温岭市某村42号"})
    seal(judge, second, unknown)
    batch = valuation.valuation_batch(actor=command_centre, court=case.court)
    assert (batch.flats, batch.valued, batch.not_valued) == (3, 2, 1)
    # 100 × 880,000 × 1.03 × 1 = 90,640,000 fen; the first flat as above with the default orientation
    assert batch.total_fen == 112_778_537 + 90_640_000
    by_asset = {v.asset_id: v for v in Valuation.objects.filter(batch=batch)}
    assert by_asset[flat.pk].case_id == case.pk  # the case of the earliest seizure
    logged = by_asset[flat2.pk]  # written by the batch's own insert: read back as any lookup
    assert (logged.at, logged.on, logged.user, logged.table) == (batch.at, D(2026, 11, 25), command_centre, price_table)
    assert logged.inputs["estate"] == "东方花园" and logged.floor_coefficient == Decimal("1.0300")
    assert logged.value_fen == 90_640_000 and logged.area == Decimal("100")
    assert by_asset[unknown.pk].outcome == "not_found"
    assert batch.reasons == {"地址中无法识别小区或楼幢，请录入房屋要素": 1}


def test_the_batch_is_the_command_centres_and_limited_per_day(judge, command_centre, case, flat, price_table, courts):
    with pytest.raises(NotAllowed):
        valuation.valuation_batch(actor=judge, court=case.court)
    DisposalSettings.objects.create(court=courts["court"], daily_batch_limit=1)
    valuation.valuation_batch(actor=command_centre, court=case.court)
    with pytest.raises(valuation.LookupLimitReached):
        valuation.valuation_batch(actor=command_centre, court=case.court)
    assert ValuationBatch.objects.count() == 1
