"""`zhixing documents-batch`: the day's notices from the command line, recorded as a batch."""

from __future__ import annotations

import datetime as dt
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zhixing.documents import pdf, services
from zhixing.documents.models import BatchStatus, DocumentBatch, GeneratedDocument


def test_it_makes_the_days_notices_and_writes_a_zip(judge, make_case, tmp_path):
    today = [make_case(filed_on=dt.date(2026, 11, 25)) for _ in range(2)]
    make_case(filed_on=dt.date(2026, 11, 24))  # another day: not in the batch
    out = StringIO()
    call_command("documents_batch", court="京0108", kind="enforcement_notice", filed_on="2026-11-25",
                 user=judge.username, zip=str(tmp_path / "n.zip"), stdout=out)
    batch = DocumentBatch.objects.get()
    assert batch.status == BatchStatus.DONE and batch.done_count == 2 and "已生成 2 份" in out.getvalue()
    names = zipfile.ZipFile(tmp_path / "n.zip").namelist()
    assert sorted(names) == sorted(f"{c.case_number}_执行通知书_第1版.docx" for c in today)


def test_it_refuses_an_unknown_court_or_a_day_without_cases(judge):
    with pytest.raises(CommandError, match="法院代字"):
        call_command("documents_batch", court="京9999", kind="enforcement_notice", filed_on="2026-11-25",
                     user=judge.username, stdout=StringIO())
    with pytest.raises(CommandError, match="没有案件"):
        call_command("documents_batch", court="京0108", kind="enforcement_notice", filed_on="2026-11-25",
                     user=judge.username, stdout=StringIO())


def test_without_libreoffice_a_pdf_batch_still_makes_the_docx_and_says_why(judge, make_case, courts, monkeypatch):
    case = make_case(filed_on=dt.date(2026, 11, 25))
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    batch = services.batch_create(actor=judge, court=courts["court"], kind="enforcement_notice", case_ids=[case.pk],
                                  selection="x", with_pdf=True, enqueue=False)
    batch = services.batch_run(batch.pk)
    assert batch.status == BatchStatus.DONE and "LibreOffice" in batch.error
    assert GeneratedDocument.objects.get(batch=batch).pdf_id is None
