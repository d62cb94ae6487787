from django.db import models


class Role(models.TextChoices):
    """Staff roles of catalogue C05."""

    JUDGE = "judge", "执行法官"
    ASSISTANT = "assistant", "法官助理"
    CLERK = "clerk", "书记员"
    BAILIFF = "bailiff", "法警"
    COMMAND_CENTRE = "command_centre", "指挥中心"
    BUREAU_HEAD = "bureau_head", "执行局长/庭长"
    PRESIDENT = "president", "院长"
    SUPERVISOR = "supervisor", "上级法院监督"
    FINANCE = "finance", "案款管理（财务）"


# Roles that only read: a higher court's supervisor sees the courts below it, read-only.
READ_ONLY_ROLES = frozenset({Role.SUPERVISOR})
