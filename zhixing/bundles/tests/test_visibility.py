"""Who sees which bundles and related cases: a court's staff its own court's; an intermediate court's
supervisor also the cross-court bundles of its courts; nobody a bundle holding a case they may not see."""

from __future__ import annotations

import pytest

from zhixing.accounts.choices import Role
from zhixing.bundles import selectors
from zhixing.bundles.choices import RelationKind
from zhixing.bundles.detection import relate
from zhixing.bundles.models import Bundle
from zhixing.cases import services
from zhixing.cases.exceptions import NotFound
from zhixing.cases.models import Party
from zhixing.testing.fixtures import make_user

from .conftest import person, register


def scopes(user) -> set[tuple[str, bool]]:
    return {(b.scope_court.court_code, b.cross_court) for b in selectors.bundles_visible_to(user).select_related("scope_court")}


def test_a_basic_courts_staff_see_their_courts_bundles_only(mengzhou, judge, other_judge):
    relate()
    assert scopes(judge) == {("京0108", False)}
    assert scopes(other_judge) == set()  # 京0102 has one case of the company: no bundle of its own
    cross = Bundle.objects.get(cross_court=True)
    with pytest.raises(NotFound):
        selectors.bundle_get_for_user(user=judge, pk=cross.pk)


def test_an_intermediate_courts_supervisor_sees_the_cross_court_bundles_of_its_courts(mengzhou, supervisor, all_courts):
    relate()
    assert scopes(supervisor) == {("京0108", False), ("京01", True)}
    elsewhere = make_user("mid2.supervisor", all_courts["mid2"], Role.SUPERVISOR)
    assert scopes(elsewhere) == set()
    high = make_user("high.supervisor", all_courts["high"], Role.SUPERVISOR)
    assert scopes(high) == {("京0108", False), ("京01", True)}


def test_the_intermediate_courts_own_staff_do_not_see_its_basic_courts_cases(mengzhou, courts):
    relate()
    mid_head = make_user("mid.head", courts["mid"], Role.BUREAU_HEAD)
    assert scopes(mid_head) == set()


def test_the_case_panel_lists_only_cases_the_user_may_see(mengzhou, judge, other_judge, supervisor):
    own = mengzhou.against_company[0]
    panel = selectors.case_related(user=judge, case=own)
    same = next(r for r in panel.exact if r.kind == RelationKind.SAME_RESPONDENT)
    assert same.total == 9 and mengzhou.elsewhere.pk not in {c.pk for c in same.cases}
    wide = selectors.case_related(user=supervisor, case=own)
    assert next(r for r in wide.exact if r.kind == RelationKind.SAME_RESPONDENT).total == 10
    lonely = selectors.case_related(user=other_judge, case=mengzhou.elsewhere)
    assert lonely.exact == [] and lonely.empty


def test_the_case_panel_is_live_a_party_corrected_today_shows_at_once(judge):
    first = register(judge, "京0108", [person("甲", 51)], [person("乙", 52)])
    second = register(judge, "京0108", [person("丙", 53)], [person("丁", 54)])
    assert selectors.case_related(user=judge, case=first).empty
    respondent = Party.objects.get(case=second, role="respondent")
    services.party_update(actor=judge, party=respondent, changes={"name": "乙", "id_number": person("乙", 52)["id_number"]},
                          reason="核对身份证后更正")
    panel = selectors.case_related(user=judge, case=first)
    assert [(r.kind, [c.pk for c in r.cases]) for r in panel.exact] == [(RelationKind.SAME_RESPONDENT, [second.pk])]
