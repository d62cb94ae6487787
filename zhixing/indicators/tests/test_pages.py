"""The indicator pages: figures, breakdowns, trends, ranking, drill-down, report, PDF, XLSX, weights and
records — with visibility as on the case pages and read-only supervisors."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from zhixing.cases.models import LogEntry
from zhixing.documents import pdf
from zhixing.indicators import exports, snapshots
from zhixing.indicators.models import Petition, ScorecardWeight
from zhixing.indicators.periods import parse_period

from .support import D

pytestmark = pytest.mark.django_db
Q1 = "period=2026Q1"


@pytest.fixture(autouse=True)
def mid_june_2026():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def head_client(client, bureau_head):
    client.force_login(bureau_head)
    return client


def text(response) -> str:
    return response.content.decode()


def test_overview_shows_each_figure_with_links_to_its_cases(head_client, q1):
    response = head_client.get(f"/indicators/?{Q1}")
    assert response.status_code == 200
    page = text(response)
    assert "结案率" in page and "66.67%" in page  # 6 / 9
    assert "有财产可供执行案件法定期限内实际执结率" in page and "50.00%" in page
    assert "/indicators/cases/?" in page and "indicator=closure_rate" in page
    assert "武汉评分" in page and "实时计算" in page  # no snapshot yet


def test_overview_reads_the_snapshot_when_there_is_one(head_client, q1, django_assert_max_num_queries):
    snapshots.snapshot(as_of=D(2026, 6, 15), chosen=[parse_period("2026Q1")])
    with django_assert_max_num_queries(20):
        response = head_client.get(f"/indicators/?{Q1}")
    assert "季度快照" in text(response) and "已定稿" in text(response)


def test_another_courts_figures_are_not_found(head_client, courts, q1):
    assert head_client.get(f"/indicators/?court={courts['other'].pk}&{Q1}").status_code == 404


def test_a_bad_period_falls_back_to_this_year_with_a_message(head_client, q1):
    response = head_client.get("/indicators/?period=2026-13")
    assert response.status_code == 200 and "已改为显示本年度" in text(response) and "2026年" in text(response)


def test_a_free_range_is_computed_live(head_client, q1):
    response = head_client.get("/indicators/?start=2026-01-15&end=2026-02-15")
    assert response.status_code == 200 and "2026年01月15日至2026年02月15日" in text(response)


def test_breakdown_by_team_and_handler(head_client, q1):
    page = text(head_client.get(f"/indicators/breakdown/?{Q1}&by=team"))
    assert "快执一组" in page and "普执二组" in page and "60.00%" in page and "75.00%" in page
    page = text(head_client.get(f"/indicators/breakdown/?{Q1}&by=handler"))
    assert "张法官" in page and "吴法官" in page


def test_a_supervisor_compares_the_courts_of_the_region(client, supervisor, courts, q1):
    client.force_login(supervisor)
    page = text(client.get(f"/indicators/breakdown/?court={courts['mid'].pk}&region=1&by=court&{Q1}"))
    assert "北京市海淀区人民法院" in page and "北京市西城区人民法院" in page


def test_trend_draws_twelve_months(head_client, q1):
    response = head_client.get("/indicators/trend/?indicator=closure_rate&indicator=performed_rate")
    assert response.status_code == 200
    page = text(response)
    assert 'id="trend-data"' in page and "2025-07" in page and "2026-06" in page
    assert "尚无快照，已实时计算" in page


def test_ranking_of_the_basic_courts_under_the_intermediate_court(client, supervisor, courts, q1):
    client.force_login(supervisor)
    response = client.get(f"/indicators/ranking/?court={courts['mid'].pk}&{Q1}&indicator=closure_rate")
    page = text(response)
    assert response.status_code == 200
    # 京0102 closed its only case (100%), 京0108 66.67%: 西城 first
    assert page.index("北京市西城区人民法院") < page.index("北京市海淀区人民法院")
    assert 'id="ranking-data"' in page


def test_ranking_is_for_intermediate_courts_and_above(head_client, q1):
    assert head_client.get(f"/indicators/ranking/?{Q1}").status_code == 403


def test_drill_down_page_lists_the_cases_behind_the_number(head_client, q1):
    response = head_client.get(f"/indicators/cases/?{Q1}&indicator=closure_rate&part=numerator")
    page = text(response)
    assert response.status_code == 200 and "共 6 件案件" in page
    for key in ("c1", "c2", "c3", "c4", "c8", "c10"):
        assert q1.cases[key].case_number in page
    assert q1.cases["c5"].case_number not in page


def test_drill_down_of_petitions_and_amounts(head_client, q1):
    page = text(head_client.get(f"/indicators/cases/?{Q1}&indicator=petition_closure_rate&part=denominator"))
    assert "共 3 件信访" in page
    page = text(head_client.get(f"/indicators/cases/?{Q1}&indicator=amount_realised_rate&part=numerator"))
    assert "合计 23,000.00 元" in page


def test_drill_down_xlsx_has_the_same_cases(head_client, q1):
    response = head_client.get(f"/indicators/cases/?{Q1}&indicator=closure_rate&part=numerator&format=xlsx")
    assert response["Content-Type"] == exports.XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert numbers == {q1.cases[k].case_number for k in ("c1", "c2", "c3", "c4", "c8", "c10")}


def test_overview_xlsx_carries_numerator_denominator_and_value(head_client, q1):
    response = head_client.get(f"/indicators/?{Q1}&format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    rows = {row[0]: row for row in book["质效指标"].iter_rows(values_only=True) if row and row[0]}
    assert rows["结案率"][1:4] == (6, 9, 66.67)
    assert rows["标的到位率"][1:4] == (23000, 56000, 41.07)  # yuan
    assert "武汉评分" in book.sheetnames


def test_breakdown_and_ranking_xlsx(head_client, client, supervisor, courts, q1):
    response = head_client.get(f"/indicators/breakdown/?{Q1}&by=team&format=xlsx")
    names = [row[0] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=3, values_only=True)]
    assert "快执一组" in names and "普执二组" in names
    client.force_login(supervisor)
    response = client.get(f"/indicators/ranking/?court={courts['mid'].pk}&{Q1}&format=xlsx")
    assert response.status_code == 200 and response["Content-Type"] == exports.XLSX_TYPE


def test_printable_report(head_client, q1):
    page = text(head_client.get(f"/indicators/report/?{Q1}"))
    assert "执行工作质效指标报告" in page and "@page" in page and "按团队" in page


def test_pdf_says_clearly_when_chromium_is_missing(head_client, q1, monkeypatch):
    monkeypatch.setattr(pdf, "chromium_path", lambda: None)
    page = text(head_client.get(f"/indicators/report/?{Q1}"))
    assert "服务器未安装 Chromium" in page and "report.pdf" not in page
    response = head_client.get(f"/indicators/report.pdf?{Q1}")
    assert response.status_code == 503 and "另存为 PDF" in text(response)


@pytest.mark.skipif(not pdf.html_pdf_available(), reason="Debian chromium not installed")
def test_pdf_report_through_chromium(head_client, q1):
    response = head_client.get(f"/indicators/report.pdf?{Q1}")
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"


def test_weights_page_saves_a_new_version_for_the_court(head_client, bureau_head, courts, q1):
    page = text(head_client.get("/indicators/weights/"))
    assert "执行公开率" in page and "默认值" in page
    data = {"reason": "本院2026年考核办法"}
    for code in ("disclosure_rate", "conduct_revoked_rate", "state_compensation_rate", "in_time_closure_rate",
                 "average_duration_days", "measure_taken_rate", "actual_closure_rate", "partial_closure_rate",
                 "petition_ratio"):
        data.update({f"{code}__weight": "10", f"{code}__full_at": "100", f"{code}__zero_at": "0"})
    data["average_duration_days__full_at"], data["average_duration_days__zero_at"] = "180", "365"
    response = head_client.post(f"/indicators/weights/?court={courts['court'].pk}", data)
    assert response.status_code == 302
    assert ScorecardWeight.objects.filter(court=courts["court"], set_by=bureau_head).count() == 9
    assert "本院2026年考核办法" in text(head_client.get("/indicators/weights/"))


def test_weights_refuse_a_flat_line_naming_the_indicator(head_client, courts, q1):
    data = {"reason": "试"}
    for code in ("disclosure_rate", "conduct_revoked_rate", "state_compensation_rate", "in_time_closure_rate",
                 "average_duration_days", "measure_taken_rate", "actual_closure_rate", "partial_closure_rate",
                 "petition_ratio"):
        data.update({f"{code}__weight": "10", f"{code}__full_at": "100", f"{code}__zero_at": "0"})
    data["petition_ratio__full_at"] = "0"
    response = head_client.post("/indicators/weights/", data)
    assert response.status_code == 422 and "信访投诉率（案访比）的满分值与零分值不能相同" in text(response)
    assert not ScorecardWeight.objects.exists()


def test_a_judge_sees_the_weights_but_cannot_set_them(client, judge, q1):
    client.force_login(judge)
    assert "只有本院执行局长、院长可以设置评分权重" in text(client.get("/indicators/weights/"))
    assert client.post("/indicators/weights/", {"reason": "x"}).status_code == 403


def test_a_clerk_records_a_petition_into_the_case_log(client, clerk, q1):
    client.force_login(clerk)
    case = q1.cases["c5"]
    before = LogEntry.objects.filter(case=case).count()
    response = client.post("/indicators/records/?tab=petitions", {
        "case_number": case.case_number, "received_on": "2026-06-01", "channel": "visit", "summary": "反映未收到执行款",
    })
    assert response.status_code == 302
    petition = Petition.objects.get(case=case)
    assert petition.received_on == D(2026, 6, 1) and petition.recorded_by == clerk
    assert LogEntry.objects.filter(case=case).count() == before + 1


def test_a_petition_for_a_case_of_another_court_names_the_case_number(client, clerk, courts, q1):
    client.force_login(clerk)
    response = client.post("/indicators/records/?tab=petitions", {
        "case_number": q1.cases["x1"].case_number, "received_on": "2026-06-01", "channel": "visit", "summary": "x",
    })
    assert response.status_code == 422 and "本院没有案件" in text(response)


def test_closing_a_petition_from_the_list(client, clerk, q1):
    client.force_login(clerk)
    petition = Petition.objects.get(case=q1.cases["c2"])
    response = client.post(f"/indicators/records/petitions/{petition.pk}/close/",
                           {f"close-{petition.pk}-closed_on": "2026-06-10", f"close-{petition.pk}-outcome": "已答复"})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.closed_on == D(2026, 6, 10) and petition.outcome == "已答复"


def test_records_import_page(client, clerk, q1):
    client.force_login(clerk)
    content = f"案号,收到日期,信访事项\n{q1.cases['c5'].case_number},2026-05-06,反映执行不力\n".encode()
    upload = io.BytesIO(content)
    upload.name = "petitions.csv"
    response = client.post("/indicators/records/import/", {"kind": "petitions", "file": upload})
    assert response.status_code == 302
    assert Petition.objects.filter(case=q1.cases["c5"], received_on=D(2026, 5, 6)).exists()


def test_a_supervisor_reads_records_but_cannot_enter_them(client, supervisor, courts, q1):
    client.force_login(supervisor)
    assert client.get(f"/indicators/records/?court={courts['court'].pk}").status_code == 200
    response = client.post(f"/indicators/records/?court={courts['court'].pk}&tab=petitions", {"case_number": "x"})
    assert response.status_code == 403


def test_record_template_download(head_client):
    response = head_client.get("/indicators/records/template/reviews.csv")
    assert response.status_code == 200 and "审查类型" in response.content.decode("utf-8-sig")


def test_the_big_screen_carries_the_indicator_panel(head_client, q1):
    page = text(head_client.get("/supervision/screen/"))
    assert 'id="quality-panel"' in page and "质效指标" in page and "武汉评分" in page
    panel = head_client.get("/indicators/screen-panel/")
    assert panel.status_code == 200 and "有财产案件法定期限内实际执结率" in text(panel)


def test_the_nav_links_to_the_indicators(head_client, q1):
    assert 'href="/indicators/"' in text(head_client.get("/indicators/"))
