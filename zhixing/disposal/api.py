"""/api/v1/disposal: reference prices, price tables and lookups, auctions and listing packages, the
property-centric view — thin: authorise, parse, call one service or selector, serialise. Amounts are
integer fen; dates are Beijing dates; another court's row answers 404."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.http import HttpResponse
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from zhixing.cases import selectors as case_selectors
from zhixing.cases.exceptions import FieldError, NotAllowed, ValidationFailed
from zhixing.cases.models import Party
from zhixing.money.models import Receipt
from zhixing.property.models import Asset, CaseAsset

from . import auctions, inquiries, listing, price_tables, reference, selectors, valuation
from .models import AuctionRound, DisposalPlan, Objection, ReferencePrice, Valuation, ValuationBatch
from .schemas import (
    AnnounceIn,
    AppraisalIn,
    AssetViewOut,
    BatchOut,
    DecideIn,
    DirectedIn,
    ExtendIn,
    FlatLookupIn,
    HandoverIn,
    InKindIn,
    NegotiationIn,
    ObjectionIn,
    ObjectionOut,
    OnlineIn,
    PackageOut,
    PlanIn,
    PlanOut,
    ReasonIn,
    ReceiptIn,
    ReferenceOut,
    ReportIn,
    ResultIn,
    RoundIn,
    RoundOut,
    ServeIn,
    TableOut,
    ValuationOut,
    VehicleLookupIn,
)

router = Router(tags=["财产处置（参考价、拍卖）"])
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PAGE = 200


# ---------------------------------------------------------------- serialisers


def valuation_out(v: Valuation) -> dict:
    return {
        "id": v.pk, "case_id": v.case_id, "asset_id": v.asset_id, "user": v.user.display_name, "at": v.at, "kind": v.kind,
        "outcome": v.outcome, "value_fen": v.value_fen, "table": v.table.label if v.table_id else None,
        "table_version": v.table.version if v.table_id else None, "inputs": v.inputs, "base_price_fen": v.base_price_fen,
        "floor_coefficient": str(v.floor_coefficient) if v.floor_coefficient is not None else None,
        "orientation_coefficient": str(v.orientation_coefficient) if v.orientation_coefficient is not None else None,
        "message": v.message, "batch_id": v.batch_id,
    }


def batch_out(b: ValuationBatch) -> dict:
    return {"id": b.pk, "at": b.at, "flats": b.flats, "valued": b.valued, "not_valued": b.not_valued, "total_fen": b.total_fen,
            "table": b.table.label if b.table_id else None, "seconds": str(b.seconds), "reasons": b.reasons}


def reference_out(r: ReferencePrice) -> dict:
    return {f: getattr(r, f) for f in ReferenceOut.model_fields}


def round_out(r: AuctionRound) -> dict:
    return {f: getattr(r, f) for f in RoundOut.model_fields}


def plan_out(p: DisposalPlan) -> dict:
    return {
        "id": p.pk, "case_id": p.case_id, "case_number": p.case.case_number, "asset_id": p.asset_id,
        "asset": p.asset.description, "status": p.status, "platform": p.platform, "encumbrances": p.encumbrances,
        "taxes": p.taxes, "viewing": p.viewing, "priority_holders": p.priority_holders,
        "in_kind_price_fen": p.in_kind_price_fen, "rounds": [round_out(r) for r in p.rounds.order_by("number", "id")],
    }


def package_out(p) -> dict:
    return {"id": p.pk, "round_id": p.round_id, "version": p.version, "file_name": p.file_name, "sha256": p.file_id,
            "fields": p.fields, "documents": p.documents, "generated_at": p.generated_at, "milliseconds": p.milliseconds,
            "download": f"/api/v1/disposal/listing-packages/{p.pk}/zip"}


# ---------------------------------------------------------------- helpers


def _case(request, case_id: int):
    return case_selectors.case_get_for_user(user=request.user, pk=case_id)


def _case_asset(case, asset_id: int) -> Asset:
    link = CaseAsset.objects.filter(case=case, asset_id=asset_id).select_related("asset").first()
    if link is None:
        raise ValidationFailed([FieldError("asset_id", "该财产未在本案登记")])
    return link.asset


def _get(request, model, pk: int, label: str):
    return selectors.get_for_user(model, user=request.user, pk=pk, label=label)


def _court(request):
    if request.user.court_id is None:
        raise NotAllowed("只有法院工作人员可以办理")
    return request.user.court


def _read_file(file: UploadedFile) -> bytes:
    if (file.size or 0) > MAX_FILE_BYTES:
        raise ValidationFailed([FieldError("file", f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB")])
    return file.read()


# ---------------------------------------------------------------- lookups and price tables


@router.post("/cases/{int:case_id}/lookups/flat", response={201: ValuationOut}, summary="房产定向询价（温岭：面积×楼幢基准价×楼层系数×朝向系数）")
def lookup_flat(request, case_id: int, payload: FlatLookupIn):
    case = _case(request, case_id)
    v = valuation.flat_lookup(actor=request.user, case=case, asset=_case_asset(case, payload.asset_id), estate=payload.estate,
                              building=payload.building, floor=payload.floor, orientation=payload.orientation,
                              area=payload.area or None)
    return Status(201, valuation_out(v))


@router.post("/cases/{int:case_id}/lookups/vehicle", response={201: ValuationOut}, summary="车辆定向询价（车型、年款）")
def lookup_vehicle(request, case_id: int, payload: VehicleLookupIn):
    case = _case(request, case_id)
    v = valuation.vehicle_lookup(actor=request.user, case=case, asset=_case_asset(case, payload.asset_id), year=payload.year,
                                 model=payload.model)
    return Status(201, valuation_out(v))


@router.get("/lookups", response=list[ValuationOut], summary="询价台账（谁、何时、为哪个案件查询）")
def list_lookups(request, on_from: dt.date | None = None, on_to: dt.date | None = None, outcome: str = "",
                 case_number: str = "", batch_id: int | None = None, limit: int = 50, offset: int = 0):
    rows = selectors.lookups_for_user(user=request.user, on_from=on_from, on_to=on_to, outcome=outcome,
                                      case_number=case_number, batch_id=batch_id)
    limit = max(1, min(limit, MAX_PAGE))
    return [valuation_out(v) for v in rows[max(offset, 0): max(offset, 0) + limit]]


@router.post("/valuation-batches", response={201: BatchOut}, summary="批量估价：本院全部被查封房产")
def run_batch(request):
    batch = valuation.valuation_batch(actor=request.user, court=_court(request))
    return Status(201, batch_out(batch))


@router.get("/valuation-batches", response=list[BatchOut], summary="批量估价记录")
def list_batches(request, limit: int = 50, offset: int = 0):
    rows = selectors.batches_for_user(request.user)
    return [batch_out(b) for b in rows[max(offset, 0): max(offset, 0) + max(1, min(limit, MAX_PAGE))]]


@router.get("/price-tables", response=list[TableOut], summary="询价基准价格表（各版本）")
def list_tables(request):
    return selectors.tables_for_court(_court(request).pk)


@router.post("/price-tables", response={201: TableOut, 200: TableOut}, summary="导入价格表新版本（CSV/XLSX，全部或全不）")
def import_table(request, kind: Form[str], effective_from: Form[dt.date], source: Form[str], file: File[UploadedFile],
                 note: Form[str] = ""):
    table, created = price_tables.price_table_import(
        actor=request.user, court=_court(request), kind=kind, file_name=file.name or "table.csv", content=_read_file(file),
        effective_from=effective_from, source=source, note=note)
    return Status(201 if created else 200, table)


# ---------------------------------------------------------------- reference prices


@router.get("/cases/{int:case_id}/reference-prices", response=list[ReferenceOut], summary="本案各财产的参考价（按确定顺序）")
def list_prices(request, case_id: int):
    case = _case(request, case_id)
    return [reference_out(r) for r in ReferencePrice.objects.filter(case=case).order_by("asset_id", "started_on", "id")]


@router.post("/cases/{int:case_id}/reference-prices/negotiation", response={201: ReferenceOut}, summary="当事人议价")
def negotiation(request, case_id: int, payload: NegotiationIn):
    case = _case(request, case_id)
    ref = reference.negotiation_record(actor=request.user, case=case, asset=_case_asset(case, payload.asset_id),
                                       applicant_figure_fen=payload.applicant_figure_fen,
                                       respondent_figure_fen=payload.respondent_figure_fen,
                                       agreed_price_fen=payload.agreed_price_fen, on=payload.on,
                                       valid_until=payload.valid_until, note=payload.note)
    return Status(201, reference_out(ref))


@router.post("/cases/{int:case_id}/reference-prices/directed", response={201: ReferenceOut}, summary="定向询价（以本案询价记录为结果）")
def directed(request, case_id: int, payload: DirectedIn):
    case = _case(request, case_id)
    v = Valuation.objects.filter(pk=payload.valuation_id, case=case).select_related("asset", "table").first()
    if v is None:
        raise ValidationFailed([FieldError("valuation_id", "本案没有该询价记录")])
    ref = reference.directed_inquiry_record(actor=request.user, case=case, valuation=v, grounds=payload.grounds,
                                            ground_note=payload.ground_note, valid_until=payload.valid_until)
    return Status(201, reference_out(ref))


@router.post("/cases/{int:case_id}/reference-prices/online", response={201: ReferenceOut}, summary="网络询价（发往各询价平台）")
def online(request, case_id: int, payload: OnlineIn):
    case = _case(request, case_id)
    ref = reference.online_inquiry_send(actor=request.user, case=case, asset=_case_asset(case, payload.asset_id),
                                        grounds=payload.grounds, ground_note=payload.ground_note,
                                        platforms=payload.platforms or None, on=payload.on)
    return Status(201, reference_out(ref))


@router.post("/cases/{int:case_id}/reference-prices/appraisal", response={201: ReferenceOut}, summary="委托评估")
def appraisal(request, case_id: int, payload: AppraisalIn):
    case = _case(request, case_id)
    ref = reference.appraisal_commission(actor=request.user, case=case, asset=_case_asset(case, payload.asset_id),
                                         institution=payload.institution, selection=payload.selection,
                                         grounds=payload.grounds, ground_note=payload.ground_note, on=payload.on)
    return Status(201, reference_out(ref))


@router.post("/inquiry-replies", response={201: dict, 200: dict}, summary="导入网络询价平台的结果文件（全部或全不）")
def import_replies(request, file: File[UploadedFile]):
    imported, created = inquiries.inquiry_replies_import(actor=request.user, court=_court(request),
                                                         file_name=file.name or "replies.csv", content=_read_file(file))
    return Status(201 if created else 200, {"id": imported.pk, "rows": imported.rows, "created": created})


@router.post("/reference-prices/{int:ref_id}/conclude", response=ReferenceOut, summary="确定网络询价结果（平均值；均未出具则延长一次）")
def conclude(request, ref_id: int):
    ref = _get(request, ReferencePrice, ref_id, "参考价")
    return reference_out(reference.online_inquiry_conclude(actor=request.user, reference=ref))


@router.post("/reference-prices/{int:ref_id}/extend", response=ReferenceOut, summary="延长评估期限（至多两次，每次不超过15日）")
def extend(request, ref_id: int, payload: ExtendIn):
    ref = _get(request, ReferencePrice, ref_id, "参考价")
    return reference_out(reference.appraisal_extend(actor=request.user, reference=ref, days=payload.days, reason=payload.reason))


@router.post("/reference-prices/{int:ref_id}/report", response=ReferenceOut, summary="登记评估报告")
def report(request, ref_id: int, payload: ReportIn):
    ref = _get(request, ReferencePrice, ref_id, "参考价")
    return reference_out(reference.appraisal_report(actor=request.user, reference=ref, **payload.dict()))


@router.post("/reference-prices/{int:ref_id}/fail", response=ReferenceOut, summary="记录不能或不成")
def fail(request, ref_id: int, payload: ReasonIn):
    ref = _get(request, ReferencePrice, ref_id, "参考价")
    return reference_out(reference.reference_fail(actor=request.user, reference=ref, reason=payload.reason))


@router.post("/reference-prices/{int:ref_id}/serve", response=ReferenceOut, summary="送达询价、评估结果（起算5日异议期）")
def serve(request, ref_id: int, payload: ServeIn):
    ref = _get(request, ReferencePrice, ref_id, "参考价")
    return reference_out(reference.reference_serve(actor=request.user, reference=ref, served_on=payload.served_on))


@router.post("/reference-prices/{int:ref_id}/objections", response={201: ObjectionOut}, summary="登记书面异议（对询价结果：3个工作日内启动评估）")
def object_to(request, ref_id: int, payload: ObjectionIn):
    ref = _get(request, ReferencePrice, ref_id, "参考价")
    objection = reference.objection_record(actor=request.user, reference=ref, **payload.dict())
    return Status(201, objection)


@router.post("/objections/{int:objection_id}/decide", response=ObjectionOut, summary="处理异议")
def decide(request, objection_id: int, payload: DecideIn):
    objection = _get(request, Objection, objection_id, "异议")
    return reference.objection_decide(actor=request.user, objection=objection, upheld=payload.upheld, note=payload.note)


# ---------------------------------------------------------------- plans, rounds, packages


@router.get("/plans", response=list[PlanOut], summary="处置方案（可见法院）")
def list_plans(request, status: str = "", q: str = "", limit: int = 50, offset: int = 0):
    rows = selectors.plans_for_user(user=request.user, status=status, q=q).prefetch_related("rounds")
    return [plan_out(p) for p in rows[max(offset, 0): max(offset, 0) + max(1, min(limit, MAX_PAGE))]]


@router.post("/cases/{int:case_id}/plans", response={201: PlanOut}, summary="制定处置方案")
def create_plan(request, case_id: int, payload: PlanIn):
    case = _case(request, case_id)
    data = payload.dict()
    asset = _case_asset(case, data.pop("asset_id"))
    return Status(201, plan_out(auctions.plan_create(actor=request.user, case=case, asset=asset, **data)))


@router.post("/plans/{int:plan_id}/rounds", response={201: RoundOut}, summary="安排拍卖（一拍、二拍或变卖，逐项依法校验）")
def create_round(request, plan_id: int, payload: RoundIn):
    plan = _get(request, DisposalPlan, plan_id, "处置方案")
    return Status(201, round_out(auctions.round_create(actor=request.user, plan=plan, **payload.dict())))


@router.post("/rounds/{int:round_id}/announce", response=RoundOut, summary="登记拍卖公告")
def announce(request, round_id: int, payload: AnnounceIn):
    r = _get(request, AuctionRound, round_id, "拍卖")
    return round_out(auctions.round_announce(actor=request.user, round=r, parties_notified_on=payload.parties_notified_on))


@router.post("/rounds/{int:round_id}/result", response=RoundOut, summary="登记拍卖结果（成交或流拍）")
def result(request, round_id: int, payload: ResultIn):
    r = _get(request, AuctionRound, round_id, "拍卖")
    return round_out(auctions.round_result(actor=request.user, round=r, **payload.dict()))


@router.post("/rounds/{int:round_id}/withdraw", response=RoundOut, summary="撤回拍卖")
def withdraw_round(request, round_id: int, payload: ReasonIn):
    r = _get(request, AuctionRound, round_id, "拍卖")
    return round_out(auctions.round_withdraw(actor=request.user, round=r, reason=payload.reason))


@router.post("/rounds/{int:round_id}/receipt", response=RoundOut, summary="关联拍卖价款到账记录（财务登记的到账）")
def link_receipt(request, round_id: int, payload: ReceiptIn):
    r = _get(request, AuctionRound, round_id, "拍卖")
    receipt = Receipt.objects.filter(pk=payload.receipt_id, case_id=r.case_id).first()
    if receipt is None:
        raise ValidationFailed([FieldError("receipt_id", "本案没有该到账记录")])
    return round_out(auctions.receipt_link(actor=request.user, round=r, receipt=receipt))


@router.post("/plans/{int:plan_id}/in-kind", response=PlanOut, summary="以物抵债（流拍后按该次保留价）")
def in_kind(request, plan_id: int, payload: InKindIn):
    plan = _get(request, DisposalPlan, plan_id, "处置方案")
    party = Party.objects.filter(pk=payload.party_id, case_id=plan.case_id).first()
    return plan_out(auctions.transfer_in_kind(actor=request.user, plan=plan, party=party, on=payload.on, note=payload.note))


@router.post("/plans/{int:plan_id}/handover", response=PlanOut, summary="财产移交")
def handover(request, plan_id: int, payload: HandoverIn):
    plan = _get(request, DisposalPlan, plan_id, "处置方案")
    return plan_out(auctions.plan_handover(actor=request.user, plan=plan, on=payload.on, note=payload.note))


@router.post("/plans/{int:plan_id}/withdraw", response=PlanOut, summary="撤回处置方案")
def withdraw_plan(request, plan_id: int, payload: ReasonIn):
    plan = _get(request, DisposalPlan, plan_id, "处置方案")
    return plan_out(auctions.plan_withdraw(actor=request.user, plan=plan, reason=payload.reason))


@router.post("/rounds/{int:round_id}/listing-packages", response={201: PackageOut}, summary="一键挂拍：生成挂拍材料包（JSON、XLSX、文书）")
def make_package(request, round_id: int):
    r = _get(request, AuctionRound, round_id, "拍卖")
    return Status(201, package_out(listing.listing_package_generate(actor=request.user, round=r)))


@router.get("/listing-packages/{int:package_id}/zip", response={200: None}, summary="下载挂拍材料包（ZIP）")
def download_package(request, package_id: int):
    package = listing.package_get_for_user(user=request.user, pk=package_id)
    response = HttpResponse(bytes(package.file.content), content_type="application/zip")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(package.file_name)}"
    return response


# ---------------------------------------------------------------- the property-centric view


@router.get("/assets/{int:asset_id}", response=AssetViewOut, summary="财产视图：认领同一财产的全部案件（查封顺位、措施、估价、拍卖）")
def asset_detail(request, asset_id: int):
    asset, claims, valuations = selectors.asset_view(user=request.user, asset_id=asset_id)
    return {
        "id": asset.pk, "kind": asset.kind, "description": asset.description, "owner_name": asset.owner_name,
        "details": asset.details,
        "claims": [{
            "court": c.court, "case_number": c.case_number, "case_id": c.case_id if c.visible else None, "visible": c.visible,
            "found_on": c.found_on,
            "measures": [{"kind": m.kind, "status": m.status, "queue_rank": m.queue_rank, "started_on": m.started_on,
                          "ends_on": m.ends_on} for m in c.measures],
            "reference_prices": [reference_out(r) for r in c.prices], "rounds": [round_out(r) for r in c.rounds],
        } for c in claims],
        "valuations": [valuation_out(v) for v in valuations],
    }

