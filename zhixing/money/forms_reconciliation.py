"""Forms of the reconciliation and report pages: the statement upload, the lines' status filter, the
reconciliation period, and the balance and aging reports' choices (court, team, level, period, date)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.forms import DateInput, DomainErrorsMixin
from zhixing.courts.models import Court, Team

from .models import LineStatus
from .reconciliation import statement_court_ids
from .reports import LEVELS, PERIODS, TEAM_READERS, readable_court_ids

STATEMENT_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
MAX_STATEMENT_BYTES = 20 * 1024 * 1024


class StatementUploadForm(DomainErrorsMixin, forms.Form):
    file = forms.FileField(label="银行对账单（CSV 或 XLSX）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(STATEMENT_SUFFIXES):
            raise ValidationError("只能导入 CSV 或 XLSX 文件（旧版 .xls 请另存为 .xlsx）")
        if upload.size and upload.size > MAX_STATEMENT_BYTES:
            raise ValidationError(f"文件超过 {MAX_STATEMENT_BYTES // 1024 // 1024} MB，请按月分成几个文件导入")
        return upload


class LineFilterForm(forms.Form):
    status = forms.ChoiceField(label="对账状态", required=False,
                               choices=[("", "全部"), ("matched", "已匹配（各类）"), *LineStatus.choices])


def _courts(ids: list[int] | None):
    courts = Court.objects.order_by("court_code")
    return courts if ids is None else courts.filter(pk__in=ids)


class PeriodForm(DomainErrorsMixin, forms.Form):
    court = forms.ModelChoiceField(label="法院", queryset=Court.objects.none(), required=False, empty_label=None)
    start = forms.DateField(label="起始日期", widget=DateInput())
    end = forms.DateField(label="截止日期", widget=DateInput())

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = _courts(statement_court_ids(user))


class _ReportForm(DomainErrorsMixin, forms.Form):
    """Court and team within what the user reads; a case team's member sees only their team."""

    court = forms.ModelChoiceField(label="法院", queryset=Court.objects.none(), required=False, empty_label="全部可查看的法院")
    team = forms.ModelChoiceField(label="团队", queryset=Team.objects.none(), required=False, empty_label="全部团队")
    level = forms.ChoiceField(label="汇总层级", choices=list(LEVELS.items()))
    as_of = forms.DateField(label="截至日期", widget=DateInput(), required=False)
    error_fields = {"court_id": "court", "team_id": "team"}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        court_ids = readable_court_ids(user)
        self.fields["court"].queryset = _courts(court_ids)
        teams = Team.objects.select_related("court").order_by("court__court_code", "name")
        if not user.is_superuser and user.role in TEAM_READERS:
            teams = teams.filter(pk=user.team_id or 0)
            self.fields["team"].empty_label = None
            self.fields["level"].choices = [(k, v) for k, v in LEVELS.items() if k != "court"]
        elif court_ids is not None:
            teams = teams.filter(court_id__in=court_ids)
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda t: f"{t.court.name} {t.name}" if court_ids != [t.court_id] else t.name
        self.fields["as_of"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_as_of(self):
        return self.cleaned_data.get("as_of") or timezone.localdate()


class BalanceReportForm(_ReportForm):
    period = forms.ChoiceField(label="报表周期", choices=list(PERIODS.items()))
    field_order = ["court", "team", "level", "period", "as_of"]


class AgingReportForm(_ReportForm):
    pass
