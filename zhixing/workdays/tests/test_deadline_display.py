"""Stored deadlines shown on pages: a date in a year counted Monday–Friday is marked and warned about,
even when the page only displays it (the deadline was computed earlier, at registration).

Dates worked out by hand (2027 is not in chinese_calendar 1.11; 2026 is):
a case filed on Saturday 2026-10-10 (a make-up workday of 国庆 2026) closes within 6 months
(法发〔2006〕35号 Art. 1): 2027-04-10, a Saturday → Sunday 04-11 → counted Monday–Friday, Monday 2027-04-12.
Closed on Tuesday 2026-12-01, it must be archived within 1 month: 2027-01-01, a Friday, which
Monday–Friday counts as a workday."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template

from zhixing.cases import services
from zhixing.workdays import calendar

D = dt.date
BEIJING = ZoneInfo("Asia/Shanghai")
WARNING = "2027年的节假日安排尚未载入"
MARK = 'title="按周一至周五暂计"'

pytestmark = pytest.mark.django_db


def render(day) -> str:
    return Template("{% load workdays %}{{ day|deadline }}").render(Context({"day": day}))


@pytest.fixture
def on_2_december_2026():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=BEIJING), tick=False):
        yield


def test_the_deadline_filter_shows_a_date_of_a_known_year_plainly_and_without_a_query(django_assert_num_queries):
    calendar.invalidate_cache()
    with django_assert_num_queries(0):  # the package knows 2026: the holiday table need not be read
        assert render(D(2026, 10, 19)) == "2026-10-19"
        assert render(None) == ""
    assert calendar.fallback_years_used() == frozenset()


def test_the_deadline_filter_marks_a_date_counted_monday_to_friday_and_notes_its_year():
    assert render(D(2027, 4, 12)) == f'2027-04-12<abbr class="provisional" {MARK}>*</abbr>'
    assert calendar.fallback_years_used() == {2027}


def test_the_worklist_warns_about_a_stored_deadline_in_an_unloaded_year(client, judge, make_case, on_2_december_2026):
    case = make_case(filed_on=D(2026, 10, 10))
    assert case.close_due == D(2027, 4, 12)  # counted Monday–Friday at registration
    client.force_login(judge)
    page = client.get("/cases/").content.decode()  # the worklist computes nothing: it only shows close_due
    assert f"/cases/{case.pk}/" in page
    assert WARNING in page
    assert page.index("calendar-warning") < page.index("<main>")  # shown above the page it warns about
    assert f"2027-04-12<abbr class=\"provisional\" {MARK}>*</abbr>" in page


def test_the_case_page_warns_about_its_stored_deadlines_in_an_unloaded_year(client, judge, make_case, on_2_december_2026):
    case = make_case(filed_on=D(2026, 10, 10))
    client.force_login(judge)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert WARNING in page
    assert "2027-04-12<abbr" in page
    # assign_due 2026-10-17 (Sat) → Monday 2026-10-19: a year the package knows, no mark
    assert "<span class=\"due\">2026-10-19</span>" in page


def test_an_archived_case_page_warns_though_nothing_is_counted_for_it(client, judge, make_case, on_2_december_2026):
    # Every deadline of an archived case is met, so the page counts no working days; it still shows
    # close_due 2027-04-12 and archive_due 2027-01-01, both counted Monday–Friday.
    case = make_case(filed_on=D(2026, 10, 10))
    services.case_close(actor=judge, case=case, closing_type="performed", performed_amount_fen=case.claim_amount_fen,
                        closed_on=D(2026, 12, 1))
    services.case_archive(actor=judge, case=case, archived_on=D(2026, 12, 2))
    client.force_login(judge)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert WARNING in page
    assert "2027-01-01<abbr" in page and "2027-04-12<abbr" in page


def test_no_warning_on_the_worklist_when_every_shown_deadline_is_in_a_known_year(client, judge, make_case):
    with time_machine.travel(dt.datetime(2025, 3, 3, 10, tzinfo=BEIJING), tick=False):
        make_case(filed_on=D(2025, 3, 1))  # closes by 2025-09-01
        client.force_login(judge)
        page = client.get("/cases/").content.decode()
    assert "节假日安排尚未载入" not in page and MARK not in page
