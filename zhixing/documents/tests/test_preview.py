"""HTML preview of a DOCX, the fallback when no PDF can be produced: order, layout hints, and escaping."""

from __future__ import annotations

import io
import re

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt

from zhixing.documents.preview import docx_to_html


def save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def build_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("北京市海淀区人民法院").alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("执行裁定书")
    run.bold = True
    run.font.size = Pt(22)
    document.add_paragraph("（2026）京0108执1234号").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).text = "当事人"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "申请执行人张三"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "被执行人"
    table.cell(1, 1).text = "李四"
    table.cell(2, 1).text = "王五"
    document.add_paragraph("被执行人应支付人民币壹拾万元零伍分。")
    document.add_paragraph('<script>alert("x")</script> & 1 < 2')
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("第二页")
    document.sections[0].footer.paragraphs[0].text = "本件与原本核对无异"
    return save(document)


@pytest.fixture(scope="module")
def html() -> str:
    return docx_to_html(build_docx())


def text_only(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_the_text_comes_out_in_document_order(html):
    assert html.startswith('<div class="docx-preview">') and html.endswith("</div>")
    text = text_only(html)
    order = [
        "北京市海淀区人民法院",
        "执行裁定书",
        "（2026）京0108执1234号",
        "当事人",
        "申请执行人张三",
        "被执行人",
        "李四",
        "王五",
        "人民币壹拾万元零伍分",
        "第二页",
        "本件与原本核对无异",
    ]
    positions = [text.find(item) for item in order]
    assert -1 not in positions, list(zip(order, positions, strict=True))
    assert positions == sorted(positions)


def test_alignment_bold_and_size_are_kept(html):
    assert '<p class="docx-large" style="text-align: center"><strong>执行裁定书</strong></p>' in html
    assert '<p style="text-align: center">北京市海淀区人民法院</p>' in html
    assert '<p style="text-align: right">（2026）京0108执1234号</p>' in html


def test_tables_show_each_merged_cell_once(html):
    assert '<table class="docx-table">' in html
    assert html.count("申请执行人张三") == 1 and html.count("被执行人</p>") == 1
    assert 'colspan="2"' in html and 'rowspan="2"' in html


def test_page_breaks_and_footer(html):
    assert '<hr class="page-break">' in html
    assert html.index('<hr class="page-break">') < html.index("第二页")
    assert re.search(r'<div class="docx-footer"><p>本件与原本核对无异</p></div>', html)
    assert "docx-header" not in html  # the empty header is left out


def test_document_text_is_escaped(html):
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 1 &lt; 2" in html


def test_not_a_docx_is_a_value_error():
    with pytest.raises(ValueError, match="不是有效的 DOCX 文件"):
        docx_to_html(b"not a docx")


def test_odd_markup_does_not_break_the_preview():
    document = docx.Document()
    paragraph = document.add_paragraph("右对齐（新写法）")
    # w:jc="end" is valid OOXML but outside python-docx's enum; a nested table inside a cell.
    paragraph._p.get_or_add_pPr().append(
        docx.oxml.parse_xml('<w:jc xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:val="end"/>')
    )
    outer = document.add_table(rows=1, cols=1)
    outer.cell(0, 0).add_table(rows=1, cols=1).cell(0, 0).text = "嵌套"
    html = docx_to_html(save(document))
    assert '<p style="text-align: right">右对齐（新写法）</p>' in html
    assert html.count("嵌套") == 1 and html.count("<table") == 2
