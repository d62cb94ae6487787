from django.db import models


class RelationKind(models.TextChoices):
    """How the open cases of a bundle are related (catalogue C19; rules.RELATIONS says why each counts)."""

    SAME_RESPONDENT = "same_respondent", "同一被执行人"
    SAME_RESPONDENT_POSSIBLE = "same_respondent_possible", "疑似同一被执行人"
    SAME_APPLICANT = "same_applicant", "同一申请执行人"
    SAME_ASSET = "same_asset", "同一执行标的物"
    MUTUAL = "mutual", "互为申请人、被执行人"


# Matched by identity number or credit code, or by the same asset record: certain. The "possible"
# kind is a name + birth-date match of parties without any identity number: a lead to check.
EXACT_KINDS = (RelationKind.SAME_RESPONDENT, RelationKind.SAME_APPLICANT, RelationKind.SAME_ASSET, RelationKind.MUTUAL)


class HandoverState(models.TextChoices):
    """The worklist's 交办 filter: never handed over, or handed over at least once."""

    PENDING = "pending", "待交办"
    HANDED = "handed", "已交办"
