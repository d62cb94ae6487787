"""The case pages, as a clerk or judge uses them: worklist, registration, detail and its actions, import."""

from __future__ import annotations

import datetime as dt
import random
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from zhixing.cases import imports, services
from zhixing.cases.exceptions import FieldError, ValidationFailed
from zhixing.cases.imports import ImportResult
from zhixing.cases.models import EnforcementCase, LogEntry, NodeRecord, Party
from zhixing.demo.identity import make_credit_code, make_id_number

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')


def case_links(response) -> list[int]:
    return [int(pk) for pk in CASE_LINK.findall(response.content.decode())]


def registration_data(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "court_code": "京0108",
        "case_type": "执",
        "filed_on": today.isoformat(),
        "document_number": "（2026）京0108民初101号",
        "issuing_court": "北京市海淀区人民法院",
        "effective_on": (today - dt.timedelta(days=30)).isoformat(),
        "main_text": "被告于判决生效之日起十日内支付原告货款。",
        "principal": "12,345.67",
        "interest": "100",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "1000",
        "parties-0-role": "applicant",
        "parties-0-kind": "natural_person",
        "parties-0-name": "张三",
        "parties-0-identity": make_id_number(birth_on=dt.date(1975, 6, 1), serial=11),
        "parties-0-phone": "13800138000",
        "parties-1-role": "respondent",
        "parties-1-kind": "natural_person",
        "parties-1-name": "李四",
        "parties-1-identity": make_id_number(birth_on=dt.date(1980, 1, 2), serial=12),
    }
    data.update(overrides)
    return data


def wrong_check_digit(id_number: str) -> str:
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("url", ["/cases/", "/cases/new/", "/cases/import/", "/cases/1/", "/courts/"])
def test_pages_send_an_anonymous_visitor_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_login_with_a_wrong_password_says_so_in_chinese(client, judge):
    response = client.post("/login/", {"username": "judge", "password": "wrong"})
    assert "用户名或密码错误" in response.content.decode()


def test_login_lands_on_the_home_page(client, judge):
    response = client.post("/login/", {"username": "judge", "password": "zhixing-test-pw"}, follow=True)
    assert response.redirect_chain[-1][0] == "/supervision/"
    assert "张法官" in response.content.decode()


# ---------------------------------------------------------------- worklist


def test_worklist_shows_own_courts_cases_and_not_another_courts(client, judge, other_judge, make_case):
    mine = make_case()
    theirs = make_case(actor=other_judge)
    client.force_login(judge)
    page = client.get("/cases/").content.decode()
    assert mine.case_number in page
    assert theirs.case_number not in page


def test_worklist_finds_a_case_by_a_partys_id_number(client, judge, make_case):
    wanted, other = make_case(), make_case()
    id_number = wanted.parties.get(role="respondent").id_number
    client.force_login(judge)
    response = client.get("/cases/", {"party": id_number})
    assert case_links(response) == [wanted.pk]
    assert other.case_number not in response.content.decode()


def test_worklist_filters_by_amount_range_typed_in_yuan(client, judge, make_case):
    small = make_case(amount_fen=100_000)  # 1,000.00 元
    large = make_case(amount_fen=50_000_000)  # 500,000.00 元
    client.force_login(judge)
    response = client.get("/cases/", {"amount_min": "10,000", "amount_max": "1000000.00"})
    assert case_links(response) == [large.pk]
    assert "500,000.00" in response.content.decode()
    assert small.case_number not in response.content.decode()


def test_a_mistyped_amount_is_shown_as_an_error_not_a_crash(client, judge, make_case):
    make_case()
    client.force_login(judge)
    response = client.get("/cases/", {"amount_min": "十万"})
    assert response.status_code == 200
    assert "不是有效金额" in response.content.decode()


def test_worklist_filters_by_stage(client, judge, make_case):
    frozen, untouched = make_case(), make_case()
    services.node_record(actor=judge, case=frozen, node_code="other_control")
    client.force_login(judge)
    assert case_links(client.get("/cases/", {"stage": "control"})) == [frozen.pk]
    assert case_links(client.get("/cases/", {"stage": "query"})) == [untouched.pk]


def test_worklist_shows_open_cases_by_default_and_closed_ones_on_request(client, judge, make_case):
    open_case, closed_case = make_case(), make_case()
    services.case_close(actor=judge, case=closed_case, closing_type="withdrawn", performed_amount_fen=0,
                        reason="重复立案")
    client.force_login(judge)
    assert case_links(client.get("/cases/")) == [open_case.pk]
    assert set(case_links(client.get("/cases/", {"status": "all"}))) == {open_case.pk, closed_case.pk}


def test_worklist_pages_by_fifty_and_keeps_the_filters_in_the_links(client, judge, make_case):
    today = timezone.localdate()
    cases = [make_case(filed_on=today - dt.timedelta(days=i % 20)) for i in range(53)]
    client.force_login(judge)
    first = client.get("/cases/", {"stage": "query"})
    page = first.content.decode()
    assert len(case_links(first)) == 50
    assert '<strong id="case-count">53</strong>' in page
    assert "?stage=query&amp;status=open&amp;page=2" in page or "?stage=query&amp;page=2" in page
    second = client.get("/cases/", {"stage": "query", "page": "2"})
    assert len(case_links(second)) == 3
    assert set(case_links(first)) | set(case_links(second)) == {c.pk for c in cases}


def test_worklist_query_count_does_not_grow_with_the_number_of_cases(
    client, judge, assistant, team, make_case, django_assert_max_num_queries
):
    for i in range(30):
        case = make_case()
        if i % 2:
            services.case_assign(actor=judge, case=case, handler=assistant, team=team)
    client.force_login(judge)
    # session, user, team and handler choices, one COUNT-free page query (30 < 50)
    with django_assert_max_num_queries(8):
        response = client.get("/cases/", {"status": "all"})
    assert len(case_links(response)) == 30
    assert "李助理" in response.content.decode()


def test_worklist_of_a_full_page_costs_one_count_and_one_page_query(
    client, judge, make_case, django_assert_max_num_queries
):
    for _ in range(55):
        make_case()
    client.force_login(judge)
    with django_assert_max_num_queries(9):
        response = client.get("/cases/")
    assert len(case_links(response)) == 50


def test_supervisor_may_filter_by_court_but_a_judge_sees_no_court_filter(client, judge, supervisor, other_judge, make_case):
    here, there = make_case(), make_case(actor=other_judge)
    client.force_login(supervisor)
    response = client.get("/cases/", {"court": there.court_id})
    assert 'name="court"' in response.content.decode()
    assert case_links(response) == [there.pk]
    client.force_login(judge)
    assert 'name="court"' not in client.get("/cases/").content.decode()
    assert here.pk in case_links(client.get("/cases/"))


# ---------------------------------------------------------------- registration


def test_registering_through_the_form_creates_the_case_and_shows_it(client, judge):
    client.force_login(judge)
    response = client.post("/cases/new/", registration_data(), follow=True)
    case = EnforcementCase.objects.get()
    assert response.redirect_chain[-1][0] == f"/cases/{case.pk}/"
    page = response.content.decode()
    assert f"立案成功，案号：{case.case_number}" in page
    assert case.claim_amount_fen == 1_234_567 + 10_000
    assert case.applicant_names == "张三" and case.respondent_names == "李四"
    assert case.source == "form"


def test_a_bad_id_check_digit_is_shown_next_to_the_field_and_nothing_is_saved(client, judge):
    data = registration_data()
    data["parties-1-identity"] = wrong_check_digit(data["parties-1-identity"])
    client.force_login(judge)
    response = client.post("/cases/new/", data)
    page = response.content.decode()
    assert response.status_code == 422
    assert EnforcementCase.objects.count() == 0
    assert "未立案" in page and "当事人2·身份证号/统一社会信用代码" in page
    respondent_row = page[page.index('id="parties-1"') :]
    assert "身份证号校验位错误" in respondent_row[: respondent_row.index("</fieldset>")]
    assert 'value="李四"' in page  # what the clerk typed is kept


def test_a_registration_without_an_amount_or_respondent_lists_every_problem(client, judge):
    data = registration_data(principal="", interest="")
    data.update({"parties-1-role": "applicant"})
    client.force_login(judge)
    page = client.post("/cases/new/", data).content.decode()
    assert "至少需要一名被执行人" in page
    assert "缺少申请执行标的金额" in page
    assert EnforcementCase.objects.count() == 0


def test_an_added_party_row_is_registered_and_an_empty_one_ignored(client, judge):
    credit_code = make_credit_code(random.Random(7))
    wrong = credit_code[:17] + ("0" if credit_code[17] != "0" else "1")
    data = registration_data(**{
        "parties-TOTAL_FORMS": "4",
        "parties-2-role": "respondent", "parties-2-kind": "legal_person", "parties-2-name": "某某有限公司",
        "parties-2-identity": wrong,
        "parties-3-role": "respondent", "parties-3-kind": "natural_person",
    })
    client.force_login(judge)
    page = client.post("/cases/new/", data).content.decode()
    assert "当事人3·身份证号/统一社会信用代码：统一社会信用代码校验位错误" in page
    assert EnforcementCase.objects.count() == 0

    data["parties-2-identity"] = credit_code
    response = client.post("/cases/new/", data)
    assert response.status_code == 302
    assert list(Party.objects.order_by("position").values_list("name", flat=True)) == ["张三", "李四", "某某有限公司"]


def test_the_add_party_button_returns_the_next_row_and_the_new_total(client, judge):
    client.force_login(judge)
    page = client.get("/cases/new/party-row/", {"parties-TOTAL_FORMS": "2"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="parties-2-name"' in page
    assert 'name="parties-TOTAL_FORMS" value="3"' in page and 'hx-swap-oob="true"' in page


def test_the_add_party_button_works_without_javascript(client, judge):
    client.force_login(judge)
    page = client.post("/cases/new/", registration_data(add_party="1")).content.decode()
    assert 'name="parties-2-name"' in page
    assert EnforcementCase.objects.count() == 0


def test_the_id_check_while_typing_names_the_wrong_check_digit(client, judge):
    good = make_id_number(birth_on=dt.date(1980, 1, 2), serial=12)
    client.force_login(judge)
    bad = client.get("/cases/new/check-id/", {"parties-0-identity": wrong_check_digit(good), "parties-0-kind": "natural_person"})
    assert "校验位错误" in bad.content.decode()
    ok = client.get("/cases/new/check-id/", {"parties-0-identity": good, "parties-0-kind": "natural_person"})
    assert "校验通过" in ok.content.decode() and "1980-01-02" in ok.content.decode()


def test_a_clerk_registers_only_in_their_own_court(client, clerk, courts):
    client.force_login(clerk)
    response = client.post("/cases/new/", registration_data(court_code=courts["other"].court_code))
    assert response.status_code == 422
    assert EnforcementCase.objects.count() == 0


def test_a_supervisor_gets_no_registration_form(client, supervisor):
    client.force_login(supervisor)
    page = client.get("/cases/new/").content.decode()
    assert "不能立案" in page and 'name="parties-0-name"' not in page


# ---------------------------------------------------------------- detail


def test_another_courts_case_answers_404_like_the_api(client, judge, other_judge, make_case):
    theirs = make_case(actor=other_judge)
    client.force_login(judge)
    assert client.get(f"/cases/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{theirs.pk}").status_code == 404
    response = client.post(f"/cases/{theirs.pk}/nodes/", {"node-node_code": "enforcement_notice"})
    assert response.status_code == 404
    assert LogEntry.objects.filter(case=theirs).count() == 1


def test_case_detail_shows_parties_amounts_deadlines_and_log(client, judge, make_case):
    case = make_case(amount_fen=123_456_789)
    client.force_login(judge)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    respondent = case.parties.get(role="respondent")
    assert respondent.id_number in page
    assert "1,234,567.89" in page
    assert f"{case.close_due:%Y-%m-%d}" in page and "执行期限（6个月）" in page  # the supervision panel
    assert "立案：" in page  # the first log entry
    assert 'id="action-node"' in page and 'id="action-close"' in page


def test_supervisor_sees_a_lower_courts_case_read_only_with_ids_masked(client, supervisor, make_case):
    case = make_case()
    client.force_login(supervisor)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    respondent = case.parties.get(role="respondent")
    assert case.case_number in page
    assert respondent.id_number not in page and respondent.masked_identity in page
    assert "<form" not in page.split("<main>")[1]  # no action forms at all
    assert "只能查看" in page


@pytest.mark.parametrize(
    "url, data",
    [
        ("nodes/", {"node-node_code": "enforcement_notice"}),
        ("close/", {"close-closing_type": "withdrawn", "close-performed_amount": "0", "close-reason": "重复立案"}),
    ],
)
def test_supervisor_cannot_act_on_a_case(client, supervisor, make_case, url, data):
    case = make_case()
    client.force_login(supervisor)
    response = client.post(f"/cases/{case.pk}/{url}", data)
    assert response.status_code == 403
    assert "只能查看" in response.content.decode()
    case.refresh_from_db()
    assert case.is_open and LogEntry.objects.filter(case=case).count() == 1


def test_recording_a_node_appends_a_log_entry(client, judge, make_case):
    case = make_case()
    client.force_login(judge)
    response = client.post(
        f"/cases/{case.pk}/nodes/",
        {"node-node_code": "enforcement_notice", "node-occurred_on": timezone.localdate().isoformat(), "node-note": "邮寄送达"},
        follow=True,
    )
    assert "已记录节点：发出执行通知书" in response.content.decode()
    entry = LogEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry.seq == 2 and entry.node_code == "enforcement_notice" and entry.reason == "邮寄送达"


def test_the_node_select_offers_only_nodes_allowed_now(client, judge, make_case):
    case = make_case()
    client.force_login(judge)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    node_select = page[page.index('name="node-node_code"') : page.index("</select>", page.index('name="node-node_code"'))]
    assert 'value="enforcement_notice"' in node_select
    assert 'value="auction_confirmed"' not in node_select  # needs 启动拍卖 first
    assert 'value="register"' not in node_select  # recorded by registration


def test_a_node_the_rules_forbid_shows_the_refusal_and_changes_nothing(client, judge, make_case):
    case = make_case()
    client.force_login(judge)
    response = client.post(f"/cases/{case.pk}/nodes/", {"node-node_code": "auction_confirmed"})
    assert response.status_code == 400
    assert "“拍卖成交确认”须先有：启动拍卖" in response.content.decode()
    assert LogEntry.objects.filter(case=case).count() == 1
    assert not NodeRecord.objects.filter(case=case, node_code="auction_confirmed").exists()


def test_with_htmx_a_refused_action_swaps_only_its_form(client, judge, make_case):
    case = make_case()
    client.force_login(judge)
    response = client.post(f"/cases/{case.pk}/nodes/", {"node-node_code": "auction_confirmed"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 400
    assert page.lstrip().startswith("<form") and 'id="action-node"' in page
    assert "须先有：启动拍卖" in page


def test_with_htmx_a_successful_action_reloads_the_case(client, judge, make_case):
    case = make_case()
    client.force_login(judge)
    response = client.post(f"/cases/{case.pk}/nodes/", {"node-node_code": "network_query"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == f"/cases/{case.pk}/"


def test_closing_zhongben_before_three_months_is_refused_with_the_rule(client, judge, make_case):
    case = make_case()
    client.force_login(judge)
    response = client.post(
        f"/cases/{case.pk}/close/", {"close-closing_type": "terminate_current", "close-performed_amount": "0"}
    )
    page = response.content.decode()
    assert "立案未满3个月" in page and "法〔2016〕373号" in page
    case.refresh_from_db()
    assert case.is_open


def test_closing_as_performed_then_archiving(client, judge, make_case):
    case = make_case(amount_fen=1_000_000)
    client.force_login(judge)
    response = client.post(
        f"/cases/{case.pk}/close/",
        {"close-closing_type": "performed", "close-performed_amount": "10,000.00", "close-reason": "全部履行"},
        follow=True,
    )
    assert "已结案：执行完毕" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "closed" and case.performed_amount_fen == 1_000_000
    assert 'id="action-archive"' in response.content.decode()
    client.post(f"/cases/{case.pk}/archive/", {})
    case.refresh_from_db()
    assert case.status == "archived"


def test_assigning_a_handler(client, judge, assistant, team, make_case):
    case = make_case()
    client.force_login(judge)
    response = client.post(f"/cases/{case.pk}/assign/", {"assign-handler": assistant.pk, "assign-team": team.pk}, follow=True)
    assert "已分案，承办人：李助理" in response.content.decode()
    case.refresh_from_db()
    assert case.handler == assistant
    # reassigning needs a reason, which the service asks for
    page = client.post(f"/cases/{case.pk}/assign/", {"assign-handler": judge.pk}).content.decode()
    assert "改派承办人须说明理由" in page


def test_editing_a_party_needs_a_reason_and_keeps_the_old_value_in_the_log(client, judge, make_case):
    case = make_case()
    party = case.parties.get(role="respondent")
    client.force_login(judge)
    url = f"/cases/{case.pk}/parties/{party.pk}/"
    fields = {f"party-{party.pk}-name": party.name, f"party-{party.pk}-identity": party.id_number,
              f"party-{party.pk}-phone": "13911112222"}
    assert "须说明理由" in client.post(url, fields).content.decode()
    response = client.post(url, {**fields, f"party-{party.pk}-reason": "当事人提交新号码"}, follow=True)
    assert "已修改当事人" in response.content.decode()
    entry = LogEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry.after == {"phone": "13911112222"} and entry.reason == "当事人提交新号码"


# ---------------------------------------------------------------- calendar warning


def test_calendar_banner_shows_when_a_deadline_falls_in_an_unloaded_year(client, judge, make_case):
    # 2027 is not in chinese_calendar 1.11 and no administrator has loaded it here.
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, tzinfo=BEIJING), tick=False):
        case = make_case(filed_on=dt.date(2026, 11, 20))  # closes by 2027-05-20
        client.force_login(judge)
        page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "2027年的节假日安排尚未载入" in page
    assert "2027-05-20<abbr" in page and "剩余" in page


def test_no_calendar_banner_when_every_year_is_known(client, judge, make_case):
    with time_machine.travel(dt.datetime(2025, 3, 3, 10, tzinfo=BEIJING), tick=False):
        case = make_case(filed_on=dt.date(2025, 3, 1))
        client.force_login(judge)
        page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "节假日安排尚未载入" not in page


# ---------------------------------------------------------------- import


def upload(name: str = "cases.csv", content: bytes = "案件编号,当事人\n".encode()):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_import_error_report_lists_row_field_and_reason_and_imports_nothing(client, judge, monkeypatch):
    def refuse(**kwargs):
        raise ValidationFailed([
            FieldError("parties[0].id_number", "身份证号校验位错误：末位应为 7，实为 1", row=3),
            FieldError("filed_on", "必填", row=2),
        ])

    monkeypatch.setattr(imports, "cases_import", refuse)
    client.force_login(judge)
    response = client.post("/cases/import/", {"file": upload()})
    page = response.content.decode()
    assert response.status_code == 422
    assert "未导入任何案件" in page
    assert page.index("<td class=\"num\">2</td>") < page.index("<td class=\"num\">3</td>")  # by row
    assert "身份证号校验位错误" in page


def test_import_success_lists_the_first_hundred_case_numbers(client, judge, monkeypatch):
    numbers = [f"（2026）京0108执{i}号" for i in range(1, 121)]
    seen = {}

    def accept(*, actor, file_name, content):
        seen.update(actor=actor, file_name=file_name, content=content)
        return ImportResult(created=120, already_imported=False, message="已导入 120 件案件", case_numbers=numbers)

    monkeypatch.setattr(imports, "cases_import", accept)
    client.force_login(judge)
    page = client.post("/cases/import/", {"file": upload("旧系统.xlsx", b"PK\x03\x04")}).content.decode()
    assert seen == {"actor": judge, "file_name": "旧系统.xlsx", "content": b"PK\x03\x04"}
    assert "已导入 120 件案件" in page
    assert "（2026）京0108执100号" in page and "（2026）京0108执101号" not in page
    assert "另有 20 件" in page


def test_import_shows_a_domain_error_message(client, judge, monkeypatch):
    def unavailable(**kwargs):
        from zhixing.cases.exceptions import DomainError

        raise DomainError("导入功能尚未实现", code="not_implemented")

    monkeypatch.setattr(imports, "cases_import", unavailable)
    client.force_login(judge)
    page = client.post("/cases/import/", {"file": upload()}).content.decode()
    assert "导入功能尚未实现" in page


def test_import_refuses_other_file_types(client, judge):
    client.force_login(judge)
    page = client.post("/cases/import/", {"file": upload("cases.pdf", b"%PDF")}).content.decode()
    assert "只能导入 CSV 或 XLSX 文件" in page
