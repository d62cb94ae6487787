"""The first quarter of 2026 at 京0108, built by hand so that every indicator's value can be worked
out on paper (test_formulas.py does so, line by line). Two teams: 快执一组 (the judge) and 普执二组
(the second judge, moved there). Another court, 京0102, has one case of its own."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from zhixing.cases.models import EnforcementCase
from zhixing.courts.choices import TeamType
from zhixing.courts.models import Team
from zhixing.indicators.choices import DisclosureKind, PetitionChannel, ReviewKind, ReviewOutcome
from zhixing.indicators.models import ConductReview, Disclosure, Petition

from .support import D, build_case


@dataclass
class Quarter:
    cases: dict[str, EnforcementCase]
    team1: Team
    team2: Team


@pytest.fixture
def team2(courts):
    return Team.objects.create(court=courts["court"], name="普执二组", team_type=TeamType.ORDINARY)


@pytest.fixture
def q1(courts, team, team2, judge, second_judge):
    """Cases c1…c12 of 京0108 (c9 is a preservation case, 执保) and x1 of 京0102."""
    second_judge.team = team2
    second_judge.save(update_fields=["team"])
    court = courts["court"]
    t1 = {"team": team, "handler": judge}
    t2 = {"team": team2, "handler": second_judge}
    c = {
        # filed, closed (or open), how, claim, performed, team; close_due defaults to filing + 6 months
        "c1": build_case(court, filed_on=D(2025, 10, 10), closed_on=D(2026, 1, 20), closing_type="performed",
                         claim_fen=1_000_000, performed_fen=1_000_000, **t1),
        "c2": build_case(court, filed_on=D(2025, 6, 1), closed_on=D(2026, 2, 15), closing_type="terminate_current",
                         claim_fen=2_000_000, nodes=(("consumption_restriction", D(2025, 7, 1)),), **t1),
        "c3": build_case(court, filed_on=D(2026, 1, 5), closed_on=D(2026, 3, 31), closing_type="terminated",
                         claim_fen=1_000_000, performed_fen=300_000, **t2),
        "c4": build_case(court, filed_on=D(2025, 3, 1), closed_on=D(2026, 3, 1), closing_type="terminated",
                         claim_fen=500_000, nodes=(("property_found", D(2025, 4, 1)),), **t2),
        "c5": build_case(court, filed_on=D(2026, 2, 1), claim_fen=800_000, **t1),
        "c6": build_case(court, filed_on=D(2025, 12, 1), closed_on=D(2025, 12, 31), closing_type="performed",
                         claim_fen=100_000, performed_fen=100_000, **t1),
        "c7": build_case(court, filed_on=D(2026, 4, 1), **t1),
        "c8": build_case(court, filed_on=D(2026, 1, 10), closed_on=D(2026, 2, 10), closing_type="withdrawn",
                         claim_fen=100_000, **t1),
        "c9": build_case(court, filed_on=D(2026, 1, 2), closed_on=D(2026, 1, 3), closing_type="performed",
                         claim_fen=100_000, performed_fen=100_000, case_type="执保", **t1),
        "c10": build_case(court, filed_on=D(2022, 12, 1), closed_on=D(2026, 1, 15), closing_type="performed",
                          claim_fen=1_000_000, performed_fen=1_000_000, nodes=(("seal", D(2023, 1, 10)),), **t2),
        "c11": build_case(court, filed_on=D(2023, 4, 1), **t2),
        "c12": build_case(court, filed_on=D(2023, 3, 31), **t1),
        "x1": build_case(courts["other"], filed_on=D(2026, 1, 5), closed_on=D(2026, 2, 5), closing_type="performed",
                         claim_fen=50_000, performed_fen=50_000),
    }
    petition = dict(court=court, channel=PetitionChannel.VISIT, summary="反映执行不力")
    Petition.objects.create(case=c["c1"], received_on=D(2025, 12, 20), closed_on=D(2026, 1, 5), **petition)
    Petition.objects.create(case=c["c2"], received_on=D(2026, 2, 1), **petition)
    Petition.objects.create(case=c["c3"], received_on=D(2026, 3, 10), closed_on=D(2026, 4, 2), **petition)
    Petition.objects.create(case=c["c4"], received_on=D(2025, 11, 1), closed_on=D(2025, 12, 30), **petition)
    review = dict(court=court)
    ConductReview.objects.create(case=c["c10"], kind=ReviewKind.OBJECTION, outcome=ReviewOutcome.REVOKED,
                                 decided_on=D(2026, 2, 1), **review)
    ConductReview.objects.create(case=c["c10"], kind=ReviewKind.REVIEW, outcome=ReviewOutcome.CHANGED,
                                 decided_on=D(2026, 3, 1), **review)
    ConductReview.objects.create(case=c["c3"], kind=ReviewKind.OBJECTION, outcome=ReviewOutcome.UPHELD,
                                 decided_on=D(2026, 2, 1), **review)
    ConductReview.objects.create(case=c["c2"], kind=ReviewKind.OBJECTION, outcome=ReviewOutcome.REVOKED,
                                 decided_on=D(2025, 12, 31), **review)
    ConductReview.objects.create(case=c["c4"], kind=ReviewKind.STATE_COMPENSATION,
                                 outcome=ReviewOutcome.COMPENSATED, decided_on=D(2026, 3, 31), **review)
    Disclosure.objects.create(court=court, case=c["c1"], kind=DisclosureKind.DOCUMENT_ONLINE, disclosed_on=D(2026, 1, 25))
    Disclosure.objects.create(court=court, case=c["c3"], kind=DisclosureKind.NODE_NOTICE, disclosed_on=D(2026, 1, 10))
    Disclosure.objects.create(court=court, case=c["c5"], kind=DisclosureKind.NODE_NOTICE, disclosed_on=D(2026, 2, 10))
    return Quarter(c, team, team2)
