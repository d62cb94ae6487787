"""捆绑执行 (bundled enforcement) as policy data, each entry with where it comes from.

Which relations make a bundle? RELATIONS. Who may hand a bundle to one team? HANDOVER_ROLES. No
statute governs bundling: it is court practice reported by the Supreme People's Court and by the
Jiaozuo courts (catalogue C19; ../shared/seeds/001 case 3, ../shared/seeds/003). Netting the mutual
debts of a bundle (抵销) is a separate matter with its own law (异议复议规定 Art. 19; rules.md §8).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhixing.accounts.choices import Role

from .choices import RelationKind

SPC_CASE_3 = "最高人民法院《司法改革案例选编（四）》案例3（捆绑执行：涉及同一申请人、同一被执行人或同一执行标的物的多个案件，分类梳理、合并执行）"
MENGZHOU = "焦作法院执行权运行机制改革（2022）：孟州市法院将多人申请执行一人、当事人互为申请人与被执行人的案件“打包”交由一个执行团队集中办理，14起关联案件一天执结"


@dataclass(frozen=True)
class Relation:
    kind: str
    rule: str  # what the detection matches, in the words shown to staff
    source: str


RELATIONS: dict[str, Relation] = {
    RelationKind.SAME_RESPONDENT: Relation(
        RelationKind.SAME_RESPONDENT, "被执行人的身份证号或统一社会信用代码相同", f"{SPC_CASE_3}；{MENGZHOU}"),
    RelationKind.SAME_RESPONDENT_POSSIBLE: Relation(
        RelationKind.SAME_RESPONDENT_POSSIBLE,
        "被执行人均未登记证件号，姓名与出生日期相同（仅为线索，须核实身份后再合并办理）", SPC_CASE_3),
    RelationKind.SAME_APPLICANT: Relation(
        RelationKind.SAME_APPLICANT, "申请执行人的身份证号或统一社会信用代码相同", SPC_CASE_3),
    RelationKind.SAME_ASSET: Relation(
        RelationKind.SAME_ASSET, "在各案中登记的是同一财产（同一财产记录）", SPC_CASE_3),
    RelationKind.MUTUAL: Relation(
        RelationKind.MUTUAL,
        "甲在一案中申请执行乙，乙在另一案中申请执行甲；通过共同当事人相连的此类案件为一组", MENGZHOU),
}

# A bundle has at least two open cases; a cross-court bundle has cases of at least two courts under
# one intermediate court (the intermediate court's own cases included).
MIN_CASES = 2
MIN_COURTS_CROSS = 2

# 打包交办: the bureau head or the command centre chooses the team (MENGZHOU: "交由一个执行团队").
HANDOVER_ROLES = frozenset({Role.BUREAU_HEAD, Role.COMMAND_CENTRE})
# One hand-over reassigns every case in one transaction, holding each case's row lock until the end:
# beyond this many cases, assign in smaller batches instead (an engineering limit, not law).
HANDOVER_MAX_CASES = 500
# Who may start a detection run for their own court from the page (the nightly command does all courts).
RELATE_ROLES = frozenset({Role.BUREAU_HEAD, Role.COMMAND_CENTRE})
