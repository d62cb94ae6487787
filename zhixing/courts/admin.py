from django.contrib import admin

from .models import Court, Division, Team


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin):
    list_display = ["court_code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "court_code"]


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["name", "court", "is_command_centre"]
    list_filter = ["court"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "court", "team_type", "leader", "active"]
    list_filter = ["team_type", "court"]
    search_fields = ["name"]
    raw_id_fields = ["leader"]
