"""Fixtures of the disposal tests: today is Wednesday 2026-11-25 in Beijing; a case of 海淀 whose
respondent's flat (锦园小区3幢501室) was sealed on 2026-10-12; the tax bureau's price table in force.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from zhixing.disposal import price_tables
from zhixing.property import measures

D = dt.date
TODAY = D(2026, 11, 25)
FILED = D(2026, 3, 2)
SEALED = D(2026, 10, 12)
FLAT = {"certificate_number": "浙(2020)温岭市不动产权第0012345号", "address": "浙江省温岭市太平街道锦园小区3幢501室",
        "area": "89.56"}
CAR = {"plate": "浙J12345", "vin": "LSVAM4187C2184846", "model": "大众朗逸 1.5L 自动"}

# The hand-worked example of the tests: 89.56 m² × 12,345.60 yuan/m² × 1.0200 (5th floor) × 0.9800 (东)
PRICE_TABLE_CSV = """记录类型,小区,楼幢,基准价（元/平方米）,系数表,总层数,楼层,朝向,系数
楼幢,锦园小区,3,12345.60,多层,6,,,
楼幢,锦园小区,4幢,11000,多层,6,,,
楼幢,东方花园,12,8800.00,高层,18,,,
楼层系数,,,,多层,,1,,0.9500
楼层系数,,,,多层,,5,,1.0200
楼层系数,,,,多层,,6,,0.9700
楼层系数,,,,高层,,10,,1.0300
朝向系数,,,,,,,南,1.0000
朝向系数,,,,,,,东,0.9800
朝向系数,,,,,,,默认,1.0000
"""
VEHICLE_CSV = """品牌型号,年款,价格（元）
大众朗逸 1.5L 自动,2021,65000
大众朗逸 1.5L 自动,2022,72000.50
"""


@pytest.fixture(autouse=True)
def on_25_november_2026():
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield


@pytest.fixture(autouse=True)
def exchange_dir(settings, tmp_path):
    settings.DISPOSAL_EXCHANGE_DIR = tmp_path / "disposal-exchange"
    return settings.DISPOSAL_EXCHANGE_DIR


@pytest.fixture
def case(make_case):
    return make_case(filed_on=FILED)


def respondent(case):
    return case.parties.get(role="respondent")


def applicant(case):
    return case.parties.get(role="applicant")


def register(actor, case, kind="real_estate", details=None):
    return measures.asset_register(actor=actor, case=case, kind=kind, details=details or FLAT,
                                   owner_party=respondent(case), found_on=FILED, found_via="onsite").asset


def seal(actor, case, asset, on=SEALED, kind="seal"):
    return measures.measure_take(actor=actor, case=case, asset=asset, kind=kind, started_on=on)


@pytest.fixture
def flat(judge, case):
    asset = register(judge, case)
    seal(judge, case, asset)
    return asset


@pytest.fixture
def car(judge, case):
    asset = register(judge, case, kind="vehicle", details=CAR)
    seal(judge, case, asset, kind="detain")
    return asset


@pytest.fixture
def price_table(courts, command_centre):
    table, _ = price_tables.price_table_import(
        actor=command_centre, court=courts["court"], kind="real_estate", file_name="温岭基准价.csv",
        content=PRICE_TABLE_CSV.encode(), effective_from=D(2026, 1, 1), source="温岭市税务局")
    return table


@pytest.fixture
def vehicle_table(courts, command_centre):
    table, _ = price_tables.price_table_import(
        actor=command_centre, court=courts["court"], kind="vehicle", file_name="车辆价格.csv",
        content=VEHICLE_CSV.encode(), effective_from=D(2026, 1, 1), source="某价格认证中心")
    return table
