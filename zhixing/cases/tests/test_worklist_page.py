"""The worklist page across several courts (a higher court's supervisor) is read per court and
merged; it must give exactly the order a full sort gives, on every page and with any filter."""

import datetime as dt

import pytest

from zhixing.accounts.choices import Role
from zhixing.cases.models import EnforcementCase
from zhixing.cases.selectors import CaseFilter, worklist_page
from zhixing.testing.fixtures import make_user


@pytest.fixture
def three_courts_of_cases(courts, judge, other_judge, make_case):
    """Cases at 京0108 and 京0102 (below 京01) interleaved by date, with same-day ties across courts."""
    third = courts["mid"].children.create(name="北京市朝阳区人民法院", court_code="京0105", level="basic")
    third_judge = make_user("third_judge", third, Role.JUDGE)
    start = dt.date(2026, 3, 2)
    for day in range(12):
        filed_on = start + dt.timedelta(days=day // 2)  # two cases a day: ties on filed_on
        actor = (judge, other_judge, third_judge)[day % 3]
        make_case(actor=actor, filed_on=filed_on, amount_fen=1_000_000 * (day + 1))
    return third


def _expected(queryset, offset, limit):
    return list(queryset.order_by("-filed_on", "-id").values_list("pk", flat=True)[offset : offset + limit])


def test_supervisor_pages_follow_the_full_sort_across_courts(supervisor, three_courts_of_cases):
    visible = EnforcementCase.objects.filter(court__parent=supervisor.court)
    assert visible.values("court").distinct().count() == 3
    seen = []
    for number in (1, 2, 3):
        page = worklist_page(user=supervisor, filters=CaseFilter(), number=number, page_size=5)
        ids = [case.pk for case in page.object_list]
        assert ids == _expected(visible, (number - 1) * 5, 5)
        seen += ids
    assert page.paginator.count == 12
    assert sorted(seen) == sorted(visible.values_list("pk", flat=True))


def test_filters_apply_before_the_merge(supervisor, three_courts_of_cases):
    filters = CaseFilter(amount_min_fen=5_000_000)
    page = worklist_page(user=supervisor, filters=filters, number=2, page_size=3)
    visible = EnforcementCase.objects.filter(court__parent=supervisor.court, claim_amount_fen__gte=5_000_000)
    assert [c.pk for c in page.object_list] == _expected(visible, 3, 3)
    assert page.paginator.count == 8


def test_a_page_past_the_end_is_the_last_page_on_screen_and_empty_in_the_api(supervisor, three_courts_of_cases):
    shown = worklist_page(user=supervisor, filters=CaseFilter(), number=99, page_size=5)
    assert shown.number == 3 and len(shown.object_list) == 2
    api = worklist_page(user=supervisor, filters=CaseFilter(), number=99, page_size=5, clamp=False)
    assert api.object_list == []


def test_a_short_first_page_needs_no_count(supervisor, three_courts_of_cases, django_assert_num_queries):
    # the supervisor's courts, the merged page's ids, the rows; no COUNT: 12 < 50 tells the total
    with django_assert_num_queries(3):
        page = worklist_page(user=supervisor, filters=CaseFilter(), number=1, page_size=50)
        assert page.paginator.count == 12


@pytest.mark.parametrize("listed", [5000, 1], ids=["matches-listed", "broad-match-subquery"])
def test_a_party_search_finds_the_same_cases_listed_or_as_a_subquery(
    supervisor, judge, other_judge, make_case, monkeypatch, listed
):
    from zhixing.cases import selectors

    monkeypatch.setattr(selectors, "MAX_PARTY_MATCHES_LISTED", listed)
    wanted = [make_case(actor=actor, filed_on=dt.date(2026, 5, day)) for day, actor in ((4, judge), (6, other_judge))]
    make_case(actor=judge, filed_on=dt.date(2026, 5, 5))
    for case in wanted:  # the respondents of the two wanted cases share a name fragment
        party = case.parties.get(role="respondent")
        party.name = f"杭州华信{case.pk}科技有限公司"
        party.save(update_fields=["name"])
    page = worklist_page(user=supervisor, filters=CaseFilter(party="华信"), number=1, page_size=50)
    assert [c.pk for c in page.object_list] == [wanted[1].pk, wanted[0].pk]
    assert page.paginator.count == 2
