"""/api/v1/property: assets, control measures and clues — thin: authorise, parse, call one service, serialise.
Amounts are integer fen; dates are Beijing dates (YYYY-MM-DD)."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.responses import Status

from zhixing.cases import selectors as case_selectors
from zhixing.cases.exceptions import FieldError, NotFound, ValidationFailed
from zhixing.cases.models import Party

from . import clues, measures
from .assets import other_claims
from .models import Clue, ControlMeasure

router = Router(tags=["财产控制与线索"])


class AssetIn(Schema):
    kind: str
    details: dict
    owner_party_id: int
    found_on: dt.date
    found_via: str = "onsite"
    note: str = ""


class MeasureIn(Schema):
    asset_id: int
    kind: str
    started_on: dt.date
    amount_fen: int | None = None
    document_number: str = ""
    queue_rank: int = 1
    ahead: str = ""


class RenewIn(Schema):
    started_on: dt.date | None = None
    document_number: str = ""


class ReleaseIn(Schema):
    released_on: dt.date
    reason: str


class ClueIn(Schema):
    source: str
    description: str
    provider: str = ""
    asset_kind: str = ""
    urgent: bool = False
    received_on: dt.date | None = None


class ClueAssetIn(Schema):
    kind: str = ""
    details: dict
    owner_party_id: int


class ClueVerifyIn(Schema):
    outcome: str
    verified_on: dt.date
    note: str
    asset: ClueAssetIn | None = None


class MeasureOut(Schema):
    id: int
    case_id: int
    asset_id: int
    kind: str
    status: str
    started_on: dt.date
    ends_on: dt.date | None
    ends_citation: str
    queue_rank: int
    ahead: str
    amount_fen: int | None
    document_number: str
    renewal_of_id: int | None
    ended_on: dt.date | None
    end_reason: str


class OtherMeasureOut(Schema):
    kind: str
    status: str
    started_on: dt.date
    ends_on: dt.date | None
    queue_rank: int


class OtherClaimOut(Schema):
    court: str
    case_number: str
    found_on: dt.date
    measures: list[OtherMeasureOut]


class AssetOut(Schema):
    id: int
    kind: str
    description: str
    details: dict
    owner_name: str
    value_fen: int | None
    value_on: dt.date | None
    found_on: dt.date
    found_via: str
    measures: list[MeasureOut]
    other_claims: list[OtherClaimOut]


class ClueOut(Schema):
    id: int
    case_id: int
    source: str
    provider: str
    asset_kind: str
    description: str
    urgent: bool
    received_on: dt.date
    verify_due: dt.date
    outcome: str
    verified_on: dt.date | None
    outcome_note: str


def measure_out(m: ControlMeasure) -> dict:
    return {
        "id": m.pk, "case_id": m.case_id, "asset_id": m.asset_id, "kind": m.kind, "status": m.status,
        "started_on": m.started_on, "ends_on": m.ends_on,
        "ends_citation": measures.measure_citation(m),
        "queue_rank": m.queue_rank, "ahead": m.ahead, "amount_fen": m.amount_fen, "document_number": m.document_number,
        "renewal_of_id": m.renewal_of_id, "ended_on": m.ended_on, "end_reason": m.end_reason,
    }


def _assets_out(case) -> list[dict]:
    by_asset: dict[int, list] = {}
    for m in measures.case_measures(case):
        by_asset.setdefault(m.asset_id, []).append(measure_out(m))
    rows = []
    links = measures.case_assets(case)
    others = other_claims([link.asset_id for link in links], case.pk)
    for link in links:
        a = link.asset
        rows.append({
            "id": a.pk, "kind": a.kind, "description": a.description, "details": a.details, "owner_name": a.owner_name,
            "value_fen": a.value_fen, "value_on": a.value_on, "found_on": link.found_on, "found_via": link.found_via,
            "measures": by_asset.get(a.pk, []),
            "other_claims": [
                {**claim, "measures": [{"kind": m.kind, "status": m.status, "started_on": m.started_on,
                                        "ends_on": m.ends_on, "queue_rank": m.queue_rank} for m in claim["measures"]]}
                for claim in others[a.pk]
            ],
        })
    return rows


def _party(case, party_id: int, field: str) -> Party:
    party = Party.objects.filter(pk=party_id, case=case).first()
    if party is None:
        raise ValidationFailed([FieldError(field, "当事人不存在或不属于本案")])
    return party


def _measure_for_user(user, measure_id: int) -> ControlMeasure:
    measure = ControlMeasure.objects.filter(pk=measure_id).first()
    if measure is None:
        raise NotFound("控制措施不存在")
    case_selectors.case_get_for_user(user=user, pk=measure.case_id)  # another court's: 404, not revealed
    return measure


@router.get("/cases/{case_id}/assets", response=list[AssetOut], summary="案件财产（含其他案件的查控情况）")
def list_assets(request, case_id: int):
    case = case_selectors.case_get_for_user(user=request.user, pk=case_id)
    return _assets_out(case)


@router.post("/cases/{case_id}/assets", response={201: AssetOut}, summary="登记财产")
def register_asset(request, case_id: int, payload: AssetIn):
    case = case_selectors.case_get_for_user(user=request.user, pk=case_id)
    link = measures.asset_register(
        actor=request.user, case=case, kind=payload.kind, details=payload.details,
        owner_party=_party(case, payload.owner_party_id, "owner_party_id"), found_on=payload.found_on,
        found_via=payload.found_via, note=payload.note,
    )
    return Status(201, next(a for a in _assets_out(case) if a["id"] == link.asset_id))


@router.post("/cases/{case_id}/measures", response={201: MeasureOut}, summary="冻结、查封、扣押、扣划")
def take_measure(request, case_id: int, payload: MeasureIn):
    case = case_selectors.case_get_for_user(user=request.user, pk=case_id)
    link = case.case_assets.filter(asset_id=payload.asset_id).select_related("asset").first()
    if link is None:
        raise ValidationFailed([FieldError("asset_id", "该财产未在本案登记")])
    measure = measures.measure_take(
        actor=request.user, case=case, asset=link.asset, kind=payload.kind, started_on=payload.started_on,
        amount_fen=payload.amount_fen, document_number=payload.document_number, queue_rank=payload.queue_rank,
        ahead=payload.ahead,
    )
    return Status(201, measure_out(measure))


@router.post("/measures/{measure_id}/renew", response={201: MeasureOut}, summary="续行")
def renew_measure(request, measure_id: int, payload: RenewIn):
    measure = _measure_for_user(request.user, measure_id)
    new = measures.measure_renew(actor=request.user, measure=measure, started_on=payload.started_on,
                                 document_number=payload.document_number)
    return Status(201, measure_out(new))


@router.post("/measures/{measure_id}/release", response=MeasureOut, summary="解除（轮候的在后措施自动生效）")
def release_measure(request, measure_id: int, payload: ReleaseIn):
    measure = _measure_for_user(request.user, measure_id)
    return measure_out(measures.measure_release(actor=request.user, measure=measure, released_on=payload.released_on,
                                                reason=payload.reason))


@router.post("/cases/{case_id}/clues", response={201: ClueOut}, summary="登记财产线索")
def receive_clue(request, case_id: int, payload: ClueIn):
    case = case_selectors.case_get_for_user(user=request.user, pk=case_id)
    clue = clues.clue_receive(actor=request.user, case=case, **payload.dict())
    return Status(201, clue)


@router.post("/clues/{clue_id}/verify", response=ClueOut, summary="核查财产线索（属实的可同时登记财产）")
def verify_clue(request, clue_id: int, payload: ClueVerifyIn):
    clue = Clue.objects.filter(pk=clue_id).first()
    if clue is None:
        raise NotFound("线索不存在")
    case = case_selectors.case_get_for_user(user=request.user, pk=clue.case_id)
    asset = None
    if payload.asset is not None:
        asset = {"kind": payload.asset.kind, "details": payload.asset.details,
                 "owner_party": _party(case, payload.asset.owner_party_id, "asset.owner_party_id")}
    return clues.clue_verify(actor=request.user, clue=clue, outcome=payload.outcome, verified_on=payload.verified_on,
                             note=payload.note, asset=asset)
