"""The court overview page: what each court has received, has open by stage and has closed."""

from __future__ import annotations

import json
import re

import pytest

from zhixing.cases import services

pytestmark = pytest.mark.django_db


def chart_data(page: str) -> dict:
    match = re.search(r'<script id="stage-chart-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_a_judge_sees_only_their_own_court(client, judge, other_judge, make_case):
    make_case(amount_fen=1_000_000)
    make_case(actor=other_judge)
    client.force_login(judge)
    page = client.get("/courts/").content.decode()
    assert "北京市海淀区人民法院" in page
    assert "北京市西城区人民法院" not in page
    assert "10,000.00" in page
    assert chart_data(page)["courts"] == ["北京市海淀区人民法院"]


def test_counts_open_by_stage_and_closed_by_type(client, judge, make_case):
    frozen, _open, closed = make_case(), make_case(), make_case(amount_fen=500_000)
    services.node_record(actor=judge, case=frozen, node_code="other_control")
    services.case_close(actor=judge, case=closed, closing_type="performed", performed_amount_fen=200_000)
    client.force_login(judge)
    page = client.get("/courts/").content.decode()
    data = chart_data(page)
    by_stage = {series["name"]: series["data"] for series in data["series"]}
    assert by_stage["查询"] == [1] and by_stage["控制"] == [1] and by_stage["归档"] == [0]
    row = re.search(r"<td class=\"nowrap\">北京市海淀区人民法院</td>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells[:3] == ["3", "2", "1"]  # 收案, 在办, 已结
    assert cells[-1] == "2,000.00"  # 到位金额
    assert "执行完毕" in page


def test_a_supervisor_sees_every_court_below_with_a_total(client, supervisor, other_judge, make_case):
    make_case()
    make_case(actor=other_judge)
    client.force_login(supervisor)
    page = client.get("/courts/").content.decode()
    assert chart_data(page)["courts"] == ["北京市第一中级人民法院", "北京市西城区人民法院", "北京市海淀区人民法院"]
    assert "合计" in page
    assert "echarts.min.js" in page
