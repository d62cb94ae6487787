"""Importing the price tables: versions with effective dates, whole or not at all, errors by row and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from zhixing.cases.exceptions import NotAllowed, ValidationFailed
from zhixing.disposal import price_tables
from zhixing.disposal.models import BuildingPrice, FloorCoefficient, OrientationCoefficient, PriceTable

from .conftest import PRICE_TABLE_CSV, VEHICLE_CSV, D

NEW_YEAR = D(2026, 1, 1)


def _import(actor, court, content: bytes, *, kind="real_estate", effective_from=NEW_YEAR, name="t.csv"):
    return price_tables.price_table_import(actor=actor, court=court, kind=kind, file_name=name, content=content,
                                           effective_from=effective_from, source="温岭市税务局")


def test_a_table_is_imported_whole_with_its_coefficients(command_centre, courts):
    table, created = _import(command_centre, courts["court"], PRICE_TABLE_CSV.encode())
    assert created and (table.version, table.rows) == (1, 10)
    building = BuildingPrice.objects.get(table=table, estate_key="锦园小区", building="4")  # "4幢" read as 4
    assert building.base_price_fen == 1_100_000
    assert FloorCoefficient.objects.filter(table=table).count() == 4
    assert set(OrientationCoefficient.objects.filter(table=table).values_list("orientation", flat=True)) == {"南", "东", "默认"}


def test_the_same_file_twice_is_one_version(command_centre, courts):
    first, _ = _import(command_centre, courts["court"], PRICE_TABLE_CSV.encode())
    again, created = _import(command_centre, courts["court"], PRICE_TABLE_CSV.encode(), effective_from=D(2027, 1, 1))
    assert again == first and not created and PriceTable.objects.count() == 1


def test_one_bad_row_and_nothing_is_imported_every_error_named_by_row_and_column(command_centre, courts):
    bad = PRICE_TABLE_CSV.replace("12345.60", "12345.6x") + "楼层系数,,,,多层,,5,,1.0300\n朝向系数,,,,,,,西,12\n楼幢,新村,1,9000,无此表,,,,\n"
    with pytest.raises(ValidationFailed) as refused:
        _import(command_centre, courts["court"], bad.encode())
    found = {(e.row, e.field) for e in refused.value.errors}
    assert (2, "基准价（元/平方米）") in found
    assert (12, "楼层") in found  # the duplicate 5th floor of 多层
    assert (13, "系数") in found  # a coefficient of 12
    assert (14, "系数表") in found  # a building whose scale has no floors
    assert not PriceTable.objects.exists() and not BuildingPrice.objects.exists()


def test_a_missing_column_names_it(command_centre, courts):
    with pytest.raises(ValidationFailed) as refused:
        _import(command_centre, courts["court"], "品牌型号,价格（元）\nA,1\n".encode(), kind="vehicle")
    assert "年款" in refused.value.message


def test_a_new_version_must_take_effect_after_the_current_one(command_centre, courts):
    _import(command_centre, courts["court"], PRICE_TABLE_CSV.encode(), effective_from=D(2026, 6, 1))
    with pytest.raises(ValidationFailed) as refused:
        _import(command_centre, courts["court"], PRICE_TABLE_CSV.replace("11000", "11100").encode(), effective_from=D(2026, 6, 1))
    assert refused.value.errors[0].field == "effective_from"
    table, _ = _import(command_centre, courts["court"], PRICE_TABLE_CSV.replace("11000", "11100").encode(),
                       effective_from=D(2026, 7, 1))
    assert table.version == 2
    assert price_tables.table_in_force(courts["court"].pk, "real_estate", D(2026, 6, 30)).version == 1
    assert price_tables.table_in_force(courts["court"].pk, "real_estate", D(2026, 7, 1)).version == 2
    assert price_tables.table_in_force(courts["court"].pk, "real_estate", D(2026, 5, 31)) is None


def test_an_xlsx_vehicle_table(command_centre, courts):
    book = Workbook()
    sheet = book.active
    for line in VEHICLE_CSV.strip().splitlines():
        sheet.append(line.split(","))
    sheet.append(["比亚迪秦", 2023, 88000.5])  # a number cell with a float, read exactly
    out = io.BytesIO()
    book.save(out)
    table, _ = _import(command_centre, courts["court"], out.getvalue(), kind="vehicle", name="v.xlsx")
    assert table.rows == 3
    assert table.vehicles.get(model="比亚迪秦").price_fen == 8_800_050


def test_only_leaders_and_the_command_centre_import(judge, courts):
    with pytest.raises(NotAllowed):
        _import(judge, courts["court"], PRICE_TABLE_CSV.encode())
