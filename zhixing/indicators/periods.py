"""Periods of the indicators: months, quarters, years and any range of dates, all in Beijing time.

A period is a closed range of calendar dates [start, end] — `closed_on BETWEEN start AND end` — read
as dates in Asia/Shanghai (every date the system stores is one). A period that has not ended yet is
computed up to `as_of` (today): its figures are provisional until the first snapshot after its end.

Keys, as typed in URLs, the API and the `zhixing indicators` command:
  2026 · 2026-03 · 2026Q1 · 2026-01-05~2026-02-10
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from zhixing.cases.exceptions import FieldError, ValidationFailed

from .choices import Grain

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
MAX_RANGE_DAYS = 366 * 10  # a range longer than ten years is a typing mistake
THREE_YEARS_MONTHS = 36


def add_months(day: dt.date, months: int) -> dt.date:
    """Same date `months` later (or earlier); a month without that date ends on its last day (民法典 Art. 202)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = pycalendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Period:
    grain: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def key(self) -> str:
        if self.grain == Grain.YEAR:
            return f"{self.start.year}"
        if self.grain == Grain.QUARTER:
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.grain == Grain.MONTH:
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()}~{self.end.isoformat()}"

    @property
    def label(self) -> str:
        if self.grain == Grain.YEAR:
            return f"{self.start.year}年"
        if self.grain == Grain.QUARTER:
            return f"{self.start.year}年{QUARTER_NAMES[(self.start.month - 1) // 3 + 1]}"
        if self.grain == Grain.MONTH:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start:%Y年%m月%d日}至{self.end:%Y年%m月%d日}"

    @property
    def snapshotted(self) -> bool:
        """Months, quarters and years are kept as snapshots; a free range is always computed live."""
        return self.grain != Grain.RANGE

    def is_final(self, as_of: dt.date) -> bool:
        """Ended before `as_of`: its figures no longer change with time (only with late corrections)."""
        return self.end < as_of

    def effective_end(self, as_of: dt.date) -> dt.date:
        """The last date counted: the period's end, or today for a period still running."""
        return min(self.end, as_of)

    def three_year_start(self, as_of: dt.date) -> dt.date:
        """First filing date of 近三年 (the three years up to the period's end): end − 36 months + 1 day."""
        return add_months(self.effective_end(as_of), -THREE_YEARS_MONTHS) + dt.timedelta(days=1)

    def previous(self) -> Period:
        if self.grain == Grain.YEAR:
            return year(self.start.year - 1)
        if self.grain == Grain.QUARTER:
            prior = add_months(self.start, -3)
            return quarter(prior.year, (prior.month - 1) // 3 + 1)
        if self.grain == Grain.MONTH:
            prior = add_months(self.start, -1)
            return month(prior.year, prior.month)
        length = self.end - self.start
        end = self.start - dt.timedelta(days=1)
        return Period(Grain.RANGE, end - length, end)


def year(y: int) -> Period:
    return Period(Grain.YEAR, dt.date(y, 1, 1), dt.date(y, 12, 31))


def quarter(y: int, q: int) -> Period:
    first = dt.date(y, 3 * (q - 1) + 1, 1)
    return Period(Grain.QUARTER, first, add_months(first, 3) - dt.timedelta(days=1))


def month(y: int, m: int) -> Period:
    return Period(Grain.MONTH, dt.date(y, m, 1), dt.date(y, m, pycalendar.monthrange(y, m)[1]))


def containing(day: dt.date, grain: str) -> Period:
    if grain == Grain.YEAR:
        return year(day.year)
    if grain == Grain.QUARTER:
        return quarter(day.year, (day.month - 1) // 3 + 1)
    if grain == Grain.MONTH:
        return month(day.year, day.month)
    raise ValueError(f"no period of grain {grain!r} contains a day")


def today() -> dt.date:
    """Today in Beijing (settings.TIME_ZONE): a snapshot taken at 00:30 belongs to the new day."""
    return timezone.localdate()


def months_back(until: dt.date, count: int) -> list[Period]:
    """The `count` months ending with the month of `until`, oldest first (for trends)."""
    last = containing(until, Grain.MONTH)
    return [containing(add_months(last.start, -i), Grain.MONTH) for i in range(count - 1, -1, -1)]


def periods_since(first: dt.date, until: dt.date) -> Iterator[Period]:
    """Every month, quarter and year from the one containing `first` to the one containing `until`."""
    for grain in (Grain.MONTH, Grain.QUARTER, Grain.YEAR):
        period = containing(first, grain)
        while period.start <= until:
            yield period
            period = containing(period.end + dt.timedelta(days=1), grain)


_YEAR = re.compile(r"^(\d{4})年?$")
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
_QUARTER = re.compile(r"^(\d{4})(?:[-\s]?[Qq]|年第?)([1-4一二三四])(?:季度?)?$")
_RANGE = re.compile(r"^(.+?)\s*(?:~|～|\.\.|至)\s*(.+)$")
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


def _date(text: str, field: str) -> dt.date:
    match = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$", text.strip())
    if not match:
        raise ValidationFailed([FieldError(field, f"“{text}”不是日期（应为 YYYY-MM-DD）")])
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise ValidationFailed([FieldError(field, f"{text} 不是存在的日期")]) from exc


def parse_period(text: str, *, field: str = "period") -> Period:
    """'2026' / '2026-03' / '2026Q1' / '2026-01-05~2026-02-10' → Period; ValidationFailed naming `field`."""
    text = (text or "").strip()
    if match := _YEAR.match(text):
        return year(int(match.group(1)))
    if match := _MONTH.match(text):
        y, m = int(match.group(1)), int(match.group(2))
        if not 1 <= m <= 12:
            raise ValidationFailed([FieldError(field, f"“{text}”的月份应为1至12")])
        return month(y, m)
    if match := _QUARTER.match(text):
        q = match.group(2)
        return quarter(int(match.group(1)), _CHINESE_DIGITS.get(q) or int(q))
    if match := _RANGE.match(text):
        return date_range(_date(match.group(1), field), _date(match.group(2), field), field=field)
    raise ValidationFailed([FieldError(
        field, f"无法识别期间“{text}”：应为年（2026）、月（2026-03）、季度（2026Q1）或日期区间（2026-01-05~2026-02-10）"
    )])


def date_range(start: dt.date, end: dt.date, *, field: str = "period") -> Period:
    if end < start:
        raise ValidationFailed([FieldError(field, f"期间结束日 {end} 早于开始日 {start}")])
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationFailed([FieldError(field, "期间不能超过十年")])
    return Period(Grain.RANGE, start, end)
