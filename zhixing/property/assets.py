"""Assets: checking a kind's fields, the identity that makes two finds the same thing, and linking
an asset to a case. Used by the reply import (queries), clue verification and hand entry (measures)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from zhixing.cases.exceptions import FieldError, ValidationFailed
from zhixing.cases.inputs import parse_yuan

from .models import Asset, CaseAsset
from .rules import ASSET_KINDS, OWNER_IN_IDENTITY, AssetKind

_SPACE = re.compile(r"\s+")


def normalise(value) -> str:
    """Identity text: no spaces, upper case (plates, VINs, account numbers are typed every which way)."""
    return _SPACE.sub("", str(value or "")).upper()


def clean_details(kind_code: str, raw: dict, *, row: int | None = None, prefix: str = "") -> tuple[dict, int | None]:
    """The kind's fields from `raw` (keys are field names), checked: (details, value in fen or None).
    Money fields come in yuan and are stored in fen; errors name the field and the row."""
    kind = ASSET_KINDS.get(kind_code)
    if kind is None:
        raise ValidationFailed([FieldError(f"{prefix}kind", f"未知财产类别 {kind_code!r}", row)])
    details: dict = {}
    errors: list[FieldError] = []
    for field in kind.fields:
        value = raw.get(field.name)
        text = "" if value is None else str(value).strip()
        if not text:
            if field.required:
                errors.append(FieldError(f"{prefix}{field.name}", f"{kind.name}须填写“{field.label}”", row))
            continue
        try:
            if field.kind == "money":
                details[field.name] = parse_yuan(value)
            elif field.kind == "decimal":
                number = Decimal(text)
                if number < 0:
                    raise InvalidOperation
                details[field.name] = str(number)
            elif field.kind == "date":
                details[field.name] = dt.date.fromisoformat(text).isoformat()
            else:
                details[field.name] = text[:200]
        except (ValueError, InvalidOperation):
            errors.append(FieldError(f"{prefix}{field.name}", f"“{field.label}”的值 {text!r} 无效", row))
    if errors:
        raise ValidationFailed(errors)
    value = details.get(kind.value_field) if kind.value_field else None
    return details, value


def identity_key(kind: AssetKind, details: dict, owner_identity: str) -> str:
    parts = [normalise(details.get(name)) for name in kind.identity]
    if kind.code in OWNER_IN_IDENTITY:
        parts.append(normalise(owner_identity))
    return "|".join(parts)


def describe(kind: AssetKind, details: dict) -> str:
    shown = [str(details[f.name]) for f in kind.fields if f.kind == "text" and details.get(f.name)]
    return f"{kind.name}：{' '.join(shown)}"[:300]


def takes_newer_value(asset: Asset, value_fen: int | None, value_on: dt.date | None) -> bool:
    """Set a reported value (balance, market value) on `asset` if it is at least as recent as the one
    it has and differs from it; True if it changed. An older report never overwrites a newer one."""
    if value_fen is None or (asset.value_on is not None and (value_on is None or value_on < asset.value_on)):
        return False
    if (asset.value_fen, asset.value_on) == (value_fen, value_on):
        return False
    asset.value_fen, asset.value_on = value_fen, value_on
    return True


def asset_upsert(*, kind_code: str, details: dict, value_fen: int | None, value_on: dt.date | None,
                 owner_name: str, owner_identity: str) -> tuple[Asset, bool]:
    """The asset with this identity, created if new; a newer value (balance) replaces an older one.
    Returns (asset, created). `details` must come from `clean_details`."""
    kind = ASSET_KINDS[kind_code]
    key = identity_key(kind, details, owner_identity)
    asset, created = Asset.objects.get_or_create(
        kind=kind_code, identity_key=key,
        defaults={"owner_name": owner_name, "owner_identity": owner_identity, "details": details,
                  "value_fen": value_fen, "value_on": value_on, "description": describe(kind, details)},
    )
    if not created and takes_newer_value(asset, value_fen, value_on):
        asset.save(update_fields=["value_fen", "value_on"])
    return asset, created


def case_asset_link(*, case, asset: Asset, found_on: dt.date, found_via: str, query=None, clue=None,
                    note: str = "") -> tuple[CaseAsset, bool]:
    """Record that `asset` was found in `case` (once; a second find of the same asset changes nothing)."""
    return CaseAsset.objects.get_or_create(
        case=case, asset=asset,
        defaults={"court_id": case.court_id, "found_on": found_on, "found_via": found_via, "query": query,
                  "clue": clue, "note": note[:300]},
    )


def other_claims(asset_ids, case_id: int) -> dict[int, list[dict]]:
    """{asset id: who else holds or found it}: the other cases of any court (court and case number only —
    another court's case is not opened from here), with their open measures and queue ranks. Two
    queries for all of a case's assets."""
    from .models import OPEN_MEASURE_STATUSES, ControlMeasure

    ids = list(asset_ids)
    measures: dict[tuple[int, int], list] = {}
    for m in ControlMeasure.objects.filter(asset_id__in=ids, status__in=OPEN_MEASURE_STATUSES).exclude(case_id=case_id):
        measures.setdefault((m.asset_id, m.case_id), []).append(m)
    claims: dict[int, list[dict]] = {pk: [] for pk in ids}
    links = CaseAsset.objects.filter(asset_id__in=ids).exclude(case_id=case_id).select_related("case", "case__court")
    for link in links.order_by("found_on", "id"):
        claims[link.asset_id].append({
            "court": link.case.court.name, "case_number": link.case.case_number, "found_on": link.found_on,
            "measures": measures.get((link.asset_id, link.case_id), []),
        })
    return claims
