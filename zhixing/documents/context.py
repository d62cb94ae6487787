"""A document's fields, filled from the case (the names of fields.FIELDS).

`load_cases` reads what the templates need for many cases at once (a batch of 1,000 notices is a
handful of queries, not thousands); `case_context` turns one loaded case into the template's
context; `clean_extras` checks what the clerk typed in for the few documents that need it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from zhixing.accounts.choices import Role
from zhixing.accounts.models import User
from zhixing.cases.choices import CaseType, ClaimKind, PartyKind, PartyRole
from zhixing.cases.exceptions import DomainError, FieldError, ValidationFailed
from zhixing.cases.inputs import parse_yuan
from zhixing.cases.models import ClaimItem, EnforcementCase, NodeRecord, Party
from zhixing.cases.rules import NODES_BY_CODE
from zhixing.distribution import selectors as distribution_selectors
from zhixing.distribution.choices import Tier
from zhixing.distribution.rules import METHODS
from zhixing.property.models import OPEN_MEASURE_STATUSES, CaseAsset, ControlMeasure, MeasureKind
from zhixing.property.rules import ASSET_KINDS, PERIOD_CLASSES

from . import distribution
from .formatting import amount_capital, amount_digits, date_chinese, date_text, number_words
from .rules import (
    ADDRESSEE_BODY,
    ADDRESSEE_FIELD,
    DISTRIBUTION_OBJECTION_DAYS,
    DocumentKind,
    application_fee_fen,
)

SEAL_MARK = "（院印）"
SANCTION_NODES = ("consumption_restriction", "dishonest_listing", "sanction")
STEP_NODES = ("enforcement_notice", "property_report_order", "network_query", "consumption_restriction",
              "dishonest_listing", "interview", "zhongben_started")
JUDGE_TITLES = {Role.JUDGE: "审判员", Role.ASSISTANT: "法官助理"}
_PERIOD_WORDS = {12: "一年", 24: "二年", 36: "三年"}
_RANK_WORDS = "一二三四五六七八九十"


@dataclass
class LoadedCase:
    case: EnforcementCase
    parties: list[Party] = field(default_factory=list)
    claims: list[ClaimItem] = field(default_factory=list)
    nodes: list[NodeRecord] = field(default_factory=list)
    measures: list[ControlMeasure] = field(default_factory=list)
    assets: list[CaseAsset] = field(default_factory=list)
    clerk: str = ""


def load_cases(case_ids: list[int], needed: set[str]) -> dict[int, LoadedCase]:
    """Everything the `needed` top-level fields draw on, for all `case_ids`, in a few queries."""
    cases = (EnforcementCase.objects.filter(pk__in=case_ids)
             .select_related("court", "handler", "team", "basis", "origin_case")
             .prefetch_related(Prefetch("parties", queryset=Party.objects.order_by("role", "position", "id"))))
    loaded = {c.pk: LoadedCase(c, parties=list(c.parties.all())) for c in cases}
    ids = list(loaded)
    if needed & {"claims"}:
        for claim in ClaimItem.objects.filter(case_id__in=ids).order_by("case_id", "id"):
            loaded[claim.case_id].claims.append(claim)
    if needed & {"sanctions", "steps"}:
        codes = set(SANCTION_NODES) | set(STEP_NODES)
        for node in NodeRecord.objects.filter(case_id__in=ids, node_code__in=codes).order_by("case_id", "occurred_on", "id"):
            loaded[node.case_id].nodes.append(node)
    if needed & {"measures", "measure"}:
        for m in ControlMeasure.objects.filter(case_id__in=ids).select_related("asset").order_by("case_id", "started_on", "id"):
            loaded[m.case_id].measures.append(m)
    if needed & {"assets"}:
        for link in CaseAsset.objects.filter(case_id__in=ids).select_related("asset").order_by("case_id", "found_on", "id"):
            loaded[link.case_id].assets.append(link)
    if needed & {"signatures"}:
        team_ids = {c.case.team_id for c in loaded.values() if c.case.team_id}
        clerks: dict[int, str] = {}
        for user in User.objects.filter(team_id__in=team_ids, role=Role.CLERK, is_active=True).order_by("id"):
            clerks.setdefault(user.team_id, user.display_name)
        for c in loaded.values():
            c.clerk = clerks.get(c.case.team_id, "")
    return loaded


# ---------------------------------------------------------------- parts


def _gender(party: Party) -> str:
    if party.kind != PartyKind.NATURAL_PERSON or len(party.id_number) != 18:
        return ""
    return "男" if int(party.id_number[16]) % 2 else "女"


def _birth(party: Party) -> dt.date | None:
    if party.birth_on or party.kind != PartyKind.NATURAL_PERSON or len(party.id_number) != 18:
        return party.birth_on
    try:
        return dt.date(int(party.id_number[6:10]), int(party.id_number[10:12]), int(party.id_number[12:14]))
    except ValueError:
        return None


def party_fields(party: Party) -> dict:
    gender, birth = _gender(party), _birth(party)
    if party.kind == PartyKind.NATURAL_PERSON:
        bits = [party.name, gender, f"{date_text(birth)}出生" if birth else "",
                f"公民身份号码{party.id_number}" if party.id_number else "", f"住{party.address}" if party.address else ""]
    else:
        bits = [party.name, f"住所地{party.address}" if party.address else "",
                f"统一社会信用代码{party.credit_code}" if party.credit_code else ""]
    return {
        "name": party.name, "role": party.get_role_display(), "kind": party.get_kind_display(), "gender": gender,
        "birth_on": date_text(birth), "id_number": party.id_number, "credit_code": party.credit_code,
        "legal_representative": party.legal_representative, "address": party.address, "phone": party.phone,
        "description": "，".join(b for b in bits if b),
    }


def addressee(m: ControlMeasure) -> str:
    kind = m.asset.kind
    if kind in ADDRESSEE_FIELD:
        return str(m.asset.details.get(ADDRESSEE_FIELD[kind], ""))
    return ADDRESSEE_BODY.get(kind, "")


def measure_fields(m: ControlMeasure, case: EnforcementCase) -> dict:
    period = PERIOD_CLASSES.get(m.period_class)
    return {
        "kind": m.get_kind_display(), "asset": m.asset.description, "asset_kind": ASSET_KINDS[m.asset.kind].name
        if m.asset.kind in ASSET_KINDS else m.asset.kind, "owner": m.asset.owner_name,
        "started_on": date_text(m.started_on), "ends_on": date_text(m.ends_on),
        "period": _PERIOD_WORDS.get(period.months, f"{period.months}个月") if period else "",
        "amount": amount_digits(m.amount_fen), "amount_capital": amount_capital(m.amount_fen),
        "status": m.get_status_display(),
        "rank": f"第{_RANK_WORDS[m.queue_rank - 1]}顺位" if 1 <= m.queue_rank <= 10 else f"第{m.queue_rank}顺位",
        "document_number": m.document_number or case.case_number, "addressee": addressee(m),
        "citation": period.citation if period else "",
    }


def _measures_for(spec: DocumentKind, loaded: LoadedCase, extras: dict) -> list[ControlMeasure]:
    if extras.get("measure"):
        return [m for m in loaded.measures if m.pk == extras["measure"]]
    if not spec.measure_kinds:
        return loaded.measures
    if spec.measure_kinds == (MeasureKind.DEDUCT,):
        return [m for m in loaded.measures if m.kind == MeasureKind.DEDUCT]
    return [m for m in loaded.measures if m.kind in spec.measure_kinds and m.status in OPEN_MEASURE_STATUSES]


def refusal(spec: DocumentKind, loaded: LoadedCase, extras: dict) -> str | None:
    """Why this document cannot be made for this case, or None."""
    case = loaded.case
    if spec.case_types and case.case_type not in spec.case_types:
        kinds = "、".join(CaseType(t).label for t in spec.case_types)
        return f"{spec.title}只适用于{kinds}案件（{spec.citation}）"
    if spec.code == "restoration_notice" and case.origin_case_id is None:
        return "恢复执行案件未登记原案，无法写明原案号"
    if spec.measure_kinds and not _measures_for(spec, loaded, extras):
        names = "、".join(MeasureKind(k).label for k in spec.measure_kinds)
        return f"本案没有可写入{spec.title}的{names}措施"
    for extra in spec.extras:
        if extra.required and extras.get(extra.name) in (None, ""):
            return f"须填写“{extra.label}”"
    if spec.code == "distribution_plan" and distribution_selectors.latest_plan_id(case.pk) is None:
        try:
            _plan(case, extras)
        except DomainError as exc:
            return exc.message
    return None


def _plan(case: EnforcementCase, extras: dict):
    available = extras.get("available")
    available = case.performed_amount_fen if available in (None, "") else available
    costs = extras.get("costs") or 0
    return available, costs, distribution.plan(case, available_fen=available, costs_fen=costs)


def _steps(loaded: LoadedCase) -> dict:
    first: dict[str, dt.date] = {}
    for node in loaded.nodes:
        first.setdefault(node.node_code, node.occurred_on)
    return {code: date_text(first.get(code)) for code in STEP_NODES}


def _investigation(case: EnforcementCase) -> list[dict]:
    from zhixing.property.checklist import case_checklist  # reads queries and clues of one case
    from zhixing.property.rules import Group

    rows = []
    for party, row in case_checklist(case).rows:
        rows.append({
            "respondent": party.name, "item": row.item.name, "group": Group.LABELS[row.item.group],
            "result": row.state_label, "sent_on": date_text(row.sent_on), "replied_on": date_text(row.replied_on),
            "note": row.note,
        })
    return rows


def _served(loaded: LoadedCase, extras: dict) -> dict:
    respondents = [p for p in loaded.parties if p.role == PartyRole.RESPONDENT]
    party = next((p for p in loaded.parties if p.pk == extras.get("addressee")), respondents[0] if respondents else None)
    return {
        "document": extras.get("served_document") or "执行通知书、报告财产令",
        "addressee": party.name if party else "", "address": party.address if party else "",
        "method": extras.get("method") or "直接送达",
    }


def _distribution(loaded: LoadedCase, extras: dict) -> dict:
    """The case's latest plan version when it has one (what is served is what the plan says; the
    sums typed into the form are not used then); else the shares worked out from the sums typed in."""
    saved = distribution_selectors.latest_plan(loaded.case.pk)
    if saved is not None:
        return _saved_distribution(saved)
    available, costs, (claims, (method, citation)) = _plan(loaded.case, extras)
    paid = sum(c.share_fen for c in claims)
    short = [c for c in claims if c.share_fen < c.claim_fen]
    return {
        "available": amount_digits(available), "available_capital": amount_capital(available),
        "costs": amount_digits(costs), "costs_capital": amount_capital(costs), "method": method, "citation": citation,
        "objection_days": number_words(DISTRIBUTION_OBJECTION_DAYS),
        "total_claims": amount_digits(sum(c.claim_fen for c in claims)),
        "remaining": _remaining(bool(short), available - costs - paid),
        "rows": [{
            "creditor": c.creditor, "case_number": c.case_number, "claim": amount_digits(c.claim_fen),
            "ratio": distribution.ratio_text(c.share_fen, c.claim_fen), "share": amount_digits(c.share_fen),
            "share_capital": amount_capital(c.share_fen),
        } for c in claims],
    }


def _remaining(short: bool, surplus_fen: int) -> str:
    return (("各债权人未受偿部分，可继续申请执行" if short else "各债权均已足额受偿")
            + (f"；分配后余款{amount_digits(surplus_fen)}退还被执行人" if surplus_fen > 0 else ""))


def _saved_distribution(plan) -> dict:
    """A plan version of the distribution app: costs as one sum, then every creditor's line — priority
    claims named with their kind and rank, paid before the ordinary ones."""
    lines = distribution_selectors.in_payment_order(plan.lines.all())
    costs = sum(line.share_fen for line in lines if line.tier == Tier.COST)
    creditors = [line for line in lines if line.tier != Tier.COST]
    rule = METHODS[plan.method]
    method = rule.label
    if any(line.tier == Tier.PRIORITY for line in creditors):
        method = f"享有优先受偿权的债权按顺位优先受偿，普通债权{rule.label}"
    return {
        "available": amount_digits(plan.proceeds_fen), "available_capital": amount_capital(plan.proceeds_fen),
        "costs": amount_digits(costs), "costs_capital": amount_capital(costs), "method": method,
        "citation": plan.method_citation, "objection_days": number_words(DISTRIBUTION_OBJECTION_DAYS),
        "total_claims": amount_digits(sum(line.claim_fen for line in creditors)),
        "remaining": _remaining(any(line.share_fen < line.claim_fen for line in creditors), plan.surplus_fen),
        "rows": [{
            "creditor": line.creditor_name + (f"（{line.get_priority_kind_display()}，第{line.rank}顺位优先受偿）"
                                              if line.tier == Tier.PRIORITY else ""),
            "case_number": line.creditor_case_number, "claim": amount_digits(line.claim_fen),
            "ratio": distribution.ratio_text(line.share_fen, line.claim_fen), "share": amount_digits(line.share_fen),
            "share_capital": amount_capital(line.share_fen),
        } for line in creditors],
    }


def _signatures(loaded: LoadedCase, actor: User) -> dict:
    handler = loaded.case.handler
    return {
        "judge": handler.display_name if handler else "",
        "judge_title": JUDGE_TITLES.get(handler.role, "执行员") if handler else "审判员",
        "clerk": loaded.clerk, "generated_by": actor.display_name,
    }


def _case_fields(case: EnforcementCase) -> dict:
    outstanding = max(case.claim_amount_fen - case.performed_amount_fen, 0)
    fee = application_fee_fen(case.claim_amount_fen)
    return {
        "number": case.case_number, "type": case.get_case_type_display(), "filed_on": date_text(case.filed_on),
        "claim_amount": amount_digits(case.claim_amount_fen), "claim_amount_capital": amount_capital(case.claim_amount_fen),
        "performed_amount": amount_digits(case.performed_amount_fen),
        "performed_amount_capital": amount_capital(case.performed_amount_fen),
        "outstanding_amount": amount_digits(outstanding), "outstanding_amount_capital": amount_capital(outstanding),
        "application_fee": amount_digits(fee), "application_fee_capital": amount_capital(fee),
        "handler": case.handler.display_name if case.handler else "", "team": case.team.name if case.team else "",
        "applicant_names": case.applicant_names, "respondent_names": case.respondent_names,
        "closed_on": date_text(case.closed_on), "closing_type": case.get_closing_type_display() if case.closing_type else "",
    }


def _basis(case: EnforcementCase) -> dict:
    basis = getattr(case, "basis", None)
    return {
        "document_number": basis.document_number if basis else "", "issuing_court": basis.issuing_court if basis else "",
        "effective_on": date_text(basis.effective_on) if basis else "", "main_text": basis.main_text if basis else "",
    }


def _origin(case: EnforcementCase) -> dict:
    origin = case.origin_case
    return {
        "number": origin.case_number if origin else "",
        "closing_type": origin.get_closing_type_display() if origin and origin.closing_type else "",
        "closed_on": date_text(origin.closed_on) if origin else "",
    }


def case_context(loaded: LoadedCase, spec: DocumentKind, *, needed: set[str], extras: dict, actor: User,
                 version: int, issued_on: dt.date | None = None) -> dict:
    """The template context of one document; only the `needed` top-level fields are built."""
    case = loaded.case
    issued_on = issued_on or timezone.localdate()
    measures = _measures_for(spec, loaded, extras) if needed & {"measures", "measure"} else []
    builders = {
        "court": lambda: {"name": case.court.name},
        "case": lambda: _case_fields(case),
        "basis": lambda: _basis(case),
        "applicants": lambda: [party_fields(p) for p in loaded.parties if p.role == PartyRole.APPLICANT],
        "respondents": lambda: [party_fields(p) for p in loaded.parties if p.role == PartyRole.RESPONDENT],
        "claims": lambda: [{"kind": ClaimKind(c.kind).label, "amount": amount_digits(c.amount_fen),
                            "amount_capital": amount_capital(c.amount_fen), "note": c.note} for c in loaded.claims],
        "measures": lambda: [measure_fields(m, case) for m in measures],
        "measure": lambda: _one_measure(measures, case, extras),
        "assets": lambda: [{
            "kind": ASSET_KINDS[a.asset.kind].name if a.asset.kind in ASSET_KINDS else a.asset.kind,
            "description": a.asset.description, "owner": a.asset.owner_name, "found_on": date_text(a.found_on),
            "found_via": a.get_found_via_display(), "value": amount_digits(a.asset.value_fen),
            "value_capital": amount_capital(a.asset.value_fen),
        } for a in loaded.assets],
        "investigation": lambda: _investigation(case),
        "sanctions": lambda: [{"name": NODES_BY_CODE[n.node_code].name, "on": date_text(n.occurred_on), "note": n.note}
                              for n in loaded.nodes if n.node_code in SANCTION_NODES],
        "steps": lambda: _steps(loaded),
        "zhongben_checks": lambda: _zhongben_checks(case),
        "origin_case": lambda: _origin(case),
        "served": lambda: _served(loaded, extras),
        "reward": lambda: {
            "amount": amount_digits(extras.get("reward_amount")), "amount_capital": amount_capital(extras.get("reward_amount")),
            "applicant": case.applicant_names,
            "contact": extras.get("contact") or (case.handler.display_name if case.handler else ""),
            "valid_until": date_text(dt.date.fromisoformat(extras["valid_until"])) if extras.get("valid_until") else "",
        },
        "distribution": lambda: _distribution(loaded, extras),
        "document": lambda: {
            "title": spec.title.split("（")[0], "number": case.case_number, "version": str(version),
            "issued_on": date_chinese(issued_on), "issued_on_text": date_text(issued_on),
        },
        "signatures": lambda: _signatures(loaded, actor),
        "seal": lambda: SEAL_MARK,
    }
    return {name: builders[name]() for name in needed if name in builders}


def _zhongben_checks(case: EnforcementCase) -> list[dict]:
    from zhixing.closing.checks import ruling_rows  # as the case page and the 终本 refusal

    return ruling_rows(case)


def _one_measure(measures: list[ControlMeasure], case: EnforcementCase, extras: dict) -> dict:
    """The measure an assistance notice is about: the one chosen, else the latest; the addressee typed in wins."""
    from .fields import MEASURE

    if not measures:
        return dict.fromkeys(MEASURE, "")
    fields = measure_fields(measures[-1], case)
    if extras.get("addressee"):
        fields["addressee"] = extras["addressee"]
    return fields


# ---------------------------------------------------------------- what the clerk types in


def clean_extras(spec: DocumentKind, raw: dict, case: EnforcementCase) -> dict:
    """The extras of `spec` from a form or API body, checked; JSON-ready (money in fen, dates ISO)."""
    out: dict = {}
    errors: list[FieldError] = []
    for extra in spec.extras:
        value = raw.get(extra.name)
        text = "" if value is None else str(value).strip()
        if not text:
            if extra.required:
                errors.append(FieldError(f"extras.{extra.name}", f"须填写“{extra.label}”"))
            continue
        try:
            if extra.kind == "money":
                fen = parse_yuan(text)
                if fen <= 0:
                    raise ValueError
                out[extra.name] = fen
            elif extra.kind == "date":
                day = dt.date.fromisoformat(text)
                if day < timezone.localdate():
                    errors.append(FieldError(f"extras.{extra.name}", f"“{extra.label}” {day} 早于今天"))
                out[extra.name] = day.isoformat()
            elif extra.kind == "measure":
                pk = int(text)
                if not ControlMeasure.objects.filter(pk=pk, case_id=case.pk).exists():
                    raise ValueError
                out[extra.name] = pk
            elif extra.kind == "party":
                pk = int(text)
                if not Party.objects.filter(pk=pk, case_id=case.pk).exists():
                    raise ValueError
                out[extra.name] = pk
            else:
                out[extra.name] = text[:200]
        except (ValueError, TypeError):
            errors.append(FieldError(f"extras.{extra.name}", f"“{extra.label}”的值 {text!r} 无效"))
    if errors:
        raise ValidationFailed(errors)
    return out
