"""Bundles in the admin: read-only. Bundles are derived by the detection run; hand-overs are history
written only by the hand-over service (with each case's execution-log entry)."""

from __future__ import annotations

from django.contrib import admin

from zhixing.cases.admin import ReadOnlyAdmin

from .models import Bundle, BundleHandover, RelateRun


@admin.register(Bundle)
class BundleAdmin(ReadOnlyAdmin):
    list_display = ["label", "kind", "scope_court", "cross_court", "case_count", "court_count", "changed_at", "dissolved_at"]
    list_filter = ["kind", "cross_court", "scope_court"]
    search_fields = ["label", "key"]
    list_select_related = ["scope_court"]


@admin.register(BundleHandover)
class BundleHandoverAdmin(ReadOnlyAdmin):
    list_display = ["bundle", "court", "team", "handler", "actor", "at"]
    list_filter = ["court"]
    list_select_related = ["bundle", "court", "team", "handler", "actor"]


@admin.register(RelateRun)
class RelateRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "court", "open_cases", "created", "changed", "dissolved", "active", "seconds"]
