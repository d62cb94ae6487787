"""The documents of a 执转破 transfer (征询意见书, 移送决定书, 中止执行裁定书, 告知函, 移送材料清单) in the
court style of the built-in templates (documents.builtin.make_templates), filled by docxtpl and
stored once per hash (documents.DocumentFile). Seed 001 case 5 (Wujiang) keeps 25 templates over 7
stages; these are the ones the stages recorded here need."""

from __future__ import annotations

import functools
import io

from django.utils import timezone

from zhixing.accounts.models import User
from zhixing.cases.choices import PartyRole
from zhixing.documents.builtin import make_templates as mt
from zhixing.documents.formatting import amount_capital, amount_digits, date_chinese, date_text

from .choices import TransferDocumentKind
from .models import BankruptcyTransfer, TransferDocument
from .rules import (
    ACCEPTANCE_REVIEW_CITATION,
    BANKRUPTCY_GUIDANCE,
    DECISION_SERVICE_CITATION,
    SUSPENSION_CITATION,
)

CPL_JI = mt.CPL_JI
GUIDANCE = "《最高人民法院关于执行案件移送破产审查若干问题的指导意见》"
CASE_COLUMNS = [("序号", 1.2, "{{ loop.index }}"), ("案号", 4.6, "{{ c.number }}"), ("申请执行人", 4.4, "{{ c.applicants }}"),
                ("未履行金额", 3.4, "{{ c.outstanding }}"), ("状态", 2.0, "{{ c.status }}")]


def _cases_table(doc) -> None:
    g = mt.grid(doc, [c[0] for c in CASE_COLUMNS], [c[1] for c in CASE_COLUMNS])
    mt.table_rows_loop(g, "c in cases", [c[2] for c in CASE_COLUMNS])
    g.label_row("合计", "", "", "{{ transfer.outstanding }}", "", span=1)


def _end(doc, signer: str) -> None:
    mt.para(doc)
    if signer:
        mt.para(doc, signer, indent=False, align="right", right_indent=mt.INDENT)
    mt.para(doc, "{{ document.issued_on }}", indent=False, align="right", right_indent=mt.INDENT)
    mt.para(doc, "{{ seal }}", indent=False, align="right", right_indent=mt.Pt(96))


def _consultation(doc) -> None:
    mt.heading(doc, "执行案件移送破产审查征询意见书")
    mt.salutation(doc, "{{ transfer.addressees }}：")
    mt.para(doc, "本院在执行以{{ transfer.respondent }}为被执行人的下列案件中，经调查，被执行人不能清偿到期债务，"
            "并且资产不足以清偿全部债务或者明显缺乏清偿能力（{{ transfer.opinion }}）。")
    _cases_table(doc)
    mt.para(doc, "依照" + CPL_JI + "第五百一十一条、" + GUIDANCE + "第二条的规定，执行案件移送破产审查须经被执行人"
            "或者任一执行案件的申请执行人书面同意。现征询你方意见：是否同意将上述执行案件移送被执行人住所地人民法院进行破产审查。"
            "请于收到本意见书之日起十日内书面答复本院。")
    _end(doc, "")


def _decision(doc) -> None:
    mt.heading(doc, "移送破产审查决定书")
    mt.para(doc, "本院在执行以{{ transfer.respondent }}（统一社会信用代码{{ transfer.credit_code }}）为被执行人的执行案件中，"
            "{{ transfer.consent }}书面同意将执行案件移送破产审查。经本院执行法官提出意见、合议庭于{{ transfer.panel_on }}评议，"
            "认为被执行人不能清偿到期债务，并且资产不足以清偿全部债务或者明显缺乏清偿能力，符合移送破产审查的条件。")
    mt.para(doc, "依照" + CPL_JI + "第五百一十一条、" + GUIDANCE + "第二条、第三条、第五条的规定，决定如下：")
    mt.para(doc, "将以{{ transfer.respondent }}为被执行人的下列执行案件移送{{ transfer.receiving_court }}进行破产审查：")
    _cases_table(doc)
    mt.para(doc, "本决定于作出之日起五日内送达申请执行人和被执行人。")
    _end(doc, "院长（签署）：＿＿＿＿＿＿")


def _suspension(doc) -> None:
    mt.heading(doc, "执行裁定书")
    mt.para(doc, "本院在执行以{{ transfer.respondent }}为被执行人的执行案件中，已于{{ transfer.decided_on }}决定将执行案件"
            "移送{{ transfer.receiving_court }}进行破产审查。依照" + CPL_JI + "第五百一十一条的规定，裁定如下：")
    mt.para(doc, "中止对被执行人{{ transfer.respondent }}的执行。中止执行的案件：")
    _cases_table(doc)
    mt.para(doc, "受移送法院裁定不予受理或者驳回破产申请的，本院将恢复对被执行人的执行。本裁定送达后立即生效。")
    _end(doc, "审判长　{{ signatures.judge }}")


def _notice(doc) -> None:
    mt.heading(doc, "执行案件移送破产审查告知函")
    mt.salutation(doc, "其他执行被执行人{{ transfer.respondent }}的人民法院：")
    mt.para(doc, "本院已于{{ transfer.decided_on }}作出{{ transfer.decision_number }}决定，将以{{ transfer.respondent }}"
            "（统一社会信用代码{{ transfer.credit_code }}）为被执行人的执行案件移送{{ transfer.receiving_court }}进行破产审查。"
            "依照" + GUIDANCE + "的规定，请贵院中止对该被执行人的执行程序，并将相关情况告知本院。")
    _end(doc, "")


def _materials(doc) -> None:
    mt.heading(doc, "移送材料清单")
    mt.para(doc, "移送{{ transfer.receiving_court }}：以{{ transfer.respondent }}为被执行人的执行案件移送破产审查的材料如下。"
            "受移送法院应当自收到材料之日起三十日内作出是否受理的裁定。")
    g = mt.grid(doc, ["序号", "材料", "说明"], [1.2, 6.4, 8.0])
    mt.table_rows_loop(g, "m in materials", ["{{ loop.index }}", "{{ m.name }}", "{{ m.note }}"])
    mt.para(doc, "执行案件：", keep_with_next=True)
    _cases_table(doc)
    mt.para(doc, "已查明的被执行人财产：", keep_with_next=True)
    g = mt.grid(doc, ["财产", "金额或价值"], [11.0, 4.6])
    mt.table_rows_loop(g, "a in assets", ["{{ a.description }}", "{{ a.value }}"], empty="未发现被执行人的财产")
    _end(doc, "")


BUILDERS = {
    TransferDocumentKind.CONSULTATION: _consultation,
    TransferDocumentKind.DECISION: _decision,
    TransferDocumentKind.SUSPENSION: _suspension,
    TransferDocumentKind.NOTICE: _notice,
    TransferDocumentKind.MATERIALS: _materials,
}


@functools.cache
def template(kind: str) -> bytes:
    doc = mt.new_document(TransferDocumentKind(kind).label)
    BUILDERS[kind](doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _context(transfer: BankruptcyTransfer, actor: User) -> dict:
    from zhixing.property.models import Asset

    moved = list(transfer.moved.select_related("case").order_by("case__filed_on", "case_id"))
    cases = [{"number": m.case.case_number, "applicants": m.case.applicant_names,
              "outstanding": amount_digits(m.case.claim_amount_fen - m.case.performed_amount_fen),
              "status": m.case.get_closing_type_display() if m.case.closing_type else m.case.get_status_display()}
             for m in moved]
    total = sum(m.case.claim_amount_fen - m.case.performed_amount_fen for m in moved)
    addressees = sorted({p.name for m in moved for p in m.case.parties.all() if p.role == PartyRole.APPLICANT})
    assets = list(Asset.objects.filter(owner_identity=transfer.credit_code).order_by("kind", "id"))
    consent = ""
    if transfer.consent_party:
        consent = f"{transfer.get_consent_by_display()}{transfer.consent_party}于{date_text(transfer.consent_on)}"
    issued = timezone.localdate()
    handler = moved[0].case.handler if moved and moved[0].case.handler_id else None
    return {
        "court": {"name": transfer.court.name},
        "document": {"number": transfer.decision_number or (moved[0].case.case_number if moved else ""),
                     "issued_on": date_chinese(issued)},
        "seal": mt_seal(),
        "signatures": {"judge": handler.display_name if handler else actor.display_name},
        "transfer": {
            "respondent": transfer.respondent_name, "credit_code": transfer.credit_code, "opinion": transfer.opinion,
            "addressees": "、".join(addressees + [transfer.respondent_name]), "consent": consent,
            "panel_on": date_text(transfer.panel_on), "decided_on": date_text(transfer.decided_on),
            "decision_number": transfer.decision_number, "receiving_court": transfer.receiving_court or "被执行人住所地人民法院",
            "outstanding": amount_digits(total), "outstanding_capital": amount_capital(total),
        },
        "cases": cases,
        "assets": [{"description": a.description, "value": amount_digits(a.value_fen) if a.value_fen is not None else "未估值"}
                   for a in assets],
        "materials": [
            {"name": "执行案件卷宗（执行依据、立案材料、执行通知书、报告财产令及送达回证）", "note": f"共 {len(cases)} 件"},
            {"name": "被执行人财产调查材料（网络查控反馈、现场调查记录）", "note": "见已查明财产"},
            {"name": "已采取的执行措施（查封、扣押、冻结）及其期限", "note": "受理后由执行法院解除，财产移交管理人"},
            {"name": "债权人名单及申请执行标的", "note": "、".join(addressees)},
            {"name": "申请执行人或被执行人同意移送的书面材料", "note": consent},
            {"name": "移送破产审查决定书、中止执行裁定书", "note": transfer.decision_number},
        ],
    }


def mt_seal() -> str:
    from zhixing.documents.context import SEAL_MARK

    return SEAL_MARK


def generate(*, transfer: BankruptcyTransfer, kind: str, actor: User) -> TransferDocument:
    """Fill and store one document of the transfer (a new version each time). The caller holds the
    transaction and writes the log entries."""
    from zhixing.documents.render import render_docx
    from zhixing.documents.services import store_file

    blob = render_docx(template(kind), _context(transfer, actor))
    last = TransferDocument.objects.filter(transfer=transfer, kind=kind).order_by("-version").values_list("version", flat=True).first()
    return TransferDocument.objects.create(court_id=transfer.court_id, transfer=transfer, kind=kind, version=(last or 0) + 1,
                                           file=store_file(blob), generated_by=actor, generated_at=timezone.now())


CITATIONS = {
    TransferDocumentKind.CONSULTATION: BANKRUPTCY_GUIDANCE + "第2条",
    TransferDocumentKind.DECISION: DECISION_SERVICE_CITATION,
    TransferDocumentKind.SUSPENSION: SUSPENSION_CITATION,
    TransferDocumentKind.NOTICE: BANKRUPTCY_GUIDANCE,
    TransferDocumentKind.MATERIALS: ACCEPTANCE_REVIEW_CITATION,
}
