"""Demo amounts in integer fen: log-normal principals (median ≈ 50,000 yuan at a basic court, a tail
into hundreds of millions at the higher courts), interest, and the court fee by its schedule."""

from __future__ import annotations

import math
import random

from zhixing.cases.choices import ClaimKind
from zhixing.courts.choices import CourtLevel


def acceptance_fee_fen(amount_fen: int) -> int:
    """案件受理费 of a property case (诉讼费用交纳办法 Art. 13(1)), cumulative bands."""
    yuan = amount_fen / 100
    if yuan <= 10_000:
        return 5_000
    bands = ((100_000, 0.025), (200_000, 0.02), (500_000, 0.015), (1_000_000, 0.01), (2_000_000, 0.009),
             (5_000_000, 0.008), (10_000_000, 0.007), (20_000_000, 0.006), (math.inf, 0.005))
    fee, lower = 50.0, 10_000
    for upper, rate in bands:
        fee += (min(yuan, upper) - lower) * rate
        if yuan <= upper:
            break
        lower = upper
    return int(round(fee * 100))


PRINCIPAL_MEDIAN_YUAN = {CourtLevel.BASIC: 42_000, CourtLevel.INTERMEDIATE: 3_000_000, CourtLevel.HIGH: 30_000_000}
PRINCIPAL_SIGMA = {CourtLevel.BASIC: 1.75, CourtLevel.INTERMEDIATE: 1.3, CourtLevel.HIGH: 1.0}
INTEREST_RATES = (0.0385, 0.0435, 0.06, 0.10, 0.154)


def principal_fen(rng: random.Random, level: str) -> int:
    yuan = rng.lognormvariate(math.log(PRINCIPAL_MEDIAN_YUAN[level]), PRINCIPAL_SIGMA[level])
    yuan = min(max(yuan, 500.0), 900_000_000.0)
    if rng.random() < 0.5:
        return int(round(yuan, -3 if yuan >= 10_000 else -2)) * 100  # round sums are common in loans
    return int(yuan * 100)


def claims_for(rng: random.Random, level: str, word: str) -> list[dict]:
    """Principal (named by the dispute's word: 货款, 借款本金 …), often interest, often the court fee."""
    principal = principal_fen(rng, level)
    claims = [{"kind": ClaimKind.PRINCIPAL, "amount_fen": principal, "note": word}]
    if rng.random() < 0.6:
        rate = rng.choice(INTEREST_RATES)
        years = rng.uniform(0.2, 2.5)
        claims.append({"kind": ClaimKind.INTEREST, "amount_fen": int(principal * rate * years),
                       "note": f"按年利率{rate * 100:.2f}%计算的利息"})
    if rng.random() < 0.7:
        fee = acceptance_fee_fen(principal)
        if rng.random() < 0.5:
            fee //= 2  # 简易程序减半收取 (Art. 16)
        claims.append({"kind": ClaimKind.COSTS, "amount_fen": fee, "note": "案件受理费"})
    return claims

