from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from .inputs import MAX_AMOUNT_FEN


class BasisIn(Schema):
    document_number: str = Field(..., description="执行依据文书号，如（2025）京0108民初1234号")
    issuing_court: str = Field(..., description="作出机关")
    effective_on: dt.date = Field(..., description="生效日期")
    main_text: str = ""


class PartyIn(Schema):
    role: str = Field(..., description="applicant 申请执行人 / respondent 被执行人 / third_party 第三人")
    kind: str = Field(..., description="natural_person 自然人 / legal_person 法人 / other_organisation 非法人组织")
    name: str
    id_number: str = Field("", description="自然人：18位身份证号（校验位）")
    credit_code: str = Field("", description="单位：18位统一社会信用代码（GB 32100）")
    legal_representative: str = ""
    phone: str = ""
    address: str = ""


class ClaimIn(Schema):
    kind: str = Field(..., description="principal 本金 / interest 利息 / costs 费用 / late_interest 迟延履行利息 / other")
    amount_fen: int = Field(..., ge=0, le=MAX_AMOUNT_FEN, description="金额（分）")
    note: str = ""


class CaseIn(Schema):
    court_code: str = Field(..., description="法院代字，如 京0108")
    case_type: str = Field("执", description="类型代字：执、执恢、执保……")
    filed_on: dt.date
    basis: BasisIn
    parties: list[PartyIn]
    claims: list[ClaimIn]


class CourtRef(Schema):
    id: int
    name: str
    court_code: str


class UserRef(Schema):
    id: int
    name: str


class CaseOut(Schema):
    id: int
    case_number: str
    case_type: str
    court: CourtRef
    filed_on: dt.date
    stage: str
    stage_label: str
    status: str
    status_label: str
    track: str
    team: str | None
    handler: UserRef | None
    claim_amount_fen: int
    performed_amount_fen: int
    applicant_names: str
    respondent_names: str
    closing_type: str
    closed_on: dt.date | None
    close_due: dt.date | None


class CaseListOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[CaseOut]


class PartyOut(Schema):
    id: int
    role: str
    kind: str
    name: str
    id_number: str
    credit_code: str
    birth_on: dt.date | None
    legal_representative: str
    phone: str
    address: str


class ClaimOut(Schema):
    kind: str
    amount_fen: int
    note: str


class BasisOut(Schema):
    document_number: str
    issuing_court: str
    effective_on: dt.date
    main_text: str


class NodeOut(Schema):
    id: int
    node_code: str
    national_code: str
    name: str
    occurred_on: dt.date
    recorded_at: dt.datetime
    recorded_by: str | None
    note: str


class LogEntryOut(Schema):
    seq: int
    at: dt.datetime
    actor_name: str
    action: str
    node_code: str
    summary: str
    before: dict | None
    after: dict | None
    reason: str
    entry_hash: str


class CaseDetailOut(CaseOut):
    basis: BasisOut | None
    parties: list[PartyOut]
    claims: list[ClaimOut]
    nodes: list[NodeOut]
    assign_due: dt.date | None
    notice_due: dt.date | None
    archive_due: dt.date | None
    allowed_nodes: list[str]
    warnings: list[str] = []


class NodeIn(Schema):
    node_code: str
    occurred_on: dt.date | None = None
    note: str = ""


class AssignIn(Schema):
    handler_id: int
    team_id: int | None = None
    reason: str = ""


class PartyChangeIn(Schema):
    name: str | None = None
    id_number: str | None = None
    credit_code: str | None = None
    legal_representative: str | None = None
    phone: str | None = None
    address: str | None = None
    reason: str


class CloseIn(Schema):
    closing_type: str = Field(..., description="performed / terminate_current / terminated / withdrawn / not_enforced / rejected")
    performed_amount_fen: int = Field(..., ge=0, le=MAX_AMOUNT_FEN)
    closed_on: dt.date | None = None
    reason: str = ""


class ArchiveIn(Schema):
    archived_on: dt.date | None = None
    reason: str = ""


class ImportOut(Schema):
    created: int
    already_imported: bool
    message: str
    case_numbers: list[str]


class NodeDefinitionOut(Schema):
    code: str
    national_code: str
    name: str
    stage: str | None
    roles: list[str]
    requires: list[str]
    citation: str
