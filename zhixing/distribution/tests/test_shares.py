"""The arithmetic of a distribution plan: tiers in order, pro rata by largest remainder in whole fen,
and — for any proceeds and claims (Hypothesis) — shares that add up to exactly what can be paid."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixing.distribution.choices import Tier
from zhixing.distribution.shares import Claim, allocate, payment_groups, pro_rata, ratio_text

D = dt.date
cost, priority, ordinary = (lambda fen, **kw: Claim(Tier.COST, fen, **kw)), (
    lambda fen, rank, **kw: Claim(Tier.PRIORITY, fen, rank=rank, **kw)), (lambda fen, **kw: Claim(Tier.ORDINARY, fen, **kw))


def test_costs_come_first_then_priority_then_ordinary_pro_rata():
    # 100,000.00 yuan: 1,500 costs, a 30,000 mortgage, then 68,500 shared 120,000 : 80,000
    shares = allocate(10_000_000, [ordinary(12_000_000), cost(150_000), priority(3_000_000, 1), ordinary(8_000_000)])
    assert shares == [4_110_000, 150_000, 3_000_000, 2_740_000]
    assert sum(shares) == 10_000_000


def test_costs_are_paid_in_full_in_their_order_as_far_as_the_money_goes():
    assert allocate(1_000, [cost(600), cost(600), ordinary(5_000)]) == [600, 400, 0]


def test_priority_claims_pay_by_rank_and_share_pro_rata_within_a_rank():
    shares = allocate(10_000, [priority(8_000, 2), priority(3_000, 1), priority(3_000, 2), ordinary(1_000)])
    # rank 1 in full (3,000); 7,000 left shared 8,000 : 3,000 within rank 2 → 5,090.9 and 1,909.09
    assert shares == [5_091, 3_000, 1_909, 0]


def test_the_largest_remainder_gets_the_leftover_fen_and_an_equal_tie_goes_to_the_earlier_line():
    assert pro_rata(100_000, [100_000, 100_000, 100_000]) == [33_334, 33_333, 33_333]
    assert pro_rata(10, [1, 2, 4]) == [1, 2, 4]  # enough for everyone: in full, never more
    assert pro_rata(5, [1, 2, 4]) == [1, 1, 3]  # exact 0.714, 1.428, 2.857: floors 0,1,2; remainders .71 .43 .86


def test_by_seizure_pays_the_earliest_seizure_first_and_the_same_day_shares_pro_rata():
    claims = [ordinary(80_000, seized_on=D(2026, 7, 2)), ordinary(60_000, seized_on=D(2026, 7, 1)),
              ordinary(20_000, seized_on=D(2026, 7, 2)), ordinary(10_000)]
    assert allocate(100_000, claims, by_seizure=True) == [32_000, 60_000, 8_000, 0]
    assert allocate(100_000, claims) == [47_059, 35_294, 11_765, 5_882]  # pro rata: the same claims, no order
    assert payment_groups(claims, by_seizure=True) == [[1], [0, 2], [3]]  # no seizure date: last


def test_the_ratio_is_rounded_down_so_that_it_never_overstates_what_is_paid():
    assert ratio_text(4_110_000, 12_000_000) == "34.25%"
    assert ratio_text(1, 3) == "33.33%" and ratio_text(2, 3) == "66.66%" and ratio_text(5, 5) == "100.00%"
    assert ratio_text(0, 0) == ""


def test_bad_input_is_refused_rather_than_rounded():
    with pytest.raises(TypeError):
        allocate(100.0, [ordinary(1)])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        allocate(100, [ordinary(-1)])
    with pytest.raises(ValueError):
        allocate(100, [Claim("secured", 1)])


# ---------------------------------------------------------------- properties, for any proceeds and claims

days = st.one_of(st.none(), st.dates(min_value=D(2024, 1, 1), max_value=D(2024, 1, 10)))
claims_strategy = st.lists(
    st.builds(Claim, tier=st.sampled_from(Tier.values), claim_fen=st.integers(min_value=0, max_value=10**13),
              rank=st.integers(min_value=1, max_value=4), seized_on=days),
    max_size=25,
)
proceeds_strategy = st.integers(min_value=0, max_value=10**14)


@settings(max_examples=400, deadline=None)
@given(proceeds=proceeds_strategy, claims=claims_strategy, by_seizure=st.booleans())
def test_the_shares_add_up_to_exactly_what_can_be_paid_and_none_exceeds_its_claim(proceeds, claims, by_seizure):
    shares = allocate(proceeds, claims, by_seizure=by_seizure)
    assert len(shares) == len(claims)
    assert sum(shares) == min(proceeds, sum(c.claim_fen for c in claims))
    assert all(0 <= share <= c.claim_fen for share, c in zip(shares, claims, strict=True))
    assert all(isinstance(share, int) for share in shares)


@settings(max_examples=400, deadline=None)
@given(proceeds=proceeds_strategy, claims=claims_strategy, by_seizure=st.booleans())
def test_no_later_group_gets_a_fen_while_an_earlier_one_is_short(proceeds, claims, by_seizure):
    shares = allocate(proceeds, claims, by_seizure=by_seizure)
    groups = payment_groups(claims, by_seizure=by_seizure)
    tiers_in_order = [claims[g[0]].tier for g in groups]
    assert tiers_in_order == sorted(tiers_in_order, key=[Tier.COST, Tier.PRIORITY, Tier.ORDINARY].index)
    short_seen = False
    for group in groups:
        paid = sum(shares[i] for i in group)
        owed = sum(claims[i].claim_fen for i in group)
        if short_seen:
            assert paid == 0
        short_seen = short_seen or paid < owed


@settings(max_examples=400, deadline=None)
@given(pot=st.integers(min_value=0, max_value=10**14),
       claims=st.lists(st.integers(min_value=0, max_value=10**13), min_size=1, max_size=25))
def test_a_short_group_shares_pro_rata_within_one_fen_of_the_exact_share(pot, claims):
    shares = pro_rata(pot, claims)
    total = sum(claims)
    if total <= pot:
        assert shares == claims
        return
    for share, claim in zip(shares, claims, strict=True):
        exact_floor = pot * claim // total
        assert share in (exact_floor, exact_floor + 1)  # never a fen more than the rounding allows
