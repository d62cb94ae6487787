"""DOCX → PDF through LibreOffice: Chinese text must reach both the text layer and the rendered page.

The conversion tests skip where LibreOffice or poppler-utils are missing; the error-path tests use a fake
soffice script and run everywhere.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from zhixing.documents import pdf

TITLE = "执行裁定书"
TEXTS = ["北京市海淀区人民法院", TITLE, "（2026）京0108执1234号", "人民币壹拾万元零伍分"]
# Fonts that can draw Chinese; if none is embedded, LibreOffice fell back to a Latin font (tofu boxes).
CJK_FONT = re.compile(r"CJK|SourceHan|WenQuanYi|DroidSansFallback|AR ?PL|SimSun|SimHei|FangSong|KaiTi", re.I)


def build_docx(marker: str = "") -> bytes:
    document = docx.Document()
    # Court templates ask for 仿宋, absent on Linux: the fallback must still be a CJK font.
    normal = document.styles["Normal"]
    normal.font.name = "仿宋"
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    court = document.add_paragraph("北京市海淀区人民法院")
    court.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(TITLE)
    run.bold = True
    run.font.size = Pt(22)
    document.add_paragraph("（2026）京0108执1234号").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph("被执行人应支付人民币壹拾万元零伍分。")
    if marker:
        document.add_paragraph(marker)
    table = document.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    for (r, c), text in {(0, 0): "申请执行人", (0, 1): "张三", (1, 0): "被执行人", (1, 1): "李四"}.items():
        table.cell(r, c).text = text
    document.sections[0].footer.paragraphs[0].text = "本件与原本核对无异"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def require_tools() -> None:
    if pdf.soffice_path() is None:
        pytest.skip("未安装 LibreOffice（soffice）：跳过 PDF 转换测试（Debian: libreoffice-writer-nogui）")
    missing = [tool for tool in ("pdftotext", "pdftoppm", "pdffonts") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"缺少 {', '.join(missing)}：跳过 PDF 检查（Debian: poppler-utils）")


def pdf_text(data: bytes, tmp_path, name: str = "doc") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=30)
    return re.sub(r"\s+", "", out.stdout.decode("utf-8"))  # pdftotext spaces out mixed CJK/Latin runs


def read_pgm(data: bytes) -> tuple[int, int, bytes]:
    """Binary PGM (P5, 8-bit): header, then one byte per pixel, row by row."""
    match = re.match(rb"P5\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert match, data[:40]
    width, height, maxval = map(int, match.groups())
    assert maxval == 255
    pixels = data[match.end() : match.end() + width * height]
    assert len(pixels) == width * height
    return width, height, pixels


@pytest.fixture(scope="module")
def converted() -> bytes:
    require_tools()
    return pdf.docx_to_pdf(build_docx())


def test_the_pdf_text_layer_holds_the_chinese_text(converted, tmp_path):
    assert converted.startswith(b"%PDF")
    text = pdf_text(converted, tmp_path)
    for expected in [*TEXTS, "申请执行人", "李四", "本件与原本核对无异"]:
        assert expected in text, text


def test_a_cjk_font_is_embedded(converted, tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(converted)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, timeout=30)
    output = listing.stdout.decode("utf-8", errors="replace")
    embedded = []
    for line in output.splitlines()[2:]:
        # name, type (may contain spaces), encoding, then emb sub uni and the object id
        match = re.match(r"(\S+)\s.*\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line)
        if match and match.group(2) == "yes":
            embedded.append(match.group(1))
    assert any(CJK_FONT.search(name) for name in embedded), f"no embedded CJK font:\n{output}"


def test_the_title_is_drawn_on_page_one(converted, tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(converted)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-gray", "-f", "1", "-l", "1", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=30,
    )
    width, height, pixels = read_pgm((tmp_path / "page.pgm").read_bytes())
    # Court name and the 22 pt bold title sit in the top quarter below a 1-inch margin (≈50 px here).
    top = pixels[: width * (height // 4)]
    dark = sum(1 for value in top if value < 128)
    assert dark > 200, f"only {dark} dark pixels where the title should be"
    bottom = pixels[width * (height // 2) : width * (height * 3 // 4)]  # empty part of the page
    assert sum(1 for value in bottom if value < 128) < dark / 10


def test_a_batch_is_converted_in_one_soffice_call_and_keeps_its_order(monkeypatch, tmp_path):
    require_tools()
    calls = []
    real_popen = subprocess.Popen

    class SpyPopen(real_popen):  # still launches the real process
        def __init__(self, args, *rest, **kwargs):
            if "--convert-to" in list(args):
                calls.append(list(args))
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", SpyPopen)
    markers = ["标记甲壹号", "标记乙贰号", "标记丙叁号"]
    results = pdf.docx_to_pdf_many([build_docx(m) for m in markers], names=["甲", "乙", "丙"])
    assert len(calls) == 1
    assert sum(arg.endswith(".docx") for arg in calls[0]) == 3
    assert len(results) == 3
    for i, (data, marker) in enumerate(zip(results, markers, strict=True)):
        text = pdf_text(data, tmp_path, f"batch{i}")
        assert marker in text
        assert not any(other in text for other in markers if other != marker)


# Each converter: (its executable lookup, its availability check, its setting, how it is called, what
# the Chinese explanation must say when the executable is missing).
CONVERTERS = {
    "libreoffice": ("soffice_path", "pdf_available", "ZHIXING_SOFFICE", lambda: pdf.docx_to_pdf(build_docx()),
                    ("未安装 LibreOffice", "DOCX", "libreoffice-writer-nogui")),
    "chromium": ("chromium_path", "html_pdf_available", "ZHIXING_CHROMIUM", lambda: pdf.html_to_pdf(REPORT),
                 ("服务器未安装 Chromium", "另存为 PDF", "chromium")),
}


@pytest.mark.parametrize("converter", CONVERTERS)
def test_without_the_converter_a_chinese_explanation_is_raised(monkeypatch, converter):
    lookup, available, _setting, convert, phrases = CONVERTERS[converter]
    monkeypatch.setattr(pdf, lookup, lambda: None)
    assert getattr(pdf, available)() is False
    with pytest.raises(pdf.PdfUnavailable) as excinfo:
        convert()
    message = str(excinfo.value)
    assert all(phrase in message for phrase in phrases), message


@pytest.mark.parametrize("converter", CONVERTERS)
def test_a_setting_pointing_nowhere_means_unavailable(settings, converter):
    lookup, available, setting, _convert, _phrases = CONVERTERS[converter]
    setattr(settings, setting, "/nonexistent/" + converter)
    assert getattr(pdf, lookup)() is None
    assert getattr(pdf, available)() is False


def test_input_that_is_not_docx_is_refused_before_calling_soffice(monkeypatch):
    monkeypatch.setattr(pdf, "_run_soffice", lambda *a: pytest.fail("soffice must not run"))
    with pytest.raises(pdf.PdfFailed, match="不是有效的 DOCX 文件：乙"):
        pdf.docx_to_pdf_many([build_docx(), b"not a docx"], names=["甲", "乙"])


def fake_soffice(settings, tmp_path, script: str) -> None:
    path = tmp_path / "soffice"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    settings.ZHIXING_SOFFICE = str(path)


def test_a_crash_reports_the_soffice_output(settings, tmp_path):
    fake_soffice(settings, tmp_path, 'echo "Error: 字体配置损坏" >&2\nexit 81\n')
    with pytest.raises(pdf.PdfFailed, match="退出码 81") as excinfo:
        pdf.docx_to_pdf(build_docx())
    assert "字体配置损坏" in str(excinfo.value)


def test_missing_output_names_the_failed_documents(settings, tmp_path):
    fake_soffice(settings, tmp_path, 'echo "Error: source file could not be loaded" >&2\nexit 0\n')
    with pytest.raises(pdf.PdfFailed) as excinfo:
        pdf.docx_to_pdf_many([build_docx(), build_docx()], names=["执行通知书", "报告财产令"])
    message = str(excinfo.value)
    assert "执行通知书" in message and "报告财产令" in message and "could not be loaded" in message


def test_a_hung_soffice_is_killed_with_its_children(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "BASE_TIMEOUT", 0.5)
    monkeypatch.setattr(pdf, "PER_FILE_TIMEOUT", 0)
    # Like the real wrapper, the script forks a child that would keep the output pipes open.
    fake_soffice(settings, tmp_path, f"{shutil.which('sleep') or '/bin/sleep'} 30 &\nwait\n")
    started = time.monotonic()
    with pytest.raises(pdf.PdfFailed, match="超时"):
        pdf.docx_to_pdf(build_docx())
    assert time.monotonic() - started < 10


# ---------------------------------------------------------------- HTML → PDF through Chromium (the printable reports)


REPORT = "<!doctype html><html><head><meta charset='utf-8'><style>@page { size: A4 }</style></head>" \
         "<body><h1>执行工作质效指标报告</h1><p>实际执结率 61.25%</p></body></html>"


def fake_chromium(settings, tmp_path, script: str) -> None:
    path = tmp_path / "chromium"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    settings.ZHIXING_CHROMIUM = str(path)


def test_the_report_html_is_printed_with_its_chinese_text(tmp_path):
    if not pdf.html_pdf_available():
        pytest.skip("未安装 Chromium：跳过 HTML → PDF 测试（Debian: chromium）")
    if shutil.which("pdftotext") is None:
        pytest.skip("缺少 pdftotext：跳过 PDF 检查（Debian: poppler-utils）")
    data = pdf.html_to_pdf(REPORT)
    assert data.startswith(b"%PDF-")
    assert "执行工作质效指标报告" in pdf_text(data, tmp_path, "report")


def test_chromium_without_a_pdf_reports_its_output(settings, tmp_path):
    fake_chromium(settings, tmp_path, 'echo "ERROR: 无法连接显示服务" >&2\nexit 0\n')  # exit 0 is not trusted
    with pytest.raises(pdf.PdfFailed, match="Chromium 未能生成 PDF（退出码 0）") as excinfo:
        pdf.html_to_pdf(REPORT)
    assert "无法连接显示服务" in str(excinfo.value)


def test_a_hung_chromium_is_killed_with_its_children(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "BASE_TIMEOUT", 0.5)
    fake_chromium(settings, tmp_path, f"{shutil.which('sleep') or '/bin/sleep'} 30 &\nwait\n")
    started = time.monotonic()
    with pytest.raises(pdf.PdfFailed, match="Chromium 生成 PDF 超时"):
        pdf.html_to_pdf(REPORT)
    assert time.monotonic() - started < 10
