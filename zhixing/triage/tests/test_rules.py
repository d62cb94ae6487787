"""The triage rules and the load balancer as pure functions: no database. Amounts at their
boundaries are worked out by hand (5万元 = 5,000,000 fen)."""

from __future__ import annotations

import random

import pytest

from zhixing.cases.choices import CaseType, Track
from zhixing.courts.choices import TeamType
from zhixing.triage.assignment import Balancer, CaseToAssign, JudgeLoad, plan
from zhixing.triage.choices import ConditionKind, Tag
from zhixing.triage.rules import DEFAULT_RULES, DEFAULT_TRACK, DEFAULT_WEIGHTS, PRESETS, Facts, Rule, decide

YUAN = 100


def facts(**kw) -> Facts:
    return Facts(**{"claim_amount_fen": 80_000 * YUAN, **kw})


# ---------------------------------------------------------------- the shipped default rules (Mengzhou)

DEFAULT_TABLE = [
    # (what, facts, expected track, deciding rule position or None for the default)
    ("50,000 元整：5万元以下含本数", facts(claim_amount_fen=5_000_000), Track.FAST, 7),
    ("50,000.01 元：超过5万元", facts(claim_amount_fen=5_000_001), Track.ORDINARY, None),
    ("1 元", facts(claim_amount_fen=100), Track.FAST, 7),
    ("涉金融，标的只有3万元", facts(claim_amount_fen=3_000_000, subjects=frozenset({Tag.FINANCIAL})), Track.SPECIAL, 1),
    ("涉政府投融资平台", facts(subjects=frozenset({Tag.FINANCING_PLATFORM})), Track.SPECIAL, 1),
    ("现金正好等于未执行标的：简案", facts(claim_amount_fen=900_000 * YUAN, cash_fen=900_000 * YUAN), Track.FAST, 2),
    ("现金差1分", facts(claim_amount_fen=900_000 * YUAN, cash_fen=900_000 * YUAN - 1), Track.ORDINARY, None),
    ("已部分执行到位：按未执行部分计算", facts(claim_amount_fen=100_000 * YUAN, performed_amount_fen=60_000 * YUAN,
                                  cash_fen=40_000 * YUAN), Track.FAST, 2),
    ("小额但有房产须拍卖", facts(claim_amount_fen=20_000 * YUAN, disposal_assets=1), Track.ORDINARY, 3),
    ("已启动评估", facts(claim_amount_fen=20_000 * YUAN, disposal_started=True), Track.ORDINARY, 3),
    ("现金足以清偿，即使也有房产", facts(cash_fen=80_000 * YUAN, disposal_assets=2), Track.FAST, 2),
    ("被执行人下落不明的小额案件", facts(claim_amount_fen=10_000 * YUAN, respondent_missing=True), Track.ORDINARY, 4),
    ("恢复执行的小额案件", facts(claim_amount_fen=10_000 * YUAN, case_type=CaseType.RESTORED), Track.ORDINARY, 5),
    ("保全案件，标的大", facts(claim_amount_fen=2_000_000 * YUAN, case_type=CaseType.PRESERVATION), Track.FAST, 6),
    ("无标的额（0）", facts(claim_amount_fen=0), Track.FAST, 7),
]


@pytest.mark.parametrize(("what", "given", "track", "position"), DEFAULT_TABLE, ids=[row[0] for row in DEFAULT_TABLE])
def test_the_default_rules_decide_the_track_with_the_first_rule_that_holds(what, given, track, position):
    outcome = decide(DEFAULT_RULES, given, DEFAULT_TRACK)
    assert (outcome.track, outcome.position) == (track, position)
    if position:
        assert outcome.rule is DEFAULT_RULES[position - 1]
        assert outcome.rule.reason and outcome.rule.citation  # every rule says why and where from


def test_every_shipped_rule_cites_its_seed_or_law():
    for _, rules, _ in PRESETS.values():
        for rule in rules:
            assert "seed" in rule.citation or "法释" in rule.citation, rule.text


def test_the_default_amount_rule_reads_as_five_ten_thousand_yuan_and_below():
    assert DEFAULT_RULES[6].text == "申请执行标的50,000元以下（含本数） → 快执"
    assert "孟州" in DEFAULT_RULES[6].citation


def test_shanyang_sends_claims_up_to_100000_yuan_to_execution_110():
    _, rules, default = PRESETS["shanyang"]
    outcome = decide(rules, facts(claim_amount_fen=100_000 * YUAN), default)
    assert (outcome.track, outcome.team_type) == (Track.FAST, TeamType.EXECUTION_110)
    assert decide(rules, facts(claim_amount_fen=100_000 * YUAN + 1), default).track == Track.ORDINARY
    restored = decide(rules, facts(case_type=CaseType.RESTORED), default)
    assert restored.team_type == TeamType.TERMINATION


# ---------------------------------------------------------------- a court's own lists

COURT_TABLE = [
    ("人数达到3人", Rule(ConditionKind.PARTIES_AT_LEAST, Track.ORDINARY, "多方当事人", params={"count": 3}),
     [(facts(party_count=2), False), (facts(party_count=3), True)]),
    ("标的100万元以上", Rule(ConditionKind.AMOUNT_AT_LEAST, Track.SPECIAL, "大标的", params={"min_fen": 1_000_000 * YUAN}),
     [(facts(claim_amount_fen=1_000_000 * YUAN - 1), False), (facts(claim_amount_fen=1_000_000 * YUAN), True)]),
    ("只看涉黑恶", Rule(ConditionKind.SPECIAL_SUBJECT, Track.SPECIAL, "涉黑恶", params={"subjects": [Tag.ORGANISED_CRIME]}),
     [(facts(subjects=frozenset({Tag.FINANCIAL})), False), (facts(subjects=frozenset({Tag.ORGANISED_CRIME})), True)]),
    ("现金达到一半", Rule(ConditionKind.CASH_COVERS_CLAIM, Track.FAST, "现金过半", params={"percent": 50}),
     [(facts(cash_fen=40_000 * YUAN - 1), False), (facts(cash_fen=40_000 * YUAN), True)]),
    ("无可执行标的不算现金足够", Rule(ConditionKind.CASH_COVERS_CLAIM, Track.FAST, "现金", params={"percent": 100}),
     [(facts(claim_amount_fen=0, cash_fen=100), False)]),
]


@pytest.mark.parametrize(("what", "rule", "cases"), COURT_TABLE, ids=[row[0] for row in COURT_TABLE])
def test_each_condition_holds_exactly_from_its_boundary(what, rule, cases):
    for given, holds in cases:
        assert (decide([rule], given, Track.ORDINARY).position == 1) is holds, (what, given)


def test_the_first_matching_rule_wins_and_nothing_matching_gives_the_default_track():
    small_fast = Rule(ConditionKind.AMOUNT_AT_MOST, Track.FAST, "小额", params={"max_fen": 100_000 * YUAN})
    many_ordinary = Rule(ConditionKind.PARTIES_AT_LEAST, Track.ORDINARY, "多方", params={"count": 4})
    crowded_small = facts(claim_amount_fen=1_000 * YUAN, party_count=5)
    assert decide([small_fast, many_ordinary], crowded_small).track == Track.FAST
    assert decide([many_ordinary, small_fast], crowded_small).track == Track.ORDINARY
    outcome = decide([many_ordinary], facts(party_count=2), Track.SPECIAL)
    assert (outcome.track, outcome.position, outcome.rule) == (Track.SPECIAL, None, None)


# ---------------------------------------------------------------- the balancer


def judge(uid, team_id, team_type, load=0, recent=0, absent=False) -> JudgeLoad:
    return JudgeLoad(uid, f"法官{uid}", team_id, f"团队{team_id}", team_type, load=load, recent=recent, absent=absent)


def test_a_case_goes_to_the_least_loaded_judge_of_a_team_of_its_track():
    balancer = Balancer([judge(1, 10, TeamType.FAST, 5), judge(2, 10, TeamType.FAST, 3),
                         judge(3, 20, TeamType.ORDINARY, 0), judge(4, 30, TeamType.EXECUTION_110, 4)])
    assert balancer.pick(Track.FAST).user_id == 2  # fast and 执行110 teams both take fast cases; 3 < 4 < 5
    assert balancer.pick(Track.ORDINARY).user_id == 3
    assert balancer.pick(Track.FAST, TeamType.EXECUTION_110).user_id == 4  # the rule's preferred team type first


def test_without_a_fitting_team_the_case_goes_to_an_ordinary_team_and_without_one_nowhere():
    balancer = Balancer([judge(1, 10, TeamType.FAST), judge(2, 20, TeamType.ORDINARY, 9)])
    assert balancer.pick(Track.SPECIAL).user_id == 2
    assert Balancer([judge(1, 10, TeamType.FAST)]).pick(Track.SPECIAL) is None


def test_ties_go_to_fewest_recent_assignments_then_the_lower_id_and_absent_judges_get_nothing():
    balancer = Balancer([judge(3, 10, TeamType.FAST, 2, recent=1), judge(2, 10, TeamType.FAST, 2, recent=4),
                         judge(1, 10, TeamType.FAST, 2, recent=1), judge(0, 10, TeamType.FAST, 0, absent=True)])
    assert balancer.pick(Track.FAST).user_id == 1
    assert balancer.pick(Track.FAST, exclude=[1]).user_id == 3


@pytest.mark.parametrize("seed", range(20))
def test_greedy_assignment_keeps_every_eligible_judge_within_one_case_weight(seed):
    """Fairness: N generated cases of mixed tracks over two ordinary teams and a fast team, from
    equal (zero) loads: within each group of judges that may take the same cases, the highest and
    lowest weighted loads never differ by more than the heaviest single case weight."""
    rng = random.Random(seed)
    judges = [judge(i, 1 + i % 2, TeamType.ORDINARY) for i in range(1, 1 + rng.randint(2, 7))]
    judges += [judge(100 + i, 9, TeamType.FAST) for i in range(rng.randint(1, 4))]
    balancer = Balancer(judges)
    cases = [CaseToAssign(n, f"案{n}", rng.choice([Track.FAST, Track.ORDINARY, Track.SPECIAL]))
             for n in range(rng.randint(20, 300))]
    proposals = plan(cases, balancer, DEFAULT_WEIGHTS.__getitem__)
    assert all(p.judge is not None for p in proposals)
    for team_type in (TeamType.ORDINARY, TeamType.FAST):
        loads = [j.load for j in balancer.judges.values() if j.team_type == team_type]
        assert max(loads) - min(loads) <= max(DEFAULT_WEIGHTS.values())
    assert sum(j.load for j in balancer.judges.values()) == sum(p.weight for p in proposals)


def test_from_unequal_loads_new_cases_go_to_the_light_judges_until_the_gap_closes():
    balancer = Balancer([judge(1, 1, TeamType.ORDINARY, 30), judge(2, 1, TeamType.ORDINARY, 0)])
    proposals = plan([CaseToAssign(n, f"案{n}", Track.ORDINARY) for n in range(20)], balancer, DEFAULT_WEIGHTS.__getitem__)
    assert [p.judge.user_id for p in proposals[:15]] == [2] * 15  # 15 × 2 = 30: level
    loads = sorted(j.load for j in balancer.judges.values())
    assert loads[1] - loads[0] <= 2
