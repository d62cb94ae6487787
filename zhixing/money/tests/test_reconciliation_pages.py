"""The reconciliation and report pages and /api/v1/money/reconciliation: the finance desk imports,
leaders read, a supervisor reads the courts below, a case team reads its own team's money, anyone
else is told why not; the same answers as JSON; downloads that open in a spreadsheet."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from zhixing.accounts.choices import Role
from zhixing.accounts.models import ApiToken
from zhixing.cases.models import EnforcementCase
from zhixing.money import ledger, services
from zhixing.money.models import LineStatus, Receipt, StatementImport, StatementLine
from zhixing.money.statements import statement_import
from zhixing.testing.fixtures import make_user

BEIJING = ZoneInfo("Asia/Shanghai")
D = dt.date
API = "/api/v1/money/reconciliation"
BASE = "/money/reconciliation"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=BEIJING), tick=False):
        yield


@pytest.fixture
def case(make_case, team):
    case = make_case(amount_fen=10_000_000, filed_on=D(2026, 9, 1))
    EnforcementCase.objects.filter(pk=case.pk).update(team=team)
    return case


def number_of(case) -> str:
    return ledger.sub_account_number(ledger.settings_for(case.court_id).sub_account_prefix, case.pk)


def statement_csv(case, extra_lines: int = 0) -> bytes:
    rows = [f"2026-11-20,S1,5000.00,,甲,{number_of(case)},还款,5000.00",
            "2026-11-21,S2,,2.00,,,手续费,4998.00",
            "2026-11-21,S3,30.00,,乙,,,5028.00"]
    balance = 502_800
    for n in range(extra_lines):
        balance += 100
        rows.append(f"2026-11-22,X{n:04d},1.00,,丙,{number_of(case)},,{balance // 100}.{balance % 100:02d}")
    return ("\ufeff交易日期,交易流水号,收入金额,支出金额,对方户名,子账号,摘要,余额\n" + "\n".join(rows) + "\n").encode()


def upload(name: str, content: bytes):
    file = io.BytesIO(content)
    file.name = name
    return file


@pytest.fixture
def imported(finance, case):
    return statement_import(actor=finance, court_id=case.court_id, file_name="11月.csv", content=statement_csv(case)).statement


# ---------------------------------------------------------------- statement pages


def test_the_finance_desk_uploads_a_statement_and_sees_the_result_and_history(client, finance, case):
    client.force_login(finance)
    page = client.get(f"{BASE}/statements/")
    assert page.status_code == 200 and "导入对账单" in page.content.decode()
    response = client.post(f"{BASE}/statements/", {"file": upload("11月.csv", statement_csv(case))})
    text = response.content.decode()
    assert response.status_code == 200
    assert "导入 3 笔交易" in text and "已据此入案款账户 1 笔" in text and "未匹配 1 笔" in text
    assert "11月.csv" in text  # the history
    assert Receipt.objects.count() == 2
    again = client.post(f"{BASE}/statements/", {"file": upload("again.csv", statement_csv(case))})
    assert "此文件已于" in again.content.decode() and Receipt.objects.count() == 2


def test_a_bad_statement_lists_each_row_and_column_and_books_nothing(client, finance, case):
    client.force_login(finance)
    bad = "交易日期,交易流水号,收入金额,支出金额\n2026-11-20,S1,5000.001,\n2026-13-01,S2,1.00,\n".encode()
    response = client.post(f"{BASE}/statements/", {"file": upload("bad.csv", bad)})
    text = response.content.decode()
    assert response.status_code == 422
    assert "2 处问题" in text and "两位小数" in text and "不是存在的日期" in text
    assert not StatementImport.objects.exists()


def test_a_file_of_another_type_is_refused_by_the_form(client, finance):
    client.force_login(finance)
    response = client.post(f"{BASE}/statements/", {"file": upload("statement.pdf", b"%PDF-1.4")})
    assert response.status_code == 422 and "只能导入 CSV 或 XLSX" in response.content.decode()


def test_a_judge_is_told_that_statements_are_for_the_finance_desk_and_leaders(client, judge):
    client.force_login(judge)
    response = client.get(f"{BASE}/statements/")
    assert response.status_code == 403 and "不能查看银行对账单" in response.content.decode()


def test_a_bureau_head_reads_but_cannot_upload(client, bureau_head, imported):
    client.force_login(bureau_head)
    page = client.get(f"{BASE}/statements/").content.decode()
    assert "11月.csv" in page and 'enctype="multipart/form-data"' not in page
    response = client.post(f"{BASE}/statements/", {"file": upload("x.csv", b"a")})
    assert response.status_code == 403 and "不能导入银行对账单" in response.content.decode()


def test_a_supervisor_reads_the_statements_of_a_court_below(client, supervisor, imported, case):
    client.force_login(supervisor)
    page = client.get(f"{BASE}/statements/?court={case.court_id}")
    assert page.status_code == 200 and "11月.csv" in page.content.decode()
    assert client.get(f"{BASE}/statements/{imported.pk}/").status_code == 200
    assert client.post(f"{BASE}/statements/?court={case.court_id}", {"file": upload("x.csv", b"a")}).status_code == 403


def test_another_courts_finance_desk_neither_reads_nor_finds_the_statement(client, courts, imported, case):
    other = make_user("other_finance", courts["other"], Role.FINANCE)
    client.force_login(other)
    assert client.get(f"{BASE}/statements/{imported.pk}/").status_code == 404
    response = client.get(f"{BASE}/statements/?court={case.court_id}")
    assert response.status_code == 403 and "只能查看本院" in response.content.decode()


def test_one_statements_lines_filter_by_status_and_page_in_a_bounded_number_of_queries(client, finance, case,
                                                                                      django_assert_max_num_queries):
    statement = statement_import(actor=finance, court_id=case.court_id, file_name="big.csv",
                                 content=statement_csv(case, extra_lines=120)).statement
    client.force_login(finance)
    with django_assert_max_num_queries(12):
        page = client.get(f"{BASE}/statements/{statement.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "第 1 / 3 页" in text and "共 123 行" in text
    unmatched = client.get(f"{BASE}/statements/{statement.pk}/?status=unmatched").content.decode()
    # match the reference cell, not the bare string: a CSRF token may well contain "S1"
    assert '<td class="nowrap">S2</td>' in unmatched and '<td class="nowrap">S1</td>' not in unmatched
    assert "手续费" in unmatched
    with django_assert_max_num_queries(12):
        assert client.get(f"{BASE}/statements/{statement.pk}/?page=3").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"{BASE}/statements/").status_code == 200


def test_the_lines_download_as_xlsx(client, finance, imported):
    client.force_login(finance)
    response = client.get(f"{BASE}/statements/{imported.pk}/xlsx/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content))["对账单明细"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:5] == ("行号", "交易日期", "交易流水号", "收入金额", "支出金额")
    assert rows[2][2:4] == ("S1", 5000) and rows[3][4] == 2 and rows[3][10] == "未匹配"


# ---------------------------------------------------------------- reconciliation page


def test_the_reconciliation_page_shows_both_sides_and_the_balance_difference(client, finance, imported, case):
    services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=1_000,
                            received_on=D(2026, 11, 21), bank_reference="M1")
    client.force_login(finance)
    response = client.get(f"{BASE}/")
    text = response.content.decode()
    assert response.status_code == 200 and "2026-11-20 至 2026-11-21" in text
    assert "S2" in text and "M1" in text and "有待核对事项" in text
    assert "-12.00" in text  # 5,028.00 at the bank against 5,040.00 in the ledger on 11-21
    xlsx = client.get(f"{BASE}/xlsx/?court={case.court_id}&start=2026-11-20&end=2026-11-21")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["汇总", "未匹配的对账单明细", "对账单未见的账务", "余额核对"]
    assert list(book["余额核对"].iter_rows(values_only=True))[-1][1:] == (5028, 5040, -12)


def test_rematch_is_for_the_finance_desk(client, finance, bureau_head, imported, case):
    client.force_login(bureau_head)
    assert client.post(f"{BASE}/rematch/?court={case.court_id}").status_code == 403
    client.force_login(finance)
    response = client.post(f"{BASE}/rematch/?court={case.court_id}", {"next": "/money/reconciliation/"})
    assert response.status_code == 302 and response["Location"] == "/money/reconciliation/"


def test_an_impossible_period_is_a_form_error(client, finance, imported):
    client.force_login(finance)
    response = client.get(f"{BASE}/?start=2026-11-21&end=2026-11-01")
    assert response.status_code == 422 and "截止日期早于起始日期" in response.content.decode()


# ---------------------------------------------------------------- report pages


@pytest.fixture
def money(finance, case, imported):
    """5,000.00 + 30.00 (unidentified) from the statement, then 1,000.00 by hand on 11-24."""
    services.receipt_record(actor=finance, court_id=case.court_id, case=case, amount_fen=100_000,
                            received_on=D(2026, 11, 24), bank_reference="M2")
    return case


def test_a_judge_sees_the_own_teams_cases_by_default(client, judge, money):
    client.force_login(judge)
    response = client.get(f"{BASE}/balances/")
    text = response.content.decode()
    assert response.status_code == 200 and money.case_number in text and "6,000.00" in text
    assert "本院账户" not in text  # the court's own accounts are not the team's business
    aging = client.get(f"{BASE}/aging/").content.decode()
    assert money.case_number in aging and "不明款待认领" not in aging


def test_a_clerk_and_another_courts_judge_are_refused_with_the_reason(client, clerk, other_judge, money):
    client.force_login(clerk)
    response = client.get(f"{BASE}/balances/")
    assert response.status_code == 403 and "不能查看案款报表" in response.content.decode()
    client.force_login(other_judge)
    response = client.get(f"{BASE}/aging/?court={money.court_id}")
    assert response.status_code == 403 and "不属于任何执行团队" in response.content.decode()
    assert EnforcementCase.objects.get(pk=money.pk).case_number not in response.content.decode()


def test_the_finance_desk_sees_the_court_and_its_own_accounts(client, finance, money):
    client.force_login(finance)
    text = client.get(f"{BASE}/balances/?level=court&period=month").content.decode()
    assert "北京市海淀区人民法院" in text and "6,000.00" in text and "本院账户" in text
    assert "6,030.00" in text  # the bank: the case's 6,000.00 and 30.00 unidentified
    aging = client.get(f"{BASE}/aging/?level=court").content.decode()
    assert "不明款待认领（1 笔，30.00 元" in aging


def test_a_supervisor_sees_every_court_below_in_one_table(client, supervisor, money):
    client.force_login(supervisor)
    text = client.get(f"{BASE}/balances/").content.decode()
    for name in ("北京市第一中级人民法院", "北京市海淀区人民法院", "北京市西城区人民法院"):
        assert name in text


def test_a_future_date_is_a_form_error_not_a_crash(client, finance, money):
    client.force_login(finance)
    response = client.get(f"{BASE}/balances/?as_of=2026-12-01")
    assert response.status_code == 422 and "晚于今天" in response.content.decode()


def test_the_reports_download_as_xlsx_with_exact_yuan(client, bureau_head, money):
    client.force_login(bureau_head)
    response = client.get(f"{BASE}/balances/xlsx/?level=case&period=month&court={money.court_id}")
    rows = list(load_workbook(io.BytesIO(response.content))["案款余额"].iter_rows(values_only=True))
    row = next(r for r in rows if r[0] == money.case_number)
    assert row[3:] == (0, 6000, 0, 0, 0, 0, 0, 6000)
    assert "attachment" in response["Content-Disposition"]
    aging = client.get(f"{BASE}/aging/xlsx/?level=court")
    assert load_workbook(io.BytesIO(aging.content)).sheetnames == ["案款账龄", "不明款"]


# ---------------------------------------------------------------- API


def bearer(user) -> dict:
    _, token = ApiToken.issue(user=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_api_imports_once_and_reports_bad_rows(client, finance, case):
    headers = bearer(finance)
    response = client.post(f"{API}/statements", {"file": upload("11月.csv", statement_csv(case))}, **headers)
    body = response.json()
    assert response.status_code == 200 and not body["already_imported"] and body["counts"][LineStatus.BOOKED] == 1
    assert body["statement"]["closing_balance_fen"] == 502_800
    again = client.post(f"{API}/statements", {"file": upload("11月.csv", statement_csv(case))}, **headers).json()
    assert again["already_imported"] and again["statement"]["id"] == body["statement"]["id"]
    bad = client.post(f"{API}/statements", {"file": upload("bad.csv", "交易日期,交易流水号,收入金额\n2026-11-20,,1\n".encode())},
                      **headers)
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "交易流水号", "message": "必填（银行流水号用于对账和防止重复入账）", "row": 2}]


def test_the_api_refuses_a_judge_and_hides_another_courts_statement(client, judge, courts, imported, case):
    response = client.post(f"{API}/statements", {"file": upload("x.csv", statement_csv(case))}, **bearer(judge))
    assert response.status_code == 403 and "不能导入银行对账单" in response.json()["message"]
    other = make_user("other_finance", courts["other"], Role.FINANCE)
    assert client.get(f"{API}/statements/{imported.pk}", **bearer(other)).status_code == 404
    assert client.get(f"{API}/statements?court_id={case.court_id}", **bearer(other)).status_code == 403


def test_the_api_lists_statements_lines_and_the_reconciliation(client, finance, imported, case):
    headers = bearer(finance)
    listing = client.get(f"{API}/statements", **headers).json()
    assert listing["count"] == 1 and listing["items"][0]["file_name"] == "11月.csv"
    detail = client.get(f"{API}/statements/{imported.pk}", **headers).json()
    assert detail["counts"] == {"matched_receipt": 0, "booked": 1, "suspense": 1, "matched_payout": 0,
                                "matched_return": 0, "matched_remit": 0, "unmatched": 1}
    lines = client.get(f"{API}/statements/{imported.pk}/lines?status=booked", **headers).json()
    assert lines["count"] == 1 and lines["items"][0]["case_number"] == case.case_number
    assert client.get(f"{API}/statements/{imported.pk}/lines?status=nonsense", **headers).status_code == 422
    recon = client.get(f"{API}/report", **headers).json()
    assert recon["start"] == "2026-11-20" and [line["bank_reference"] for line in recon["unmatched_lines"]] == ["S2"]
    assert recon["balances"][-1] == {"day": "2026-11-21", "statement_fen": 502_800, "ledger_fen": 503_000,
                                     "difference_fen": -200}
    assert client.post(f"{API}/rematch", **headers).json() == {"matched": 0}
    xlsx = client.get(f"{API}/report/xlsx", **headers)
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "汇总"


def test_the_api_reports_follow_the_same_rules(client, judge, bureau_head, clerk, money):
    mine = client.get(f"{API}/balances?level=case&period=month", **bearer(judge)).json()
    assert [row["label"] for row in mine["rows"]] == [money.case_number] and mine["total"]["closing_fen"] == 600_000
    court = client.get(f"{API}/balances?period=month", **bearer(bureau_head)).json()
    assert court["rows"][0]["received_fen"] == 600_000 and {r["kind"] for r in court["ledger"]} >= {"bank", "suspense"}
    aging = client.get(f"{API}/aging?level=case&court_id={money.court_id}", **bearer(bureau_head)).json()
    assert aging["rows"][0]["buckets_fen"] == [600_000, 0, 0, 0, 0] and aging["unidentified_total_fen"] == 3_000
    assert aging["buckets"][0] == "7日以内"
    refused = client.get(f"{API}/aging", **bearer(clerk))
    assert refused.status_code == 403 and "不能查看案款报表" in refused.json()["message"]
    assert client.get(f"{API}/balances?level=province", **bearer(bureau_head)).status_code == 422
    xlsx = client.get(f"{API}/aging/xlsx?level=team&court_id={money.court_id}", **bearer(bureau_head))
    assert load_workbook(io.BytesIO(xlsx.content))["案款账龄"]["A2"].value == "法院"


# ---------------------------------------------------------------- commands


def test_the_import_command_books_and_refuses_like_the_page(tmp_path, finance, case, capsys):
    path = tmp_path / "nov.csv"
    path.write_bytes(statement_csv(case))
    call_command("import_statement", str(path), "--court", "京0108", "--user", "finance")
    assert "导入 3 笔交易" in capsys.readouterr().out
    assert StatementLine.objects.count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes("交易日期,交易流水号,收入金额\n2026-11-20,X,abc\n".encode())
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("import_statement", str(bad), "--court", "京0108", "--user", "finance")
    assert "第2行 收入金额" in capsys.readouterr().err
    with pytest.raises(CommandError, match="只能导入本院|案件不存在"):
        call_command("import_statement", str(path), "--court", "京0102", "--user", "finance")


def test_the_report_command_prints_and_writes_xlsx(tmp_path, money, capsys):
    call_command("money_report", "balances", "--court", "京0108", "--period", "month")
    out = capsys.readouterr().out
    assert "案款余额月报" in out and "6,000.00" in out
    target = tmp_path / "aging.xlsx"
    call_command("money_report", "aging", "--court", "京0108", "--level", "case", "--xlsx", str(target))
    assert load_workbook(target)["案款账龄"].cell(row=3, column=1).value == money.case_number
    call_command("money_report", "reconciliation", "--court", "京0108")
    assert "有待核对事项" in capsys.readouterr().out
