"""集约查控 and reply import (C12, C13): the checklist, sending batches, importing agencies' replies,
their pages, API and commands."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from zhixing.cases.choices import LogAction, PartyRole
from zhixing.cases.exceptions import NotAllowed, ValidationFailed
from zhixing.cases.models import EnforcementCase, LogEntry, NodeRecord, Party
from zhixing.property import checklist, queries, replies
from zhixing.property.models import (
    Asset,
    CaseAsset,
    ChecklistSetting,
    Clue,
    ClueOutcome,
    PropertyQuery,
    QueryBatch,
    QueryState,
    ReplyImport,
)
from zhixing.supervision.models import CaseLock

FIVE = ["deposits", "securities", "real_estate", "vehicles", "business_registration"]
HEADER = ["查询序号", "证件号码", "姓名/名称", "查控事项", "财产类别", "结果", "反馈日期",
          "开户行", "账号", "余额（元）", "不动产权证号", "坐落", "面积（平方米）", "号牌", "车辆识别代号"]


def respondent(case) -> Party:
    return Party.objects.get(case=case, role=PartyRole.RESPONDENT)


def reply_csv(rows: list[dict], header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue().encode("utf-8-sig")


def today() -> str:
    return timezone.localdate().isoformat()


def send(actor, cases, items=("deposits", "vehicles", "real_estate"), **kwargs):
    return queries.batch_send(actor=actor, cases=[c.pk for c in cases], item_codes=list(items), **kwargs)


@pytest.fixture
def two_cases(make_case):
    return [make_case(), make_case()]


# ---------------------------------------------------------------- checklist


def test_the_national_checklist_applies_until_a_court_sets_its_own(courts):
    assert [i.code for i in checklist.checklist_for(courts["court"])][:5] == FIVE
    ChecklistSetting.objects.create(court=courts["court"], code="vehicles", name="车辆", group="five",
                                    agency_kind="vehicle", position=1)
    ChecklistSetting.objects.create(court=courts["court"], code="deposits", name="存款", group="five",
                                    agency_kind="bank", position=2)
    ChecklistSetting.objects.create(court=courts["court"], code="insurance", name="保险", group="y",
                                    agency_kind="insurance", position=3, enabled=False)
    items = checklist.checklist_for(courts["court"])
    assert [i.code for i in items] == ["vehicles", "deposits"]
    assert items[1].asset_kinds == ("bank_deposit",)
    assert [i.code for i in checklist.checklist_for(courts["other"])][:5] == FIVE


def test_case_checklist_shows_each_items_state_from_the_latest_query_and_the_clues(make_case, affairs_clerk, judge):
    case = make_case()
    party = respondent(case)
    rows = {r.item.code: r for _, r in checklist.case_checklist(case).rows}
    assert rows["deposits"].state == QueryState.NOT_SENT and rows["party_clues"].state == QueryState.NOT_SENT

    send(affairs_clerk, [case], items=FIVE)
    PropertyQuery.objects.filter(case=case, item_code="deposits").update(state=QueryState.FOUND, replied_on=timezone.localdate())
    PropertyQuery.objects.filter(case=case, item_code="securities").update(state=QueryState.NONE)
    PropertyQuery.objects.filter(case=case, item_code="vehicles").update(state=QueryState.FAILED)
    Clue.objects.create(court=case.court, case=case, source="applicant", description="被执行人在某银行有存款",
                        received_on=timezone.localdate(), verify_due=timezone.localdate(), outcome=ClueOutcome.PENDING)
    checklist.query_record_manual(actor=judge, case=case, party=party, item_code="household", state=QueryState.NONE,
                                  note="户籍地无财产")
    result = checklist.case_checklist(case)
    rows = {r.item.code: r for _, r in result.rows}
    assert rows["deposits"].state == QueryState.FOUND
    assert rows["securities"].state == QueryState.NONE
    assert rows["real_estate"].state == QueryState.SENT
    assert rows["vehicles"].state == QueryState.FAILED
    assert rows["party_clues"].state == QueryState.SENT  # a clue awaiting verification
    assert rows["household"].state == QueryState.NONE
    assert rows["insurance"].state == QueryState.NOT_SENT
    assert (result.five_done, result.five_total) == (2, 5)
    assert "2/5" in result.summary
    assert LogEntry.objects.filter(case=case, action=LogAction.QUERY_REPLY, summary__contains="户籍").exists()


def test_manual_recording_refuses_an_item_off_the_list_and_another_courts_user(make_case, judge, other_judge):
    case = make_case()
    with pytest.raises(ValidationFailed) as exc:
        checklist.query_record_manual(actor=judge, case=case, party=respondent(case), item_code="astrology",
                                      state=QueryState.NONE)
    assert exc.value.errors[0].field == "item_code"
    with pytest.raises(Exception, match="案件不存在"):
        checklist.query_record_manual(actor=other_judge, case=case, party=respondent(case), item_code="household",
                                      state=QueryState.NONE)


# ---------------------------------------------------------------- sending


def test_a_send_makes_one_batch_per_agency_with_its_request_file(two_cases, affairs_clerk, exchange_dir,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = send(affairs_clerk, two_cases)
    assert result.queries == 6 and result.cases == 2 and not result.skipped
    assert sorted(b.agency_kind for b in result.batches) == ["bank", "real_estate", "vehicle"]
    bank = next(b for b in result.batches if b.agency_kind == "bank")
    assert bank.number.startswith(f"CK{timezone.localdate().year}-") and bank.number.endswith("-bank")
    assert bank.requests == 2
    path = exchange_dir / bank.request_file
    assert path == exchange_dir / "outbox" / "bank" / f"{bank.number}.csv"
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[0] == ["批次号", "查询序号", "案号", "被执行人", "证件号码", "查控事项"]
    query = PropertyQuery.objects.get(case=two_cases[0], item_code="deposits")
    assert [bank.number, str(query.pk), two_cases[0].case_number, query.name, query.identity_number, "银行存款"] in lines
    for case in two_cases:
        assert NodeRecord.objects.filter(case=case, node_code="network_query").count() == 1
        entry = LogEntry.objects.filter(case=case, action=LogAction.QUERY).get()
        assert "银行存款" in entry.summary and "3 项" in entry.summary


def test_sending_twice_the_same_day_adds_nothing(two_cases, affairs_clerk):
    send(affairs_clerk, two_cases)
    again = send(affairs_clerk, two_cases)
    assert again.queries == 0 and not again.batches
    assert {s.reason for s in again.skipped} == {"今日已发送过所选事项的查询"}
    assert PropertyQuery.objects.count() == 6 and QueryBatch.objects.count() == 3
    assert NodeRecord.objects.filter(node_code="network_query").count() == 2


def test_closed_locked_and_unidentified_respondents_are_skipped_and_reported(make_case, affairs_clerk):
    good, closed, locked, anonymous = (make_case() for _ in range(4))
    EnforcementCase.objects.filter(pk=closed.pk).update(status="closed", closing_type="performed", closed_on=timezone.localdate())
    CaseLock.objects.create(court=locked.court, case=locked, sequence=1, rule_codes="close_period",
                            reason="超过执行期限", locked_on=timezone.localdate())
    Party.objects.filter(case=anonymous, role=PartyRole.RESPONDENT).update(id_number="", credit_code="")
    result = send(affairs_clerk, [good, closed, locked, anonymous])
    assert result.cases == 1 and result.queries == 3
    reasons = {s.case_number: s.reason for s in result.skipped}
    assert reasons[closed.case_number] == "案件已结案"
    assert "程序锁死" in reasons[locked.case_number]
    assert "无证件号码" in reasons[anonymous.case_number]
    assert set(PropertyQuery.objects.values_list("case_id", flat=True)) == {good.pk}
    assert not LogEntry.objects.filter(case=locked, action=LogAction.QUERY).exists()


def test_only_the_actors_court_and_allowed_roles_send(make_case, other_clerk, bailiff, affairs_clerk):
    case = make_case()
    assert send(other_clerk, [case]).queries == 0  # another court's case is not even seen
    with pytest.raises(NotAllowed):
        send(bailiff, [case])
    with pytest.raises(ValidationFailed) as exc:
        send(affairs_clerk, [case], items=["household"])
    assert exc.value.errors[0].field == "item_codes"


def test_sending_many_cases_takes_a_fixed_number_of_queries(make_case, affairs_clerk):
    few = [make_case() for _ in range(2)]
    many = [make_case() for _ in range(12)]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        send(affairs_clerk, few)
    with CaptureQueriesContext(connection) as large:
        send(affairs_clerk, many)
    assert len(large.captured_queries) <= len(small.captured_queries) + 5


# ---------------------------------------------------------------- replies


def test_a_reply_file_matched_by_query_number_and_by_id_number_records_results_assets_nodes_and_log(
        two_cases, affairs_clerk):
    send(affairs_clerk, two_cases)
    first, second = two_cases
    q_bank = PropertyQuery.objects.get(case=first, item_code="deposits")
    q_car = PropertyQuery.objects.get(case=first, item_code="vehicles")
    second_id = respondent(second).id_number
    content = reply_csv([
        {"查询序号": q_bank.pk, "证件号码": q_bank.identity_number, "结果": "有", "反馈日期": today(),
         "开户行": "中国工商银行北京海淀支行", "账号": "6222 0200 0000 1234", "余额（元）": "12,345.67"},
        {"查询序号": q_bank.pk, "证件号码": q_bank.identity_number, "结果": "有", "反馈日期": today(),
         "开户行": "中国建设银行北京分行", "账号": "4367 0000 1111", "余额（元）": "0.50"},
        {"查询序号": q_car.pk, "证件号码": q_car.identity_number, "结果": "无", "反馈日期": today()},
        {"证件号码": second_id, "查控事项": "不动产", "结果": "有", "反馈日期": today(),
         "不动产权证号": "京(2020)海淀区不动产权第0001234号", "坐落": "海淀区中关村大街1号", "面积（平方米）": "89.5"},
        {"证件号码": second_id, "财产类别": "银行存款", "结果": "无", "反馈日期": today()},
    ])
    result = replies.reply_import(actor=affairs_clerk, file_name="bank-reply.csv", content=content)
    assert (result.queries_answered, result.assets_found, result.cases) == (4, 3, 2)
    q_bank.refresh_from_db()
    assert q_bank.state == QueryState.FOUND and q_bank.replied_on == timezone.localdate()
    assert PropertyQuery.objects.get(pk=q_car.pk).state == QueryState.NONE
    assert PropertyQuery.objects.get(case=second, item_code="deposits").state == QueryState.NONE
    deposit = Asset.objects.get(kind="bank_deposit", identity_key__endswith="6222020000001234")
    assert deposit.value_fen == 1_234_567 and deposit.details["account"] == "6222 0200 0000 1234"
    assert CaseAsset.objects.filter(case=first).count() == 2
    flat = CaseAsset.objects.get(case=second)
    assert flat.asset.kind == "real_estate" and flat.found_via == "network_query"
    assert NodeRecord.objects.filter(node_code="property_found").count() == 2
    assert LogEntry.objects.filter(case=first, action=LogAction.ASSET).count() == 2
    assert "银行存款反馈有财产" in LogEntry.objects.get(case=first, action=LogAction.QUERY_REPLY).summary
    batch = QueryBatch.objects.get(agency_kind="bank")
    assert (batch.replied, batch.requests) == (2, 2)
    imported = ReplyImport.objects.get()
    assert (imported.rows, imported.queries_answered, imported.assets_found) == (5, 4, 3)


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"反馈日期": "2026-02-30"}, "反馈日期", "不是存在的日期"),
    ({"反馈日期": "2999-01-01"}, "反馈日期", "晚于今天"),
    ({"余额（元）": "12.345"}, "余额（元）", "无效"),
    ({"账号": ""}, "账号", "须填写"),
    ({"证件号码": "110108199001011234"}, "证件号码", "不符"),
    ({"证件号码": "1101"}, "证件号码", "18位"),
    ({"结果": "也许"}, "结果", "有、无或失败"),
])
def test_a_bad_row_imports_nothing_and_the_report_names_row_and_field(make_case, affairs_clerk, change, field, words):
    case = make_case()
    send(affairs_clerk, [case])
    query = PropertyQuery.objects.get(case=case, item_code="deposits")
    good = {"查询序号": query.pk, "证件号码": query.identity_number, "结果": "无", "反馈日期": today()}
    car = PropertyQuery.objects.get(case=case, item_code="vehicles")
    row = {"查询序号": car.pk, "证件号码": car.identity_number, "结果": "有", "反馈日期": today(),
           "开户行": "x", "号牌": "京A12345", "车辆识别代号": "LSVAU2180N2123456"}
    if field in ("余额（元）", "账号"):
        row = {"查询序号": query.pk, "证件号码": query.identity_number, "结果": "有", "反馈日期": today(),
               "开户行": "工商银行", "账号": "1234", "余额（元）": "1.00"}
        good = {"查询序号": car.pk, "证件号码": car.identity_number, "结果": "无", "反馈日期": today()}
    row.update(change)
    with pytest.raises(ValidationFailed) as exc:
        replies.reply_import(actor=affairs_clerk, file_name="r.csv", content=reply_csv([good, row]))
    assert any(e.row == 3 and e.field == field and words in e.message for e in exc.value.errors), exc.value.errors
    assert not PropertyQuery.objects.exclude(state=QueryState.SENT).exists()
    assert not Asset.objects.exists() and not ReplyImport.objects.exists()
    assert not LogEntry.objects.filter(action=LogAction.QUERY_REPLY).exists()


def test_an_unknown_id_number_is_reported_as_unmatched(make_case, affairs_clerk):
    send(affairs_clerk, [make_case()])
    content = reply_csv([{"证件号码": "110108199001011234", "查控事项": "银行存款", "结果": "无", "反馈日期": today()}])
    with pytest.raises(ValidationFailed) as exc:
        replies.reply_import(actor=affairs_clerk, file_name="r.csv", content=content)
    assert exc.value.errors[0].row == 2 and "没有向该证件号码发出" in exc.value.errors[0].message


def test_the_same_file_twice_changes_nothing_and_a_repeating_file_adds_nothing(make_case, affairs_clerk):
    case = make_case()
    send(affairs_clerk, [case])
    identity = respondent(case).id_number
    row = {"证件号码": identity, "查控事项": "车辆", "结果": "有", "反馈日期": today(), "号牌": "京A12345",
           "车辆识别代号": "LSVAU2180N2123456"}
    content = reply_csv([row])
    replies.reply_import(actor=affairs_clerk, file_name="r.csv", content=content)
    logs = LogEntry.objects.count()
    second = replies.reply_import(actor=affairs_clerk, file_name="r.csv", content=content)
    assert second.already_imported and "已于" in second.message
    repeat = replies.reply_import(actor=affairs_clerk, file_name="r2.csv", content=reply_csv([row, {
        "证件号码": identity, "查控事项": "车辆", "结果": "有", "反馈日期": today(), "号牌": "京a 12345",
        "车辆识别代号": "lsvau2180n2123456"}]))
    assert (repeat.queries_answered, repeat.assets_found, repeat.unchanged) == (0, 0, 2)
    assert LogEntry.objects.count() == logs
    assert Asset.objects.count() == 1 and CaseAsset.objects.count() == 1
    assert ReplyImport.objects.count() == 2


def test_the_same_flat_found_by_two_courts_is_one_asset_linked_to_both(make_case, affairs_clerk, other_clerk):
    ours = make_case()
    theirs = make_case(actor=other_clerk.__class__.objects.create_user(
        username="xicheng_judge", password="x-pw-123456", court=other_clerk.court, role="judge"))
    send(affairs_clerk, [ours], items=["real_estate"])
    send(other_clerk, [theirs], items=["real_estate"])
    flat = {"查控事项": "不动产", "结果": "有", "反馈日期": today(), "不动产权证号": "京(2020)海淀区不动产权第0001234号",
            "坐落": "海淀区中关村大街1号", "面积（平方米）": "89.5"}
    replies.reply_import(actor=affairs_clerk, file_name="a.csv",
                         content=reply_csv([{**flat, "证件号码": respondent(ours).id_number}]))
    replies.reply_import(actor=other_clerk, file_name="b.csv",
                         content=reply_csv([{**flat, "证件号码": respondent(theirs).id_number, "坐落": "海淀区中关村大街1号 "}]))
    asset = Asset.objects.get()
    assert set(asset.case_links.values_list("case_id", flat=True)) == {ours.pk, theirs.pk}
    assert set(asset.case_links.values_list("court_id", flat=True)) == {ours.court_id, theirs.court_id}


def test_a_reply_for_another_courts_query_number_is_refused(make_case, affairs_clerk, other_clerk):
    case = make_case()
    send(affairs_clerk, [case])
    query = PropertyQuery.objects.get(case=case, item_code="deposits")
    content = reply_csv([{"查询序号": query.pk, "证件号码": query.identity_number, "结果": "无", "反馈日期": today()}])
    with pytest.raises(ValidationFailed) as exc:
        replies.reply_import(actor=other_clerk, file_name="r.csv", content=content)
    assert exc.value.errors[0].field == "查询序号"


def test_an_xlsx_reply_file_imports(make_case, affairs_clerk):
    from openpyxl import Workbook

    case = make_case()
    send(affairs_clerk, [case])
    query = PropertyQuery.objects.get(case=case, item_code="deposits")
    book = Workbook()
    sheet = book.active
    sheet.append(["查询序号", "证件号码", "结果", "反馈日期", "开户行", "账号", "余额（元）"])
    sheet.append([query.pk, query.identity_number, "有", timezone.localdate(), "招商银行", "6214830000000001", 1234.5])
    out = io.BytesIO()
    book.save(out)
    result = replies.reply_import(actor=affairs_clerk, file_name="reply.xlsx", content=out.getvalue())
    assert result.assets_found == 1
    assert Asset.objects.get().value_fen == 123_450


# ---------------------------------------------------------------- pages, API, commands


@pytest.fixture
def clerk_client(client, affairs_clerk):
    client.force_login(affairs_clerk)
    return client


def test_the_intensive_query_page_lists_todays_cases_and_sends(clerk_client, make_case, affairs_clerk):
    case = make_case(filed_on=timezone.localdate())
    page = clerk_client.get("/property/batch/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "集约查控" in text and case.case_number in text and "发送查询" in text
    response = clerk_client.post("/property/batch/", {"filed_from": today(), "filed_to": today(),
                                                      "items": ["deposits", "vehicles"]})
    assert response.status_code == 200
    assert "已发送 1 件案件的 2 项查询" in response.content.decode()
    assert PropertyQuery.objects.filter(case=case).count() == 2


def test_batch_list_download_and_reply_upload_pages(clerk_client, make_case, affairs_clerk,
                                                    django_capture_on_commit_callbacks):
    case = make_case()
    with django_capture_on_commit_callbacks(execute=True):
        send(affairs_clerk, [case])
    batch = QueryBatch.objects.get(agency_kind="bank")
    listing = clerk_client.get("/property/batches/")
    assert listing.status_code == 200 and batch.number in listing.content.decode()
    download = clerk_client.get(f"/property/batches/{batch.pk}/request/")
    assert download.status_code == 200 and "查询序号".encode() in b"".join(download.streaming_content)
    assert clerk_client.get("/property/replies/").status_code == 200
    bad = reply_csv([{"证件号码": "1101", "查控事项": "银行存款", "结果": "无", "反馈日期": today()}])
    response = clerk_client.post("/property/replies/", {"file": SimpleUploadedFile("r.csv", bad)})
    assert response.status_code == 422 and "18位" in response.content.decode()
    good = reply_csv([{"证件号码": respondent(case).id_number, "查控事项": "银行存款", "结果": "无", "反馈日期": today()}])
    response = clerk_client.post("/property/replies/", {"file": SimpleUploadedFile("r.csv", good)})
    assert response.status_code == 200 and "反馈 1 项查询" in response.content.decode()


def test_another_courts_user_sees_neither_batches_nor_downloads(client, make_case, affairs_clerk, other_clerk):
    send(affairs_clerk, [make_case()])
    batch = QueryBatch.objects.first()
    client.force_login(other_clerk)
    assert batch.number not in client.get("/property/batches/").content.decode()
    assert client.get(f"/property/batches/{batch.pk}/request/").status_code == 404


def test_the_checklist_partial_renders_for_the_case_page(make_case, affairs_clerk, rf):
    from django.template.loader import render_to_string

    from zhixing.property.views_queries import checklist_context

    case = make_case()
    send(affairs_clerk, [case])
    html = render_to_string("property/queries/_checklist.html", checklist_context(affairs_clerk, case))
    respondent = case.parties.get(role="respondent")
    assert "银行存款" in html and "已发送" in html and f"5项网络查控已完成：{respondent.name} 0/5" in html


def test_api_sends_lists_shows_the_checklist_and_imports_replies(clerk_client, make_case, other_clerk, client):
    case = make_case()
    response = clerk_client.post("/api/v1/property/batches", data=json.dumps({"case_ids": [case.pk], "item_codes": ["deposits"]}),
                                 content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["queries"] == 1 and body["batches"][0]["agency_kind"] == "bank"
    listing = clerk_client.get("/api/v1/property/batches").json()
    assert listing["count"] == 1 and listing["items"][0]["requests"] == 1
    sheet = clerk_client.get(f"/api/v1/property/cases/{case.pk}/checklist").json()
    states = {r["item_code"]: r["state"] for r in sheet["respondents"][0]["items"]}
    assert states["deposits"] == "sent" and states["vehicles"] == "not_sent"
    content = reply_csv([{"证件号码": respondent(case).id_number, "查控事项": "银行存款", "结果": "无", "反馈日期": today()}])
    response = clerk_client.post("/api/v1/property/replies", {"file": SimpleUploadedFile("r.csv", content)})
    assert response.status_code == 200 and response.json()["queries_answered"] == 1
    client.force_login(other_clerk)
    assert client.get(f"/api/v1/property/cases/{case.pk}/checklist").status_code == 404


def test_commands_send_and_import(make_case, affairs_clerk, tmp_path, capsys):
    case = make_case(filed_on=timezone.localdate() - dt.timedelta(days=1))
    day = case.filed_on.isoformat()
    call_command("property_send", "--court", "京0108", "--filed-on", day, "--items", "deposits,vehicles",
                 "--user", affairs_clerk.username)
    assert "2 项查询" in capsys.readouterr().out
    path = tmp_path / "reply.csv"
    path.write_bytes(reply_csv([{"证件号码": respondent(case).id_number, "查控事项": "车辆", "结果": "无",
                                 "反馈日期": today()}]))
    call_command("import_replies", str(path), "--user", affairs_clerk.username)
    assert "反馈 1 项查询" in capsys.readouterr().out
    path.write_bytes(reply_csv([{"证件号码": "1101", "查控事项": "车辆", "结果": "无", "反馈日期": today()}]))
    with pytest.raises(CommandError, match="18位"):
        call_command("import_replies", str(path), "--user", affairs_clerk.username)
