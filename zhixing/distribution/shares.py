"""Who gets how much of the proceeds: pure integer arithmetic in fen, no database.

The proceeds pay in tiers (rules.TIER_ORDER; CPL-JI Arts 506–510): each enforcement cost in full, in
the order listed, as far as the money goes; then priority claims by their rank, claims of equal rank
sharing pro rata; then ordinary claims — pro rata, or for a company respondent in the order of their
seizures (Art. 514), claims seized on the same day sharing pro rata and claims without a seizure date
last. Whatever a group cannot be paid in full it shares pro rata, and nothing reaches a later group.

Pro rata is the largest-remainder method: each claim gets the floor of its exact share, and the fen
left over go one each to the largest remainders (ties: the earlier line). So the shares add up to
exactly min(proceeds, total claimed), never exceed a claim, and never lose or invent a fen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .choices import Tier


@dataclass(frozen=True)
class Claim:
    tier: str
    claim_fen: int
    rank: int = 0  # priority claims: 1 is paid first
    seized_on: dt.date | None = None  # ordinary claims, by-seizure order


def _check(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an integer number of fen, not {value!r}")
    if value < 0:
        raise ValueError(f"{what} must not be negative: {value}")
    return value


def pro_rata(pot_fen: int, claims_fen: Sequence[int]) -> list[int]:
    """Share `pot_fen` among claims in proportion to them (largest remainder); in full if it suffices."""
    _check(pot_fen, "pot_fen")
    total = sum(_check(c, "claim_fen") for c in claims_fen)
    if total <= pot_fen:
        return list(claims_fen)
    shares, remainders = [], []
    for index, claim in enumerate(claims_fen):
        share, rest = divmod(pot_fen * claim, total)
        shares.append(share)
        remainders.append((-rest, index))
    # Fewer fen are left over than there are non-zero remainders, so a claim gets at most one, and only
    # one whose exact share is not whole: floor + 1 never exceeds the claim.
    for _, index in sorted(remainders)[: pot_fen - sum(shares)]:
        shares[index] += 1
    return shares


def payment_groups(claims: Sequence[Claim], *, by_seizure: bool) -> list[list[int]]:
    """The claims' indices in the order they are paid; a group shares pro rata when money runs short."""
    unknown = {c.tier for c in claims} - set(Tier.values)
    if unknown:
        raise ValueError(f"unknown tier {sorted(unknown)}")
    groups: list[list[int]] = [[i] for i, c in enumerate(claims) if c.tier == Tier.COST]
    by_rank: dict[int, list[int]] = {}
    for i, c in enumerate(claims):
        if c.tier == Tier.PRIORITY:
            by_rank.setdefault(c.rank, []).append(i)
    groups += [by_rank[rank] for rank in sorted(by_rank)]
    ordinary = [i for i, c in enumerate(claims) if c.tier == Tier.ORDINARY]
    if not by_seizure:
        groups += [ordinary] if ordinary else []
        return groups
    by_day: dict[tuple[bool, dt.date | None], list[int]] = {}
    for i in ordinary:
        day = claims[i].seized_on
        by_day.setdefault((day is None, day), []).append(i)
    groups += [by_day[key] for key in sorted(by_day, key=lambda k: (k[0], k[1] or dt.date.min))]
    return groups


def allocate(proceeds_fen: int, claims: Sequence[Claim], *, by_seizure: bool = False) -> list[int]:
    """Each claim's share of the proceeds, in the claims' order. Sum: min(proceeds, total claimed)."""
    left = _check(proceeds_fen, "proceeds_fen")
    shares = [0] * len(claims)
    for group in payment_groups(claims, by_seizure=by_seizure):
        if left == 0:
            break
        for index, share in zip(group, pro_rata(left, [claims[i].claim_fen for i in group]), strict=True):
            shares[index] = share
            left -= share
    return shares


def ratio_text(share_fen: int, claim_fen: int) -> str:
    """49.25% — the share of the claim, to two decimals, rounded down (never overstates what is paid)."""
    if claim_fen <= 0:
        return ""
    hundredths = share_fen * 10_000 // claim_fen
    return f"{hundredths // 100}.{hundredths % 100:02d}%"
