"""Netting invariants where the law meets the data (Hypothesis), beyond the engine's own (test_engine):

1. `compute` on any mix of cases and counter-claims — closed, preservation, joint, without identity
   numbers, refused, claims with and without a confirming document: no set-off on a case that cannot
   be netted or on a claim whose debtor refused it; every party of a ring and every debtor of an
   unconfirmed claim that is used is asked for consent; each party's net position is unchanged.
2. Through the database, on any selection of a fixed bundle of registered cases: applying moves each
   case's outstanding amount by exactly its set-off and leaves every party's net position as it was;
   reversing restores every outstanding amount; the ledger verifies after both. Each example runs in
   a savepoint rolled back at its end.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from zhixing.cases.models import EnforcementCase
from zhixing.money import ledger
from zhixing.netting import compute, services
from zhixing.netting.compute import CaseFacts, ClaimInput, PartyFacts

from .conftest import TODAY, D

KEYS = ["K1", "K2", "K3", "K4", "K5"]


@st.composite
def case_facts(draw, pk: int) -> CaseFacts:
    applicant = draw(st.sampled_from(KEYS))
    respondents = draw(st.lists(st.sampled_from([k for k in KEYS if k != applicant]), min_size=1, max_size=2,
                                unique=True))
    claim = draw(st.integers(0, 500_000))
    performed = draw(st.integers(0, claim))
    anonymous = draw(st.booleans()) and draw(st.booleans())  # a quarter of the cases
    f = CaseFacts(pk, 1, f"（2026）京0108执{pk}号", draw(st.sampled_from(["执", "执", "执恢", "执保"])),
                  draw(st.sampled_from(["open", "open", "open", "closed"])), "", D(2026, 1, 1) + dt.timedelta(days=pk),
                  claim, performed, max(claim - performed, 0))
    f.closing_type = "performed" if f.status == "closed" else ""
    f.applicants = [PartyFacts(applicant, applicant)]
    f.respondents = [PartyFacts("" if anonymous and i == 0 else k, k) for i, k in enumerate(respondents)]
    f.title = "（2025）京0108民初1号（北京市海淀区人民法院，2025-10-01生效）"
    f.effective_on = draw(st.sampled_from([D(2025, 10, 1), D(2026, 12, 1)]))
    return f


@st.composite
def bundles(draw):
    facts = {pk: draw(case_facts(pk)) for pk in range(1, draw(st.integers(1, 12)) + 1)}
    shares = {}
    for pk, f in facts.items():  # apportion some joint cases, sometimes wrongly
        if len(f.respondents) > 1 and draw(st.booleans()):
            first = draw(st.integers(0, f.outstanding_fen + 1))
            shares[pk] = {f.respondents[0].key: first, f.respondents[1].key: max(f.outstanding_fen - first, 0)}
    claims = []
    for position in range(1, draw(st.integers(0, 3)) + 1):
        creditor = draw(st.sampled_from(KEYS))
        debtor = draw(st.sampled_from([k for k in KEYS if k != creditor]))
        claims.append(ClaimInput(position, creditor, creditor, debtor, debtor, draw(st.integers(1, 300_000)),
                                 D(2026, 9, 1), draw(st.sampled_from(["", "（2026）京0108民初9号"]))))
    refused = draw(st.sets(st.sampled_from(KEYS), max_size=2))
    return facts, shares, claims, refused, draw(st.booleans())


@settings(max_examples=300, deadline=None, database=None)
@given(bundles())
def test_no_set_off_without_its_legal_basis_and_no_net_position_moves(bundle):
    facts, shares, claims, refused, multilateral = bundle
    result = compute.compute(facts, today=TODAY, multilateral=multilateral, refused=refused, joint_shares=shares,
                             claims=claims)
    owed, owes = defaultdict(int), defaultdict(int)
    for line in result.lines:
        assert 0 <= line.multilateral_fen <= line.set_off_fen <= line.facts.outstanding_fen
        if line.excluded_reason:
            assert line.set_off_fen == 0
        else:  # an open enforcement case of an effective money title, every party identified
            f = line.facts
            assert f.status == "open" and f.case_type in ("执", "执恢") and f.effective_on <= TODAY
            assert all(p.key for p in f.applicants + f.respondents) and len(f.applicants) == 1
        if line.set_off_fen:
            assert "第19条" in line.basis
        owed[line.facts.applicants[0].key] += line.set_off_fen
        for debtor, taken in (line.share_set_off.items() if line.shares else
                              [(line.facts.respondents[0].key, line.set_off_fen)]):
            owes[debtor] += taken
    asked = {row["party"] for row in result.required_consents}
    for c in result.claims:
        assert 0 <= c.set_off_fen <= c.claim.amount_fen
        if not c.claim.document_number and c.claim.debtor_key in refused:
            assert c.set_off_fen == 0  # not accepted: never set off
        if c.set_off_fen and not c.claim.document_number:
            assert c.claim.debtor_key in asked  # its acceptance is required before approval
        owed[c.claim.creditor_key] += c.set_off_fen
        owes[c.claim.debtor_key] += c.set_off_fen
    for cycle in result.result.cycles:
        assert multilateral and set(cycle.parties) <= asked and not set(cycle.parties) & refused
    for line in result.lines:
        if line.shares and line.set_off_fen:
            assert {p.key for p in line.facts.applicants + line.facts.respondents} <= asked
    for party in KEYS:  # what it is owed went down exactly as much as what it owes
        assert owed[party] == owes[party], party


# ---------------------------------------------------------------- through the database


@pytest.fixture
def bundle(register, people):
    """Eight cases among four parties, both ways and in a ring."""
    a, b, c, d = people["A"], people["B"], people["C"], people["D"]
    rows = [(b, a, 120_000), (b, a, 30_000), (a, b, 90_000), (c, b, 70_000), (a, c, 50_000), (d, a, 40_000),
            (a, d, 65_000), (c, d, 20_000)]
    return [register(x, y, fen, filed_on=D(2026, 3, 1) + dt.timedelta(days=i)) for i, (x, y, fen) in enumerate(rows)]


def positions(cases: list[EnforcementCase]) -> dict[str, int]:
    """Each party's net: what it is owed less what it owes, over the cases as they are now."""
    net = defaultdict(int)
    for case in EnforcementCase.objects.filter(pk__in=[c.pk for c in cases]).prefetch_related("parties"):
        left = case.claim_amount_fen - case.performed_amount_fen
        for party in case.parties.all():
            net[party.id_number or party.credit_code] += left if party.role == "applicant" else -left
    return dict(net)


@settings(max_examples=12, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(chosen=st.sets(st.integers(0, 7), min_size=2), multilateral=st.booleans())
@example(chosen={0, 1, 2}, multilateral=False)  # a pair both ways
@example(chosen={0, 3, 4}, multilateral=True)  # a ring of three
def test_applying_and_reversing_any_selection_keeps_every_position_and_restores_every_amount(
        judge, clerk, bureau_head, bundle, chosen, multilateral):
    cases = [bundle[i] for i in sorted(chosen)]
    with transaction.atomic():
        before = {c.pk: c.claim_amount_fen - c.performed_amount_fen for c in EnforcementCase.objects.filter(
            pk__in=[c.pk for c in cases])}
        nets = positions(cases)
        proposal = services.proposal_create(actor=judge, case_ids=[c.pk for c in cases], multilateral=multilateral)
        if proposal.set_off_total_fen:
            proposal = services.proposal_submit(actor=judge, proposal=proposal)
            for row in proposal.required_consents:
                services.consent_record(actor=clerk, proposal=proposal, party_key=row["party"], method="written",
                                        document_reference="同意书", given_on=TODAY)
            proposal = services.proposal_apply(actor=judge, proposal=services.proposal_approve(
                actor=bureau_head, proposal=proposal))
            set_off = dict(proposal.lines.values_list("case_id", "set_off_fen"))
            after = {c.pk: c.claim_amount_fen - c.performed_amount_fen for c in EnforcementCase.objects.filter(
                pk__in=[c.pk for c in cases])}
            assert all(after[pk] == before[pk] - set_off[pk] >= 0 for pk in before)
            assert positions(cases) == nets
            assert ledger.verify() == []
            services.proposal_reverse(actor=bureau_head, proposal=proposal, reason="复核撤销")
            restored = {c.pk: c.claim_amount_fen - c.performed_amount_fen for c in EnforcementCase.objects.filter(
                pk__in=[c.pk for c in cases])}
            assert restored == before
            assert ledger.verify() == []
        transaction.set_rollback(True)
