"""The calendar, once per distinct key: the dates a rule version gives for a start date (plus
pauses and extensions) under a court's policy, remembered in DueDate (the engine's second step)."""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection

from zhixing.bulk import insert_rows
from zhixing.workdays import calendar

from . import policies
from .models import DueDate, RuleVersion
from .rules import RULES, DeadlineRule, Kind, due_date
from .sql import as_date, col, drop_temp

MEMO = DueDate._meta.db_table
_MEMO_KEY = ("rule_version_id", "policy_key", "start_on", "paused_days", "extension_months")
_MEMO_DATES = ("due_on", "yellow_on", "red_on", "team_lead_on", "division_head_on", "president_on", "lock_on")


def key_sql(rule: DeadlineRule) -> tuple[str, str, str]:
    """SQL, over the facts row f, of the rule's start date, paused days and extension months."""
    paused = "f.paused_days" if rule.pausable else "0"
    months = "f.extension_months" if rule.extendable else "0"
    return f"f.{col(rule, 'start')}", paused, months


def fill_memo(cursor, policy_by_key: dict[str, policies.Policy]) -> int:
    """Remember the dates of every key in sv_facts not yet in DueDate; returns how many were added."""
    versions = {v.pk: v for v in RuleVersion.objects.all()}
    # Escalation days are counted from the red day, which many keys share; the calendar holds still
    # during the run (a first run over a million cases on SQLite: 27,000 counts → 5,000, 0.8 → 0.2 s).
    working_days = functools.cache(calendar.add_working_days)
    added = 0
    read: dict[tuple[str, str, str], set] = {}
    for rule in RULES:
        start, paused, months = key_sql(rule)
        # Every version of the rule: a court's current one, and older ones cases keep until re-based.
        version_ids = {pk for pk, v in versions.items() if v.rule_code == rule.code}
        # Rules counted from the same day of every case (filing, closing) share one read of the facts.
        source = {Kind.FILING: "f.filed_on", Kind.CLOSING: "f.closed_on"}.get(rule.kind, start)
        if (source, paused, months) not in read:
            cursor.execute(
                f"""SELECT DISTINCT {start}, {paused}, {months}, f.policy_key FROM sv_facts f WHERE {start} IS NOT NULL"""
            )
            read[source, paused, months] = {(as_date(s), p, m, k) for s, p, m, k in cursor.fetchall()}
        keys = read[source, paused, months]
        if not keys:
            continue
        known = set(
            DueDate.objects.filter(rule_version_id__in=version_ids).values_list(
                "rule_version_id", "start_on", "paused_days", "extension_months", "policy_key"
            )
        )
        new = []
        for version_id in version_ids:
            version = versions[version_id]
            for start_on, paused_days, ext, policy_key in keys:
                if (version_id, start_on, paused_days, ext, policy_key) in known:
                    continue
                new.append(memo_row(rule, version, policy_by_key[policy_key], start_on, paused_days, ext,
                                    working_days=working_days))
        added += insert_rows(DueDate, (*_MEMO_KEY, *_MEMO_DATES), new)
    return added


def memo_for_run(cursor, case_ids: list[int] | None) -> str:
    """The table a run looks remembered dates up in. A full run on SQLite copies the memo into a
    temporary table keyed by what the rows look it up by, the dates beside the key (WITHOUT ROWID):
    one b-tree search per deadline instead of the unique index's search and then the table's — worth
    it for millions of deadlines, not for the few cases a service has just changed. PostgreSQL hashes
    the memo table itself."""
    if connection.vendor != "sqlite" or case_ids is not None:
        return MEMO
    drop_temp(cursor, "sv_memo")
    cursor.execute(
        f"""CREATE TEMP TABLE sv_memo (rule_version_id BIGINT, policy_key VARCHAR(40), start_on DATE,
            paused_days INTEGER, extension_months INTEGER, {', '.join(f'{c} DATE' for c in _MEMO_DATES)},
            PRIMARY KEY ({', '.join(_MEMO_KEY)})) WITHOUT ROWID"""
    )
    columns = ", ".join((*_MEMO_KEY, *_MEMO_DATES))
    cursor.execute(f"INSERT INTO sv_memo ({columns}) SELECT {columns} FROM {MEMO}")
    return "sv_memo"


def memo_row(rule: DeadlineRule, version: RuleVersion, policy: policies.Policy, start_on: dt.date,
             paused_days: int, extension_months: int, *, working_days=calendar.add_working_days) -> tuple:
    """A DueDate row as a tuple in the order of _MEMO_KEY and _MEMO_DATES (plain rows: a new
    installation's first run remembers thousands)."""
    due = due_date(version.amount, version.unit, start_on, extra_days=version.extra_days, roll_off=rule.roll_off,
                   extra_months=extension_months, paused_days=paused_days, first_day_counts=rule.first_day_counts)
    lead = rule.lead_days if rule.lead_days is not None else policy.yellow_lead_days
    red = due + dt.timedelta(days=1)
    lock_on = None
    if policy.locks(rule.code):
        lock_on = max(red, policy.lock_from) + dt.timedelta(days=policy.lock_after_red_days)
    return (
        version.pk, policy.key, start_on, paused_days, extension_months,
        due, due - dt.timedelta(days=lead), red,
        working_days(red, policy.team_lead_after_days),
        working_days(red, policy.division_head_after_days),
        working_days(red, policy.president_after_days),
        lock_on,
    )
