"""The 财产分配方案 document prints the case's latest plan version — costs, priority claims named with
their rank, the shares and ratios as the plan says — and falls back to the shares worked out from the
sums typed in when the case has no plan."""

from __future__ import annotations

import io

from docx import Document

from zhixing.distribution import services
from zhixing.distribution.choices import Tier
from zhixing.documents import services as documents
from zhixing.documents.formatting import amount_capital

from .conftest import D, at


def text_of(doc) -> str:
    document = Document(io.BytesIO(bytes(doc.file.content)))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def test_the_plan_document_prints_the_latest_version(judge, proceeds, clock):
    clock.move_to(at(D(2026, 11, 20)))
    plan = services.plan_create(actor=judge, case=proceeds.case)
    services.line_save(actor=judge, plan=plan, tier=Tier.COST, creditor_name="评估费", claim_fen=300_000)
    services.line_save(actor=judge, plan=plan, tier=Tier.PRIORITY, creditor_name="某银行", claim_fen=4_000_000,
                       priority_kind="secured", rank=1, basis="抵押登记证明第0005678号")
    text = text_of(documents.document_generate(actor=judge, case=proceeds.case, kind="distribution_plan",
                                               extras={"available": "1.00"}))  # the plan's sums win
    assert "100,000.00元" in text and "3,000.00元" in text and amount_capital(300_000) in text
    assert "某银行（担保物权（抵押、质押、留置），第1顺位优先受偿）" in text
    assert "享有优先受偿权的债权按顺位优先受偿，普通债权按债权比例受偿" in text
    # 57,000 shared 120 : 80 : 50
    assert "27,360.00元" in text and "18,240.00元" in text and "11,400.00元" in text and "22.80%" in text
    assert proceeds.other_court.case_number in text and "评估费" not in text.split("四、分配结果")[1].split("五、")[0]
    services.plan_serve(actor=judge, plan=plan, served_on=D(2026, 11, 20))
    new = services.plan_amend(actor=judge, plan=plan, reason="更正")
    services.line_remove(actor=judge, line=new.lines.get(tier=Tier.PRIORITY))
    text = text_of(documents.document_generate(actor=judge, case=proceeds.case, kind="distribution_plan"))
    assert "某银行" not in text and "46,560.00元" in text  # 97,000 × 120/250


def test_without_a_plan_the_document_still_works_out_the_shares_from_the_sums_typed_in(judge, flat):
    dropped = services.plan_create(actor=judge, case=flat.case, proceeds_fen=1_000)
    services.plan_withdraw(actor=judge, plan=dropped, reason="不予处置")  # a withdrawn draft is not printed
    text = text_of(documents.document_generate(actor=judge, case=flat.case, kind="distribution_plan",
                                               extras={"available": "100,000.00", "costs": "1,500.00"}))
    # 98,500 shared 120 : 80 : 50 (nothing received yet, so this case's whole claim is owed)
    assert "47,280.00元" in text and "31,520.00元" in text and "19,700.00元" in text
