from django.contrib import admin, messages
from django.db import transaction

from .calendar import invalidate_cache
from .models import CalendarDay, CalendarYear


class _RecomputesDeadlines(admin.ModelAdmin):
    """An edit to the holiday table moves the deadlines counted through it: after each save or delete,
    the stored deadlines of the cases in the years concerned are recomputed and logged (期限重算)."""

    def _years(self, obj) -> set[int]:
        raise NotImplementedError

    def _recompute(self, request, years: set[int], what: str) -> None:
        # Imported here: the calendar app is below the cases app and must not import it at module level.
        from zhixing.cases.services import deadlines_recompute

        invalidate_cache()  # count with the table as it now stands (inside the admin's transaction)
        transaction.on_commit(invalidate_cache)
        from zhixing.supervision.engine import supervise_after_calendar_change

        reason = f"管理员修改节假日安排：{what}"
        changed = deadlines_recompute(years=years, actor=request.user, reason=reason)
        supervision = supervise_after_calendar_change(reason)
        year_text = "、".join(str(y) for y in sorted(years))
        self.message_user(
            request,
            f"已按新的节假日安排重算 {year_text} 年涉及的期限：{changed} 件案件的期限有变化。{supervision}",
            messages.INFO,
        )

    def save_model(self, request, obj, form, change):
        years = self._years(obj)
        if change:  # an edit may move a day out of its old year
            previous = type(obj).objects.filter(pk=obj.pk).first()
            if previous is not None:
                years |= self._years(previous)
        super().save_model(request, obj, form, change)
        self._recompute(request, years, f"{'修改' if change else '新增'} {obj}")

    def delete_model(self, request, obj):
        years = self._years(obj)
        super().delete_model(request, obj)
        self._recompute(request, years, f"删除 {obj}")

    def delete_queryset(self, request, queryset):
        objs = list(queryset)
        years = set().union(*(self._years(obj) for obj in objs))
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            self._recompute(request, years, "删除 " + "、".join(str(obj) for obj in objs))


@admin.register(CalendarDay)
class CalendarDayAdmin(_RecomputesDeadlines):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def _years(self, obj: CalendarDay) -> set[int]:
        return {obj.date.year}


@admin.register(CalendarYear)
class CalendarYearAdmin(_RecomputesDeadlines):
    list_display = ["year", "source", "loaded_at", "loaded_by"]
    readonly_fields = ["loaded_by"]

    def _years(self, obj: CalendarYear) -> set[int]:
        return {obj.year}

    def save_model(self, request, obj, form, change):
        obj.loaded_by = request.user
        super().save_model(request, obj, form, change)
