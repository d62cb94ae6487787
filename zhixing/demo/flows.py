"""Life stories of demo cases as sequences of flow nodes (rules.NODES), by stage or closing type.

A path is (early, late): early nodes follow the filing within days (notice, property report order,
network query); late ones spread over the case's life. Every node comes after what it requires.
"""

from __future__ import annotations

import random

from zhixing.cases.choices import ClosingType, Stage

# Of the open cases at least a month old, by stage.
OPEN_STAGE_WEIGHTS = ((Stage.QUERY, 35), (Stage.CONTROL, 30), (Stage.DISPOSAL, 22), (Stage.PAYOUT, 13))


class FlowPlanner:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def query_nodes(self, *, thorough: bool = False) -> tuple[list[str], list[str]]:
        """(early, late): early nodes follow the filing within days; late ones spread over the case's life."""
        rng = self.rng
        early = ["enforcement_notice", "property_report_order", "network_query"]
        late = []
        if thorough or rng.random() < 0.3:
            late += ["traditional_query", "traditional_query_done"]
        if rng.random() < 0.12:
            late += ["clue_received", "clue_verified"]
        return early, late

    def control_nodes(self) -> list[str]:
        rng = self.rng
        nodes = ["property_found"]
        chosen = [code for code, p in (("network_freeze", 0.7), ("freeze", 0.15), ("seal", 0.35), ("detain", 0.1),
                                       ("deduct", 0.3)) if rng.random() < p]
        nodes += chosen or ["network_freeze"]
        if rng.random() < 0.3:
            nodes.append("consumption_restriction")
        return nodes

    def disposal_nodes(self, *, finished: bool) -> list[str]:
        rng = self.rng
        nodes = ["property_found", "seal"]
        if rng.random() < 0.5:
            nodes.append("network_freeze")
        nodes += ["appraisal_started"]
        if finished or rng.random() < 0.7:
            nodes.append("appraisal_served")
            if rng.random() < 0.1:
                nodes.append("appraisal_objection")
        if finished or rng.random() < 0.5:
            nodes.append("auction_started")
            second = rng.random() < 0.3
            if second:
                nodes.append("second_auction")
            if finished:
                if second and rng.random() < 0.4:
                    nodes.append(rng.choice(("sale_started", "transfer_in_kind")))
                else:
                    nodes.append("auction_confirmed")
                nodes.append("handover")
        return nodes

    def receipt_count(self) -> int:
        """How many times money arrives on a case that receives any (each one a funds_received node)."""
        return self.rng.choices((1, 2, 3), weights=(70, 22, 8))[0]

    def open_path(self, stage: str, *, receipts: int = 0) -> tuple[list[str], list[str]]:
        """An open case's story; a payout-stage case received money `receipts` times, then the payout
        was prepared (the order waits for approval or payment)."""
        early, late = self.query_nodes()
        if stage == Stage.CONTROL:
            late += self.control_nodes()
        elif stage == Stage.DISPOSAL:
            late += self.disposal_nodes(finished=False)
        elif stage == Stage.PAYOUT:
            late += self.disposal_nodes(finished=True) if self.rng.random() < 0.4 else self.control_nodes()
            late += ["funds_received"] * receipts + ["payout_prepared"]
        return early, late

    def closed_path(self, closing_type: str, *, receipts: int = 0) -> tuple[list[str], list[str]]:
        """A closed case's story; money that arrived (`receipts` times) was paid out before closing."""
        rng = self.rng
        money = ["funds_received"] * receipts + ["payout_prepared", "payout_done"] if receipts else []
        if closing_type == ClosingType.PERFORMED:
            r = rng.random()
            if r < 0.35:  # paid after the enforcement notice
                return ["enforcement_notice", "property_report_order", "network_query"][: rng.randint(1, 3)], money
            early, late = self.query_nodes()
            if r < 0.8:
                late += ["property_found", rng.choice(("network_freeze", "deduct", "freeze"))]
            else:
                late += self.disposal_nodes(finished=True)
            return early, late + money
        if closing_type == ClosingType.TERMINATE_CURRENT:
            early, late = self.query_nodes(thorough=rng.random() < 0.8)
            late += money  # part of the debt was recovered before nothing more was found
            late.append("no_property_found")
            late += [code for code, p in (("consumption_restriction", 0.9), ("dishonest_listing", 0.6),
                                          ("interview", 0.8)) if rng.random() < p]
            return early, late + ["zhongben_started"]
        if closing_type == ClosingType.TERMINATED:
            early, late = self.query_nodes()
            return early, late + money + (["no_property_found"] if rng.random() < 0.5 else [])
        if closing_type == ClosingType.WITHDRAWN:
            return (["enforcement_notice"] if rng.random() < 0.6 else []), money
        return [], money

    def open_stage(self, age: int) -> str:
        """The stage of an open case `age` days after filing."""
        if age < 15:
            return Stage.QUERY
        if age < 30:
            return Stage.QUERY if self.rng.random() < 0.6 else Stage.CONTROL
        stages, weights = zip(*OPEN_STAGE_WEIGHTS, strict=True)
        return self.rng.choices(stages, weights=weights)[0]
