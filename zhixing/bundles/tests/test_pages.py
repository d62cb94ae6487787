"""The pages: the bundle worklist with its filters, a bundle with its hand-over form, the case page's
related-cases panel ("possible" matches apart), and the 立即检测 button."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from zhixing.bundles.choices import RelationKind
from zhixing.bundles.detection import relate
from zhixing.bundles.models import Bundle, BundleHandover, RelateRun
from zhixing.cases.models import EnforcementCase, Party

from .conftest import person, register


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def mutual() -> Bundle:
    return Bundle.objects.get(kind=RelationKind.MUTUAL)


def test_the_worklist_lists_the_courts_bundles_with_their_totals(mengzhou, bureau_head):
    relate()
    page = client_for(bureau_head).get("/bundles/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "互为申请人、被执行人" in text and "焦作某科技有限公司" in text
    assert 'id="bundle-count">8<' in text  # mutual, the company as respondent and as applicant, five applicants
    assert "跨院" not in text.split("<tbody>")[1]  # 京0108's head does not see the cross-court bundle
    assert "待交办" in text


@pytest.mark.parametrize("query, count", [
    ("kind=mutual", 1), ("kind=same_applicant", 6), ("min_size=10", 2), ("handover=handed", 0), ("q=焦作某科技", 3),
])
def test_the_worklist_filters(mengzhou, bureau_head, query, count):
    relate()
    text = client_for(bureau_head).get(f"/bundles/?{query}").content.decode()
    assert f'id="bundle-count">{count}<' in text


def test_an_identity_number_finds_its_bundle_exactly(mengzhou, bureau_head):
    relate()
    code = mengzhou.company["credit_code"]
    text = client_for(bureau_head).get(f"/bundles/?q={code}").content.decode()
    assert 'id="bundle-count">2<' in text  # as respondent and as applicant (the mutual bundle is keyed by the smallest key)


def test_a_filter_change_by_htmx_swaps_only_the_list(mengzhou, bureau_head):
    relate()
    response = client_for(bureau_head).get("/bundles/?kind=mutual", HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text and 'id="bundle-count">1<' in text


def test_the_worklist_reads_a_full_page_in_a_fixed_number_of_queries(generated, supervisor, django_assert_num_queries):
    relate()
    client = client_for(supervisor)
    client.get("/bundles/")
    # Session, user, visible courts (3), the page, its COUNT, the last run, the filter form's courts and
    # teams — however many bundles the page holds, and however many cases they hold.
    with django_assert_num_queries(12):
        text = client.get("/bundles/").content.decode()
    assert text.count('href="/bundles/') >= 50


def test_the_supervisor_sees_the_cross_court_bundle_read_only(mengzhou, supervisor):
    relate()
    client = client_for(supervisor)
    assert "跨院" in client.get("/bundles/?scope=cross").content.decode()
    cross = Bundle.objects.get(cross_court=True)
    text = client.get(f"/bundles/{cross.pk}/").content.decode()
    assert "只能查看，不能办理" in text and "打包交办</button>" not in text
    assert mengzhou.elsewhere.case_number in text
    assert mengzhou.company["credit_code"] not in text  # masked for a supervisor


def test_another_courts_user_gets_404_for_a_bundle(mengzhou, other_judge):
    relate()
    assert client_for(other_judge).get(f"/bundles/{mutual().pk}/").status_code == 404


def test_the_bureau_head_hands_the_bundle_over_on_its_page(mengzhou, bureau_head, head_team):
    relate()
    bundle = mutual()
    client = client_for(bureau_head)
    page = client.get(f"/bundles/{bundle.pk}/").content.decode()
    assert "打包交办</button>" in page and "速执团队" in page
    response = client.post(f"/bundles/{bundle.pk}/handover/",
                           {"handover-team": head_team.pk, "handover-reason": "集中办理"}, follow=True)
    text = response.content.decode()
    assert "已将 14 件案件交由速执团队" in text and "交办记录" in text
    assert EnforcementCase.objects.filter(team=head_team).count() == 14


def test_a_handover_without_reason_shows_the_error_in_the_form(mengzhou, bureau_head, head_team):
    relate()
    bundle = mutual()
    response = client_for(bureau_head).post(f"/bundles/{bundle.pk}/handover/", {"handover-team": head_team.pk},
                                            HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "打包交办须说明理由" in response.content.decode()
    assert not BundleHandover.objects.exists()


def test_a_judge_is_not_offered_the_handover_and_is_refused(mengzhou, judge, head_team):
    relate()
    bundle = mutual()
    client = client_for(judge)
    assert "打包交办</button>" not in client.get(f"/bundles/{bundle.pk}/").content.decode()
    response = client.post(f"/bundles/{bundle.pk}/handover/", {"handover-team": head_team.pk, "handover-reason": "x"})
    assert response.status_code == 403 and "不能打包交办" in response.content.decode()


def test_the_case_page_shows_related_cases_and_possible_ones_apart(mengzhou, judge):
    relate()
    case = mengzhou.against_company[0]
    # Legacy rows: two respondents registered without ID numbers, same name and birth date.
    twins = [register(judge, "京0108", [person(f"申请人{i}", 60 + i)], [person(f"被执行人{i}", 70 + i)]) for i in range(2)]
    for twin in [case, *twins]:
        Party.objects.create(court=twin.court, case=twin, role="respondent", kind="natural_person", name="张某某",
                             birth_on=dt.date(1980, 5, 6), position=9)
    text = client_for(judge).get(f"/cases/{case.pk}/").content.decode()
    panel = text.split('id="related-cases"')[1].split("</section>")[0]
    assert "同一被执行人" in panel and mengzhou.against_company[1].case_number in panel
    assert "互为申请人、被执行人" in panel and mengzhou.by_company[0].case_number in panel
    possible = panel.split("疑似关联")[1]
    assert "张某某（1980-05-06）" in possible and twins[0].case_number in possible and twins[1].case_number in possible
    assert "所在关联组" in panel


def test_the_relate_button_runs_the_detection_for_the_own_court(mengzhou, bureau_head, judge):
    response = client_for(bureau_head).post("/bundles/relate/", follow=True)
    assert "关联案件检测完成（北京市海淀区人民法院" in response.content.decode()
    assert RelateRun.objects.get().court == bureau_head.court
    response = client_for(judge).post("/bundles/relate/", follow=True)
    assert "不能立即检测关联案件" in response.content.decode() and RelateRun.objects.count() == 1
