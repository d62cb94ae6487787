from django.db import models


class CourtLevel(models.TextChoices):
    HIGH = "high", "高级人民法院"
    INTERMEDIATE = "intermediate", "中级人民法院"
    BASIC = "basic", "基层人民法院"


class TeamType(models.TextChoices):
    """Team types of catalogue C05 (seeds 001 cases 1, 8, 12; 003)."""

    FAST = "fast", "快执团队"
    ORDINARY = "ordinary", "普执团队"
    SPECIAL = "special", "特执团队"
    EXECUTION_110 = "execution_110", "执行110"
    AFFAIRS = "affairs", "事务集约团队"
    TERMINATION = "termination", "终本管理团队"
    OVERSIGHT = "oversight", "监管团队"
