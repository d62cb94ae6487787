from django.conf import settings
from django.db import models
from django.utils import timezone


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日（休息）"
    WORKDAY = "workday", "调休上班日"


class CalendarYear(models.Model):
    """A year whose holidays an administrator has loaded in full (from the State Council's notice).

    A loaded year is counted from the table alone; an unloaded year the `chinese_calendar` package
    does not know falls back to Monday–Friday with a warning.
    """

    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("依据", max_length=200, help_text="如：国务院办公厅关于2027年部分节假日安排的通知")
    loaded_at = models.DateTimeField("载入时间", default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="载入人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = verbose_name_plural = "已载入年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(models.Model):
    """One exception to Monday–Friday: a holiday on a weekday, or a make-up workday (调休) at a weekend.

    For years the package knows, a row here overrides the package for that date.
    """

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("名称", max_length=50, blank=True, help_text="如：春节、国庆节")

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
