from django.contrib import admin

from .calendar import invalidate_cache
from .models import CalendarDay, CalendarYear


class _InvalidatesCalendar(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        invalidate_cache()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        invalidate_cache()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        invalidate_cache()


@admin.register(CalendarDay)
class CalendarDayAdmin(_InvalidatesCalendar):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(_InvalidatesCalendar):
    list_display = ["year", "source", "loaded_at", "loaded_by"]
