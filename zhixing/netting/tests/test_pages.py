"""The netting pages: finding the cases from one case, the preview, drafting; the proposal with its
positions, bases and consents; each action through its form with errors named; the printable
proposal; the list with search and pages; read-only supervisors and other courts."""

from __future__ import annotations

import pytest

from zhixing.cases.choices import CaseStatus
from zhixing.netting import services
from zhixing.netting.choices import ProposalStatus
from zhixing.netting.models import NettingProposal

from .conftest import TODAY, D, key


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def mutual(register, people):
    a, b = people["A"], people["B"]
    return [register(b, a, 100_000, filed_on=D(2026, 3, 1)), register(a, b, 60_000, filed_on=D(2026, 3, 9))]


def test_from_a_case_page_the_judge_finds_the_mutual_cases_previews_and_drafts(client, judge, mutual):
    client.force_login(judge)
    html = page(client.get(f"/cases/{mutual[0].pk}/"))
    assert "未列入抵销方案" in html and f"/netting/new/?case={mutual[0].pk}" in html
    response = client.get(f"/netting/new/?case={mutual[0].pk}")
    html = page(response)
    assert response.status_code == 200 and "案件（2 件）" in html
    assert "抵销合计 <strong>1,200.00</strong> 元" in html and "仍须给付 <strong>400.00</strong> 元" in html
    query = response.wsgi_request.GET.urlencode()
    response = client.post(f"/netting/new/?{query}", {"create-case_ids": [c.pk for c in mutual],
                                                      "create-multilateral": "on", "create-reason": "互负货款"})
    proposal = NettingProposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/netting/proposals/{proposal.pk}/"
    html = page(client.get(response["Location"]))
    assert "草稿" in html and "各方当事人抵销前后的债权债务" in html and "第19条" in html
    assert mutual[1].basis.document_number in html  # the counter-case's title is the basis
    assert "送达当事人" in html and "修改草稿" in html
    assert f"列入<a href=\"/netting/proposals/{proposal.pk}/\">{proposal.title}</a>" in page(client.get(f"/cases/{mutual[0].pk}/"))


def test_a_draft_edit_names_the_bad_case_number_and_the_bad_amount(client, judge, mutual, people):
    client.force_login(judge)
    proposal = services.proposal_create(actor=judge, case_ids=[c.pk for c in mutual])
    response = client.post(f"/netting/proposals/{proposal.pk}/update/", {"draft-case_numbers": "（2026）京0108执99999号"})
    assert response.status_code == 422 and "本院没有这些案号：（2026）京0108执99999号" in page(response)
    response = client.post(f"/netting/proposals/{proposal.pk}/claims/", {
        "claim-creditor_key": key(people["A"]), "claim-debtor_key": key(people["B"]), "claim-amount": "12.345",
        "claim-due_on": "2026-10-01"})
    assert response.status_code == 422 and "不是有效金额" in page(response)
    response = client.post(f"/netting/proposals/{proposal.pk}/claims/", {
        "claim-creditor_key": key(people["A"]), "claim-debtor_key": key(people["B"]), "claim-amount": "100",
        "claim-due_on": "2027-01-01"})
    assert response.status_code == 422 and "只有互负到期债务可以抵销" in page(response)


def test_serve_consent_approve_apply_and_reverse_through_the_pages(client, judge, clerk, bureau_head, register, people):
    a, b, c = people["A"], people["B"], people["C"]
    cases = [register(b, a, 90_000), register(c, b, 60_000), register(a, c, 75_000)]  # a cycle
    proposal = services.proposal_create(actor=judge, case_ids=[x.pk for x in cases])
    client.force_login(judge)
    assert client.post(f"/netting/proposals/{proposal.pk}/submit/").status_code == 302
    client.force_login(clerk)
    for party in (a, b, c):
        response = client.post(f"/netting/proposals/{proposal.pk}/consents/", {
            "consent-party_key": key(party), "consent-method": "written", "consent-document_reference": "同意书",
            "consent-given_on": TODAY.isoformat()})
        assert response.status_code == 302
    client.force_login(judge)
    approve_form = f'action="/netting/proposals/{proposal.pk}/approve/"'
    assert approve_form not in page(client.get(f"/netting/proposals/{proposal.pk}/"))  # the drafter may not approve
    client.force_login(bureau_head)
    html = page(client.get(f"/netting/proposals/{proposal.pk}/"))
    assert approve_form in html and "多方（循环）抵销" in html and "书面意见（同意书）：同意书" in html
    assert client.post(f"/netting/proposals/{proposal.pk}/approve/", {"approve-note": "同意"}).status_code == 302
    response = client.post(f"/netting/proposals/{proposal.pk}/apply/")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED
    html = page(client.get(f"/netting/proposals/{proposal.pk}/"))
    assert "执行结果" in html and "已结案（执行完毕）" in html
    response = client.post(f"/netting/proposals/{proposal.pk}/reverse/", {"reverse-reason": ""})
    assert response.status_code == 422 and "这个字段是必填项" in page(response)
    response = client.post(f"/netting/proposals/{proposal.pk}/reverse/", {"reverse-reason": "抵销依据有误"})
    assert response.status_code == 302
    html = page(client.get(f"/netting/proposals/{proposal.pk}/"))
    for x in cases:
        x.refresh_from_db()
    assert [x.status for x in cases] == [CaseStatus.OPEN, CaseStatus.CLOSED, CaseStatus.OPEN]  # only B→C was paid off
    section = html.split("撤销后须由承办法官处理的已结案件")[1].split("</section>")[0]
    assert cases[1].case_number in section and cases[0].case_number not in section


def test_a_refused_approval_is_shown_next_to_the_button(client, judge, bureau_head, register, people):
    a, b, c = people["A"], people["B"], people["C"]
    cases = [register(b, a, 90_000), register(c, b, 60_000), register(a, c, 75_000)]
    proposal = services.proposal_submit(actor=judge, proposal=services.proposal_create(
        actor=judge, case_ids=[x.pk for x in cases]))
    client.force_login(bureau_head)
    html = page(client.get(f"/netting/proposals/{proposal.pk}/"))
    assert "不能批准：尚缺3名当事人的同意" in html
    response = client.post(f"/netting/proposals/{proposal.pk}/approve/", {"approve-note": ""})
    assert response.status_code == 400 and "尚缺3名当事人的同意" in page(response)


def test_the_printable_proposal_has_positions_bases_residuals_and_signatures(client, judge, mutual, people):
    proposal = services.proposal_create(actor=judge, case_ids=[c.pk for c in mutual])
    client.force_login(judge)
    html = page(client.get(f"/netting/proposals/{proposal.pk}/document/"))
    assert "<h1>抵销方案</h1>" in html and "草稿（未送达）" in html
    assert "抵销前应收" in html and "净额" in html and "抵销后仍须给付" in html and "400.00" in html
    assert mutual[0].case_number in html and "签字" in html and f"当事人 {people['A']['name']}" in html


def test_the_list_searches_filters_and_does_not_query_per_row(client, judge, mutual, register, people,
                                                            django_assert_max_num_queries):
    for i in range(3):
        case = register(people["C"], people["D"], 10_000 + i)
        services.proposal_create(actor=judge, case_ids=[case.pk], reason=f"第{i}个")
    first = services.proposal_create(actor=judge, case_ids=[c.pk for c in mutual])
    client.force_login(judge)
    with django_assert_max_num_queries(8):
        html = page(client.get("/netting/"))
    assert "共 4 个方案版本" in html and first.title in html
    html = page(client.get("/netting/", {"q": people["B"]["name"]}))
    assert "共 1 个方案版本" in html and first.title in html
    html = page(client.get("/netting/", {"status": "applied"}))
    assert "共 0 个方案版本" in html


def test_supervisors_read_without_forms_and_other_courts_get_404(client, judge, supervisor, other_judge, mutual):
    proposal = services.proposal_create(actor=judge, case_ids=[c.pk for c in mutual])
    client.force_login(supervisor)
    html = page(client.get(f"/netting/proposals/{proposal.pk}/"))
    assert proposal.title in html and "修改草稿" not in html and "送达当事人" not in html
    assert client.post(f"/netting/proposals/{proposal.pk}/submit/").status_code == 403
    assert client.get("/netting/new/").status_code == 403
    client.force_login(other_judge)
    assert client.get(f"/netting/proposals/{proposal.pk}/").status_code == 404
    assert client.get(f"/netting/proposals/{proposal.pk}/document/").status_code == 404
    assert client.post(f"/netting/proposals/{proposal.pk}/submit/").status_code == 404


def test_the_proposal_page_reads_its_cases_a_page_at_a_time_and_searches_them(
        client, judge, register, people, django_assert_max_num_queries):
    a = people["A"]
    cases = []
    for other in ("B", "C", "D", "E"):
        cases += [register(people[other], a, 50_000), register(a, people[other], 20_000)]
    proposal = services.proposal_create(actor=judge, case_ids=[c.pk for c in cases])
    client.force_login(judge)
    with django_assert_max_num_queries(30):  # not one query per case or per party
        html = page(client.get(f"/netting/proposals/{proposal.pk}/"))
    assert "各案抵销（8 件）" in html and all(c.case_number in html for c in cases)
    html = page(client.get(f"/netting/proposals/{proposal.pk}/", {"q": people["D"]["name"]}))
    section = html.split('id="netting-lines"')[1].split("</section>")[0]
    assert "各案抵销（2 件）" in section and cases[4].case_number in section and cases[0].case_number not in section


def test_a_bundle_of_mutual_cases_links_to_a_proposal_of_its_cases(client, judge, mutual):
    from zhixing.bundles.detection import relate
    from zhixing.bundles.models import Bundle

    relate()
    bundle = Bundle.objects.get(kind="mutual")
    client.force_login(judge)
    assert f"/netting/new/?bundle={bundle.pk}" in page(client.get(f"/bundles/{bundle.pk}/"))
    html = page(client.get("/netting/new/", {"bundle": bundle.pk}))
    assert "案件（2 件）" in html and all(c.case_number in html for c in mutual)
