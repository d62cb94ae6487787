"""期限重算: loading or editing a year's holidays recomputes the stored deadlines counted through it.

Dates worked out by hand. 2027 is not in chinese_calendar 1.11, so until it is loaded it is counted
Monday–Friday. The test table (a CSV written below) makes Friday 2027-01-01 (元旦) and, for the test,
Monday 2027-04-12 holidays; every other 2027 day is Monday–Friday.
- Filed Saturday 2026-10-10 (a 国庆 make-up workday), closing within 6 months (法发〔2006〕35号 Art. 1):
  2027-04-10 is a Saturday → Sunday 04-11 → Monday 04-12 (Monday–Friday). With the table 04-12 is a
  holiday → Tuesday 2027-04-13.
  Assignment within 7 days: 2026-10-17 (Sat) → 10-18 (Sun) → Monday 2026-10-19; enforcement notice within
  10 days: Tuesday 2026-10-20. Both in 2026, which the package knows: loading 2027 does not move them.
- Filed Monday 2026-10-12: 2027-04-12 (Monday), a workday Monday–Friday; with the table → 2027-04-13.
- Closed Tuesday 2026-12-01, archived within 1 month: 2027-01-01, a Friday (a workday Monday–Friday).
  With the table 01-01 is a holiday, 01-02/01-03 the weekend → Monday 2027-01-04.
"""

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from zhixing.accounts.models import User
from zhixing.cases import deadlines, services
from zhixing.cases.log import verify_log
from zhixing.cases.models import LogEntry
from zhixing.supervision.models import Deadline
from zhixing.workdays import calendar
from zhixing.workdays.models import CalendarDay, CalendarYear, DayKind

D = dt.date
BEIJING = ZoneInfo("Asia/Shanghai")
WARNING = "2027年的节假日安排尚未载入"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_2_december_2026():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=BEIJING), tick=False):
        yield


@pytest.fixture
def holidays_2027(tmp_path: Path) -> Path:
    path = tmp_path / "2027.csv"
    path.write_text("date,kind,name\n2027-01-01,休,元旦\n2027-04-12,休,测试假日\n", encoding="utf-8")
    return path


def load_2027(path: Path, **options) -> str:
    out = io.StringIO()
    call_command("load_holidays", str(path), year=2027, source="国办发明电〔2026〕测试号", stdout=out, **options)
    return out.getvalue()


def recompute_entries(case) -> list[LogEntry]:
    return list(LogEntry.objects.filter(case=case, action="deadline_recompute").order_by("seq"))


def close(case, judge):
    return services.case_close(actor=judge, case=case, closing_type="performed",
                               performed_amount_fen=case.claim_amount_fen, closed_on=D(2026, 12, 1))


def test_loading_a_year_moves_an_open_cases_deadline_logs_it_and_lifts_the_warning(
    client, judge, bureau_head, make_case, holidays_2027
):
    case = make_case(filed_on=D(2026, 10, 10))
    assert (case.assign_due, case.notice_due, case.close_due) == (D(2026, 10, 19), D(2026, 10, 20), D(2027, 4, 12))
    client.force_login(judge)
    assert WARNING in client.get("/cases/").content.decode()
    assert WARNING in client.get(f"/cases/{case.pk}/").content.decode()

    close_period = Deadline.objects.filter(case=case, rule_code="close_period")
    assert close_period.get().due_on == D(2027, 4, 12)

    output = load_2027(holidays_2027, user=bureau_head.username)

    assert "已重算 1 件案件的期限" in output
    assert close_period.get().due_on == D(2027, 4, 13)  # supervision counts with the loaded table at once
    assert "督办完成" in output
    case.refresh_from_db()
    assert (case.assign_due, case.notice_due, case.close_due) == (D(2026, 10, 19), D(2026, 10, 20), D(2027, 4, 13))
    [entry] = recompute_entries(case)
    assert entry.get_action_display() == "期限重算"
    assert entry.before == {"close_due": "2027-04-12"} and entry.after == {"close_due": "2027-04-13"}
    assert entry.reason == "载入2027年节假日安排：国办发明电〔2026〕测试号"
    assert entry.actor_id == bureau_head.pk and entry.summary == "期限重算：结案期限 2027-04-12 → 2027-04-13"
    assert CalendarYear.objects.get(year=2027).loaded_by == bureau_head
    assert verify_log() == []

    worklist = client.get("/cases/").content.decode()
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert WARNING not in worklist and WARNING not in detail
    assert "2027-04-13</td>" in worklist  # no “*”: counted from the loaded table
    assert "<del>2027-04-12</del> → 2027-04-13" in detail  # the change, in the case's log

    # Loading the same file again changes nothing and logs nothing.
    entries = LogEntry.objects.count()
    assert "已重算 0 件案件的期限" in load_2027(holidays_2027, user=bureau_head.username)
    assert LogEntry.objects.count() == entries


def test_a_closed_cases_archive_deadline_is_recomputed_and_an_archived_case_is_left_alone(
    judge, make_case, holidays_2027
):
    closed = close(make_case(filed_on=D(2026, 10, 10)), judge)
    archived = services.case_archive(actor=judge, case=close(make_case(filed_on=D(2026, 10, 10)), judge),
                                     archived_on=D(2026, 12, 2))
    assert closed.archive_due == archived.archive_due == D(2027, 1, 1)
    archived_log = list(LogEntry.objects.filter(case=archived).values_list("seq", "entry_hash"))

    assert "已重算 1 件案件的期限" in load_2027(holidays_2027)

    closed.refresh_from_db()
    archived.refresh_from_db()
    assert closed.archive_due == D(2027, 1, 4)
    # A closed case's closing deadline is history (it was met or missed on closed_on): only the
    # archive deadline is still running.
    assert closed.close_due == D(2027, 4, 12)
    [entry] = recompute_entries(closed)
    assert entry.before == {"archive_due": "2027-01-01"} and entry.after == {"archive_due": "2027-01-04"}
    assert entry.actor_id is None and entry.actor_name == "系统"  # loaded without --user
    assert (archived.archive_due, archived.close_due) == (D(2027, 1, 1), D(2027, 4, 12))
    assert list(LogEntry.objects.filter(case=archived).values_list("seq", "entry_hash")) == archived_log
    assert verify_log() == []


def test_deadlines_are_counted_once_per_filing_date_not_once_per_case(judge, make_case, monkeypatch):
    same_day = [make_case(filed_on=D(2026, 10, 10)) for _ in range(3)]
    monday = make_case(filed_on=D(2026, 10, 12))
    assert monday.close_due == D(2027, 4, 12)
    CalendarYear.objects.create(year=2027, source="测试")
    CalendarDay.objects.create(date=D(2027, 4, 12), kind=DayKind.HOLIDAY, name="测试假日")
    calendar.invalidate_cache()
    calls, count = [], deadlines.registration_deadlines

    def counted(filed_on):
        calls.append(filed_on)
        return count(filed_on)

    monkeypatch.setattr(deadlines, "registration_deadlines", counted)

    assert services.deadlines_recompute(years={2027}, reason="测试") == 4
    assert sorted(calls) == [D(2026, 10, 10), D(2026, 10, 12)]
    for case in [*same_day, monday]:
        case.refresh_from_db()
        assert case.close_due == D(2027, 4, 13)
    assert verify_log() == []


def test_editing_the_holiday_table_in_the_admin_recomputes_and_says_how_many_cases_changed(
    client, make_case, django_capture_on_commit_callbacks
):
    case = make_case(filed_on=D(2026, 10, 10))
    admin = User.objects.create_superuser("admin", password="zhixing-test-pw", full_name="系统管理员")
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):  # supervision runs once the edit is committed
        response = client.post("/admin/workdays/calendarday/add/",
                               {"date": "2027-04-12", "kind": "holiday", "name": "测试假日"}, follow=True)
    assert "1 件案件的期限有变化" in response.content.decode()
    assert "督办期限已按新的节假日安排重算" in response.content.decode()
    case.refresh_from_db()
    assert case.close_due == D(2027, 4, 13)
    assert Deadline.objects.get(case=case, rule_code="close_period").due_on == D(2027, 4, 13)

    response = client.post("/admin/workdays/calendaryear/add/", {"year": "2027", "source": "测试通知", "loaded_at_0": "2026-12-02", "loaded_at_1": "10:00:00"},
                           follow=True)
    assert "0 件案件的期限有变化" in response.content.decode()  # Tuesday 04-13 is still a workday
    assert CalendarYear.objects.get(year=2027).loaded_by == admin

    day = CalendarDay.objects.get(date=D(2027, 4, 12))
    response = client.post(f"/admin/workdays/calendarday/{day.pk}/delete/", {"post": "yes"}, follow=True)
    assert "1 件案件的期限有变化" in response.content.decode()
    case.refresh_from_db()
    assert case.close_due == D(2027, 4, 12)  # Monday 04-12 is a workday again
    entries = recompute_entries(case)
    assert [(e.before, e.after) for e in entries] == [
        ({"close_due": "2027-04-12"}, {"close_due": "2027-04-13"}),
        ({"close_due": "2027-04-13"}, {"close_due": "2027-04-12"}),
    ]
    assert {e.actor_id for e in entries} == {admin.pk}
    assert verify_log() == []


def test_loading_for_an_unknown_user_loads_nothing(holidays_2027):
    with pytest.raises(CommandError, match="用户 nobody 不存在"):
        load_2027(holidays_2027, user="nobody")
    assert not CalendarYear.objects.exists()


def test_a_province_sized_database_leaves_supervision_to_the_nightly_run_and_says_so(
    client, make_case, monkeypatch, django_capture_on_commit_callbacks
):
    from zhixing.supervision import engine

    monkeypatch.setattr(engine, "CALENDAR_CHANGE_IMMEDIATE_MAX_CASES", 0)
    case = make_case(filed_on=D(2026, 10, 10))
    admin = User.objects.create_superuser("admin", password="zhixing-test-pw", full_name="系统管理员")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/workdays/calendarday/add/",
                               {"date": "2027-04-12", "kind": "holiday", "name": "测试假日"}, follow=True)
    assert "督办期限将在下一次每日督办（zhixing supervise）时按新的节假日安排重算" in response.content.decode()
    assert Deadline.objects.get(case=case, rule_code="close_period").due_on == D(2027, 4, 12)  # until tonight
    engine.supervise()
    assert Deadline.objects.get(case=case, rule_code="close_period").due_on == D(2027, 4, 13)
