"""批量导入: CSV/XLSX files in, cases out — every bad row reported, nothing half-imported, nothing twice."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from zhixing.cases import imports, services
from zhixing.cases.exceptions import NotAllowed, ValidationFailed
from zhixing.cases.imports import cases_import
from zhixing.cases.inputs import parse_case
from zhixing.cases.models import CaseNumberSequence, EnforcementCase, ImportBatch, LogEntry
from zhixing.demo.identity import make_credit_code, make_id_number
from zhixing.testing.fixtures import case_payload

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "import-example.csv"

HEADER = [
    "案件编号",
    "案号",
    "法院代字",
    "案件类型",
    "立案日期",
    "依据文书号",
    "作出机关",
    "生效日期",
    "判决主文",
    "本金（元）",
    "利息（元）",
    "费用（元）",
    "迟延履行利息（元）",
    "当事人地位",
    "当事人类型",
    "姓名或名称",
    "证件号码",
    "法定代表人",
    "联系电话",
    "地址",
]

_serial = iter(range(1, 1000))


def person_id() -> str:
    n = next(_serial)
    return make_id_number(birth_on=dt.date(1970, 1, 1) + dt.timedelta(days=97 * n), serial=n)


def unit_code() -> str:
    return make_credit_code(random.Random(next(_serial)))


def case_row(
    key,
    role="申请执行人",
    kind="自然人",
    name="张三",
    number=None,
    *,
    court="京0108",
    filed="2025-03-10",
    effective="2025-01-15",
    principal="100000",
    **more,
) -> dict:
    """The first row of a case: the case-level columns and one party."""
    if number is None:
        number = person_id() if kind in ("自然人", "natural_person") else unit_code()
    return {
        "案件编号": key,
        "法院代字": court,
        "立案日期": filed,
        "依据文书号": f"（2024）京0108民初{key}号",
        "作出机关": "北京市海淀区人民法院",
        "生效日期": effective,
        "本金（元）": principal,
        "当事人地位": role,
        "当事人类型": kind,
        "姓名或名称": name,
        "证件号码": number,
        **more,
    }


def party_row(key, role="被执行人", kind="自然人", name="李四", number=None, **more) -> dict:
    """A further party of a case: only the key and the party columns."""
    if number is None:
        number = person_id() if kind in ("自然人", "natural_person") else unit_code()
    return {
        "案件编号": key,
        "当事人地位": role,
        "当事人类型": kind,
        "姓名或名称": name,
        "证件号码": number,
        **more,
    }


def to_csv(rows: list[dict], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def to_xlsx(rows: list[dict]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row.get(h) for h in HEADER])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def three_cases() -> list[dict]:
    return [
        case_row(
            "1", name="张三", principal="100000", **{"利息（元）": "2345.67", "联系电话": "13800138000"}
        ),
        party_row("1", kind="法人", name="北京某某科技有限公司", 法定代表人="李四"),
        case_row(
            "2",
            kind="法人",
            name="北京某某商贸有限公司",
            principal="50,000.50",
            filed="2025/04/02",
            effective="2025年2月20日",
            **{"费用（元）": "1200"},
        ),
        party_row("2", name="赵六"),
        party_row("2", name="钱七"),
        case_row("3", name="孙八", principal="8000"),
        case_row("3", role="被执行人", kind="非法人组织", name="某某餐饮店", principal="8000.00"),
    ]


def errors_of(exc: ValidationFailed) -> list[tuple]:
    return [(e.row, e.field, e.message) for e in exc.errors]


# ---------------------------------------------------------------- importing


def test_a_clean_csv_registers_every_case_with_its_parties_and_claims(judge):
    result = cases_import(actor=judge, file_name="旧系统导出.csv", content=to_csv(three_cases()))

    assert result.created == 3 and not result.already_imported
    assert result.message.startswith("已导入3件案件（旧系统导出.csv）")
    cases = list(EnforcementCase.objects.order_by("pk"))
    assert [c.case_number for c in cases] == result.case_numbers
    assert [c.claim_amount_fen for c in cases] == [10_234_567, 5_120_050, 800_000]
    assert [c.filed_on for c in cases] == [dt.date(2025, 3, 10), dt.date(2025, 4, 2), dt.date(2025, 3, 10)]
    assert {c.source for c in cases} == {"import"}
    second = cases[1]
    assert [(p.role, p.kind, p.name) for p in second.parties.order_by("position")] == [
        ("applicant", "legal_person", "北京某某商贸有限公司"),
        ("respondent", "natural_person", "赵六"),
        ("respondent", "natural_person", "钱七"),
    ]
    assert second.respondent_names == "赵六、钱七"
    assert second.basis.effective_on == dt.date(2025, 2, 20)
    assert sorted(second.claims.values_list("kind", "amount_fen")) == [
        ("costs", 120_000),
        ("principal", 5_000_050),
    ]
    assert cases[0].parties.get(role="applicant").phone == "13800138000"
    for case in cases:
        entries = list(LogEntry.objects.filter(case=case))
        assert [(e.action, e.actor_id) for e in entries] == [("register", judge.pk)]
    batch = ImportBatch.objects.get()
    assert (batch.court, batch.case_count, batch.imported_by, batch.file_name) == (
        judge.court,
        3,
        judge,
        "旧系统导出.csv",
    )
    assert set(batch.cases.all()) == set(cases)


def test_the_documented_example_file_imports_cleanly(judge):
    result = cases_import(actor=judge, file_name=EXAMPLE.name, content=EXAMPLE.read_bytes())
    assert result.created == 3
    assert "（2025）京0108执1001号" in result.case_numbers


def test_an_xlsx_with_number_and_date_cells_keeps_every_fen(judge):
    rows = [
        case_row(
            1,
            filed=dt.datetime(2025, 3, 10),
            effective=dt.date(2025, 1, 15),
            principal=12345.6,
            **{"利息（元）": 0.1, "费用（元）": 100, "联系电话": 13800138000},
        ),
        party_row(1),
        case_row(
            2.0, filed=dt.datetime(2025, 3, 11), effective=dt.datetime(2025, 1, 16), principal=99999999.99
        ),
        party_row(2.0, kind="法人", name="某公司"),
    ]
    result = cases_import(actor=judge, file_name="导出.xlsx", content=to_xlsx(rows))

    assert result.created == 2
    first, second = EnforcementCase.objects.order_by("pk")
    assert sorted(first.claims.values_list("kind", "amount_fen")) == [
        ("costs", 10_000),
        ("interest", 10),
        ("principal", 1_234_560),
    ]
    assert first.claim_amount_fen == 1_244_570
    assert first.filed_on == dt.date(2025, 3, 10) and first.basis.effective_on == dt.date(2025, 1, 15)
    assert first.parties.get(role="applicant").phone == "13800138000"
    assert second.claim_amount_fen == 9_999_999_999
    assert second.parties.count() == 2


def test_an_xlsx_amount_with_three_decimals_or_an_id_in_a_number_cell_is_refused(judge):
    rows = [case_row(1, principal=100.125), party_row(1, number=1.1010819800101101e17)]
    with pytest.raises(ValidationFailed) as failure:
        cases_import(actor=judge, file_name="导出.xlsx", content=to_xlsx(rows))
    assert [(r, f) for r, f, _m in errors_of(failure.value)] == [(2, "本金（元）"), (3, "证件号码")]
    assert "100.125" in failure.value.errors[0].message
    assert "文本" in failure.value.errors[1].message
    assert not EnforcementCase.objects.exists()


def test_a_gb18030_csv_from_an_old_court_system_is_read(judge):
    rows = [case_row("A", name="欧阳𬌗"), party_row("A", kind="法人", name="北京市海淀区某某镕业有限公司")]
    result = cases_import(actor=judge, file_name="gbk.csv", content=to_csv(rows, encoding="gb18030"))

    assert result.created == 1
    case = EnforcementCase.objects.get()
    assert case.applicant_names == "欧阳𬌗"
    assert case.respondent_names == "北京市海淀区某某镕业有限公司"


def test_english_headers_and_case_values_repeated_on_every_row_are_accepted(judge):
    rows = [
        case_row("1", role="applicant", kind="natural_person"),
        case_row(
            "1",
            role="respondent",
            kind="natural_person",
            name="李四",
            principal="100000.00",
            filed="2025/3/10",
        ),
    ]
    english = {
        "案件编号": "case_key",
        "法院代字": "court_code",
        "立案日期": "filed_on",
        "依据文书号": "document_number",
        "作出机关": "issuing_court",
        "生效日期": "effective_on",
        "本金（元）": "principal",
        "当事人地位": "role",
        "当事人类型": "kind",
        "姓名或名称": "name",
        "证件号码": "id_number",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(english.values()))
    writer.writeheader()
    writer.writerows({english[k]: v for k, v in row.items()} for row in rows)
    assert cases_import(actor=judge, file_name="en.csv", content=out.getvalue().encode()).created == 1


# ---------------------------------------------------------------- refusing


def test_every_bad_row_is_reported_and_nothing_is_imported(judge):
    valid = person_id()
    wrong_check_digit = valid[:17] + ("1" if valid[17] == "0" else "0")
    rows = [
        case_row("1", effective=""),  # row 2
        party_row("1", number=wrong_check_digit, 生效日期="2026-02-30"),  # row 3
        case_row("2"),  # row 4
        party_row("2"),  # row 5
        party_row("3", role="申请执行人"),  # row 6
        case_row("3", role="被执行人", filed="2025-03-10", effective="2025-04-01", principal=""),  # row 7
    ]
    with pytest.raises(ValidationFailed) as failure:
        cases_import(actor=judge, file_name="bad.csv", content=to_csv(rows))

    found = errors_of(failure.value)
    assert [(row, field) for row, field, _ in found] == [
        (3, "生效日期"),
        (3, "证件号码"),
        (7, "生效日期"),
        (7, "本金（元）"),
    ]
    assert "不是存在的日期" in found[0][2]
    assert "校验位错误" in found[1][2]
    assert "晚于立案日期" in found[2][2]
    assert found[3][2] == "缺少金额"
    assert failure.value.message.startswith("导入失败，2行共4处错误，未导入任何案件")
    assert not EnforcementCase.objects.exists() and not ImportBatch.objects.exists()


def test_an_unknown_court_code_is_reported_on_every_row_of_its_case(judge):
    rows = [case_row("1", court="京9999"), party_row("1"), case_row("2"), party_row("2")]
    with pytest.raises(ValidationFailed) as failure:
        cases_import(actor=judge, file_name="a.csv", content=to_csv(rows))
    assert errors_of(failure.value) == [
        (2, "法院代字", "法院代字 京9999 不存在"),
        (3, "法院代字", "法院代字 京9999 不存在"),
    ]
    assert not EnforcementCase.objects.exists()


def test_a_later_row_contradicting_its_case_is_an_error_on_that_row(judge):
    rows = [
        case_row("1", filed="2025-03-10"),
        party_row("1", 立案日期="2025-03-11"),
        party_row("1", 立案日期="2025/3/10", name="王五"),
    ]
    with pytest.raises(ValidationFailed) as failure:
        cases_import(actor=judge, file_name="a.csv", content=to_csv(rows))
    assert [(r, f) for r, f, _ in errors_of(failure.value)] == [(3, "立案日期")]
    assert "第2行" in failure.value.errors[0].message


def test_a_blank_party_choice_says_it_is_required(judge):
    rows = [case_row("1"), party_row("1", role="")]
    with pytest.raises(ValidationFailed) as failure:
        cases_import(actor=judge, file_name="a.csv", content=to_csv(rows))
    found = errors_of(failure.value)
    assert (3, "当事人地位") in [(r, f) for r, f, _ in found]
    assert any(m.startswith("必填（可选：") for _r, _f, m in found)


@pytest.mark.parametrize(
    ("file_name", "content", "message"),
    [
        ("a.csv", b"", "文件为空"),
        ("a.xlsx", b"PK\x03\x04 not really a zip", "无法读取 XLSX 文件"),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "不支持旧版 Excel"),
        ("a.pdf", b"%PDF-1.4\x00\x01\x02", "不是 CSV 文本文件"),
        ("a.csv", "案件编号,法院代字\n".encode(), "缺少必需的列：立案日期、依据文书号"),
        ("a.csv", ",".join(HEADER).encode() + b"\n", "没有数据行"),
        ("a.csv", "<html><body>案件</body></html>".encode(), "没有识别出任何列"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(judge, file_name, content, message):
    with pytest.raises(ValidationFailed) as failure:
        cases_import(actor=judge, file_name=file_name, content=content)
    assert message in failure.value.message


def test_a_missing_required_column_is_named(judge):
    content = to_csv([case_row("1"), party_row("1")]).decode("utf-8-sig").replace("法院代字", "法院")
    with pytest.raises(ValidationFailed) as failure:
        cases_import(actor=judge, file_name="a.csv", content=content.encode())
    assert failure.value.message == "缺少必需的列：法院代字"


def test_importing_cases_of_another_court_is_refused(judge, other_judge):
    rows = [case_row("1", court="京0102"), party_row("1")]
    with pytest.raises(ValidationFailed) as failure:
        cases_import(actor=judge, file_name="a.csv", content=to_csv(rows))
    assert [(r, f) for r, f, _ in errors_of(failure.value)] == [(2, "法院代字"), (3, "法院代字")]
    assert failure.value.errors[0].message.startswith("只能导入本院案件")

    with pytest.raises(ValidationFailed):
        cases_import(actor=other_judge, file_name="a.csv", content=to_csv([case_row("1"), party_row("1")]))
    assert not EnforcementCase.objects.exists()


def test_a_role_that_may_not_register_may_not_import(bailiff):
    with pytest.raises(NotAllowed):
        cases_import(actor=bailiff, file_name="a.csv", content=to_csv([case_row("1"), party_row("1")]))


# ---------------------------------------------------------------- once, and all or nothing


def test_the_same_file_imported_twice_is_registered_once(judge, clerk):
    content = to_csv(three_cases())
    first = cases_import(actor=judge, file_name="a.csv", content=content)
    again = cases_import(actor=clerk, file_name="改了名字.csv", content=content)

    assert again.created == 0 and again.already_imported
    assert again.message.startswith("该文件已于")
    assert "由张法官导入（3件案件），本次未重复导入。" in again.message
    assert again.case_numbers == first.case_numbers
    assert EnforcementCase.objects.count() == 3 and ImportBatch.objects.count() == 1


def test_old_case_numbers_are_kept_and_new_numbers_continue_after_them(judge, make_case):
    rows = [
        case_row("1", filed="2024-05-01", effective="2024-03-01"),
        party_row("1"),
        case_row("2", filed="2024-05-02", effective="2024-03-01", 案号="（2024）京0108执123号"),
        party_row("2"),
        case_row("3", filed="2024-05-03", effective="2024-03-01", 案号="(2024)京0108执200号"),
        party_row("3"),
    ]
    result = cases_import(actor=judge, file_name="a.csv", content=to_csv(rows))

    # The case without a number comes first in the file, yet is numbered after the highest old one.
    assert result.case_numbers == ["（2024）京0108执201号", "（2024）京0108执123号", "（2024）京0108执200号"]
    assert make_case(filed_on=dt.date(2024, 6, 1)).case_number == "（2024）京0108执202号"
    assert make_case().case_number.endswith("执1号")  # this year's numbering is untouched


def test_an_old_case_number_already_registered_or_repeated_in_the_file_is_refused(judge):
    services.case_register(
        actor=judge,
        data=parse_case(case_payload(filed_on=dt.date(2024, 5, 1), case_number="（2024）京0108执7号")),
    )
    rows = [
        case_row("1", filed="2024-05-01", effective="2024-03-01", 案号="（2024）京0108执7号"),
        party_row("1"),
        case_row("2", filed="2024-05-01", effective="2024-03-01", 案号="（2024）京0108执8号"),
        party_row("2"),
        case_row("3", filed="2024-05-01", effective="2024-03-01", 案号="(2024)京0108执8号"),
        party_row("3"),
        case_row("4", filed="2025-05-01", effective="2024-03-01", 案号="（2024）京0108执9号"),
        party_row("4"),
    ]
    with pytest.raises(ValidationFailed) as failure:
        cases_import(actor=judge, file_name="a.csv", content=to_csv(rows))
    found = errors_of(failure.value)
    assert [(r, f) for r, f, _ in found] == [(2, "案号"), (6, "案号"), (8, "案号")]
    assert "已存在" in found[0][2]
    assert "与第4行重复" in found[1][2]
    assert "收案年度 2024 与立案日期 2025-05-01 不符" in found[2][2]


def test_a_failure_while_writing_rolls_back_the_whole_file(judge, monkeypatch):
    services.case_register(
        actor=judge,
        data=parse_case(case_payload(filed_on=dt.date(2024, 5, 1), case_number="（2024）京0108执7号")),
    )
    # Someone registers the number between our check and our write: only the write can notice.
    monkeypatch.setattr(imports, "_numbers_in_use", lambda numbers: set())
    rows = [
        case_row("1", filed="2024-05-01", effective="2024-03-01"),
        party_row("1"),
        case_row("2", filed="2024-05-01", effective="2024-03-01"),
        party_row("2"),
        case_row("3", filed="2024-05-01", effective="2024-03-01", 案号="（2024）京0108执7号"),
        party_row("3"),
    ]
    with pytest.raises(ValidationFailed) as failure:
        cases_import(actor=judge, file_name="a.csv", content=to_csv(rows))

    assert errors_of(failure.value) == [(6, "案号", "案号 （2024）京0108执7号 已存在")]
    assert EnforcementCase.objects.count() == 1
    assert LogEntry.objects.count() == 1
    assert not ImportBatch.objects.exists()
    assert CaseNumberSequence.objects.get(year=2024).last_value == 7


def test_an_upload_racing_an_identical_one_reports_it_as_imported(judge, monkeypatch):
    content = to_csv(three_cases())
    cases_import(actor=judge, file_name="a.csv", content=content)
    # The twin passed the first look before the other had committed; the unique index stops it.
    real = imports._already_imported
    looks = iter([None])
    monkeypatch.setattr(
        imports, "_already_imported", lambda court, digest: next(looks, None) or real(court, digest)
    )

    again = cases_import(actor=judge, file_name="a.csv", content=content)

    assert again.already_imported and again.created == 0
    assert EnforcementCase.objects.count() == 3


@pytest.mark.postgres_only
def test_two_identical_uploads_at_once_import_the_file_once(log_flushable, judge, monkeypatch):
    content = to_csv(three_cases())
    # Both uploads pass every check before either writes: the database must settle it.
    both_checked = threading.Barrier(2, timeout=30)
    real_write = imports.write

    def write_together(**kwargs):
        both_checked.wait()
        return real_write(**kwargs)

    monkeypatch.setattr(imports, "write", write_together)

    def upload(_):
        try:
            return cases_import(actor=judge, file_name="a.csv", content=content)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(upload, range(2)))
    assert sorted(r.already_imported for r in results) == [False, True]
    assert EnforcementCase.objects.count() == 3 and ImportBatch.objects.count() == 1


# ---------------------------------------------------------------- interfaces


def test_the_api_imports_a_file_then_says_it_was_already_imported(client, judge):
    client.force_login(judge)
    content = to_csv(three_cases())

    def post():
        return client.post("/api/v1/cases/import", {"file": SimpleUploadedFile("a.csv", content, "text/csv")})

    first = post()
    assert first.status_code == 201, first.content
    assert first.json()["created"] == 3 and len(first.json()["case_numbers"]) == 3
    second = post()
    assert second.status_code == 200
    assert second.json()["already_imported"] is True and second.json()["created"] == 0


def test_the_api_lists_every_bad_row(client, judge):
    client.force_login(judge)
    content = to_csv([case_row("1", principal=""), party_row("1")])
    response = client.post("/api/v1/cases/import", {"file": SimpleUploadedFile("a.csv", content, "text/csv")})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "本金（元）", "message": "缺少金额", "row": 2}]


def test_the_command_imports_a_file_and_reports_errors_line_by_line(judge, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(to_csv(three_cases()))
    out = io.StringIO()
    call_command("import_cases", str(good), user="judge", stdout=out)
    assert "已导入3件案件" in out.getvalue()

    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_csv([case_row("1", principal=""), party_row("1", number="110108198001010010")]))
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_cases", str(bad), user="judge", stderr=err)
    assert "未导入任何案件" in str(failure.value)
    lines = err.getvalue().splitlines()
    assert "第2行 本金（元）：缺少金额" in lines
    assert any(line.startswith("第3行 证件号码：身份证号校验位错误") for line in lines)
    assert EnforcementCase.objects.count() == 3


def test_the_command_refuses_an_unknown_user(db, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"x")
    with pytest.raises(CommandError, match="用户 nobody 不存在"):
        call_command("import_cases", str(path), user="nobody")
