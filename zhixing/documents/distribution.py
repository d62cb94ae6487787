"""财产分配方案 for a case that has no plan of its own yet: the shares worked out on the spot from the
sum typed in, with the distribution app's arithmetic (zhixing.distribution.shares) — there is one
implementation. A case with a plan (zhixing.distribution) prints its latest version instead
(context._distribution).

Costs come first; then, where a respondent is a natural person or an unincorporated organisation,
ordinary claims share pro rata (CPL-JI Arts 506, 508); a company respondent not moved to bankruptcy
pays them in the order of their seizures (Art. 514)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zhixing.cases.exceptions import DomainError
from zhixing.cases.models import EnforcementCase
from zhixing.distribution import selectors as distribution_selectors
from zhixing.distribution import shares
from zhixing.distribution.choices import Method, Tier
from zhixing.distribution.shares import ratio_text  # noqa: F401  (the documents print it)

from .rules import DISTRIBUTION_BY_SEIZURE, DISTRIBUTION_PRO_RATA


@dataclass
class Claim:
    creditor: str
    case_number: str
    claim_fen: int
    seized_on: dt.date | None = None  # the date of the claim's first measure on the property (Art. 514 order)
    share_fen: int = 0


def _apply(pot_fen: int, claims: list[Claim], *, by_seizure: bool) -> None:
    allocated = shares.allocate(pot_fen, [shares.Claim(Tier.ORDINARY, c.claim_fen, seized_on=c.seized_on) for c in claims],
                                by_seizure=by_seizure)
    for claim, share in zip(claims, allocated, strict=True):
        claim.share_fen = share


def pro_rata(pot_fen: int, claims: list[Claim]) -> None:
    _apply(pot_fen, claims, by_seizure=False)


def by_seizure(pot_fen: int, claims: list[Claim]) -> None:
    _apply(pot_fen, claims, by_seizure=True)


def method_for(case: EnforcementCase) -> tuple[str, str]:
    return DISTRIBUTION_BY_SEIZURE if distribution_selectors.method_for(case) == Method.BY_SEIZURE else DISTRIBUTION_PRO_RATA


def participants(case: EnforcementCase) -> list[Claim]:
    """This case's outstanding claim, and every other case (of any court) holding an open measure on
    property this case has seized (distribution.selectors.eligible_creditors)."""
    return [Claim(c.creditor_name, c.creditor_case.case_number, c.claim_fen, c.seized_on)
            for c in distribution_selectors.eligible_creditors(case)]


def plan(case: EnforcementCase, *, available_fen: int, costs_fen: int) -> tuple[list[Claim], tuple[str, str]]:
    if available_fen <= 0:
        raise DomainError("可供分配金额须大于零（民诉法解释第508条：执行所得价款）", code="nothing_to_distribute")
    if costs_fen > available_fen:
        raise DomainError("执行费用超过可供分配金额", code="costs_exceed")
    claims = [c for c in participants(case) if c.claim_fen > 0]
    if not claims:
        raise DomainError("没有尚未受偿的债权，无需分配", code="nothing_owed")
    method = method_for(case)
    _apply(available_fen - costs_fen, claims, by_seizure=method == DISTRIBUTION_BY_SEIZURE)
    return claims, method
