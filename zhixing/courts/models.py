from django.db import models

from .choices import CourtLevel, TeamType


class Court(models.Model):
    """A people's court. Codes follow 法〔2015〕137号 Arts 4–5: 京 / 京01 / 京0108."""

    name = models.CharField("法院名称", max_length=100, unique=True)
    court_code = models.CharField("法院代字", max_length=12, unique=True)
    level = models.CharField("法院层级", max_length=16, choices=CourtLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级法院", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Payout deadline and similar local policy differ by province (Zhejiang: 7 working days);
    # the rules that read them live with their apps. Kept here so each court can be configured.
    region = models.CharField("所属地区", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "法院"
        ordering = ["court_code"]

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> list[int]:
        """This court and every court below it, in one query: a province has three levels
        (高院 → 中院 → 基层), so two hops down reach every court."""
        below = Court.objects.filter(models.Q(pk=self.pk) | models.Q(parent_id=self.pk) | models.Q(parent__parent_id=self.pk))
        return list(below.order_by("pk").values_list("pk", flat=True))


class Division(models.Model):
    """执行局 or one of its divisions (执行一庭, 执行指挥中心 …)."""

    court = models.ForeignKey(Court, verbose_name="法院", on_delete=models.PROTECT, related_name="divisions")
    name = models.CharField("部门名称", max_length=50)
    is_command_centre = models.BooleanField("执行指挥中心", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        constraints = [models.UniqueConstraint(fields=["court", "name"], name="division_unique_name_per_court")]

    def __str__(self) -> str:
        return f"{self.court.name}{self.name}"


class Team(models.Model):
    """A judge-led enforcement team (执行团队)."""

    court = models.ForeignKey(Court, verbose_name="法院", on_delete=models.PROTECT, related_name="teams")
    division = models.ForeignKey(
        Division, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField("团队名称", max_length=50)
    team_type = models.CharField("团队类型", max_length=20, choices=TeamType.choices)
    leader = models.ForeignKey(
        "accounts.User", verbose_name="团队负责人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "执行团队"
        ordering = ["court", "name"]
        constraints = [models.UniqueConstraint(fields=["court", "name"], name="team_unique_name_per_court")]

    def __str__(self) -> str:
        return self.name
