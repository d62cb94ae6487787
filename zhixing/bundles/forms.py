from __future__ import annotations

from django import forms

from zhixing.accounts.models import User
from zhixing.cases.forms import DomainErrorsMixin
from zhixing.cases.rules import HANDLING
from zhixing.cases.selectors import visible_court_ids
from zhixing.courts.models import Court, Team

from .choices import HandoverState, RelationKind
from .selectors import BundleFilter

SCOPES = [("", "全部"), ("court", "本院"), ("cross", "跨院")]


class BundleFilterForm(forms.Form):
    kind = forms.ChoiceField(label="关联类型", required=False, choices=[("", "全部"), *RelationKind.choices])
    scope = forms.ChoiceField(label="范围", required=False, choices=SCOPES)
    court = forms.ModelChoiceField(label="法院", required=False, queryset=Court.objects.none(), empty_label="全部")
    team = forms.ModelChoiceField(label="承办团队", required=False, queryset=Team.objects.none(), empty_label="全部")
    min_size = forms.IntegerField(label="至少案件数", required=False, min_value=2, max_value=100_000)
    handover = forms.ChoiceField(label="交办", required=False, choices=[("", "全部"), *HandoverState.choices])
    q = forms.CharField(label="当事人名称、证件号或财产", required=False, max_length=100)

    def __init__(self, data, *, user: User):
        super().__init__(data)
        court_ids = visible_court_ids(user)
        teams = Team.objects.filter(active=True).select_related("court").order_by("court__court_code", "name")
        self.fields["team"].queryset = teams if court_ids is None else teams.filter(court_id__in=court_ids)
        if court_ids is not None and len(court_ids) < 2:
            del self.fields["court"]
            del self.fields["scope"]  # one court's staff never see a cross-court bundle
        else:
            courts = Court.objects.order_by("court_code")
            self.fields["court"].queryset = courts if court_ids is None else courts.filter(pk__in=court_ids)
            self.fields["team"].label_from_instance = lambda t: f"{t.court.court_code} {t.name}"

    def to_filter(self) -> BundleFilter:
        """The valid filters; an invalid one is shown with its error and ignored."""
        self.is_valid()
        data = self.cleaned_data
        return BundleFilter(
            kind=data.get("kind") or "",
            scope=data.get("scope") or "",
            court_id=data["court"].pk if data.get("court") else None,
            team_id=data["team"].pk if data.get("team") else None,
            min_size=data.get("min_size"),
            handover=data.get("handover") or "",
            q=data.get("q") or "",
        )


class HandoverForm(DomainErrorsMixin, forms.Form):
    team = forms.ModelChoiceField(label="交由团队", queryset=Team.objects.none(), empty_label="请选择")
    handler = forms.ModelChoiceField(label="承办人", required=False, queryset=User.objects.none(),
                                     empty_label="团队负责人")
    reason = forms.CharField(label="理由（记入各案执行日志）", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "打包交办须说明理由（将记入每件案件的执行日志）"})

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, prefix="handover", **kwargs)
        self.fields["team"].queryset = Team.objects.filter(court_id=user.court_id, active=True).order_by("name")
        self.fields["handler"].queryset = User.objects.filter(
            court_id=user.court_id, is_active=True, role__in=HANDLING).order_by("full_name", "username")
        self.fields["handler"].label_from_instance = lambda u: f"{u.display_name}（{u.get_role_display()}）"


class ConfirmForm(DomainErrorsMixin, forms.Form):
    """A button with nothing to fill in (立即检测): a refusal is shown as its error."""
