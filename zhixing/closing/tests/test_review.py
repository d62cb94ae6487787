"""终本合格率 sample review: a reproducible seeded sample per court and period, marks with reasons, and the
rate the indicators read (closing.selectors.zhongben_pass_rate)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhixing.cases.exceptions import NotAllowed, ValidationFailed
from zhixing.cases.models import EnforcementCase, LogEntry
from zhixing.closing import review, selectors

from .conftest import D


def zhongben_closed(make_case, n, closed_on, **kwargs):
    cases = [make_case(filed_on=D(2026, 3, 2), **kwargs) for _ in range(n)]
    EnforcementCase.objects.filter(pk__in=[c.pk for c in cases]).update(
        status="closed", closing_type="terminate_current", closed_on=closed_on)
    return cases


def test_the_sample_size_follows_the_policy():
    assert review.sample_size(0) == 0
    assert review.sample_size(7) == 7  # fewer than the minimum: all of them
    assert review.sample_size(25) == 10  # 10% is 3, the minimum is 10
    assert review.sample_size(101) == 11  # 10.1 rounded up


def test_the_draw_is_reproducible_and_independent_of_order():
    ids = list(range(1000, 1100))
    first = review.draw(ids, 10, seed=42)
    assert first == review.draw(list(reversed(ids)), 10, seed=42)
    assert first != review.draw(ids, 10, seed=43)
    assert len(set(first)) == 10 and set(first) <= set(ids)


def test_drawing_a_period_twice_gives_the_same_review(make_case, bureau_head, courts):
    cases = zhongben_closed(make_case, 12, D(2026, 10, 15))
    zhongben_closed(make_case, 2, D(2026, 11, 2))  # outside the period
    first = review.sample_draw(actor=bureau_head, court=courts["court"], start=D(2026, 10, 1), end=D(2026, 10, 31))
    assert (first.population, first.size) == (12, 10)
    assert set(first.items.values_list("case_id", flat=True)) <= {c.pk for c in cases}
    again = review.sample_draw(actor=bureau_head, court=courts["court"], start=D(2026, 10, 1), end=D(2026, 10, 31))
    assert again.pk == first.pk
    expected = review.draw([c.pk for c in cases], 10, review.default_seed("京0108", D(2026, 10, 1), D(2026, 10, 31)))
    assert list(first.items.order_by("position").values_list("case_id", flat=True)) == expected


def test_marks_need_reasons_to_fail_and_give_the_rate(make_case, bureau_head, command_centre, judge, courts):
    zhongben_closed(make_case, 4, D(2026, 10, 15))
    sample = review.sample_draw(actor=bureau_head, court=courts["court"], start=D(2026, 10, 1), end=D(2026, 10, 31))
    items = list(sample.items.order_by("position"))
    with pytest.raises(ValidationFailed, match="至少一项原因"):
        review.sample_mark(actor=command_centre, item=items[0], verdict="fail")
    review.sample_mark(actor=command_centre, item=items[0], verdict="fail", reasons=["interview"], note="未约谈申请执行人")
    for item in items[1:3]:
        review.sample_mark(actor=command_centre, item=item, verdict="pass")
    rate = selectors.zhongben_pass_rate([courts["court"].pk], D(2026, 10, 1), D(2026, 10, 31))
    assert (rate.sampled, rate.reviewed, rate.passed, rate.failed, rate.pending) == (4, 3, 2, 1, 1)
    assert rate.rate_bp == 6666 and rate.rate_percent == Decimal("66.66") and rate.meets_target is False
    assert selectors.zhongben_pass_rate([courts["other"].pk], D(2026, 10, 1), D(2026, 10, 31)).rate_bp is None
    assert selectors.zhongben_pass_rate(None, D(2026, 11, 1), D(2026, 11, 30)).sampled == 0
    by_court = selectors.zhongben_pass_rates_by_court(None, D(2026, 10, 1), D(2026, 10, 31))
    assert by_court[courts["court"].pk].passed == 2
    entry = LogEntry.objects.filter(case=items[0].case, summary__startswith="终本合格评查").get()
    assert "约谈申请执行人" in entry.summary and entry.after["reasons"] == ["interview"]


def test_the_handler_may_not_review_his_own_case_nor_a_judge_review_at_all(make_case, bureau_head, judge, courts):
    cases = zhongben_closed(make_case, 1, D(2026, 10, 15))
    EnforcementCase.objects.filter(pk=cases[0].pk).update(handler=bureau_head)
    sample = review.sample_draw(actor=bureau_head, court=courts["court"], start=D(2026, 10, 1), end=D(2026, 10, 31))
    item = sample.items.get()
    with pytest.raises(NotAllowed, match="承办人不能评查"):
        review.sample_mark(actor=bureau_head, item=item, verdict="pass")
    with pytest.raises(NotAllowed):
        review.sample_mark(actor=judge, item=item, verdict="pass")
