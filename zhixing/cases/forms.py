"""Forms of the case pages. They parse what a clerk typed into plain values; the rules themselves are
checked once, by `inputs.parse_case` and the services, whose errors the forms show next to their fields."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.courts.models import Court, Team

from .choices import CaseStatus, CaseType, ClaimKind, ClosingType, PartyKind, PartyRole, Stage, Track
from .exceptions import DomainError, FieldError, ValidationFailed
from .identity import IdentityError, check_credit_code, check_id_number
from .inputs import parse_yuan
from .models import EnforcementCase, Party
from .rules import NODE_CHOICES, NODES_BY_CODE
from .selectors import CaseFilter, visible_court_ids

HANDLER_ROLES = (Role.JUDGE, Role.ASSISTANT)
ALL = "all"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class YuanField(forms.CharField):
    """An amount typed in 元 ('12,345.67'), cleaned to integer fen; never through float."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)  # no max_length: it would be checked against the fen int; parse_yuan bounds the digits
        self.widget.attrs.update({"inputmode": "decimal", "maxlength": "24"})

    def to_python(self, value) -> int | None:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_yuan(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class DomainErrorsMixin:
    """Puts a service's DomainError next to the field it names, or above the form."""

    # the service's field name (last path part) → this form's field
    error_fields: dict[str, str] = {}

    def add_domain_error(self, exc: DomainError) -> None:
        errors = exc.errors if isinstance(exc, ValidationFailed) else [FieldError("", exc.message)]
        for error in errors:
            name = error.field.rsplit(".", 1)[-1]
            name = self.error_fields.get(name, name)
            self.add_error(name if name in self.fields else None, error.message)


# ---------------------------------------------------------------- worklist


class WorklistFilterForm(forms.Form):
    mine = forms.BooleanField(label="只看我的", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[*CaseStatus.choices, (ALL, "全部")])
    stage = forms.ChoiceField(label="阶段", required=False, choices=[("", "全部"), *Stage.choices])
    track = forms.ChoiceField(label="分流", required=False, choices=[("", "全部"), *Track.choices])
    team = forms.ModelChoiceField(label="团队", required=False, queryset=Team.objects.none(), empty_label="全部")
    handler = forms.ModelChoiceField(label="承办人", required=False, queryset=User.objects.none(), empty_label="全部")
    court = forms.ModelChoiceField(label="法院", required=False, queryset=Court.objects.none(), empty_label="全部")
    filed_from = forms.DateField(label="立案日期从", required=False, widget=DateInput())
    filed_to = forms.DateField(label="至", required=False, widget=DateInput())
    amount_min = YuanField(label="标的额（元）从")
    amount_max = YuanField(label="至")
    party = forms.CharField(label="当事人姓名或证件号", required=False, max_length=100)
    case_number = forms.CharField(label="案号", required=False, max_length=40)

    def __init__(self, data, *, user: User):
        data = data.copy()
        data.setdefault("status", CaseStatus.OPEN)  # the default worklist: open cases
        super().__init__(data)
        court_ids = visible_court_ids(user)
        teams = Team.objects.filter(active=True).select_related("court").order_by("court__court_code", "name")
        self.fields["team"].queryset = teams if court_ids is None else teams.filter(court_id__in=court_ids)
        self.fields["handler"].queryset = User.objects.filter(
            court_id=user.court_id, is_active=True, role__in=HANDLER_ROLES
        ).order_by("full_name", "username")
        self.fields["handler"].label_from_instance = lambda u: u.display_name
        if court_ids is not None and len(court_ids) < 2:
            del self.fields["court"]
        else:
            courts = Court.objects.order_by("court_code")
            self.fields["court"].queryset = courts if court_ids is None else courts.filter(pk__in=court_ids)
            # teams of several courts may share a name
            self.fields["team"].label_from_instance = lambda t: f"{t.court.court_code} {t.name}"

    def to_filter(self) -> CaseFilter:
        """The valid filters; an invalid one (say, a mistyped amount) is shown with its error and ignored."""
        self.is_valid()
        data = self.cleaned_data
        status = data.get("status") or CaseStatus.OPEN
        return CaseFilter(
            mine=bool(data.get("mine")),
            status="" if status == ALL else status,
            stage=data.get("stage") or "",
            track=data.get("track") or "",
            team_id=data["team"].pk if data.get("team") else None,
            handler_id=data["handler"].pk if data.get("handler") else None,
            court_id=data["court"].pk if data.get("court") else None,
            filed_from=data.get("filed_from"),
            filed_to=data.get("filed_to"),
            amount_min_fen=data.get("amount_min"),
            amount_max_fen=data.get("amount_max"),
            party=data.get("party") or "",
            case_number=data.get("case_number") or "",
        )


# ---------------------------------------------------------------- registration

CLAIM_FIELDS = (
    ("principal", ClaimKind.PRINCIPAL),
    ("interest", ClaimKind.INTEREST),
    ("costs", ClaimKind.COSTS),
    ("late_interest", ClaimKind.LATE_INTEREST),
)
# The first rows (one applicant, one respondent) are always sent, so a blank one is reported, not skipped.
MIN_PARTIES = 2
DEFAULT_PARTIES = [
    {"role": PartyRole.APPLICANT, "kind": PartyKind.NATURAL_PERSON},
    {"role": PartyRole.RESPONDENT, "kind": PartyKind.NATURAL_PERSON},
]
NEW_PARTY = {"role": PartyRole.RESPONDENT, "kind": PartyKind.NATURAL_PERSON}


class CaseForm(forms.Form):
    court_code = forms.ChoiceField(label="立案法院")
    case_type = forms.ChoiceField(label="案件类型", choices=CaseType.choices, initial=CaseType.FIRST)
    filed_on = forms.DateField(label="立案日期", required=False, widget=DateInput())
    document_number = forms.CharField(label="依据文书号", required=False, max_length=60)
    issuing_court = forms.CharField(label="作出机关", required=False, max_length=100)
    effective_on = forms.DateField(label="生效日期", required=False, widget=DateInput())
    main_text = forms.CharField(label="判决主文", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    principal = forms.CharField(label="本金（元）", required=False, max_length=24)
    interest = forms.CharField(label="利息（元）", required=False, max_length=24)
    costs = forms.CharField(label="诉讼费等费用（元）", required=False, max_length=24)
    late_interest = forms.CharField(label="迟延履行利息（元）", required=False, max_length=24)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # A court's staff register in their own court only; the service checks it again.
        courts = Court.objects.order_by("court_code") if user.is_superuser else Court.objects.filter(pk=user.court_id)
        self.fields["court_code"].choices = [(c.court_code, f"{c.name}（{c.court_code}）") for c in courts]
        if user.court_id:
            self.fields["court_code"].initial = user.court.court_code
        self.fields["filed_on"].initial = timezone.localdate()
        for name, _kind in CLAIM_FIELDS:
            self.fields[name].widget.attrs["inputmode"] = "decimal"


class PartyForm(forms.Form):
    role = forms.ChoiceField(label="诉讼地位", required=False, choices=PartyRole.choices)
    kind = forms.ChoiceField(label="类型", required=False, choices=PartyKind.choices)
    name = forms.CharField(label="姓名/名称", required=False, max_length=100)
    identity = forms.CharField(label="身份证号/统一社会信用代码", required=False, max_length=30)
    phone = forms.CharField(label="联系电话", required=False, max_length=30)
    legal_representative = forms.CharField(label="法定代表人/负责人", required=False, max_length=50)
    address = forms.CharField(label="地址", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Check the number as soon as it is typed (htmx), against the row's own kind.
        check = {
            "hx-get": reverse("cases:check_identity"),
            "hx-trigger": "change",
            "hx-include": f"[name='{self.add_prefix('kind')}'], [name='{self.add_prefix('identity')}']",
            "hx-target": f"#{self.add_prefix('identity')}-check",
        }
        self.fields["identity"].widget.attrs.update(check)
        self.fields["kind"].widget.attrs.update(check)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(f) for f in ("name", "identity", "phone", "legal_representative", "address"))

    def as_input(self) -> dict:
        data = self.cleaned_data
        identity = data.get("identity", "")
        natural = data.get("kind") == PartyKind.NATURAL_PERSON
        return {
            "role": data.get("role", ""),
            "kind": data.get("kind", ""),
            "name": data.get("name", ""),
            "id_number": identity if natural else "",
            "credit_code": "" if natural else identity,
            "phone": data.get("phone", ""),
            "legal_representative": data.get("legal_representative", ""),
            "address": data.get("address", ""),
        }


PartyFormSet = forms.formset_factory(PartyForm, extra=0)


def party_row_form(index: int) -> PartyForm:
    """One more, empty party row (the 添加当事人 button)."""
    return PartyForm(prefix=f"parties-{index}", initial=NEW_PARTY)


_PARTY_PATH = re.compile(r"^parties\[(\d+)\](?:\.(\w+))?$")


class RegistrationForms:
    """The registration page: the case form and the parties formset, turned into the raw dict that
    `inputs.parse_case` validates; its FieldErrors are put back next to the fields they name."""

    def __init__(self, data=None, *, user: User):
        self.case = CaseForm(data, user=user)
        self.parties = PartyFormSet(data, prefix="parties", initial=None if data is not None else DEFAULT_PARTIES)
        self.party_errors: list[str] = []  # about the parties as a whole (no applicant …)
        self.summary: list[str] = []
        self._party_rows: list[int] = []  # parse_case's parties[i] → index of the formset row
        self._claim_fields: list[str] = []  # parse_case's claims[j] → claim field name

    def is_valid(self) -> bool:
        valid = self.case.is_valid() & self.parties.is_valid()
        if not valid:
            self.summary.append("有字段格式不正确，请按红字提示修改")
        return valid

    def raw(self) -> dict:
        case = self.case.cleaned_data
        parties = []
        self._party_rows = []
        for index, form in enumerate(self.parties.forms):
            if index >= MIN_PARTIES and form.is_blank():
                continue  # an added row left empty
            self._party_rows.append(index)
            parties.append(form.as_input())
        claims = []
        self._claim_fields = []
        for name, kind in CLAIM_FIELDS:
            if case.get(name):
                claims.append({"kind": kind, "amount_yuan": case[name]})
                self._claim_fields.append(name)
        return {
            "court_code": case["court_code"],
            "case_type": case["case_type"],
            "filed_on": case.get("filed_on"),
            "basis": {
                "document_number": case.get("document_number", ""),
                "issuing_court": case.get("issuing_court", ""),
                "effective_on": case.get("effective_on"),
                "main_text": case.get("main_text", ""),
            },
            "parties": parties,
            "claims": claims,
        }

    def add_domain_error(self, exc: DomainError) -> None:
        errors = exc.errors if isinstance(exc, ValidationFailed) else [FieldError("", exc.message)]
        for error in errors:
            form, name, label = self._locate(error.field)
            if form is None:
                self.party_errors.append(error.message)
            else:
                form.add_error(name, error.message)
            self.summary.append(f"{label}：{error.message}" if label else error.message)

    def _locate(self, path: str) -> tuple[forms.Form | None, str | None, str]:
        if match := _PARTY_PATH.match(path):
            row = self._party_rows[int(match.group(1))]
            form = self.parties.forms[row]
            name = {"id_number": "identity", "credit_code": "identity"}.get(match.group(2), match.group(2))
            name = name if name in form.fields else None
            label = f"当事人{row + 1}" + (f"·{form.fields[name].label}" if name else "")
            return form, name, label
        if path == "parties":
            return None, None, "当事人"
        if match := re.match(r"^claims\[(\d+)\]", path):
            name = self._claim_fields[int(match.group(1))]
            return self.case, name, self.case.fields[name].label
        if path == "claims":
            return self.case, "principal", "申请执行标的"
        name = path.removeprefix("basis.")
        if name in self.case.fields:
            return self.case, name, self.case.fields[name].label
        return self.case, None, ""


def identity_feedback(kind: str, number: str, *, today: dt.date | None = None) -> tuple[bool | None, str]:
    """(ok, message) for one ID number or credit code as it is typed; ok is None for an empty field."""
    number = (number or "").strip()
    if not number:
        return None, ""
    try:
        if kind == PartyKind.NATURAL_PERSON:
            checked = check_id_number(number, today=today or timezone.localdate())
            message = f"身份证号校验通过，出生日期 {checked.birth_on:%Y-%m-%d}"
        else:
            checked = check_credit_code(number)
            message = "统一社会信用代码校验通过"
    except IdentityError as exc:
        return False, str(exc)
    return True, "；".join([message, *checked.warnings])


# ---------------------------------------------------------------- actions on a case


def _grouped_nodes(codes: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in codes:
        node = NODES_BY_CODE[code]
        group = Stage(node.stage).label if node.stage else "任何阶段"
        groups.setdefault(group, []).append((code, node.name))
    return list(groups.items())


class NodeForm(DomainErrorsMixin, forms.Form):
    # Any catalogue node is accepted, so a refused one gets the rule's own reason from the service;
    # the select offers only the nodes allowed now.
    node_code = forms.ChoiceField(label="节点", choices=NODE_CHOICES)
    occurred_on = forms.DateField(label="发生日期", required=False, widget=DateInput())
    note = forms.CharField(label="说明", required=False, max_length=500)

    def __init__(self, *args, offered: list[str], **kwargs):
        super().__init__(*args, prefix="node", **kwargs)
        self.fields["node_code"].widget.choices = _grouped_nodes(offered)
        self.fields["occurred_on"].initial = timezone.localdate()


class AssignForm(DomainErrorsMixin, forms.Form):
    handler = forms.ModelChoiceField(label="承办人", queryset=User.objects.none(), empty_label="请选择")
    team = forms.ModelChoiceField(label="团队", required=False, queryset=Team.objects.none(), empty_label="承办人所在团队")
    reason = forms.CharField(label="理由（改派时必填）", required=False, max_length=500)

    def __init__(self, *args, case: EnforcementCase, **kwargs):
        super().__init__(*args, prefix="assign", **kwargs)
        self.fields["handler"].queryset = User.objects.filter(
            court_id=case.court_id, is_active=True, role__in=HANDLER_ROLES
        ).order_by("full_name", "username")
        self.fields["handler"].label_from_instance = lambda u: f"{u.display_name}（{u.get_role_display()}）"
        self.fields["team"].queryset = Team.objects.filter(court_id=case.court_id, active=True).order_by("name")


class PartyEditForm(DomainErrorsMixin, forms.Form):
    name = forms.CharField(label="姓名/名称", max_length=100)
    identity = forms.CharField(label="证件号", required=False, max_length=30)
    legal_representative = forms.CharField(label="法定代表人/负责人", required=False, max_length=50)
    phone = forms.CharField(label="联系电话", required=False, max_length=30)
    address = forms.CharField(label="地址", required=False, max_length=200)
    reason = forms.CharField(label="修改理由", required=False, max_length=500)

    error_fields = {"id_number": "identity", "credit_code": "identity"}

    def __init__(self, *args, party: Party, **kwargs):
        self.party = party
        initial = {
            "name": party.name,
            "identity": party.identity_number,
            "legal_representative": party.legal_representative,
            "phone": party.phone,
            "address": party.address,
        }
        super().__init__(*args, prefix=f"party-{party.pk}", initial=initial, **kwargs)
        natural = party.kind == PartyKind.NATURAL_PERSON
        self.fields["identity"].label = "身份证号" if natural else "统一社会信用代码"

    def changes(self) -> dict[str, str]:
        """Only the fields the clerk changed: the log then names exactly those."""
        data = dict(self.cleaned_data)
        identity_field = "id_number" if self.party.kind == PartyKind.NATURAL_PERSON else "credit_code"
        data[identity_field] = data.pop("identity")
        data.pop("reason")
        return {f: v for f, v in data.items() if v != getattr(self.party, f)}


class CloseForm(DomainErrorsMixin, forms.Form):
    closing_type = forms.ChoiceField(label="结案方式", choices=ClosingType.choices)
    performed_amount = YuanField(label="实际执行到位（元）")
    closed_on = forms.DateField(label="结案日期", required=False, widget=DateInput())
    reason = forms.CharField(label="结案依据", required=False, max_length=500,
                             help_text="终结执行、销案、不予执行、驳回申请须写明事由及裁定文号")

    error_fields = {"performed_amount_fen": "performed_amount"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="close", **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()


class ArchiveForm(DomainErrorsMixin, forms.Form):
    archived_on = forms.DateField(label="归档日期", required=False, widget=DateInput())
    reason = forms.CharField(label="说明", required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="archive", **kwargs)
        self.fields["archived_on"].initial = timezone.localdate()


# ---------------------------------------------------------------- import

IMPORT_SUFFIXES = (".csv", ".xlsx")


class ImportForm(DomainErrorsMixin, forms.Form):
    file = forms.FileField(label="文件（CSV 或 XLSX）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(IMPORT_SUFFIXES):
            raise ValidationError("只能导入 CSV 或 XLSX 文件")
        return upload
