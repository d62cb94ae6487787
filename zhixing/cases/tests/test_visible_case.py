"""The case lookup every app's pages share (cases/pages.py): who may see a case, who may act on it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from zhixing.cases.pages import visible_case

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_the_courts_own_judge_gets_the_case_to_read_and_to_act_on(judge, make_case):
    case = make_case()
    assert visible_case(_request(judge), case.pk) == case
    assert visible_case(_request(judge), case.pk, acting=True) == case


def test_another_courts_case_is_a_404_as_if_it_did_not_exist(other_judge, make_case):
    case = make_case()
    with pytest.raises(Http404, match="案件不存在"):
        visible_case(_request(other_judge), case.pk)
    with pytest.raises(Http404, match="案件不存在"):
        visible_case(_request(other_judge), case.pk, acting=True)


def test_a_missing_case_is_a_404(judge):
    with pytest.raises(Http404, match="案件不存在"):
        visible_case(_request(judge), 999_999)


def test_a_higher_courts_supervisor_reads_the_case_but_is_refused_when_acting(supervisor, make_case):
    case = make_case()
    assert visible_case(_request(supervisor), case.pk) == case
    with pytest.raises(PermissionDenied, match="上级法院监督角色只能查看，不能办理"):
        visible_case(_request(supervisor), case.pk, acting=True)


def test_a_supervisor_is_refused_before_the_case_is_looked_up(supervisor, django_assert_num_queries):
    # read-only first: acting on any pk, even one that does not exist, is a 403 without a query
    with django_assert_num_queries(0), pytest.raises(PermissionDenied):
        visible_case(_request(supervisor), 999_999, acting=True)
