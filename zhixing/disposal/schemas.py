"""Schemas of /api/v1/disposal (api.py): amounts in integer fen, Beijing dates."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class ValuationOut(Schema):
    id: int
    case_id: int
    asset_id: int
    user: str
    at: dt.datetime
    kind: str
    outcome: str
    value_fen: int | None
    table: str | None
    table_version: int | None
    inputs: dict
    base_price_fen: int | None
    floor_coefficient: str | None
    orientation_coefficient: str | None
    message: str
    batch_id: int | None


class FlatLookupIn(Schema):
    asset_id: int
    estate: str = ""
    building: str = ""
    floor: int | None = None
    orientation: str = ""
    area: str = ""


class VehicleLookupIn(Schema):
    asset_id: int
    year: int
    model: str = ""


class BatchOut(Schema):
    id: int
    at: dt.datetime
    flats: int
    valued: int
    not_valued: int
    total_fen: int
    table: str | None
    seconds: str
    reasons: dict


class TableOut(Schema):
    id: int
    kind: str
    version: int
    effective_from: dt.date
    source: str
    file_name: str
    sha256: str
    rows: int
    imported_at: dt.datetime


class ReferenceOut(Schema):
    id: int
    case_id: int
    asset_id: int
    method: str
    grounds: list[str]
    status: str
    started_on: dt.date
    start_due: dt.date | None
    price_fen: int | None
    result_on: dt.date | None
    valid_until: dt.date | None
    source: str
    served_on: dt.date | None
    objection_due: dt.date | None
    failure_reason: str
    follows_id: int | None
    platforms: list[str]
    reply_due: dt.date | None
    institution: str
    appraisal_due: dt.date | None
    extensions: int
    fee_fen: int | None


class NegotiationIn(Schema):
    asset_id: int
    applicant_figure_fen: int
    respondent_figure_fen: int
    agreed_price_fen: int | None = None
    on: dt.date | None = None
    valid_until: dt.date | None = None
    note: str = ""


class DirectedIn(Schema):
    valuation_id: int
    grounds: list[str] = []
    ground_note: str = ""
    valid_until: dt.date | None = None


class OnlineIn(Schema):
    asset_id: int
    grounds: list[str] = []
    ground_note: str = ""
    platforms: list[str] = []
    on: dt.date | None = None


class AppraisalIn(Schema):
    asset_id: int
    institution: str
    selection: str
    grounds: list[str] = []
    ground_note: str = ""
    on: dt.date | None = None


class ExtendIn(Schema):
    days: int
    reason: str


class ReportIn(Schema):
    price_fen: int
    report_number: str
    report_on: dt.date
    fee_fen: int | None = None
    valid_until: dt.date | None = None


class ReasonIn(Schema):
    reason: str


class ServeIn(Schema):
    served_on: dt.date


class ObjectionIn(Schema):
    raised_on: dt.date
    raised_by: str
    grounds: str


class ObjectionOut(Schema):
    id: int
    reference_id: int
    raised_on: dt.date
    raised_by: str
    grounds: str
    appraisal_due: dt.date | None
    outcome: str
    decided_on: dt.date | None
    decision_note: str


class DecideIn(Schema):
    upheld: bool
    note: str


class PlanIn(Schema):
    asset_id: int
    platform: str
    platform_chosen_by: str = "申请执行人选择"
    encumbrances: str = ""
    taxes: str = ""
    viewing: str = ""
    priority_holders: str = ""
    contact: str = ""


class RoundOut(Schema):
    id: int
    plan_id: int
    number: int
    kind: str
    title: str
    status: str
    platform: str
    reference_id: int
    reference_price_fen: int
    starting_price_fen: int
    deposit_fen: int
    increment_fen: int
    parties_notified_on: dt.date | None
    announce_on: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    closed_on: dt.date | None
    price_fen: int | None
    buyer_name: str
    premium_bp: int | None
    receipt_id: int | None


class PlanOut(Schema):
    id: int
    case_id: int
    case_number: str
    asset_id: int
    asset: str
    status: str
    platform: str
    encumbrances: str
    taxes: str
    viewing: str
    priority_holders: str
    in_kind_price_fen: int | None
    rounds: list[RoundOut]


class RoundIn(Schema):
    starting_price_fen: int
    deposit_fen: int
    increment_fen: int
    announce_on: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    parties_notified_on: dt.date | None = None
    note: str = ""


class AnnounceIn(Schema):
    parties_notified_on: dt.date | None = None


class ResultIn(Schema):
    sold: bool
    closed_on: dt.date
    price_fen: int | None = None
    buyer_name: str = ""
    buyer_identity: str = ""
    note: str = ""


class InKindIn(Schema):
    party_id: int
    on: dt.date
    note: str = ""


class HandoverIn(Schema):
    on: dt.date
    note: str = ""


class ReceiptIn(Schema):
    receipt_id: int


class PackageOut(Schema):
    id: int
    round_id: int
    version: int
    file_name: str
    sha256: str
    fields: int
    documents: list[dict]
    generated_at: dt.datetime
    milliseconds: int
    download: str


class MeasureBrief(Schema):
    kind: str
    status: str
    queue_rank: int
    started_on: dt.date
    ends_on: dt.date | None


class ClaimOut(Schema):
    court: str
    case_number: str
    case_id: int | None
    visible: bool
    found_on: dt.date
    measures: list[MeasureBrief]
    reference_prices: list[ReferenceOut]
    rounds: list[RoundOut]


class AssetViewOut(Schema):
    id: int
    kind: str
    description: str
    owner_name: str
    details: dict
    claims: list[ClaimOut]
    valuations: list[ValuationOut]
