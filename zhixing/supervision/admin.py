"""System administration of supervision. Rule versions are never edited: a court's own version is added
through `policies.court_rule_adopt`, which refuses one looser than the law; a case's deadline moves to
the current version only by the logged re-base (`services.deadline_rebase`). What the engine and the
services write (deadlines, locks, requests, pauses, extensions, runs) is read-only here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from zhixing.cases.admin import ReadOnlyAdmin
from zhixing.cases.exceptions import DomainError, ValidationFailed

from . import policies, services
from .models import (
    CaseLock,
    DailyDigest,
    Deadline,
    Extension,
    RuleVersion,
    SupervisionPolicy,
    SupervisionRun,
    Suspension,
    UnlockRequest,
)
from .rules import RULES, RULES_BY_CODE

MAX_REBASE = 500  # one selection re-based per request; the service logs each case


# ---------------------------------------------------------------- rule versions


class CourtRuleForm(forms.ModelForm):
    """A court's own, stricter version of a rule. Validation is the service's: the form calls
    `court_rule_adopt` and shows its refusal next to the field it names. The admin's add view runs in
    one transaction, so nothing stays behind if a later step fails."""

    actor = None  # set per request by RuleVersionAdmin.get_form

    class Meta:
        model = RuleVersion
        fields = ["court", "rule_code", "amount", "unit", "extra_days", "citation", "effective_from", "reason"]
        help_texts = {"court": "全国规则随系统版本更新，这里只能为某一法院设定更严格的本院规则"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].required = True
        self.fields["effective_from"].required = False
        self.fields["effective_from"].help_text = "空：今天"
        self.adopted: RuleVersion | None = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.adopted = policies.court_rule_adopt(
                actor=self.actor, court=data["court"], rule_code=data["rule_code"], amount=data["amount"],
                unit=data["unit"], citation=data["citation"], extra_days=data.get("extra_days") or 0,
                reason=data.get("reason") or "", effective_from=data.get("effective_from"),
            )
        except ValidationFailed as exc:
            for error in exc.errors:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return data


@admin.register(RuleVersion)
class RuleVersionAdmin(admin.ModelAdmin):
    list_display = ["rule_code", "court", "version", "period", "effective_from", "citation", "created_by", "created_at"]
    list_filter = ["rule_code", "court"]
    list_select_related = ["court", "created_by"]

    @admin.display(description="期限")
    def period(self, obj: RuleVersion) -> str:
        return obj.period_text

    def has_change_permission(self, request, obj=None):
        return False  # a change is a new version

    def has_delete_permission(self, request, obj=None):
        return False  # deadlines keep the version they were computed under

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        kwargs["form"] = CourtRuleForm
        form = super().get_form(request, obj, change=change, **kwargs)
        return type("CourtRuleFormFor", (form,), {"actor": request.user})

    def save_form(self, request, form, change):
        return form.adopted  # created by court_rule_adopt in the form's validation

    def save_model(self, request, obj, form, change):
        pass

    def save_related(self, request, form, formsets, change):
        pass


# ---------------------------------------------------------------- court settings


class SupervisionPolicyForm(forms.ModelForm):
    class Meta:
        model = SupervisionPolicy
        fields = ["court", "yellow_lead_days", "team_lead_after_days", "division_head_after_days", "president_after_days",
                  "lock_from", "lock_after_red_days", "lock_rules"]
        help_texts = {
            "lock_rules": "规则代码，逗号分隔；空：全部规则。可用：" + "，".join(f"{r.code}（{r.name}）" for r in RULES),
        }

    def clean_lock_rules(self) -> str:
        text = self.cleaned_data["lock_rules"].replace("，", ",")
        codes = [code.strip() for code in text.split(",") if code.strip()]
        unknown = [code for code in codes if code not in RULES_BY_CODE]
        if unknown:
            raise forms.ValidationError(f"没有这些期限规则：{'、'.join(unknown)}")
        return ",".join(dict.fromkeys(codes))


@admin.register(SupervisionPolicy)
class SupervisionPolicyAdmin(admin.ModelAdmin):
    form = SupervisionPolicyForm
    list_display = ["court", "yellow_lead_days", "team_lead_after_days", "division_head_after_days",
                    "president_after_days", "lock_from", "lock_after_red_days", "lock_rules", "updated_at"]
    list_select_related = ["court"]


# ---------------------------------------------------------------- deadlines and their re-base


class RebaseActionForm(ActionForm):
    reason = forms.CharField(label="重算理由", required=False, max_length=500)


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["case", "rule_code", "version", "start_on", "due_on", "status", "level", "escalation", "met_on",
                    "handler", "court"]
    list_filter = ["level", "escalation", "status", "rule_code", "court"]
    search_fields = ["case__case_number"]
    list_select_related = ["case", "rule_version", "rule_version__court", "handler", "court"]
    show_full_result_count = False
    action_form = RebaseActionForm
    actions = ["rebase"]

    @admin.display(description="规则版本")
    def version(self, obj: Deadline) -> str:
        where = "本院" if obj.rule_version.court_id else "全国"
        return f"v{obj.rule_version.version}（{where}）{obj.rule_version.period_text}"

    def has_rebase_permission(self, request) -> bool:
        return request.user.is_superuser

    @admin.action(description="按现行规则版本重算", permissions=["rebase"])
    def rebase(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, "请在“重算理由”中写明理由（记入各案件的执行日志）", messages.ERROR)
            return
        if queryset.count() > MAX_REBASE:
            self.message_user(request, f"一次最多重算 {MAX_REBASE} 项，请缩小选择范围", messages.ERROR)
            return
        done, refused = 0, []
        for deadline in queryset.select_related("case"):
            try:
                services.deadline_rebase(actor=request.user, case=deadline.case, rule_code=deadline.rule_code, reason=reason)
            except DomainError as exc:
                refused.append(f"{deadline.case.case_number} {RULES_BY_CODE[deadline.rule_code].name}：{exc.message}")
            else:
                done += 1
        if done:
            self.message_user(request, f"已按现行规则版本重算 {done} 项期限，并记入执行日志", messages.SUCCESS)
        if refused:
            self.message_user(request, "未重算：" + "；".join(refused[:20]) + ("……" if len(refused) > 20 else ""),
                              messages.WARNING)


# ---------------------------------------------------------------- written by the engine and the services


@admin.register(CaseLock)
class CaseLockAdmin(ReadOnlyAdmin):
    list_display = ["case", "sequence", "locked_on", "released_on", "released_by", "relock_not_before", "reason"]
    list_filter = ["released_on", "court"]
    search_fields = ["case__case_number"]
    list_select_related = ["case", "released_by"]
    show_full_result_count = False


@admin.register(UnlockRequest)
class UnlockRequestAdmin(ReadOnlyAdmin):
    list_display = ["lock", "requested_by", "requested_at", "approver_court", "status", "decided_by", "decided_at"]
    list_filter = ["status", "approver_court"]
    search_fields = ["lock__case__case_number"]
    list_select_related = ["lock__case", "requested_by", "approver_court", "decided_by"]
    show_full_result_count = False


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "start_on", "end_on", "reason", "recorded_by"]
    list_filter = ["kind", "court"]
    search_fields = ["case__case_number"]
    list_select_related = ["case", "recorded_by"]
    show_full_result_count = False


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ["case", "months", "requested_on", "requested_by", "status", "decided_by", "decided_at"]
    list_filter = ["status", "court"]
    search_fields = ["case__case_number"]
    list_select_related = ["case", "requested_by", "decided_by"]
    show_full_result_count = False


@admin.register(SupervisionRun)
class SupervisionRunAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "started_at", "scope", "seconds", "deadlines_changed", "warnings_changed", "escalations",
                    "locks", "summary"]


@admin.register(DailyDigest)
class DailyDigestAdmin(ReadOnlyAdmin):
    list_display = ["day", "user", "body"]
    list_filter = ["day"]
    list_select_related = ["user"]
    show_full_result_count = False
