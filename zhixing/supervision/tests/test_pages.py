"""The supervision pages as each role uses them: the home page and inbox, the case page's deadlines and
lock, unlocking one level up, pauses and extensions. Dates are worked out in support.py."""

from __future__ import annotations

import re

import pytest

from zhixing.cases.models import LogEntry, NodeRecord
from zhixing.supervision import engine
from zhixing.supervision.models import (
    CaseLock,
    Deadline,
    Escalation,
    Extension,
    Level,
    Suspension,
    UnlockRequest,
)

from .support import OLD_FILING, TODAY, D, assigned, second_lock

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_25_november_2026")]

CASE_LINK = re.compile(r'href="/cases/(\d+)/"')


def page_of(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def section(page: str, element_id: str) -> str:
    """The text of the <section id=…> (up to the next section)."""
    start = page.index(f'id="{element_id}"')
    end = page.find("<section", start)
    return page[start : end if end != -1 else None]


# ---------------------------------------------------------------- the premises, from the engine


@pytest.fixture
def warned(recent_case, old_case, other_judge, make_case):
    """Two warned cases of the judge, and one of another court."""
    theirs = assigned(make_case(actor=other_judge, filed_on=OLD_FILING), other_judge, team=None)
    engine.supervise(as_of=TODAY)
    notice = Deadline.objects.get(case=recent_case, rule_code="enforcement_notice")
    assert (notice.level, notice.escalation) == (Level.RED, Escalation.TEAM_LEAD)
    query = Deadline.objects.get(case=recent_case, rule_code="first_network_query")
    assert (query.due_on, query.level) == (D(2026, 11, 26), Level.YELLOW)
    assert Deadline.objects.get(case=old_case, rule_code="enforcement_notice").escalation == Escalation.PRESIDENT
    return {"recent": recent_case, "old": old_case, "theirs": theirs}


# ---------------------------------------------------------------- "/" and the navigation


def test_the_root_and_the_login_lead_to_the_home_page(client, judge):
    client.force_login(judge)
    assert client.get("/")["Location"] == "/supervision/"
    client.logout()
    response = client.post("/login/", {"username": "judge", "password": "zhixing-test-pw"})
    assert response["Location"] == "/supervision/"


def test_the_navigation_offers_the_command_centre_and_only_a_higher_court_its_courts(client, judge, supervisor):
    page = page_of(client, judge, "/supervision/")
    for link in ('href="/supervision/"', 'href="/cases/"', 'href="/supervision/centre/"', 'href="/supervision/screen/"'):
        assert link in page
    assert 'href="/supervision/courts/"' not in page
    assert 'href="/supervision/courts/"' in page_of(client, supervisor, "/supervision/")


@pytest.mark.parametrize("url", ["/supervision/", "/supervision/inbox/", "/supervision/unlocks/", "/supervision/extensions/"])
def test_the_pages_send_an_anonymous_visitor_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


# ---------------------------------------------------------------- home page per role


def test_a_judge_sees_their_own_red_and_orange_list_counts_and_digest(client, judge, warned):
    page = page_of(client, judge, "/supervision/")
    own = section(page, "home-own")
    assert warned["recent"].case_number in own and warned["old"].case_number in own
    assert warned["theirs"].case_number not in page
    assert "发出执行通知书" in own and "红色预警" in own
    # each case once, at its worst warning, as the digest counts: both cases are red
    assert re.search(r'红色预警（件）</div><div class="value">2</div>', own)
    assert "每日督办摘要（2026-11-25）" in page and "本人承办：红色" in page
    assert 'id="home-court"' not in page and 'id="home-team"' not in page


def test_a_team_lead_sees_the_team_grouped_by_judge(client, judge, lead, warned):
    page = page_of(client, lead, "/supervision/")
    team = section(page, "home-team")
    assert "快执一组" in team and "张法官" in team
    assert warned["recent"].case_number in team and warned["old"].case_number in team


def test_the_bureau_head_sees_the_court_by_team_and_the_red_list_escalated_to_them(client, bureau_head, warned):
    page = page_of(client, bureau_head, "/supervision/")
    court = section(page, "home-court")
    assert "快执一组" in court
    red_list = court[court.index("升级至本人督办的红色预警") :]
    # the old case reached the division head; the recent one only the team lead
    assert warned["old"].case_number in red_list
    assert warned["recent"].case_number not in red_list
    assert warned["theirs"].case_number not in page


def test_the_command_centre_watches_every_red_warning_of_its_court(client, command_centre, warned):
    court = section(page_of(client, command_centre, "/supervision/"), "home-court")
    assert warned["recent"].case_number in court and warned["old"].case_number in court
    assert warned["theirs"].case_number not in court


def test_an_intermediate_courts_supervisor_sees_the_courts_below_and_the_link_to_them(client, supervisor, warned):
    page = page_of(client, supervisor, "/supervision/")
    courts = section(page, "home-lower-courts")
    assert "北京市海淀区人民法院" in courts and "北京市西城区人民法院" in courts
    assert 'href="/supervision/courts/"' in courts


def test_the_bureau_heads_home_page_reads_in_a_fixed_number_of_queries(
    client, bureau_head, warned, make_case, judge, django_assert_max_num_queries
):
    for _ in range(5):
        assigned(make_case(filed_on=OLD_FILING), judge)
    engine.supervise(as_of=TODAY)
    client.force_login(bureau_head)
    client.get("/supervision/")
    with django_assert_max_num_queries(16):
        page = client.get("/supervision/").content.decode()
    assert len(CASE_LINK.findall(section(page, "home-court"))) >= 6


# ---------------------------------------------------------------- inbox


def test_the_inbox_lists_each_warning_with_its_level_days_and_remedy(client, judge, warned):
    page = page_of(client, judge, "/supervision/inbox/")
    assert f'href="/cases/{warned["recent"].pk}/"' in page
    assert "逾期 6 天" in page  # notice due 11-19, today 11-25
    assert "剩余 1 天" in page  # first network query due 11-26
    assert 'class="badge level-3"' in page and 'class="badge level-1"' in page
    assert "发出执行通知书和报告财产令" in page  # the remedy
    assert warned["theirs"].case_number not in page


def test_the_inbox_filters_by_level_rule_and_overdue(client, judge, warned):
    yellow = page_of(client, judge, "/supervision/inbox/?level=1")
    assert "首次网络查控" in yellow and "逾期" not in yellow.split("<tbody>")[1]
    overdue = page_of(client, judge, "/supervision/inbox/?overdue=on")
    assert "剩余" not in overdue.split("<tbody>")[1]
    notice = page_of(client, judge, "/supervision/inbox/?rule=enforcement_notice")
    assert set(map(int, CASE_LINK.findall(notice))) == {warned["recent"].pk, warned["old"].pk}
    assert "首次网络查控" not in notice.split("<tbody>")[1]


def test_each_person_sees_what_is_theirs_at_their_escalation_level(client, judge, lead, bureau_head, president, warned):
    recent, old = warned["recent"].case_number, warned["old"].case_number

    def inbox(user):
        return page_of(client, user, "/supervision/inbox/").split("<tbody>")[1]

    assert recent in inbox(judge) and old in inbox(judge)
    lead_rows = inbox(lead)
    assert recent in lead_rows and old in lead_rows
    # the recent case's network query is yellow: still the judge's alone
    queries = page_of(client, lead, "/supervision/inbox/?rule=first_network_query").split("<tbody>")[1]
    assert recent not in queries and old in queries
    assert recent not in inbox(bureau_head) and old in inbox(bureau_head)
    assert recent not in inbox(president) and old in inbox(president)


def test_the_inbox_reads_a_page_in_a_fixed_number_of_queries(client, judge, warned, make_case, django_assert_max_num_queries):
    for _ in range(3):
        assigned(make_case(filed_on=OLD_FILING), judge)
    client.force_login(judge)
    client.get("/supervision/inbox/")
    with django_assert_max_num_queries(8):
        response = client.get("/supervision/inbox/")
    assert len(CASE_LINK.findall(response.content.decode())) >= 5


def test_the_inbox_pages_by_50(client, judge, recent_case, make_case):
    for _ in range(26):  # each old case brings at least two warnings
        assigned(make_case(filed_on=OLD_FILING), judge)
    page = page_of(client, judge, "/supervision/inbox/")
    assert "第 1 / 2 页" in page or "第 1 / 3 页" in page
    assert len(CASE_LINK.findall(page.split("<tbody>")[1])) == 50


# ---------------------------------------------------------------- the case page


def test_the_case_page_shows_every_deadline_with_level_version_and_citation(client, judge, recent_case):
    page = page_of(client, judge, f"/cases/{recent_case.pk}/")
    panel = section(page, "supervision")
    assert "发出执行通知书" in panel and "2026-11-19" in panel and "红色预警" in panel
    assert "v1（全国）" in panel
    assert 'title="依据：法发〔2006〕35号第4条' in panel  # the citation on hover
    assert "执行期限（6个月）" in panel and "2027-05-17" in panel  # 11-16 + 6 months, a Sunday → Monday
    assert "已完成" in panel  # the assignment (分案) is met
    assert 'id="lock-banner"' not in page


def test_a_locked_case_shows_the_banner_the_unlock_form_and_only_the_remedy(client, judge, locked_case):
    page = page_of(client, judge, f"/cases/{locked_case.pk}/")
    banner = section(page, "lock-banner")
    assert "本案已程序锁死（第1次" in banner and "发出执行通知书（2026-11-05 届满）" in banner
    assert 'id="action-unlock"' in banner
    node_select = page[page.index('id="action-node"') :]
    node_select = node_select[: node_select.index("</select>")]
    assert 'value="enforcement_notice"' in node_select and 'value="property_report_order"' in node_select
    assert 'value="network_query"' not in node_select
    assert 'id="action-close"' not in page and 'id="action-assign"' not in page
    assert "其他操作须先申请解锁" in page  # said where the hidden forms were


def test_a_refused_action_on_a_locked_case_answers_423_with_the_reason(client, judge, locked_case):
    client.force_login(judge)
    data = {"node-node_code": "network_query", "node-occurred_on": TODAY.isoformat()}
    response = client.post(f"/cases/{locked_case.pk}/nodes/", data)
    assert response.status_code == 423
    assert "程序锁死" in response.content.decode() and "发出执行通知书" in response.content.decode()
    response = client.post(f"/cases/{locked_case.pk}/nodes/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 423 and "程序锁死" in response.content.decode()
    assert not NodeRecord.objects.filter(case=locked_case, node_code="network_query").exists()
    remedy = {"node-node_code": "enforcement_notice", "node-occurred_on": TODAY.isoformat()}
    assert client.post(f"/cases/{locked_case.pk}/nodes/", remedy).status_code == 302


# ---------------------------------------------------------------- unlocking


def test_unlock_request_then_approval_by_the_bureau_head_only(client, judge, lead, bureau_head, locked_case):
    client.force_login(judge)
    response = client.post(f"/supervision/cases/{locked_case.pk}/unlock-requests/", {"unlock-reason": ""})
    assert response.status_code == 422 and "这个字段是必填项" in response.content.decode()
    response = client.post(f"/supervision/cases/{locked_case.pk}/unlock-requests/",
                           {"unlock-reason": "已发出执行通知书，申请恢复办理"}, follow=True)
    assert "已提交解锁申请，报北京市海淀区人民法院审批" in response.content.decode()
    assert "解锁申请待北京市海淀区人民法院审批" in response.content.decode()
    request = UnlockRequest.objects.get()
    # through htmx a refusal swaps just the form, with its reason
    response = client.post(f"/supervision/cases/{locked_case.pk}/unlock-requests/", {"unlock-reason": "再次申请"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "已有待审批的解锁申请" in response.content.decode()
    assert response.content.decode().lstrip().startswith("<form") and "<html" not in response.content.decode()

    # another judge, even the team's lead, sees nothing to decide and may not decide
    assert "没有待您审批的解锁申请" in page_of(client, lead, "/supervision/unlocks/")
    response = client.post(f"/supervision/unlocks/{request.pk}/decision/", {"decision": "approve"})
    assert response.status_code == 403 and "解锁须由本院执行局长或院长审批" in response.content.decode()
    assert CaseLock.objects.get(case=locked_case).is_active

    page = page_of(client, bureau_head, "/supervision/unlocks/")
    assert locked_case.case_number in page and "已发出执行通知书，申请恢复办理" in page
    assert locked_case.case_number in section(page_of(client, bureau_head, "/supervision/"), "home-unlocks")
    response = client.post(f"/supervision/unlocks/{request.pk}/decision/", {"decision": "reject", "note": ""})
    assert response.status_code == 422 and "驳回须写明理由" in response.content.decode()
    response = client.post(f"/supervision/unlocks/{request.pk}/decision/", {"decision": "approve", "note": "同意"})
    assert response.status_code == 302 and response["Location"] == "/supervision/unlocks/"
    lock = CaseLock.objects.get(case=locked_case)
    assert lock.released_on == TODAY and lock.released_by == bureau_head
    page = page_of(client, judge, f"/cases/{locked_case.pk}/")
    assert 'id="lock-banner"' not in page and "已批准" in section(page, "supervision")
    assert 'id="action-close"' in page


def test_the_requester_cannot_approve_their_own_unlock_request(client, bureau_head, locked_case):
    client.force_login(bureau_head)
    client.post(f"/supervision/cases/{locked_case.pk}/unlock-requests/", {"unlock-reason": "局长自行申请"})
    request = UnlockRequest.objects.get()
    assert locked_case.case_number not in page_of(client, bureau_head, "/supervision/unlocks/")
    response = client.post(f"/supervision/unlocks/{request.pk}/decision/", {"decision": "approve"})
    assert response.status_code == 403 and "不能审批自己提出的解锁申请" in response.content.decode()
    assert CaseLock.objects.get(case=locked_case).is_active


def test_a_second_lock_is_unlocked_by_the_intermediate_court(client, judge, bureau_head, supervisor, mid_head, locked_case):
    second_lock(locked_case)
    client.force_login(judge)
    client.post(f"/supervision/cases/{locked_case.pk}/unlock-requests/", {"unlock-reason": "已安排送达"})
    request = UnlockRequest.objects.get()
    assert request.approver_court.court_code == "京01"

    assert locked_case.case_number not in page_of(client, bureau_head, "/supervision/unlocks/")
    response = client.post(f"/supervision/unlocks/{request.pk}/decision/", {"decision": "approve"})
    assert response.status_code == 403 and "解锁须由上一级法院（第二次及以后的锁定）审批" in response.content.decode()

    # the intermediate court's bureau head cannot open the case, but decides its unlock request
    client.force_login(mid_head)
    assert client.get(f"/cases/{locked_case.pk}/").status_code == 404
    assert locked_case.case_number in page_of(client, supervisor, "/supervision/unlocks/")
    assert locked_case.case_number in page_of(client, mid_head, "/supervision/unlocks/")
    response = client.post(f"/supervision/unlocks/{request.pk}/decision/",
                           {"decision": "reject", "note": "补救事项尚未完成"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("rejected", mid_head)
    assert CaseLock.objects.get(case=locked_case, sequence=2).is_active
    assert LogEntry.objects.filter(case=locked_case, action="unlock_reject").count() == 1


def test_the_unlock_decision_on_the_case_page_returns_to_the_case(client, judge, bureau_head, locked_case):
    client.force_login(judge)
    client.post(f"/supervision/cases/{locked_case.pk}/unlock-requests/", {"unlock-reason": "已补救"})
    page = page_of(client, bureau_head, f"/cases/{locked_case.pk}/")
    assert 'id="decide-unlock-' in section(page, "lock-banner")
    request = UnlockRequest.objects.get()
    response = client.post(f"/supervision/unlocks/{request.pk}/decision/", {"decision": "approve", "from": "case"})
    assert response["Location"] == f"/cases/{locked_case.pk}/"


# ---------------------------------------------------------------- pauses and extensions


def test_a_judge_records_a_suspension_and_its_end_on_the_case_page(client, judge, recent_case):
    client.force_login(judge)
    url = f"/supervision/cases/{recent_case.pk}/suspensions/"
    response = client.post(url, {"suspension-kind": "interruption", "suspension-start_on": "2026-11-20",
                                 "suspension-reason": ""})
    assert response.status_code == 422
    response = client.post(url, {"suspension-kind": "interruption", "suspension-start_on": "2026-11-20",
                                 "suspension-reason": "（2026）京0108执异1号裁定中止"}, follow=True)
    assert "已记录中止执行，自 2026-11-20 起不计入执行期限" in response.content.decode()
    assert Deadline.objects.get(case=recent_case, rule_code="close_period").status == "paused"
    page = page_of(client, judge, f"/cases/{recent_case.pk}/")
    assert "进行中" in section(page, "supervision") and 'id="action-resume"' in page

    pause = Suspension.objects.get()
    response = client.post(f"/supervision/suspensions/{pause.pk}/end/", {"resume-end_on": "2026-11-19"})
    assert response.status_code == 422 and "结束日期须在 2026-11-20 与今天之间" in response.content.decode()
    response = client.post(f"/supervision/suspensions/{pause.pk}/end/", {"resume-end_on": "2026-11-24"})
    assert response.status_code == 302
    close_period = Deadline.objects.get(case=recent_case, rule_code="close_period")
    assert (close_period.status, close_period.paused_days) == ("pending", 4)


def test_an_extension_is_requested_by_the_judge_and_approved_by_the_president(client, judge, bureau_head, president, old_case):
    client.force_login(judge)
    response = client.post(f"/supervision/cases/{old_case.pk}/extensions/", {"extension-reason": "财产正在拍卖"}, follow=True)
    assert "已申请延长执行期限3个月，报院长审批" in response.content.decode()
    extension = Extension.objects.get()
    before = Deadline.objects.get(case=old_case, rule_code="close_period").due_on

    home = section(page_of(client, president, "/supervision/"), "home-extensions")
    assert old_case.case_number in home and "财产正在拍卖" in home
    for user in (judge, bureau_head):
        client.force_login(user)
        response = client.post(f"/supervision/extensions/{extension.pk}/decision/", {"decision": "approve"})
        assert response.status_code == 403 and "延长执行期限须经院长（副院长）批准" in response.content.decode()

    assert old_case.case_number in page_of(client, president, "/supervision/extensions/")
    response = client.post(f"/supervision/extensions/{extension.pk}/decision/", {"decision": "approve", "note": "同意"})
    assert response.status_code == 302
    extension.refresh_from_db()
    assert extension.status == "approved"
    after = Deadline.objects.get(case=old_case, rule_code="close_period")
    assert after.extension_months == 3 and after.due_on > before
    assert "已批准" in section(page_of(client, judge, f"/cases/{old_case.pk}/"), "supervision")
