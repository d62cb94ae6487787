"""Working days on the PRC calendar, and the counting of periods.

Sources, in order: an administrator's table (CalendarDay / CalendarYear), then the
`chinese_calendar` package (2004–2026 in 1.11), then Monday–Friday with a warning. A year nobody
has loaded never raises: the deadline is computed Monday–Friday and every page that used such a
year shows a warning until an administrator loads it (see middleware and context processor).

Period rules (rules.md §0): CPL Art. 85 — a period in days excludes its first day and, when its
last day is a statutory rest day, ends on the first day after it; 民法典 Art. 202 — months end on
the same date of the target month, or its last day.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import contextvars
import datetime as dt
import threading
import time
from dataclasses import dataclass, field

import chinese_calendar

Date = dt.date

# Years for which a computation fell back to Monday–Friday during the current request or command.
_fallback_years: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar("fallback_years", default=frozenset())


@dataclass(frozen=True)
class _Table:
    loaded_years: frozenset[int]
    days: dict[Date, bool]  # date → is it a workday
    read_at: float = field(default_factory=time.monotonic)


# Other processes (web workers, the job consumer) see an administrator's edit within this time.
CACHE_SECONDS = 60


_cache: _Table | None = None
_lock = threading.Lock()


def invalidate_cache() -> None:
    """Called when the table changes (admin save, load command)."""
    global _cache
    with _lock:
        _cache = None


def _table() -> _Table:
    global _cache
    table = _cache
    if table is None or time.monotonic() - table.read_at > CACHE_SECONDS:
        from .models import CalendarDay, CalendarYear, DayKind

        with _lock:
            table = _Table(
                loaded_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
                days={d: kind == DayKind.WORKDAY for d, kind in CalendarDay.objects.values_list("date", "kind")},
            )
            _cache = table
    return table


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(Date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


_package_years: dict[int, bool] = {}
# The package's answers never change while we run (its data ships with it), and asking it is slow:
# each call validates the date against min() and max() of its whole table. A nightly run asks
# hundreds of thousands of times for a few thousand dates.
_package_days: dict[Date, bool] = {}


def _package_knows_year(year: int) -> bool:
    known = _package_years.get(year)
    if known is None:
        known = _package_years[year] = _package_knows(year)
    return known


def year_source(year: int) -> str:
    """'table', 'package' or 'fallback' — where the working days of `year` come from."""
    if year in _table().loaded_years:
        return "table"
    return "package" if _package_knows_year(year) else "fallback"


def _note_fallback(year: int) -> None:
    _fallback_years.set(_fallback_years.get() | {year})


def is_workday(day: Date) -> bool:
    table = _table()
    if day in table.days:
        return table.days[day]
    source = year_source(day.year)
    if source == "package":
        known = _package_days.get(day)
        if known is None:
            known = _package_days[day] = chinese_calendar.is_workday(day)
        return known
    if source == "fallback":
        _note_fallback(day.year)
    return day.weekday() < 5


def is_rest_day(day: Date) -> bool:
    return not is_workday(day)


def add_days(start: Date, days: int) -> Date:
    """The last day of a period of `days` calendar days counted from `start` (CPL Art. 85).

    The first day is not counted, so 3 days from Monday end on Thursday; a last day that is a rest
    day (a statutory holiday or a weekend that is not a make-up workday) rolls to the next workday.
    """
    end = start + dt.timedelta(days=days)
    while is_rest_day(end):
        end += dt.timedelta(days=1)
    return end


def add_working_days(start: Date, days: int) -> Date:
    """The `days`-th working day after `start` (local rules counted in 工作日)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current


def working_days_between(start: Date, end: Date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_workday(current):
            count += 1
    return count


def add_months(start: Date, months: int, *, roll_off_rest_day: bool = True) -> Date:
    """Same date `months` later, or the last day of a shorter month (民法典 Art. 202).

    When the end falls on a rest day it rolls to the next workday (CPL Art. 85), unless asked not to.
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    end = Date(year, month, min(start.day, last))
    if roll_off_rest_day:
        while is_rest_day(end):
            end += dt.timedelta(days=1)
    return end


def last_day_in_force(start: Date, months: int) -> Date:
    """The last day of `months` that count their first day (a freeze "自2026年3月1日起至2027年2月28日止"):
    the day before the same date `months` later — 2026-03-01 + 24 → 2028-02-29 — or, when that date
    does not exist, the month's last day (民法典 Art. 202): 2024-02-29 + 12 → 2025-02-28. No roll-off."""
    anniversary = add_months(start, months, roll_off_rest_day=False)
    if anniversary.day != start.day:  # clamped to the month's end: the anniversary does not exist
        return anniversary
    return anniversary - dt.timedelta(days=1)


def add_years(start: Date, years: int, *, roll_off_rest_day: bool = True) -> Date:
    return add_months(start, 12 * years, roll_off_rest_day=roll_off_rest_day)


def fallback_years_used() -> frozenset[int]:
    """Years that had to be counted Monday–Friday since the last reset."""
    return _fallback_years.get()


def note_displayed(day: Date | None) -> bool:
    """A page shows the stored deadline `day`; True when its year is counted Monday–Friday.

    A deadline stored earlier was computed with whatever calendar there was then, so a page that only
    displays it must warn just as a page that computes it does, until an administrator loads the year
    (and the load recomputes the stored deadlines). The package is asked first, so pages showing only
    years it knows cost no query.
    """
    if day is None or _package_knows_year(day.year) or year_source(day.year) != "fallback":
        return False
    _note_fallback(day.year)
    return True


def reset_fallback_tracking() -> contextvars.Token:
    return _fallback_years.set(frozenset())


def unloaded_years(years) -> list[int]:
    """Of `years`, those that would be counted Monday–Friday (for warnings on pages and in commands)."""
    return sorted(y for y in set(years) if year_source(y) == "fallback")
