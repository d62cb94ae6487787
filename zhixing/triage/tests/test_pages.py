"""The pages: the triage panel of the case page with its forms, the 分案 worklist with its preview
and one-click assignment, a judge's page (absence, bulk reassignment), the rules page and the
transfers page."""

from __future__ import annotations

import re

from zhixing.cases import services as case_services
from zhixing.cases.choices import Track
from zhixing.cases.models import EnforcementCase
from zhixing.triage.models import CaseTag, TriagePolicy, TriageRule

YUAN = 100


def html(response) -> str:
    return response.content.decode()


def text_of(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(dd|span|strong|td)>', page, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip() if match else ""


# ---------------------------------------------------------------- the case page


def test_the_case_page_shows_the_track_its_rule_and_what_the_rules_say_now(client, judge, make_case):
    case = make_case(amount_fen=30_000 * YUAN)
    client.force_login(judge)
    page = html(client.get(f"/cases/{case.pk}/"))
    assert text_of(page, "triage-track") == "快执"
    assert "第7条：申请执行标的50,000元以下（含本数） → 快执" in page and "孟州市法院" in page
    assert 'id="triage-override-form"' in page and 'id="triage-tag-form"' in page


def test_a_supervisor_sees_the_panel_without_forms_and_a_clerk_may_tag_but_not_override(client, supervisor, clerk, make_case):
    case = make_case()
    client.force_login(supervisor)
    page = html(client.get(f"/cases/{case.pk}/"))
    assert 'id="triage"' in page and "triage-override-form" not in page and "triage-tag-form" not in page
    client.force_login(clerk)
    page = html(client.get(f"/cases/{case.pk}/"))
    assert "triage-tag-form" in page and "triage-override-form" not in page


def test_an_override_without_a_reason_is_refused_on_the_case_page_and_with_one_it_is_logged(client, judge, make_case):
    case = make_case(amount_fen=30_000 * YUAN)
    client.force_login(judge)
    response = client.post(f"/triage/cases/{case.pk}/override/", {"triage-override-track": "special", "triage-override-reason": ""})
    assert response.status_code == 422 and "改定繁简分流须说明理由" in html(response)
    assert EnforcementCase.objects.get(pk=case.pk).track == Track.FAST
    response = client.post(f"/triage/cases/{case.pk}/override/",
                           {"triage-override-track": "special", "triage-override-reason": "涉众案件"}, follow=True)
    page = html(response)
    assert "已改定繁简分流：特执" in page and text_of(page, "triage-track") == "特执"
    assert "改定理由：涉众案件" in page and "法官改定的分流保持，直至撤销改定" in page
    assert "繁简分流改定：快执 → 特执（规则判定为快执）" in page  # the log entry on the same page
    response = client.post(f"/triage/cases/{case.pk}/override/clear/", {"triage-clear-reason": ""}, follow=True)
    assert "已撤销改定，按规则分流：快执" in html(response)


def test_tagging_and_untagging_from_the_case_page(client, clerk, make_case):
    case = make_case(amount_fen=30_000 * YUAN)
    client.force_login(clerk)
    page = html(client.post(f"/triage/cases/{case.pk}/tags/", {"triage-tag-tag": "financial", "triage-tag-note": "银行"},
                            follow=True))
    assert "已标记：涉金融" in page and text_of(page, "triage-track") == "特执"
    tag = CaseTag.objects.get()
    response = client.post(f"/triage/cases/{case.pk}/tags/{tag.pk}/remove/", {f"triage-untag-{tag.pk}-reason": ""})
    assert response.status_code == 422 and "撤销标记须说明理由" in html(response)
    page = html(client.post(f"/triage/cases/{case.pk}/tags/{tag.pk}/remove/", {f"triage-untag-{tag.pk}-reason": "误标"},
                            follow=True))
    assert "已撤销标记：涉金融" in page and text_of(page, "triage-track") == "快执"


def test_another_courts_case_is_404_and_a_supervisor_cannot_post(client, other_judge, supervisor, make_case):
    case = make_case()
    client.force_login(other_judge)
    assert client.post(f"/triage/cases/{case.pk}/tags/", {"triage-tag-tag": "financial"}).status_code == 404
    client.force_login(supervisor)
    assert client.post(f"/triage/cases/{case.pk}/tags/", {"triage-tag-tag": "financial"}).status_code == 403
    assert not CaseTag.objects.exists()


# ---------------------------------------------------------------- the 分案 worklist


def test_the_worklist_previews_each_case_and_its_query_count_does_not_grow(client, command_centre, make_case, judge,
                                                                          second_judge, django_assert_max_num_queries):
    for _ in range(4):
        make_case(amount_fen=10_000 * YUAN)
    client.force_login(command_centre)
    # session, user, court, COUNT, page, rules (2), absences, loads by track, recent, decisions (2), absence list
    with django_assert_max_num_queries(13):
        page = html(client.get("/triage/assign/"))
    for _ in range(20):
        make_case(amount_fen=10_000 * YUAN)
    with django_assert_max_num_queries(13):
        page = html(client.get("/triage/assign/"))
    assert text_of(page, "unassigned-count") == "24"
    proposals = re.findall(r'<td class="proposal">([^<]*)</td>', page)
    assert proposals[:3] == ["快执一组 张法官（分案前负荷 0）", "快执一组 吴法官（分案前负荷 0）", "快执一组 张法官（分案前负荷 1）"]


def test_one_click_assigns_the_ticked_cases_a_single_row_or_all(client, command_centre, make_case, judge, second_judge):
    a, b, c, d = (make_case(amount_fen=10_000 * YUAN) for _ in range(4))
    client.force_login(command_centre)
    response = client.post("/triage/assign/run/", {"case": [a.pk, b.pk]}, follow=True)
    assert "已分案 2 件" in html(response)
    client.post("/triage/assign/run/", {"one": c.pk})
    assert EnforcementCase.objects.get(pk=c.pk).handler is not None and EnforcementCase.objects.get(pk=d.pk).handler is None
    client.post("/triage/assign/run/", {"all": "1"})
    assert not EnforcementCase.objects.filter(handler__isnull=True).exists()


def test_the_worklist_is_not_for_a_read_only_supervisor(client, supervisor):
    client.force_login(supervisor)
    assert client.get("/triage/assign/").status_code == 403


def test_the_judge_page_records_an_absence_and_reassigns_the_open_cases(client, bureau_head, make_case, judge, second_judge):
    case = make_case()
    case_services.case_assign(actor=bureau_head, case=case, handler=judge)
    client.force_login(bureau_head)
    page = html(client.get(f"/triage/assign/judges/{judge.pk}/"))
    assert "快执一组 吴法官（改派前负荷 0）" not in page and "快执一组 吴法官（分案前负荷 0）" in page
    response = client.post(f"/triage/assign/judges/{judge.pk}/",
                           {"absence-starts_on": "2026-12-01", "absence-ends_on": "2026-11-01", "absence-reason": "休假"})
    assert response.status_code == 422 and "早于开始日期" in html(response)
    response = client.post(f"/triage/assign/judges/{judge.pk}/", {"reassign-reason": "休假"}, follow=True)
    assert "批量改派：已分案 1 件" in html(response)
    assert EnforcementCase.objects.get(pk=case.pk).handler == second_judge


# ---------------------------------------------------------------- the rules page


def rule_row(i, **kw) -> dict:
    row = {"position": str(i + 1), "kind": "amount_at_most", "amount": "", "count": "", "percent": "", "track": "fast",
           "team_type": "", "reason": "小额", "citation": ""}
    row.update(kw)
    return {f"rules-{i}-{k}": v for k, v in row.items()}


def rules_post(rows: list[dict], **policy) -> dict:
    data = {"rules-TOTAL_FORMS": str(len(rows)), "rules-INITIAL_FORMS": "0", "rules-MIN_NUM_FORMS": "0",
            "rules-MAX_NUM_FORMS": "30", "default_track": "ordinary", "weight_fast": "1", "weight_ordinary": "2",
            "weight_special": "3", "note": "调整"}
    for row in rows:
        data.update(row)
    data.update(policy)
    return data


def test_the_rules_page_shows_the_defaults_and_a_judge_cannot_edit(client, judge):
    client.force_login(judge)
    page = html(client.get("/triage/rules/"))
    assert "系统默认规则" in page and "涉党政机关、民生、金融、黑恶、政府投融资平台 → 特执" in page
    assert "由本院执行局长、院长或系统管理员修改" in page
    assert client.post("/triage/rules/", rules_post([])).status_code == 403


def test_the_bureau_head_saves_reordered_rules_as_a_new_version_and_errors_show_on_their_row(client, bureau_head):
    client.force_login(bureau_head)
    bad = client.post("/triage/rules/", rules_post([rule_row(0, amount="")]))
    assert bad.status_code == 422 and "请填写标的额上限（含本数）（元）" in html(bad)
    assert not TriagePolicy.objects.exists()
    rows = [rule_row(0, position="2", amount="100,000"),
            rule_row(1, position="1", kind="special_subject", track="special", reason="特殊主体", subjects="financial"),
            rule_row(2, kind="")]  # an empty row is dropped
    response = client.post("/triage/rules/", rules_post(rows), follow=True)
    assert "已保存为新版本" in html(response)
    saved = list(TriageRule.objects.order_by("position").values_list("kind", "params"))
    assert saved == [("special_subject", {"subjects": ["financial"]}), ("amount_at_most", {"max_fen": 10_000_000})]
    client.post("/triage/rules/", {"preset": "mengzhou"})
    assert TriagePolicy.objects.order_by("-version").first().rules.count() == 7


# ---------------------------------------------------------------- transfers


def test_the_intermediate_court_orders_on_the_transfers_page_and_the_other_court_registers(client, make_case, courts,
                                                                                          intermediate_head, other_clerk):
    case = make_case()
    client.force_login(intermediate_head)
    page = html(client.get("/triage/transfers/"))
    assert "辖区基层法院负荷" in page and "北京市西城区人民法院" in page
    assert case.case_number in page  # listed among the new cases that may be moved
    response = client.post("/triage/transfers/", {"transfer-case_number": "（1999）京0108执1号",
                                                  "transfer-to_court": courts["other"].pk, "transfer-reason": "均衡"})
    assert response.status_code == 422 and "辖区法院没有案号为" in html(response)
    response = client.post("/triage/transfers/", {"transfer-case_number": case.case_number,
                                                  "transfer-to_court": courts["other"].pk, "transfer-reason": "均衡"},
                           follow=True)
    assert f"已决定指定北京市西城区人民法院执行{case.case_number}" in html(response)
    client.force_login(other_clerk)
    page = html(client.get("/triage/transfers/"))
    transfer_id = re.search(r"/triage/transfers/(\d+)/register/", page).group(1)
    response = client.post(f"/triage/transfers/{transfer_id}/register/", follow=True)
    assert "已立案：（" in html(response)
    assert EnforcementCase.objects.filter(court=courts["other"]).count() == 1


def test_a_case_from_before_triage_shows_its_track_and_one_click_records_the_rule(client, judge, make_case):
    from zhixing.triage.models import TriageDecision

    case = make_case(amount_fen=30_000 * YUAN)
    TriageDecision.objects.filter(case=case).delete()  # as the demo builder and old imports leave them
    client.force_login(judge)
    page = html(client.get(f"/cases/{case.pk}/"))
    assert "尚未记录分流依据" in page and f"/triage/cases/{case.pk}/retriage/" in page
    page = html(client.post(f"/triage/cases/{case.pk}/retriage/", follow=True))
    assert "已按现行规则重新分流，分流未变" in page and "第7条：申请执行标的50,000元以下" in page
