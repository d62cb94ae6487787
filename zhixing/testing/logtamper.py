"""Simulated tampering with the append-only execution log, for tests of `zhixing verify-log`.

The database refuses UPDATE and DELETE on cases_logentry (migration cases/0002). To play the
attacker, a test lifts that guard for the duration of a `with log_edits_allowed():` block:
on SQLite by dropping the triggers, on PostgreSQL with session_replication_role = replica
(which skips ordinary triggers; the test cluster's role is a superuser).
"""

from __future__ import annotations

import contextlib
import importlib

from django.db import connection


@contextlib.contextmanager
def log_edits_allowed():
    triggers = importlib.import_module("zhixing.cases.migrations.0002_log_append_only")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS cases_logentry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS cases_logentry_no_delete")
        else:
            cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for sql in triggers.SQLITE:
                    cursor.execute(sql)
            else:
                cursor.execute("SET session_replication_role = DEFAULT")
