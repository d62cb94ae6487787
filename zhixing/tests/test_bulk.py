"""zhixing.bulk: plain row tuples stored exactly as the ORM would store the same values, on SQLite
(executemany) and PostgreSQL (COPY). Valuation is the model: it has a datetime, a date, JSON,
decimals and nullable columns, and its foreign keys are not checked by the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from zhixing.bulk import insert_rows
from zhixing.disposal.choices import LookupOutcome, TableKind
from zhixing.disposal.models import Valuation
from zhixing.property.models import Asset

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Every column of Valuation but the id, as attnames.
COLUMNS = tuple(f.attname for f in Valuation._meta.concrete_fields if not f.primary_key)


@pytest.fixture
def values(judge, make_case) -> dict:
    case = make_case()
    asset = Asset.objects.create(kind="real_estate", identity_key="京（2020）海淀区不动产权第0000001号",
                                 owner_name="王某", owner_identity="110108197001011234", description="海淀区某小区1幢")
    return {
        "court_id": case.court_id, "case_id": case.pk, "asset_id": asset.pk, "user_id": judge.pk,
        # Microseconds, and a Beijing time whose UTC day is the day before.
        "at": dt.datetime(2026, 3, 5, 7, 30, 15, 123456, tzinfo=SHANGHAI), "on": dt.date(2026, 3, 5),
        "kind": TableKind.REAL_ESTATE, "table_id": None, "batch_id": None, "outcome": LookupOutcome.VALUED,
        "inputs": {"address": "海淀区某小区1幢1单元101", "area": "89.50", "rooms": [3, None, True], "note": "\"引号\""},
        "area": Decimal("89.50"), "base_price_fen": 6_500_000, "floor_coefficient": Decimal("1.0250"),
        "orientation_coefficient": None, "value_fen": 596_243_750, "message": "",
    }


def row_of(values: dict) -> tuple:
    return tuple(values[c] for c in COLUMNS)


def orm_values(pk: int) -> dict:
    obj = Valuation.objects.get(pk=pk)
    return {c: getattr(obj, c) for c in COLUMNS}


def raw_row(pk: int) -> tuple:
    """The row as the database holds it: storage class and literal on SQLite, text on PostgreSQL."""
    columns = [connection.ops.quote_name(Valuation._meta.get_field(c).column) for c in COLUMNS]
    if connection.vendor == "sqlite":
        select = ", ".join(f"typeof({c}) || ':' || quote({c})" for c in columns)
    else:
        select = ", ".join(f"{c}::text" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {Valuation._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()


def inserted_pk() -> int:
    return Valuation.objects.order_by("-id").values_list("id", flat=True).first()


def test_it_stores_dates_datetimes_json_decimals_and_nulls_as_the_orm_does(values):
    saved = Valuation.objects.create(**values)

    assert insert_rows(Valuation, COLUMNS, [row_of(values)]) == 1

    pk = inserted_pk()
    assert pk != saved.pk
    assert orm_values(pk) == orm_values(saved.pk)
    assert raw_row(pk) == raw_row(saved.pk)
    back = orm_values(pk)
    assert back["at"] == dt.datetime(2026, 3, 4, 23, 30, 15, 123456, tzinfo=dt.UTC)
    assert back["on"] == dt.date(2026, 3, 5)
    assert back["inputs"] == values["inputs"]
    assert back["area"] == Decimal("89.50") and back["floor_coefficient"] == Decimal("1.0250")
    assert back["orientation_coefficient"] is None and back["table_id"] is None


def test_a_naive_datetime_is_beijing_time_and_a_datetime_in_a_date_column_its_beijing_date(values):
    # 2026-03-04 17:30 UTC is already 5 March in Beijing.
    late = dt.datetime(2026, 3, 4, 17, 30, tzinfo=dt.UTC)
    naive = dt.datetime(2026, 3, 5, 7, 30, 15, 123456)
    values |= {"at": naive, "on": late}

    insert_rows(Valuation, COLUMNS, [row_of(values)])

    back = orm_values(inserted_pk())
    assert back["at"] == dt.datetime(2026, 3, 5, 7, 30, 15, 123456, tzinfo=SHANGHAI)
    assert back["on"] == dt.date(2026, 3, 5)


def test_values_already_adapted_go_to_the_driver_as_given(values):
    saved = Valuation.objects.create(**values)
    ops = connection.ops
    adapted = values | {
        "at": ops.adapt_datetimefield_value(values["at"]), "on": ops.adapt_datefield_value(values["on"]),
        "inputs": ops.adapt_json_value(values["inputs"], None), "area": "89.50", "floor_coefficient": "1.0250",
    }

    insert_rows(Valuation, COLUMNS, [row_of(adapted)], adapt=False)

    assert raw_row(inserted_pk()) == raw_row(saved.pk)


def test_an_unknown_column_is_refused_by_name_and_nothing_is_written(values):
    columns = (*COLUMNS, "apraisal_note")

    with pytest.raises(RuntimeError, match=r"Valuation.*unknown \['apraisal_note'\]"):
        insert_rows(Valuation, columns, [(*row_of(values), "x")])

    assert not Valuation.objects.exists()


def test_with_complete_a_missing_not_null_column_is_refused_by_name(values):
    columns = tuple(c for c in COLUMNS if c != "outcome")
    row = tuple(values[c] for c in columns)

    with pytest.raises(RuntimeError, match=r"Valuation.*missing \['outcome'\]"):
        insert_rows(Valuation, columns, [row], complete=True)

    assert not Valuation.objects.exists()


def test_a_column_given_twice_is_refused(values):
    with pytest.raises(RuntimeError, match=r"repeated \['court_id'\]"):
        insert_rows(Valuation, ("court", *COLUMNS), [(values["court_id"], *row_of(values))])


def test_an_empty_list_returns_zero_and_writes_nothing(values):
    assert insert_rows(Valuation, COLUMNS, [], complete=True) == 0
    assert not Valuation.objects.exists()
    # The column list is still checked: a wrong one fails on the first run, rows or none.
    with pytest.raises(RuntimeError, match="unknown"):
        insert_rows(Valuation, ("nosuch",), [])


def test_rows_in_chunks_are_all_stored_and_adapted(values):
    # Field names (court, case…) as well as attnames; every chunk's JSON and dates adapted.
    names = tuple(c.removesuffix("_id") if c.endswith("_id") else c for c in COLUMNS)
    rows = [row_of(values | {"at": values["at"] + dt.timedelta(minutes=i), "inputs": {"n": i},
                             "message": f"第{i}条"}) for i in range(5)]

    assert insert_rows(Valuation, names, rows, chunk=2) == 5

    stored = list(Valuation.objects.order_by("id").values_list("message", "inputs", "at", "on"))
    assert stored == [(f"第{i}条", {"n": i}, values["at"] + dt.timedelta(minutes=i), values["on"]) for i in range(5)]
