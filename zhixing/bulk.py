"""Bulk inserts of plain row tuples: COPY on PostgreSQL, one prepared INSERT over all rows
(executemany) on SQLite.

Why not QuerySet.bulk_create: it makes a model instance and runs the SQL compiler for every value
(about 5 µs each) and on SQLite sends at most 999 parameters per statement — minutes instead of
seconds for the hundreds of thousands of rows the demo builder, a batch valuation, a netting
proposal, the nightly supervision run or the related-case benchmark's synthetic cases write.
Dates, datetimes, JSON and decimals are adapted as the ORM adapts them (the backend's own
adapters), so what is stored is what the ORM would store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import connection as default_connection
from django.db import models
from django.utils import timezone


def model_fields(model: type[models.Model], columns: Sequence[str], *, complete: bool = False) -> list[models.Field]:
    """The model's fields for `columns` (attnames such as `court_id`, or field names such as
    `court`). `complete`: every concrete field but the primary key must be given, so that a new
    NOT NULL field fails loudly here rather than in the database."""
    concrete = model._meta.concrete_fields
    by_key = {f.name: f for f in concrete} | {f.attname: f for f in concrete}
    unknown = [c for c in columns if c not in by_key]
    attnames = [by_key[c].attname for c in columns if c in by_key]
    repeated = sorted({a for a in attnames if attnames.count(a) > 1})
    missing = [f.attname for f in concrete if complete and f.attname not in attnames and not f.primary_key]
    if unknown or missing or repeated:
        raise RuntimeError(f"{model.__name__}: columns out of step with the model "
                           f"(unknown {unknown}, missing {missing}, repeated {repeated})")
    return [by_key[c] for c in columns]


def adapter(field: models.Field, connection=default_connection) -> Callable | None:
    """The backend's adapter for a field's Python value, or None where the driver takes it as is."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        adapt_datetime = ops.adapt_datetimefield_value
        if not settings.USE_TZ:
            return adapt_datetime
        local = timezone.get_default_timezone()
        # A naive datetime means Beijing time, as the ORM reads it (DateTimeField.get_prep_value);
        # the backend adapter alone would store it as UTC on SQLite — eight hours off.
        return lambda value: adapt_datetime(
            value if value is None or value.tzinfo is not None else timezone.make_aware(value, local))
    if isinstance(field, models.DateField):
        adapt_date = ops.adapt_datefield_value
        local = timezone.get_default_timezone()

        def date_value(value):
            # A datetime keeps its Beijing date, as the ORM does (DateField.to_python); SQLite would
            # otherwise store the datetime's text in a date column.
            if isinstance(value, dt.datetime):
                if settings.USE_TZ and timezone.is_aware(value):
                    value = timezone.make_naive(value, local)
                value = value.date()
            return adapt_date(value)

        return date_value
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else ops.adapt_json_value(value, field.encoder)
    if isinstance(field, models.DecimalField):
        return lambda value: None if value is None else str(value)
    return None


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence], *, adapt: bool = True,
                complete: bool = False, connection=default_connection, chunk: int = 10_000) -> int:
    """Insert `rows` (tuples in the order of `columns`) into the model's table; returns how many.
    `adapt=False`: the values are already as stored (ISO dates, JSON text). `chunk`: rows per
    executemany on SQLite (PostgreSQL: one COPY). The caller holds the transaction; on PostgreSQL
    the id sequence is not moved by rows that bring their own ids."""
    # Checked even for no rows: a column list out of step with the model fails on the first run.
    fields = model_fields(model, columns, complete=complete)
    if not rows:
        return 0
    converters = [(i, conv) for i, f in enumerate(fields) if (conv := adapter(f, connection)) is not None] if adapt else []
    qn = connection.ops.quote_name
    table, names = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)

    def adapted(part):
        # Row by row as they are written: COPY's server works on the first rows while the next are
        # adapted (a chunk adapted beforehand cost up to a second of wall time in 440,000 rows).
        for row in part:
            row = list(row)
            for i, conv in converters:
                row[i] = conv(row[i])
            yield row

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is several times faster than a pipelined executemany on psycopg 3.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                write = copy.write_row
                for row in adapted(rows) if converters else rows:
                    write(row)
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
            for start in range(0, len(rows), chunk):
                part = rows[start:start + chunk]
                cursor.executemany(sql, adapted(part) if converters else part)
    return len(rows)
