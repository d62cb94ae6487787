"""Working days and periods across 国庆 and 春节 of 2025 and 2026, and into 2027 (which the package does not know).

Every expected date below was worked out by hand from the State Council notices as the package encodes them:
2025 春节 1-28..2-4 off, make-up 1-26 (Sun) and 2-8 (Sat); 2025 国庆 10-1..10-8 off, make-up 9-28 (Sun)
and 10-11 (Sat); 2026 春节 2-15..2-23 off, make-up 2-14 (Sat) and 2-28 (Sat)."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from zhixing.workdays import calendar
from zhixing.workdays.models import CalendarDay, CalendarYear, DayKind

D = dt.date


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (D(2025, 9, 28), True),  # Sunday, make-up workday before 国庆
        (D(2025, 10, 8), False),  # Wednesday, holiday
        (D(2025, 10, 11), True),  # Saturday, make-up workday
        (D(2025, 1, 26), True),  # Sunday, make-up before 春节
        (D(2026, 2, 14), True),  # Saturday, make-up before 春节
        (D(2026, 2, 23), False),  # Monday, last day of 春节 2026
        (D(2026, 2, 28), True),  # Saturday, make-up after 春节
    ],
)
def test_it_knows_holidays_and_make_up_workdays(db, day, workday):
    assert calendar.is_workday(day) is workday


def test_a_period_in_days_excludes_its_first_day(db):
    # Monday 2025-11-03 + 3 days = Thursday 2025-11-06 (CPL Art. 85: the first day is not counted)
    assert calendar.add_days(D(2025, 11, 3), 3) == D(2025, 11, 6)


def test_a_period_ending_in_the_national_day_holiday_rolls_to_the_first_workday_after_it(db):
    # 2025-09-28 + 3 = 2025-10-01 (holiday); 10-2 … 10-8 are off; Thursday 10-9 is the first workday
    assert calendar.add_days(D(2025, 9, 28), 3) == D(2025, 10, 9)


def test_a_period_ending_on_a_make_up_sunday_does_not_roll(db):
    # 2025-09-26 (Fri) + 2 = Sunday 2025-09-28, a make-up workday: the period ends that day
    assert calendar.add_days(D(2025, 9, 26), 2) == D(2025, 9, 28)


def test_a_period_ending_in_spring_festival_2025_rolls_past_it(db):
    # 2025-01-25 + 3 = 1-28 (holiday) → 1-29..2-4 off (2-1, 2-2 weekend) → Wednesday 2025-02-05
    assert calendar.add_days(D(2025, 1, 25), 3) == D(2025, 2, 5)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, D(2025, 9, 28)), (2, D(2025, 9, 29)), (3, D(2025, 9, 30)), (4, D(2025, 10, 9)), (6, D(2025, 10, 11))],
)
def test_working_days_across_national_day_2025_count_make_up_days(db, n, expected):
    assert calendar.add_working_days(D(2025, 9, 26), n) == expected


def test_working_days_across_spring_festival_2026(db):
    # Friday 2-13 → Saturday 2-14 is a make-up workday; then 2-15..2-23 off; Tuesday 2-24
    assert calendar.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert calendar.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    # Zhejiang's 7 working days for a payout, counted from 2026-02-12 (Thu):
    # 2-13, 2-14, 2-24, 2-25, 2-26, 2-27, 2-28 (make-up Saturday)
    assert calendar.add_working_days(D(2026, 2, 12), 7) == D(2026, 2, 28)


def test_counting_working_days_between_dates(db):
    assert calendar.working_days_between(D(2025, 9, 30), D(2025, 10, 11)) == 3  # 10-9, 10-10, 10-11
    assert calendar.working_days_between(D(2025, 10, 11), D(2025, 9, 30)) == 0


def test_months_end_on_the_same_date_or_the_last_day_of_a_shorter_month(db):
    # 民法典 Art. 202: 1-31 + 1 month → 2-28; 2026-02-28 is a make-up Saturday, so no roll
    assert calendar.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    # 2025-07-31 + 2 months → 2025-09-30 (Tuesday)
    assert calendar.add_months(D(2025, 7, 31), 2) == D(2025, 9, 30)
    # 2025-08-01 + 2 months → 2025-10-01, holiday → rolls to 2025-10-09
    assert calendar.add_months(D(2025, 8, 1), 2) == D(2025, 10, 9)
    assert calendar.add_months(D(2025, 8, 1), 2, roll_off_rest_day=False) == D(2025, 10, 1)


def test_an_unloaded_year_falls_back_to_monday_to_friday_and_says_so(db):
    assert calendar.year_source(2027) == "fallback"
    # No exception: 2027-01-01 (Friday) counts as a workday until an administrator loads 2027
    assert calendar.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert calendar.add_days(D(2027, 1, 1), 1) == D(2027, 1, 4)  # Saturday 1-2 rolls past the weekend
    assert calendar.fallback_years_used() == {2027}


def test_a_loaded_year_is_counted_from_the_table_without_warning(db):
    CalendarYear.objects.create(year=2027, source="测试通知")
    CalendarDay.objects.create(date=D(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    calendar.invalidate_cache()
    assert calendar.year_source(2027) == "table"
    assert calendar.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert 2027 not in calendar.fallback_years_used()


def test_the_table_overrides_the_package_for_a_known_year(db):
    CalendarDay.objects.create(date=D(2026, 12, 31), kind=DayKind.HOLIDAY, name="假设的临时调整")
    calendar.invalidate_cache()
    assert calendar.is_workday(D(2026, 12, 31)) is False


def test_loading_a_year_is_all_or_nothing(db, tmp_path: Path):
    bad = tmp_path / "2027.csv"
    bad.write_text("date,kind,name\n2027-01-01,休,元旦\n2027-02-30,休,春节\n2027-02-20,班,春节调休\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第3行"):
        call_command("load_holidays", str(bad), year=2027, source="测试")
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()

    good = tmp_path / "2027-good.csv"
    good.write_text("date,kind,name\n2027-01-01,休,元旦\n2027-02-20,班,春节调休\n", encoding="utf-8")
    call_command("load_holidays", str(good), year=2027, source="测试")
    assert calendar.is_workday(D(2027, 2, 20)) is True  # a Saturday made a workday
    assert calendar.is_workday(D(2027, 1, 1)) is False
    assert calendar.year_source(2027) == "table"
