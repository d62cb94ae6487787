"""When demo cases are filed and how they are numbered; working days and deadlines cached per date."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from zhixing.cases import deadlines
from zhixing.cases.choices import CaseType
from zhixing.workdays import calendar

from .province import CourtStaff, Province

YEARS_OF_FILINGS = 3
RESTORED_SHARE = 0.07  # 执恢 among new cases


@dataclass
class Slot:
    """A case's place in the filing order, decided before its details so that numbers follow filing order."""

    filed_on: dt.date
    court: CourtStaff
    case_type: str
    sequence: int = 0


class DemoCalendar:
    """Working days and stored deadlines, cached per date: thousands of cases share each date."""

    def __init__(self):
        self._workday: dict[dt.date, bool] = {}
        self._registration: dict[dt.date, dict] = {}
        self._archive: dict[dt.date, dt.date] = {}
        self._zhongben: dict[dt.date, dt.date] = {}

    def is_workday(self, day: dt.date) -> bool:
        known = self._workday.get(day)
        if known is None:
            known = self._workday[day] = calendar.is_workday(day)
        return known

    def next_workday(self, day: dt.date) -> dt.date:
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def previous_workday(self, day: dt.date) -> dt.date:
        while not self.is_workday(day):
            day -= dt.timedelta(days=1)
        return day

    def registration_deadlines(self, filed_on: dt.date) -> dict:
        due = self._registration.get(filed_on)
        if due is None:
            due = self._registration[filed_on] = deadlines.registration_deadlines(filed_on)
        return due

    def archive_deadline(self, closed_on: dt.date) -> dt.date:
        due = self._archive.get(closed_on)
        if due is None:
            due = self._archive[closed_on] = deadlines.archive_deadline(closed_on)
        return due

    def earliest_zhongben(self, filed_on: dt.date) -> dt.date:
        day = self._zhongben.get(filed_on)
        if day is None:
            day = self._zhongben[filed_on] = deadlines.earliest_zhongben(filed_on)
        return day


def filing_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last three years, up to yesterday (a case filed today would have timestamps later than now)."""
    start = calendar.add_months(today, -12 * YEARS_OF_FILINGS, roll_off_rest_day=False)
    return start, today - dt.timedelta(days=1)


def plan_slots(rng: random.Random, province: Province, n: int, today: dt.date, cal: DemoCalendar) -> list[Slot]:
    """Courts, filing dates and case numbers of all n cases: numbered per court, year and type in filing order."""
    start, end = filing_period(today)
    workdays = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    workdays = [d for d in workdays if cal.is_workday(d)]
    courts = province.courts
    weights = [c.spec.case_share for c in courts]
    slots = []
    for court in rng.choices(courts, weights=weights, k=n):
        # Filings grow a little year on year: later dates are slightly more likely.
        filed_on = workdays[min(len(workdays) - 1, int(len(workdays) * rng.random() ** 0.85))]
        case_type = CaseType.RESTORED if rng.random() < RESTORED_SHARE else CaseType.FIRST
        slots.append(Slot(filed_on, court, case_type))
    slots.sort(key=lambda s: s.filed_on)
    # The first, partial year goes on from where the court's numbers would have reached by then.
    elapsed = (start - dt.date(start.year, 1, 1)).days / 365
    per_year = n / YEARS_OF_FILINGS
    counters: dict[tuple, int] = {}
    for slot in slots:
        key = (slot.court.court.pk, slot.filed_on.year, slot.case_type)
        if key not in counters:
            type_share = RESTORED_SHARE if slot.case_type == CaseType.RESTORED else 1 - RESTORED_SHARE
            expected = per_year * slot.court.spec.case_share * type_share * elapsed
            counters[key] = int(expected) if slot.filed_on.year == start.year else 0
        counters[key] += 1
        slot.sequence = counters[key]
    return slots


def last_sequences(slots: list[Slot]) -> dict[tuple[int, int, str], int]:
    """(court id, year, case type) → last number used, for CaseNumberSequence."""
    last: dict[tuple[int, int, str], int] = {}
    for slot in slots:
        key = (slot.court.court.pk, slot.filed_on.year, slot.case_type)
        last[key] = max(last.get(key, 0), slot.sequence)
    return last
