"""财产分配方案: who shares the proceeds of the seized property, and how much each gets.

Costs come first; then, where a respondent is a natural person or an unincorporated organisation,
ordinary claims share pro rata (CPL-JI Arts 506, 508); a company respondent not moved to bankruptcy
pays them in the order of their seizures (Art. 514). Integer fen throughout: the pro-rata split
hands out the remainder fen by largest remainder, so the shares add up to the sum distributed."""

from __future__ import annotations

from dataclasses import dataclass

from zhixing.cases.choices import PartyKind, PartyRole
from zhixing.cases.exceptions import DomainError
from zhixing.cases.models import EnforcementCase
from zhixing.property.models import OPEN_MEASURE_STATUSES, ControlMeasure

from .rules import DISTRIBUTION_BY_SEIZURE, DISTRIBUTION_PRO_RATA


@dataclass
class Claim:
    creditor: str
    case_number: str
    claim_fen: int
    seized_on: object = None  # the date of the claim's first measure on the property (Art. 514 order)
    share_fen: int = 0


def pro_rata(pot_fen: int, claims: list[Claim]) -> None:
    total = sum(c.claim_fen for c in claims)
    if total <= pot_fen:
        for c in claims:
            c.share_fen = c.claim_fen
        return
    remainders = []
    for index, c in enumerate(claims):
        c.share_fen, rest = divmod(pot_fen * c.claim_fen, total)
        remainders.append((-rest, index))
    left = pot_fen - sum(c.share_fen for c in claims)
    for _, index in sorted(remainders)[:left]:
        claims[index].share_fen += 1


def by_seizure(pot_fen: int, claims: list[Claim]) -> None:
    for c in sorted(claims, key=lambda c: (c.seized_on is None, c.seized_on or 0)):
        c.share_fen = min(c.claim_fen, pot_fen)
        pot_fen -= c.share_fen


def method_for(case: EnforcementCase) -> tuple[str, str]:
    kinds = {p.kind for p in case.parties.all() if p.role == PartyRole.RESPONDENT}
    if kinds and kinds <= {PartyKind.LEGAL_PERSON}:
        return DISTRIBUTION_BY_SEIZURE
    return DISTRIBUTION_PRO_RATA


def participants(case: EnforcementCase) -> list[Claim]:
    """This case's outstanding claim, and every other case (of any court) holding an open measure on
    property this case has seized: those are the creditors the proceeds are shared among."""
    own = list(ControlMeasure.objects.filter(case_id=case.pk).values_list("asset_id", "started_on"))
    first_own = min((d for _, d in own), default=None)
    claims = [Claim(case.applicant_names or "申请执行人", case.case_number,
                    max(case.claim_amount_fen - case.performed_amount_fen, 0), first_own)]
    others = (ControlMeasure.objects.filter(asset_id__in={a for a, _ in own}, status__in=OPEN_MEASURE_STATUSES)
              .exclude(case_id=case.pk).select_related("case").order_by("started_on", "id"))
    seen: set[int] = set()
    for m in others:
        if m.case_id in seen:
            continue
        seen.add(m.case_id)
        other = m.case
        claims.append(Claim(other.applicant_names or "申请执行人", other.case_number,
                            max(other.claim_amount_fen - other.performed_amount_fen, 0), m.started_on))
    return claims


def plan(case: EnforcementCase, *, available_fen: int, costs_fen: int) -> tuple[list[Claim], tuple[str, str]]:
    if available_fen <= 0:
        raise DomainError("可供分配金额须大于零（民诉法解释第508条：执行所得价款）", code="nothing_to_distribute")
    if costs_fen > available_fen:
        raise DomainError("执行费用超过可供分配金额", code="costs_exceed")
    claims = [c for c in participants(case) if c.claim_fen > 0]
    if not claims:
        raise DomainError("没有尚未受偿的债权，无需分配", code="nothing_owed")
    method = method_for(case)
    (pro_rata if method == DISTRIBUTION_PRO_RATA else by_seizure)(available_fen - costs_fen, claims)
    return claims, method


def ratio_text(share_fen: int, claim_fen: int) -> str:
    """49.25% — share of the claim, to two decimals, rounded down (never overstates what was paid)."""
    if claim_fen <= 0:
        return ""
    hundredths = share_fen * 10_000 // claim_fen
    return f"{hundredths // 100}.{hundredths % 100:02d}%"
