"""SQL helpers shared by the deadline engine's steps (engine, memo, property_facts)."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from .rules import DeadlineRule


def sql_list(values) -> str:
    """A SQL list of node codes. They come from rules.py, never from input; checked anyway."""
    for value in values:
        if not value.replace("_", "").isalnum():
            raise ValueError(f"not a node code: {value!r}")
    return ", ".join(f"'{v}'" for v in values)


def sql_date(value: dt.date | None):
    """A date as the backend stores it (ISO text on SQLite), for raw SQL parameters."""
    return connection.ops.adapt_datefield_value(value)


def as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def drop_temp(cursor, *names: str) -> None:
    for name in names:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def analyze(cursor, name: str) -> None:
    # PostgreSQL never auto-analyzes temporary tables; without statistics it guesses join plans badly.
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {name}")


def col(rule: DeadlineRule, what: str) -> str:
    """The facts table's column of a rule (start_payout, met_payout …)."""
    return f"{what}_{rule.code}"
