"""Stored deadlines of a case, computed from TIME_LIMITS (groundwork for the deadline engine, C06)."""

from __future__ import annotations

import datetime as dt

from zhixing.workdays import calendar

from .rules import TIME_LIMITS, TimeLimit


def due_date(limit: TimeLimit, start: dt.date) -> dt.date:
    if limit.unit == "days":
        return calendar.add_days(start, limit.amount)
    if limit.unit == "working_days":
        return calendar.add_working_days(start, limit.amount)
    if limit.unit == "months":
        return calendar.add_months(start, limit.amount)
    raise ValueError(f"unknown unit {limit.unit!r}")


def registration_deadlines(filed_on: dt.date) -> dict[str, dt.date]:
    return {
        "assign_due": due_date(TIME_LIMITS["assign"], filed_on),
        "notice_due": due_date(TIME_LIMITS["enforcement_notice"], filed_on),
        "close_due": due_date(TIME_LIMITS["close_with_property"], filed_on),
    }


def archive_deadline(closed_on: dt.date) -> dt.date:
    return due_date(TIME_LIMITS["archive"], closed_on)


def earliest_zhongben(filed_on: dt.date) -> dt.date:
    """终本 needs *more than* 3 months since filing (法〔2016〕373号 Art. 1(4)): the day after the
    3-month date. No roll-off: this is a minimum, not a period that must end on a workday."""
    months = TIME_LIMITS["zhongben_minimum"].amount
    return calendar.add_months(filed_on, months, roll_off_rest_day=False) + dt.timedelta(days=1)
