"""The netting engine on hand-worked examples, then its invariants on any obligations (Hypothesis):

- every obligation is reduced by 0 … its amount, and one without its legal basis not at all;
- each party's reductions on what it is owed equal those on what it owes: no net position changes,
  and the totals are conserved (what is owed before = what is set off twice + what is left);
- a cycle is cancelled only among consenting parties, of at most `max_cycle` parties, and only parties
  of a cycle lose anything to one (no multilateral part on an obligation of a party who did not consent);
- the result is maximal: no pair still owes each other with basis both ways, and (unbounded) no cycle
  is left among the consenting parties;
- the same obligations in any order give the same result.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixing.netting.engine import Obligation, cancel_cycles, propose


def o(id, debtor, creditor, amount, order=0, has_basis=True):
    return Obligation(id, debtor, creditor, amount, (order,), has_basis)


# ---------------------------------------------------------------- examples


def test_two_parties_owing_each_other_set_off_the_smaller_total_oldest_case_first():
    result = propose([o("x1", "公司", "王", 120_000, 1), o("x2", "公司", "王", 80_000, 2), o("y", "王", "公司", 150_000, 3)])
    assert result.set_off_fen == {"x1": 120_000, "x2": 30_000, "y": 150_000}
    assert result.bilateral == [("公司", "王", 150_000)]
    assert [(r.debtor, r.creditor, r.amount_fen) for r in result.residuals] == [("公司", "王", 50_000)]
    company = result.positions["公司"]
    assert (company.owed_before_fen, company.owes_before_fen) == (150_000, 200_000)
    assert (company.owed_after_fen, company.owes_after_fen) == (0, 50_000)
    assert company.net_before_fen == company.net_after_fen == -50_000


def test_a_claim_without_its_legal_basis_is_never_set_off_but_counts_in_the_positions():
    result = propose([o("x", "A", "B", 100), o("y", "B", "A", 100, has_basis=False)])
    assert result.set_off_fen == {"x": 0, "y": 0}
    assert result.positions["A"].owed_before_fen == 100 and result.positions["A"].owes_after_fen == 100


def test_a_cycle_is_cancelled_only_when_every_party_of_it_consented():
    cycle = [o("ab", "A", "B", 100), o("bc", "B", "C", 70), o("ca", "C", "A", 50)]
    assert propose(cycle, consenting={"A", "B"}).total_set_off_fen == 0
    result = propose(cycle, consenting={"A", "B", "C"})
    assert result.set_off_fen == {"ab": 50, "bc": 50, "ca": 50}
    assert result.multilateral_fen == {"ab": 50, "bc": 50, "ca": 50}
    assert [(c.parties, c.amount_fen) for c in result.cycles] == [(("A", "B", "C"), 50)]
    assert [(r.debtor, r.creditor, r.amount_fen) for r in result.residuals] == [("A", "B", 50), ("B", "C", 20)]


def test_bilateral_set_off_comes_first_and_the_cycle_works_on_what_is_left():
    result = propose([o(1, "A", "B", 100), o(2, "B", "C", 70), o(3, "C", "A", 50), o(4, "B", "A", 30)],
                     consenting={"A", "B", "C"})
    assert result.bilateral == [("A", "B", 30)]
    assert result.set_off_fen == {1: 80, 2: 50, 3: 50, 4: 30}
    assert result.multilateral_fen == {1: 50, 2: 50, 3: 50}


def test_the_mengzhou_pattern_leaves_one_payment_from_the_company():
    owed_by_company = {"王某霞": [120_000_00, 80_000_00], "王某生": [95_000_00, 55_000_00], "陈某某": [110_000_00, 70_000_00],
                       "范某明": [130_000_00, 60_000_00], "柴某霞": [150_000_00, 110_000_00]}
    owed_to_company = {"王某霞": 200_000_00, "王某生": 150_000_00, "陈某某": 160_000_00, "范某明": 190_000_00,
                       "柴某霞": 260_000_00}
    obligations = [o(f"{name}{i}", "公司", name, fen, i) for name, amounts in owed_by_company.items()
                   for i, fen in enumerate(amounts)]
    obligations += [o(f"对{name}", name, "公司", fen, 9) for name, fen in owed_to_company.items()]
    result = propose(obligations)
    assert [(r.debtor, r.creditor, r.amount_fen, r.obligation_ids) for r in result.residuals] == [
        ("公司", "陈某某", 20_000_00, ("陈某某1",))]
    assert result.total_set_off_fen == 2 * 960_000_00


def test_nothing_changes_hands_that_was_not_owed():
    with pytest.raises(ValueError, match="owe itself"):
        propose([o(1, "A", "A", 5)])
    with pytest.raises(ValueError, match="whole fen"):
        propose([o(1, "A", "B", 1.5)])
    with pytest.raises(ValueError, match="twice"):
        propose([o(1, "A", "B", 5), o(1, "B", "A", 5)])


def test_a_ring_longer_than_the_limit_is_not_proposed():
    ring = [o(i, p, q, 10) for i, (p, q) in enumerate(zip("ABCDEFG", "BCDEFGA", strict=True))]
    assert propose(ring, consenting=set("ABCDEFG"), max_cycle=6).total_set_off_fen == 0
    assert propose(ring, consenting=set("ABCDEFG"), max_cycle=7).total_set_off_fen == 70


def test_cycle_cancellation_empties_every_cycle_and_leaves_an_acyclic_remainder():
    links = {("A", "B"): 5, ("B", "C"): 3, ("C", "A"): 4, ("C", "D"): 2, ("D", "B"): 7, ("B", "A"): 0}
    cut, cycles = cancel_cycles({k: v for k, v in links.items() if v})
    left = {k: v - cut.get(k, 0) for k, v in links.items() if v}
    assert all(v >= 0 for v in left.values())
    assert not _has_cycle({k for k, v in left.items() if v > 0})
    assert sum(c.amount_fen * len(c.parties) for c in cycles) == sum(cut.values())


# ---------------------------------------------------------------- invariants on any input

PARTIES = [chr(ord("A") + i) for i in range(7)]


@st.composite
def bundles(draw):
    n = draw(st.integers(0, 40))
    obligations = []
    for i in range(n):
        debtor = draw(st.sampled_from(PARTIES))
        creditor = draw(st.sampled_from([p for p in PARTIES if p != debtor]))
        amount = draw(st.one_of(st.integers(0, 1_000), st.integers(1, 10**12)))
        obligations.append(Obligation(i, debtor, creditor, amount, (draw(st.integers(0, 5)),), draw(st.booleans())))
    consenting = draw(st.sets(st.sampled_from(PARTIES)))
    max_cycle = draw(st.sampled_from([None, 3, 4, 6]))
    return obligations, consenting, max_cycle


def _has_cycle(edges: set[tuple[str, str]]) -> bool:
    graph = defaultdict(list)
    for a, b in edges:
        graph[a].append(b)
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1 or (nxt not in state and visit(nxt)):
                return True
        state[node] = 2
        return False

    return any(node not in state and visit(node) for node in list(graph))


@settings(max_examples=400, deadline=None, database=None)
@given(bundles())
def test_netting_invariants(bundle):
    obligations, consenting, max_cycle = bundle
    result = propose(obligations, consenting=consenting, max_cycle=max_cycle)
    set_off, multi = result.set_off_fen, result.multilateral_fen
    by_id = {x.id: x for x in obligations}

    # Within bounds, and nothing without its legal basis.
    for x in obligations:
        assert 0 <= set_off[x.id] <= x.amount_fen
        assert 0 <= multi.get(x.id, 0) <= set_off[x.id]
        if not x.has_basis:
            assert set_off[x.id] == 0

    # Nobody's net position changes; each side's reductions are equal; totals are conserved.
    taken_off_owed, taken_off_owes = defaultdict(int), defaultdict(int)
    for x in obligations:
        taken_off_owed[x.creditor] += set_off[x.id]
        taken_off_owes[x.debtor] += set_off[x.id]
    for party in PARTIES:
        assert taken_off_owed[party] == taken_off_owes[party], party
    for p in result.positions.values():
        assert p.net_before_fen == p.net_after_fen
        assert p.owed_before_fen - p.owed_after_fen == taken_off_owed[p.party]
    total = sum(x.amount_fen for x in obligations)
    assert total == sum(r.amount_fen for r in result.residuals) + result.total_set_off_fen
    assert sum(p.owed_after_fen for p in result.positions.values()) == sum(r.amount_fen for r in result.residuals)

    # Cycles only among consenting parties; a multilateral part only on their obligations.
    for cycle in result.cycles:
        assert set(cycle.parties) <= consenting and cycle.amount_fen > 0
        assert 3 <= len(cycle.parties) <= (max_cycle or len(PARTIES))
    for oid, part in multi.items():
        if part:
            assert by_id[oid].debtor in consenting and by_id[oid].creditor in consenting

    # Maximal: no mutual debt with basis left both ways, no cycle left among the consenting.
    left = defaultdict(int)
    for x in obligations:
        if x.has_basis:
            left[(x.debtor, x.creditor)] += x.amount_fen - set_off[x.id]
    for (a, b), amount in left.items():
        assert not (amount > 0 and left.get((b, a), 0) > 0), (a, b)
    if len(consenting) >= 3 and max_cycle is None:  # a bounded search may leave a ring it passed over
        assert not _has_cycle({(a, b) for (a, b), amount in left.items()
                               if amount > 0 and a in consenting and b in consenting})

    # Deterministic, whatever the order the obligations come in.
    again = propose(list(reversed(obligations)), consenting=set(consenting), max_cycle=max_cycle)
    assert again.set_off_fen == set_off and again.multilateral_fen == multi
