"""一键挂拍 (Wuxi, seed 001 案例6: 200 fields and 12 documents by hand took an hour): the listing package
of one auction round in one action — the structured listing data as JSON and XLSX, and the auction
ruling, the announcement and the notice to the parties and priority creditors as Word files — in one
ZIP, stored once by its SHA-256 and logged in the case's execution log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import time
import zipfile

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.exceptions import DomainError, NotFound
from zhixing.cases.models import Party
from zhixing.cases.services import ensure_can_act, ensure_role, lock_case
from zhixing.documents import context as doc_context
from zhixing.documents.formatting import amount_capital, amount_digits, date_text, number_words
from zhixing.documents.render import render_docx
from zhixing.documents.rules import DOCUMENT_KINDS
from zhixing.documents.services import needed_names, store_file
from zhixing.property.models import OPEN_MEASURE_STATUSES, ControlMeasure
from zhixing.property.rules import ASSET_KINDS

from . import doc_templates
from .auctions import percent_text
from .choices import OPEN_ROUND_STATUSES, RoundKind
from .models import AuctionRound, ListingPackage
from .reference import _log, hold_of
from .rules import AUCTION, LISTING_ROLES, REFERENCE, notice_days

SCHEMA = "zhixing.listing/1"
DOCUMENTS = (  # (template code, title, file name in the ZIP)
    ("auction_ruling", "执行裁定书（拍卖）", "01-执行裁定书（拍卖）.docx"),
    ("auction_announcement", "拍卖公告", "02-拍卖公告.docx"),
    ("auction_notice", "拍卖通知书（当事人及优先购买权人、优先债权人）", "03-拍卖通知书.docx"),
)


def moment_text(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日{local.hour}时" + (f"{local.minute}分" if local.minute else "")


def details_text(asset) -> str:
    kind = ASSET_KINDS.get(asset.kind)
    if kind is None:
        return ""
    return "，".join(f"{f.label}{asset.details[f.name]}" for f in kind.fields if asset.details.get(f.name))


def other_holds(r: AuctionRound) -> list[ControlMeasure]:
    """Other cases' measures on the asset (any court): encumbrances the bidders must be told about, and
    creditors to be notified."""
    return list(ControlMeasure.objects.filter(asset_id=r.plan.asset_id, status__in=OPEN_MEASURE_STATUSES)
                .exclude(case_id=r.case_id).select_related("case", "case__court").order_by("queue_rank", "started_on", "id"))


def _hold_line(m: ControlMeasure) -> str:
    return f"{m.case.court.name}{m.case.case_number}{m.get_kind_display()}（{m.get_status_display()}，第{m.queue_rank}顺位）"


def reduction_text(r: AuctionRound) -> str:
    if r.kind == RoundKind.SALE:
        return "为变卖价"
    if r.number == 1:
        return ""
    first = r.plan.rounds.filter(number=1).exclude(status="withdrawn").first()
    if first is None:
        return ""
    bp = (first.starting_price_fen - r.starting_price_fen) * 10_000 // first.starting_price_fen
    return f"较第一次拍卖起拍价{amount_digits(first.starting_price_fen)}降价{percent_text(bp)}"


def clause(text: str) -> str:
    """Free text typed by the clerk, as a clause the template ends with its own full stop."""
    return text.strip().rstrip("。；;.，, ")


def asset_name(asset) -> str:
    """The description without its kind (不动产：…): the documents name the kind themselves."""
    return asset.description.split("：", 1)[-1]


def auction_fields(r: AuctionRound) -> dict:
    """The `auction` group of the listing documents."""
    plan, asset, ref = r.plan, r.plan.asset, r.reference
    hold = hold_of(r.case, asset)
    others = other_holds(r)
    encumbrances = "；".join(filter(None, [clause(plan.encumbrances), *(_hold_line(m) for m in others)]))
    return {
        "asset": asset_name(asset), "asset_kind": ASSET_KINDS[asset.kind].name if asset.kind in ASSET_KINDS else asset.kind,
        "owner": asset.owner_name, "details": details_text(asset),
        "held_on": date_text(hold.started_on) if hold else "", "held_by": hold.get_kind_display() if hold else "查封",
        "round_title": r.title, "platform": r.platform,
        "reference_price": amount_digits(r.reference_price_fen), "reference_price_capital": amount_capital(r.reference_price_fen),
        "reference_method": ref.get_method_display(), "reference_valid_until": date_text(ref.valid_until),
        "starting_price": amount_digits(r.starting_price_fen), "starting_price_capital": amount_capital(r.starting_price_fen),
        "deposit": amount_digits(r.deposit_fen), "deposit_capital": amount_capital(r.deposit_fen),
        "increment": amount_digits(r.increment_fen), "reduction": reduction_text(r),
        "announce_on": date_text(r.announce_on), "starts_at": moment_text(r.starts_at), "ends_at": moment_text(r.ends_at),
        "bidding_hours": str(AUCTION.bidding_min_hours), "extension_minutes": number_words(AUCTION.extension_minutes),
        "notice_days": number_words(notice_days(asset.kind, relist=r.number > 1)),
        "viewing": clause(plan.viewing), "encumbrances": encumbrances, "taxes": clause(plan.taxes),
        "priority_holders": clause(plan.priority_holders), "contact": clause(plan.contact),
    }


def recipients(r: AuctionRound, parties: list[Party]) -> str:
    """Who the notice goes to: the parties, the known pre-emption holders and priority creditors, and
    the applicants of the other cases holding the asset."""
    names = [p.name for p in parties]
    if r.plan.priority_holders:
        names.append(r.plan.priority_holders)
    for m in other_holds(r):
        names.append(f"{m.case.case_number}案申请执行人{m.case.applicant_names}")
    return "、".join(dict.fromkeys(n for n in names if n))


def listing_data(r: AuctionRound, documents: list[dict]) -> dict:
    """The structured listing data the platform asks for (asset, prices, times, viewing, encumbrances, taxes)."""
    case, plan, asset, ref = r.case, r.plan, r.plan.asset, r.reference
    kind = ASSET_KINDS.get(asset.kind)
    return {
        "schema": SCHEMA,
        "court": {"name": case.court.name, "code": case.court.court_code},
        "case": {"number": case.case_number, "applicants": case.applicant_names, "respondents": case.respondent_names,
                 "handler": case.handler.display_name if case.handler_id else "", "contact": plan.contact},
        "asset": {"id": asset.pk, "kind": asset.kind, "kind_name": kind.name if kind else asset.kind,
                  "description": asset.description, "owner": asset.owner_name,
                  "details": {f.label: str(asset.details[f.name]) for f in (kind.fields if kind else ()) if asset.details.get(f.name)}},
        "reference_price": {"method": ref.method, "method_name": ref.get_method_display(), "price_fen": r.reference_price_fen,
                            "result_on": ref.result_on.isoformat(), "valid_until": ref.valid_until.isoformat(),
                            "source": ref.source, "report_number": ref.report_number},
        "round": {"number": r.number, "title": r.title, "kind": r.kind, "platform": r.platform,
                  "platform_chosen_by": plan.platform_chosen_by, "starting_price_fen": r.starting_price_fen,
                  "deposit_fen": r.deposit_fen, "increment_fen": r.increment_fen, "reduction": reduction_text(r),
                  "announce_on": r.announce_on.isoformat(),
                  "starts_at": timezone.localtime(r.starts_at).isoformat(), "ends_at": timezone.localtime(r.ends_at).isoformat(),
                  "bidding_min_hours": AUCTION.bidding_min_hours, "extension_minutes": AUCTION.extension_minutes,
                  "notice_days": notice_days(asset.kind, relist=r.number > 1),
                  "parties_notified_on": r.parties_notified_on.isoformat() if r.parties_notified_on else None},
        "viewing": plan.viewing,
        "encumbrances": {"declared": plan.encumbrances,
                         "other_measures": [{"court": m.case.court.name, "case_number": m.case.case_number, "measure": m.kind,
                                             "status": m.status, "queue_rank": m.queue_rank,
                                             "started_on": m.started_on.isoformat()} for m in other_holds(r)]},
        "taxes": plan.taxes,
        "priority_holders": plan.priority_holders,
        "documents": documents,
        "citations": [AUCTION.min_start_citation, AUCTION.notice_citation, AUCTION.deposit_citation,
                      AUCTION.bidding_citation, AUCTION.parties_notice_citation, REFERENCE.validity_citation]
                     + ([AUCTION.relist_citation] if r.number > 1 else []),
    }


LABELS = {
    "schema": "格式", "court": "法院", "case": "案件", "asset": "拍卖标的", "reference_price": "参考价", "round": "拍卖",
    "viewing": "看样安排", "encumbrances": "权利负担", "taxes": "税费负担", "priority_holders": "优先购买权人、优先债权人",
    "documents": "文书", "citations": "法律依据", "name": "名称", "code": "代字", "number": "编号/轮次", "applicants": "申请执行人",
    "respondents": "被执行人", "handler": "承办人", "contact": "联系人及电话", "id": "财产编号", "kind": "类别代码",
    "kind_name": "类别", "description": "描述", "owner": "权利人", "details": "财产信息", "method": "确定方式代码",
    "method_name": "确定方式", "price_fen": "参考价（分）", "result_on": "结果日期", "valid_until": "有效期至", "source": "依据",
    "report_number": "报告编号", "title": "名称", "platform": "平台", "platform_chosen_by": "平台选定",
    "starting_price_fen": "起拍价（分）", "deposit_fen": "保证金（分）", "increment_fen": "加价幅度（分）", "reduction": "降价",
    "announce_on": "公告日期", "starts_at": "竞价开始", "ends_at": "竞价结束", "bidding_min_hours": "竞价时间不少于（小时）",
    "extension_minutes": "延时（分钟）", "notice_days": "公告期（日）", "parties_notified_on": "通知当事人日期",
    "declared": "已知权利负担", "other_measures": "其他查封、扣押、冻结",
}


def flatten(data, prefix: str = "") -> list[tuple[str, str]]:
    """(field path in Chinese, value) for every leaf: the rows of the XLSX and the field count."""
    rows: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            rows.extend(flatten(value, f"{prefix}{LABELS.get(key, key)}" + ("·" if isinstance(value, dict | list) else "")))
    elif isinstance(data, list):
        for i, value in enumerate(data, start=1):
            rows.extend(flatten(value, f"{prefix}{i}" + ("·" if isinstance(value, dict | list) else "")))
        if not data:
            rows.append((prefix.rstrip("·"), ""))
    else:
        rows.append((prefix, "" if data is None else str(data)))
    return rows


def listing_xlsx(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "挂拍信息"
    sheet.append(["字段", "内容"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for label, value in flatten(data):
        sheet.append([label, value])
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 80
    measures = book.create_sheet("权利负担")
    measures.append(["法院", "案号", "措施", "状态", "顺位", "起始日"])
    for m in data["encumbrances"]["other_measures"]:
        measures.append([m["court"], m["case_number"], m["measure"], m["status"], m["queue_rank"], m["started_on"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_documents(r: AuctionRound, actor: User, version: int) -> list[tuple[str, str, str, bytes]]:
    """(code, title, file name, .docx bytes) of the three documents, filled from the case and the round."""
    spec = DOCUMENT_KINDS["ruling_auction"]
    blobs = {code: doc_templates.blob(code) for code, _, _ in DOCUMENTS}
    needed: set[str] = set()
    for blob in blobs.values():
        needed |= needed_names(hashlib.sha256(blob).hexdigest(), blob)
    loaded = doc_context.load_cases([r.case_id], needed)[r.case_id]
    base = doc_context.case_context(loaded, spec, needed=needed - {"auction", "recipients"}, extras={}, actor=actor,
                                    version=version)
    base["auction"] = auction_fields(r)
    base["recipients"] = recipients(r, loaded.parties)
    out = []
    for code, title, file_name in DOCUMENTS:
        context = dict(base, document=dict(base["document"], title=title.split("（")[0]))
        out.append((code, title, file_name, render_docx(blobs[code], context)))
    return out


def listing_package_generate(*, actor: User, round: AuctionRound) -> ListingPackage:  # noqa: A002
    """一键挂拍: the package of a round not yet held (planned or announced), as a new version each time."""
    started = time.perf_counter()
    ensure_can_act(actor, round.court_id)
    ensure_role(actor, LISTING_ROLES, "生成挂拍材料")
    with transaction.atomic():
        case = lock_case(round.case)
        r = (AuctionRound.objects.select_related("plan", "plan__asset", "reference", "case", "case__court", "case__handler")
             .get(pk=round.pk))
        if r.status not in OPEN_ROUND_STATUSES:
            raise DomainError(f"该轮{r.get_status_display()}，不再生成挂拍材料", code="round_closed")
        version = (ListingPackage.objects.filter(round=r).aggregate(v=Max("version"))["v"] or 0) + 1
        rendered = render_documents(r, actor, version)
        documents, files = [], []
        for code, title, file_name, blob in rendered:
            stored = store_file(blob)
            documents.append({"kind": code, "title": title, "file": file_name, "sha256": stored.sha256})
            files.append((file_name, blob))
        data = listing_data(r, documents)
        data["generated_at"] = timezone.localtime().isoformat(timespec="seconds")
        data["version"] = version
        fields = len(flatten(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("listing.json", json.dumps(data, ensure_ascii=False, indent=2))
            archive.writestr("listing.xlsx", listing_xlsx(data))
            for file_name, blob in files:
                archive.writestr(file_name, blob)
        stored = store_file(out.getvalue())
        name = f"挂拍材料-{case.case_number}-{r.title}-第{version}版.zip"
        package = ListingPackage.objects.create(
            court_id=case.court_id, case=case, round=r, version=version, file=stored, file_name=name[:200], fields=fields,
            documents=documents, generated_by=actor, generated_at=timezone.now(),
            milliseconds=int((time.perf_counter() - started) * 1000))
        _log(case, actor, f"生成挂拍材料第{version}版（{r.title}，{fields}项字段、{len(documents)}份文书，SHA-256 {stored.sha256[:12]}…）",
             after={"package": package.pk, "round": r.pk, "version": version, "sha256": stored.sha256, "fields": fields,
                    "documents": documents, "starting_price_fen": r.starting_price_fen})
    return package


def package_get_for_user(*, user: User, pk: int) -> ListingPackage:
    from zhixing.cases.selectors import visible_court_ids

    package = ListingPackage.objects.select_related("file", "case").filter(pk=pk).first()
    court_ids = visible_court_ids(user)
    if package is None or (court_ids is not None and package.court_id not in court_ids):
        raise NotFound("挂拍材料不存在")
    return package

