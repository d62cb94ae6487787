"""Write the built-in Word templates: one `<code>.docx` per DOCUMENT_KINDS code, in this folder.

    .venv/bin/python -m zhixing.documents.builtin.make_templates [OUT_DIR]

The templates follow 法院诉讼文书样式: A4, margins 3.7/3.5/2.8/2.6 cm; court name and title centred in
bold 宋体; the number right-aligned; body in 仿宋 三号 (16 pt) at a fixed 28.95 pt line; amounts in
capitals then figures; the signature, date and seal right-aligned at the end; "— 1 —" page numbers
from a real PAGE field. Every name used is in fields.FIELDS (the test checks each file with
check_template and renders it), and a tag never spans runs: each `add_run` holds whole tags.

docxtpl tags: `{%p … %}` alone in its paragraph, `{%tr … %}` alone in the first cell of its row;
both drop their paragraph or row when rendered. The .docx files are generated: edit this script and
run it again rather than editing them in Word.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------------------------------
# Style
# ---------------------------------------------------------------------------------------------------

BODY_FONT = ("FangSong", "仿宋")  # (Latin, East Asian)
TITLE_FONT = ("SimSun", "宋体")  # 小标宋 where installed is set by hand; 宋体 is everywhere
BODY_SIZE = Pt(16)  # 三号
BODY_LINE = Pt(28.95)  # fixed line: 22 lines on the A4 type area
COURT_SIZE = Pt(22)  # 二号
TITLE_SIZE = Pt(26)  # 一号
TABLE_SIZE = Pt(12)  # 小四: the element tables hold five columns
TEXT_WIDTH_CM = 15.6  # 21.0 − 2.8 − 2.6
INDENT = Pt(32)  # two characters of 三号
FIXED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # core properties and zip entries: stable files

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}

# Laws cited in the texts (2023 民事诉讼法; 2022 民诉法解释).
CPL = "《中华人民共和国民事诉讼法》"
CPL_JI = "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》"
SEIZURE_RULES = "《最高人民法院关于人民法院民事执行中查封、扣押、冻结财产的规定》"
INVESTIGATION_RULES = "《最高人民法院关于民事执行中财产调查若干问题的规定》"
CONSUMPTION_RULES = "《最高人民法院关于限制被执行人高消费及有关消费的若干规定》"
ZHONGBEN_RULES = "《最高人民法院关于严格规范终结本次执行程序的规定（试行）》"
AUCTION_RULES = "《最高人民法院关于人民法院民事执行中拍卖、变卖财产的规定》"
ONLINE_AUCTION_RULES = "《最高人民法院关于人民法院网络司法拍卖若干问题的规定》"

# Phrases shared by several documents (Jinja, names from fields.FIELDS).
THE_CASE = "申请执行人{{ case.applicant_names }}与被执行人{{ case.respondent_names }}一案"
THE_BASIS = "{{ basis.issuing_court }}作出的{{ basis.document_number }}法律文书"
CLAIM = "{{ case.claim_amount_capital }}（{{ case.claim_amount }}）"
PERFORMED = "{{ case.performed_amount_capital }}（{{ case.performed_amount }}）"
OUTSTANDING = "{{ case.outstanding_amount_capital }}（{{ case.outstanding_amount }}）"
FEE = "{{ case.application_fee_capital }}（{{ case.application_fee }}）"
END_ITEM = "{% if loop.last %}。{% else %}；{% endif %}"  # a numbered list inside a {%p for %} loop
REPRESENTATIVE = '{% if p.kind == "非法人组织" %}负责人{% else %}法定代表人{% endif %}：{{ p.legal_representative }}。'


def when(name: str, absent: str) -> str:
    """`{% if x %}{{ x }}{% else %}absent{% endif %}` — a table cell for a step that may not have happened."""
    return "{% if " + name + " %}{{ " + name + " }}{% else %}" + absent + "{% endif %}"


# ---------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------


def set_fonts(element, fonts: tuple[str, str]) -> None:
    """Latin and East Asian font on a run or a style (python-docx's font.name sets only ascii/hAnsi)."""
    rfonts_set(element.get_or_add_rPr().get_or_add_rFonts(), fonts)


def rfonts_set(rfonts, fonts: tuple[str, str]) -> None:
    latin, east_asian = fonts
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)  # a theme font would win over the named one
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asian)


def add_run(paragraph, text: str, *, size=None, bold: bool = False, fonts: tuple[str, str] | None = None):
    """One run holding `text` whole, so no Jinja tag is split across runs."""
    run = paragraph.add_run(text)
    if fonts:
        set_fonts(run._r, fonts)
    if size is not None:
        run.font.size = size
    if bold:
        run.bold = True
    return run


def line(paragraph, spacing=BODY_LINE) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = spacing
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def new_document(title: str):
    """An empty A4 document in the court style, with the page number in the footer."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.header_distance, section.footer_distance = Cm(1.5), Cm(2.5)

    # Defaults (docDefaults) and Normal: 仿宋 16 pt, Chinese language, no paragraph spacing.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts_set(rpr.find(qn("w:rFonts")), BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    if spacing is not None:
        spacing.set(qn("w:after"), "0")
    normal = doc.styles["Normal"]
    set_fonts(normal.element, BODY_FONT)
    normal.font.size = BODY_SIZE
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = BODY_LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = True

    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = "Zhixing"
    props.comments = "由 zhixing/documents/builtin/make_templates.py 生成；可用字段见 zhixing/documents/fields.py"
    props.created = props.modified = FIXED_DATE.replace(tzinfo=None)
    props.revision = 1

    footer_page_number(section)
    return doc


def footer_page_number(section) -> None:
    """'— 1 —' centred in the footer, the number a PAGE field (fldSimple) with a cached result."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line(paragraph, Pt(20))
    size = Pt(14)  # 四号
    add_run(paragraph, "— ", size=size, fonts=TITLE_FONT)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    cached = add_run(paragraph, "1", size=size, fonts=TITLE_FONT)._r
    paragraph._p.remove(cached)
    field.append(cached)
    paragraph._p.append(field)
    add_run(paragraph, " —", size=size, fonts=TITLE_FONT)


def para(container, text: str = "", *, indent: bool = True, align: str = "justify", bold: bool = False,
         right_indent=None, keep_with_next: bool = False, size=None):
    """A body paragraph: 仿宋 16 pt, first line indented two characters, justified."""
    paragraph = container.add_paragraph()
    line(paragraph, BODY_LINE if size is None else Pt(size.pt + 8))
    paragraph.alignment = ALIGN[align]
    fmt = paragraph.paragraph_format
    if indent:
        fmt.first_line_indent = INDENT if size is None else Pt(2 * size.pt)
    if right_indent is not None:
        fmt.right_indent = right_indent
    if keep_with_next:
        fmt.keep_with_next = True
    if text:
        add_run(paragraph, text, bold=bold, size=size)
    return paragraph


def tag(container, text: str):
    """A docxtpl paragraph tag ({%p … %}) alone in its paragraph; the paragraph goes when rendered."""
    return para(container, text, indent=False, align="left")


def items(container, texts: list[str]) -> None:
    for text in texts:
        para(container, text)


def heading(doc, title: str, *, number: bool = True) -> None:
    """Court name, title, number: the three lines every document opens with."""
    court = doc.add_paragraph()
    court.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line(court, Pt(40))
    add_run(court, "{{ court.name }}", size=COURT_SIZE, bold=True, fonts=TITLE_FONT)

    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line(head, Pt(48))
    head.paragraph_format.space_after = Pt(6)
    add_run(head, title, size=TITLE_SIZE, bold=True, fonts=TITLE_FONT)

    if number:
        para(doc, "{{ document.number }}", indent=False, align="right")


def salutation(doc, text: str) -> None:
    """The addressee line (`张三：`), flush left."""
    para(doc, text, indent=False, align="left")


def party_loop(doc, rows: str, label: str) -> None:
    """One paragraph per party, with the legal representative (or 负责人) of an organisation."""
    tag(doc, "{%p for p in " + rows + " %}")
    para(doc, label + "：{{ p.description }}。")
    tag(doc, "{%p if p.legal_representative %}")
    para(doc, REPRESENTATIVE)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def parties(doc) -> None:
    party_loop(doc, "applicants", "申请执行人")
    party_loop(doc, "respondents", "被执行人")


@dataclass
class Grid:
    """A bordered table of fixed column widths (cm) whose rows are added one by one."""

    table: object
    widths: list[float]
    size: object = TABLE_SIZE

    def add(self, *texts: str, bold: bool = False, align: str = "left", height_cm: float | None = None):
        row = self.table.add_row()
        if height_cm is not None:
            row.height = Cm(height_cm)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for cell, width, text in zip(row.cells, self.widths, texts + ("",) * len(self.widths), strict=False):
            self._fill(cell, width, text, bold=bold, align=align)
        return row

    def label_row(self, label: str, *values: str, span: int = 1, height_cm: float | None = None):
        """A form row: a bold centred label (merged across the first `span` columns), then values."""
        row = self.add(*[""] * span, *values, height_cm=height_cm)
        self._fill(row.cells[0], self.widths[0], label, bold=True, align="center")
        if span > 1:
            row.cells[0].merge(row.cells[span - 1])
        return row

    def _fill(self, cell, width: float, text: str, *, bold: bool, align: str) -> None:
        cell.width = Cm(width)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        line(paragraph, Pt(self.size.pt + 8))
        paragraph.alignment = ALIGN[align]
        paragraph.paragraph_format.first_line_indent = Pt(0)
        if text:
            add_run(paragraph, text, size=self.size, bold=bold)


def grid(doc, headers: list[str], widths: list[float], *, size=TABLE_SIZE) -> Grid:
    """A table with a bold header row (repeated on each page); widths sum to the text width."""
    assert abs(sum(widths) - TEXT_WIDTH_CM) < 0.01, widths
    table = doc.add_table(rows=0, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    out = Grid(table, widths, size)
    if headers:
        row = out.add(*headers, bold=True, align="center")
        row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    return out


def table_rows_loop(g: Grid, loop: str, cells: list[str], *, empty: str | None = None) -> None:
    """`{%tr for <loop> %}` / one row of `cells` / [`{%tr else %}` / a merged `empty` row] / `{%tr endfor %}`."""
    g.add("{%tr for " + loop + " %}")
    g.add(*cells)
    if empty is not None:
        g.add("{%tr else %}")
        row = g.add(empty, align="center")
        row.cells[0].merge(row.cells[-1])
    g.add("{%tr endfor %}")


def signature_block(doc, kind: str = "notice") -> None:
    """The end of a document, right-aligned.

    ruling: 审判员, date, seal, 书记员. notice: date and seal. president: 院长（签发）line, date, seal.
    Notices and orders add the contact line.
    """
    para(doc)
    if kind == "ruling":
        para(doc, "{{ signatures.judge_title }}　{{ signatures.judge }}", indent=False, align="right",
             right_indent=INDENT)
        para(doc)
    if kind == "president":
        para(doc, "院长（签发）：＿＿＿＿＿＿", indent=False, align="right", right_indent=INDENT)
    para(doc, "{{ document.issued_on }}", indent=False, align="right", right_indent=INDENT)
    para(doc, "{{ seal }}", indent=False, align="right", right_indent=Pt(96))
    if kind == "ruling":
        para(doc, "本件与原本核对无异", indent=False, align="left")
        para(doc, "书记员　{{ signatures.clerk }}", indent=False, align="right", right_indent=INDENT)
    else:
        tag(doc, "{%p if case.handler %}")
        para(doc)
        para(doc, "联系人：{{ case.handler }}{% if case.team %}（{{ case.team }}）{% endif %}", indent=False, align="left")
        tag(doc, "{%p endif %}")


# ---------------------------------------------------------------------------------------------------
# Notices and orders
# ---------------------------------------------------------------------------------------------------


def claims_table(doc) -> None:
    g = grid(doc, ["项目", "金额（大写）", "金额（数字）"], [4.4, 6.8, 4.4])
    table_rows_loop(g, "c in claims", ["{{ c.kind }}", "{{ c.amount_capital }}", "{{ c.amount }}"])
    g.label_row("合计", "{{ case.claim_amount_capital }}", "{{ case.claim_amount }}")


def enforcement_notice(doc) -> None:
    heading(doc, "执行通知书")
    party_loop(doc, "respondents", "被执行人")
    para(doc, "申请执行人{{ case.applicant_names }}与你（单位）一案，" + THE_BASIS + "已经发生法律效力。"
         "申请执行人于{{ case.filed_on }}向本院申请强制执行，本院依法立案执行，案号为{{ case.number }}。"
         "依照" + CPL + "第二百五十一条、第二百六十四条规定，责令你（单位）自本通知送达之日起立即履行下列义务：")
    para(doc, "一、履行{{ basis.document_number }}法律文书确定的义务：{{ basis.main_text }}")
    para(doc, "申请执行标的如下：", keep_with_next=True)
    claims_table(doc)
    para(doc, "截至本通知发出之日，你（单位）尚未履行的金额为" + OUTSTANDING + "。")
    para(doc, "二、未按上述法律文书指定的期间履行给付金钱义务的，加倍支付迟延履行期间的债务利息。")
    para(doc, "三、负担申请执行费" + FEE + "。")
    para(doc, "你（单位）逾期不履行的，本院将依法强制执行，并可以依法对你（单位）采取限制消费、"
         "纳入失信被执行人名单、限制出境、在征信系统记录、通过媒体公布不履行义务信息等措施；"
         "拒不履行或者妨害执行的，本院将依法予以罚款、拘留；构成犯罪的，依法追究刑事责任。")
    para(doc, "特此通知。")
    signature_block(doc)


def property_report_order(doc) -> None:
    heading(doc, "报告财产令")
    party_loop(doc, "respondents", "被执行人")
    para(doc, "本院于{{ case.filed_on }}立案执行" + THE_CASE + "，执行依据为" + THE_BASIS + "。"
         "你（单位）未按执行通知履行法律文书确定的义务。依照" + CPL + "第二百五十二条，"
         + INVESTIGATION_RULES + "第三条、第五条至第九条规定，责令你（单位）自收到本令之日起五日内，"
         "如实向本院书面报告当前以及收到执行通知之日前一年的下列财产情况：")
    items(doc, [
        "（一）收入、银行存款、现金、理财产品、有价证券；",
        "（二）土地使用权、房屋等不动产；",
        "（三）交通运输工具、机器设备、产品、原材料等动产；",
        "（四）债权、股权、投资权益、基金份额、信托受益权、知识产权等财产性权利；",
        "（五）其他应当报告的财产。",
    ])
    para(doc, "上述财产已出租、已设立担保物权等权利负担，或者存在共有、权属争议等情形的，应当一并报告；"
         "你（单位）的动产由第三人占有，或者不动产、特定动产、其他财产权等登记在第三人名下的，也应当一并报告。")
    para(doc, "自收到执行通知之日前一年至提交书面财产报告之日，你（单位）有转让、出租财产，在财产上设立担保物权等权利负担，"
         "放弃债权或者延长债权清偿期，支出大额资金，或者其他影响生效法律文书确定债权实现的财产变动的，应当将变动情况一并报告。")
    para(doc, "报告财产后，财产情况发生变动，影响申请执行人债权实现的，应当自财产变动之日起十日内向本院补充报告。"
         "在报告期限内提交书面报告确有困难的，可以向本院书面申请延长期限。")
    para(doc, "你（单位）拒绝报告、虚假报告或者无正当理由逾期报告财产情况的，本院将根据情节轻重对你（单位）"
         "或者你单位的主要负责人、直接责任人员予以罚款、拘留，并将你（单位）纳入失信被执行人名单；"
         "构成犯罪的，依法追究刑事责任。")
    para(doc, "特此命令。")
    signature_block(doc)


def consumption_restriction_order(doc) -> None:
    heading(doc, "限制消费令")
    party_loop(doc, "respondents", "被限制消费人")
    para(doc, "本院于{{ case.filed_on }}立案执行" + THE_CASE + "。被执行人未按执行通知书指定的期间履行"
         + THE_BASIS + "确定的给付义务，尚欠" + OUTSTANDING + "。依照" + CONSUMPTION_RULES
         + "第一条、第三条规定，对被执行人{{ case.respondent_names }}采取限制消费措施。"
         "被执行人为自然人的，不得实施下列高消费及非生活和工作必需的消费行为；被执行人为单位的，"
         "被执行人及其法定代表人、主要负责人、影响债务履行的直接责任人员、实际控制人不得实施下列行为：")
    items(doc, [
        "（一）乘坐交通工具时，选择飞机、列车软卧、轮船二等以上舱位；",
        "（二）在星级以上宾馆、酒店、夜总会、高尔夫球场等场所进行高消费；",
        "（三）购买不动产或者新建、扩建、高档装修房屋；",
        "（四）租赁高档写字楼、宾馆、公寓等场所办公；",
        "（五）购买非经营必需车辆；",
        "（六）旅游、度假；",
        "（七）子女就读高收费私立学校；",
        "（八）支付高额保费购买保险理财产品；",
        "（九）乘坐G字头动车组列车全部座位、其他动车组列车一等以上座位等其他非生活和工作必需的消费行为。",
    ])
    para(doc, "因私消费以个人财产实施前述行为的，可以向本院提出申请，经审查属实的，予以准许。"
         "被执行人提供确实有效的担保或者经申请执行人同意的，本院可以解除限制消费令；"
         "被执行人履行完毕生效法律文书确定的义务的，本院将及时解除限制消费令。")
    para(doc, "被限制消费人违反本令的，经查证属实，本院将依照" + CPL + "的有关规定予以罚款、拘留；"
         "情节严重，构成犯罪的，依法追究刑事责任。")
    signature_block(doc, "president")


def assistance_notice(doc) -> None:
    heading(doc, "协助执行通知书")
    salutation(doc, "{{ measure.addressee }}：")
    para(doc, "本院在执行" + THE_CASE + "中，作出{{ measure.document_number }}执行裁定书。依照" + CPL
         + "第二百五十三条、第二百五十五条，" + SEIZURE_RULES + "第一条规定，根据本院{{ measure.document_number }}"
         "执行裁定，请协助执行下列事项：")
    para(doc, "一、{{ measure.kind }}{{ measure.owner }}名下的下列财产：{{ measure.asset }}"
         "{% if measure.amount %}，金额以{{ measure.amount_capital }}（{{ measure.amount }}）为限{% endif %}。")
    tag(doc, "{%p if measure.period %}")
    para(doc, "二、{{ measure.kind }}期限为{{ measure.period }}，自{{ measure.started_on }}起至{{ measure.ends_on }}止。"
         "期限届满前需要续行的，本院将另行通知。{{ measure.kind }}期间，未经本院许可，"
         "请勿为上述财产办理转移、过户、抵押、支取等手续。")
    tag(doc, "{%p else %}")
    para(doc, "二、请将上述款项划至本院指定的执行款专户。")
    tag(doc, "{%p endif %}")
    para(doc, "请于办理完毕后将回执送交本院。")
    para(doc, "附：{{ measure.document_number }}执行裁定书一份", indent=True)
    signature_block(doc)


def proof_of_service(doc) -> None:
    """The classic form: one table, signed by the person served; no seal."""
    heading(doc, "送达回证", number=False)
    g = grid(doc, [], [5.0, 10.6], size=Pt(14))
    for label, value, height in (
        ("案号", "{{ case.number }}", 1.2),
        ("送达文书名称及件数", "{{ served.document }}", 1.2),
        ("受送达人", "{{ served.addressee }}", 1.2),
        ("送达地址", "{{ served.address }}", 1.2),
        ("送达方式", "{{ served.method }}", 1.2),
        ("受送达人签名或者盖章", "", 2.4),
        ("签收日期", "　　　　年　　月　　日", 1.2),
        ("代收人及代收理由", "", 1.6),
        ("送达人", "{{ signatures.generated_by }}", 1.2),
        ("签发人", "{{ signatures.judge }}", 1.2),
        ("备注", "", 1.6),
    ):
        g.label_row(label, value, height_cm=height)
    para(doc, "注：受送达人或者他的同住成年家属拒绝接收诉讼文书的，送达人可以邀请有关基层组织或者所在单位的代表到场，"
         "说明情况，在送达回证上记明拒收事由和日期，由送达人、见证人签名或者盖章，把诉讼文书留在受送达人的住所；"
         "也可以把诉讼文书留在受送达人的住所，并采用拍照、录像等方式记录送达过程，即视为送达。", size=Pt(12))


def reward_notice(doc) -> None:
    heading(doc, "悬赏公告")
    para(doc, "本院在执行" + THE_CASE + "中，被执行人未履行" + THE_BASIS + "确定的义务，尚欠" + OUTSTANDING
         + "。经申请执行人{{ reward.applicant }}书面申请，依照" + INVESTIGATION_RULES
         + "第二十一条至第二十四条规定，本院决定发布悬赏公告，向社会公开查找被执行人可供执行的财产。被执行人的基本情况如下：")
    party_loop(doc, "respondents", "被执行人")
    items(doc, [
        "一、悬赏金额：" + "{{ reward.amount_capital }}（{{ reward.amount }}）。",
        "二、悬赏期限：自本公告发布之日起至{{ reward.valid_until }}止。",
        "三、凡向本院提供本院尚未掌握的被执行人可供执行的财产线索（如银行存款、房屋、车辆、股权、到期债权等），"
        "使申请执行人的债权得以全部或者部分实现的，本院将按照本公告发放悬赏金。"
        "悬赏金由申请执行人承担，从其应得的执行款中扣减；无法扣减的，由申请执行人另行支付。",
        "四、多人先后提供同一财产线索的，悬赏金发放给最先提供线索的人。申请执行人的代理人、"
        "有义务向本院提供财产线索的人员，或者存在其他不应发放悬赏金情形的，不予发放。",
        "五、本院对线索提供人的身份及所提供的线索依法予以保密。",
        "六、联系人及电话：{{ reward.contact }}。",
    ])
    para(doc, "特此公告。")
    para(doc)
    para(doc, "{{ document.issued_on }}", indent=False, align="right", right_indent=INDENT)
    para(doc, "{{ seal }}", indent=False, align="right", right_indent=Pt(96))


def zhongben_notice(doc) -> None:
    heading(doc, "拟终结本次执行程序告知书")
    salutation(doc, "{{ case.applicant_names }}：")
    para(doc, "你（单位）申请执行被执行人{{ case.respondent_names }}一案，本院于{{ case.filed_on }}立案执行，"
         "案号为{{ case.number }}，执行依据为" + THE_BASIS + "。现将本案执行情况告知如下：")
    para(doc, "一、执行标的。申请执行标的为" + CLAIM + "，已执行到位" + PERFORMED + "，尚有" + OUTSTANDING + "未履行。")
    para(doc, "二、财产调查。本院已通过网络执行查控系统及传统调查方式对被执行人的财产进行调查，情况如下：",
         keep_with_next=True)
    g = grid(doc, ["被执行人", "调查事项", "调查结果", "反馈日期"], [3.0, 4.0, 5.0, 3.6])
    table_rows_loop(g, "r in investigation", ["{{ r.respondent }}", "{{ r.item }}", "{{ r.result }}", "{{ r.replied_on }}"],
                    empty="无")
    para(doc, "三、控制措施。", keep_with_next=True)
    tag(doc, "{%p for m in measures %}")
    para(doc, "{{ loop.index }}．{{ m.started_on }}，{{ m.kind }}{{ m.owner }}名下的{{ m.asset }}"
         "{% if m.ends_on %}，期限至{{ m.ends_on }}{% endif %}（{{ m.status }}）" + END_ITEM)
    tag(doc, "{%p else %}")
    para(doc, "未采取控制措施。")
    tag(doc, "{%p endfor %}")
    para(doc, "四、执行措施与制裁。", keep_with_next=True)
    tag(doc, "{%p for s in sanctions %}")
    para(doc, "{{ loop.index }}．{{ s.on }}，{{ s.name }}{% if s.note %}（{{ s.note }}）{% endif %}" + END_ITEM)
    tag(doc, "{%p else %}")
    para(doc, "无。")
    tag(doc, "{%p endfor %}")
    para(doc, "五、被执行人财产。", keep_with_next=True)
    tag(doc, "{%p for a in assets %}")
    para(doc, "{{ loop.index }}．{{ a.description }}，权利人{{ a.owner }}，{{ a.found_on }}经{{ a.found_via }}查明"
         "{% if a.value %}，金额或价值{{ a.value_capital }}（{{ a.value }}）{% endif %}" + END_ITEM)
    tag(doc, "{%p else %}")
    para(doc, "经上述调查，未发现被执行人有可供执行的财产。")
    tag(doc, "{%p endfor %}")
    para(doc, "本院认为，本案已穷尽财产调查措施，未发现被执行人有可供执行的财产，或者发现的财产不能处置。依照"
         + ZHONGBEN_RULES + "第一条、第五条规定，本院拟终结本次执行程序。终结本次执行程序后，你（单位）享有以下权利：")
    items(doc, [
        "（一）被执行人负有继续向你（单位）履行债务的义务，你（单位）有权要求被执行人继续履行；",
        "（二）发现被执行人有可供执行财产的，可以随时向本院提供财产线索并申请恢复执行，"
        "申请恢复执行不受申请执行时效期间的限制；",
        "（三）终结本次执行程序后五年内，本院每六个月通过网络执行查控系统查询一次被执行人的财产，"
        "发现有可供执行财产的，依法恢复执行；",
        "（四）对被执行人的限制消费措施继续有效，已纳入失信被执行人名单的，依法继续保留。",
    ])
    para(doc, "你（单位）对终结本次执行程序有意见，或者能够提供被执行人可供执行的财产线索的，"
         "请于收到本告知书之日起十日内向本院书面提出；逾期未提出的，本院将依法裁定终结本次执行程序。")
    para(doc, "特此告知。")
    signature_block(doc)


def restoration_notice(doc) -> None:
    heading(doc, "恢复执行通知书")
    salutation(doc, "{{ case.applicant_names }}、{{ case.respondent_names }}：")
    para(doc, THE_CASE + "，本院原案号为{{ origin_case.number }}，已于{{ origin_case.closed_on }}以"
         "{{ origin_case.closing_type }}方式结案。申请执行人向本院申请恢复执行，本院于{{ case.filed_on }}立案。"
         "经审查，本案符合恢复执行的条件。依照"
         '{% if origin_case.closing_type == "终结本次执行程序" %}' + CPL_JI + "第五百一十七条、" + ZHONGBEN_RULES
         + "第九条{% else %}法律、司法解释的有关{% endif %}规定，本案恢复执行，案号为{{ case.number }}。")
    para(doc, "截至本通知发出之日，被执行人尚未履行" + THE_BASIS + "确定的金钱给付义务" + OUTSTANDING + "。"
         "被执行人应当自收到本通知之日起立即履行上述义务；逾期不履行的，本院将依法强制执行，"
         "原已采取的限制消费、纳入失信被执行人名单等措施继续有效。")
    para(doc, "特此通知。")
    signature_block(doc)


# rules.py gives the citation in the formal wording a document prints.
DISTRIBUTION_CITATION = "{{ distribution.citation }}"


def distribution_plan(doc) -> None:
    heading(doc, "财产分配方案")
    para(doc, "本院在执行" + THE_CASE + "中，被执行人的财产不能清偿所有债权，有关债权人申请参与分配。"
         "本院依照" + DISTRIBUTION_CITATION + "的规定，制作财产分配方案如下：")
    items(doc, [
        "一、可供分配财产：{{ distribution.available_capital }}（{{ distribution.available }}）。",
        "二、执行费用：{{ distribution.costs_capital }}（{{ distribution.costs }}），从可供分配财产中优先扣除。",
        "三、分配原则：{{ distribution.method }}。参与分配的债权合计{{ distribution.total_claims }}。",
    ])
    para(doc, "四、分配结果：", keep_with_next=True)
    g = grid(doc, ["序号", "债权人", "案号", "债权额", "受偿比例", "分配金额"], [1.2, 2.8, 3.0, 2.6, 1.6, 4.4],
             size=Pt(10.5))  # 五号: six columns
    table_rows_loop(g, "r in distribution.rows", ["{{ loop.index }}", "{{ r.creditor }}", "{{ r.case_number }}",
                                                  "{{ r.claim }}", "{{ r.ratio }}", "{{ r.share_capital }}（{{ r.share }}）"])
    g.label_row("合计", "{{ distribution.total_claims }}", span=3)
    para(doc, "五、{{ distribution.remaining }}。")
    para(doc, "债权人或者被执行人对分配方案有异议的，应当自收到分配方案之日起{{ distribution.objection_days }}日内向本院提出书面异议；"
         "未在期限内提出异议的，本院将按照本分配方案进行分配。")
    signature_block(doc)


# ---------------------------------------------------------------------------------------------------
# Rulings (执行裁定书)
# ---------------------------------------------------------------------------------------------------


def ruling(doc, *, citation: str, recital: str = "", order: str, columns: list[tuple[str, float, str]],
           after: list[str]) -> None:
    """执行裁定书 on control measures: parties, recital, the measures as a table, 本裁定立即执行, signatures."""
    heading(doc, "执行裁定书")
    parties(doc)
    para(doc, "本院在执行" + THE_CASE + "中，" + THE_BASIS + "已经发生法律效力。" + recital
         + "依照" + citation + "规定，裁定如下：")
    para(doc, order, keep_with_next=True)
    g = grid(doc, [c[0] for c in columns], [c[1] for c in columns])
    table_rows_loop(g, "m in measures", [c[2] for c in columns])
    items(doc, after)
    para(doc, "本裁定立即执行。")
    signature_block(doc, "ruling")


OWES = "被执行人未按执行通知履行法律文书确定的义务，尚欠" + OUTSTANDING + "及申请执行费" + FEE + "。"
INDEX = ("序号", 1.4, "{{ loop.index }}")
PERIOD = "{{ m.period }}（{{ m.started_on }}至{{ m.ends_on }}）"
AMOUNT = "{% if m.amount %}{{ m.amount_capital }}（{{ m.amount }}）{% else %}—{% endif %}"


def ruling_freeze(doc) -> None:
    ruling(doc, recital=OWES, citation=CPL + "第二百五十三条，" + CPL_JI + "第四百八十五条",
           order="冻结被执行人的下列财产：",
           columns=[INDEX, ("冻结财产", 4.6, "{{ m.asset }}"), ("权利人", 2.0, "{{ m.owner }}"),
                    ("冻结金额", 4.0, AMOUNT), ("冻结期限", 3.6, PERIOD)],
           after=["冻结期间，被执行人不得对被冻结财产进行转移、处分或者设定权利负担。冻结期限届满前，"
                  "申请执行人可以申请续行冻结。"])


def ruling_seal(doc) -> None:
    ruling(doc, recital=OWES, citation=CPL + "第二百五十五条，" + CPL_JI + "第四百八十五条，" + SEIZURE_RULES + "第一条",
           order="查封被执行人的下列财产：",
           columns=[INDEX, ("查封财产", 6.8, "{{ m.asset }}"), ("权利人", 2.8, "{{ m.owner }}"),
                    ("查封期限", 4.6, PERIOD)],
           after=["查封期间，被执行人不得对上述财产进行转让、设定权利负担或者实施其他有碍执行的行为。查封期限届满前，"
                  "申请执行人可以申请续行查封。"])


def ruling_detain(doc) -> None:
    ruling(doc, recital=OWES, citation=CPL + "第二百五十五条，" + CPL_JI + "第四百八十五条，" + SEIZURE_RULES + "第一条",
           order="扣押被执行人的下列财产：",
           columns=[INDEX, ("扣押财产", 6.8, "{{ m.asset }}"), ("权利人", 2.8, "{{ m.owner }}"),
                    ("扣押期限", 4.6, PERIOD)],
           after=["扣押期间，被执行人不得对上述财产进行转让、设定权利负担或者实施其他有碍执行的行为。扣押期限届满前，"
                  "申请执行人可以申请续行扣押。"])


def ruling_deduct(doc) -> None:
    ruling(doc, recital=OWES, citation=CPL + "第二百五十三条，" + CPL_JI + "第四百八十四条",
           order="扣划被执行人的下列款项：",
           columns=[INDEX, ("扣划财产（账户）", 6.0, "{{ m.asset }}"), ("权利人", 2.4, "{{ m.owner }}"),
                    ("扣划金额", 5.8, AMOUNT)],
           after=["本裁定同时具有冻结的法律效力。"])


def ruling_auction(doc) -> None:
    ruling(doc, recital="本院已依法对被执行人的财产采取查封、扣押措施，并责令被执行人在指定期间履行法律文书确定的义务，"
           "被执行人逾期仍未履行，尚欠" + OUTSTANDING + "。",
           citation=CPL + "第二百五十五条、第二百五十八条，" + AUCTION_RULES + "第一条，" + ONLINE_AUCTION_RULES + "第二条",
           order="拍卖被执行人的下列财产：",
           columns=[INDEX, ("拍卖财产", 8.4, "{{ m.asset }}"), ("权利人", 3.0, "{{ m.owner }}"),
                    ("已采取措施", 2.8, "{{ m.kind }}")],
           after=["拍卖通过网络司法拍卖平台进行，拍卖所得价款依法清偿申请执行人的债权及执行费用。"])


def zhongben_ruling(doc) -> None:
    """要素式终本裁定书: the 5+X+Y investigation and the procedural steps as tables (法〔2016〕373号第6条)."""
    heading(doc, "执行裁定书")
    parties(doc)
    para(doc, "本院在执行" + THE_CASE + "中，执行依据为" + THE_BASIS + "，本院于{{ case.filed_on }}立案执行。"
         "本案执行情况如下：")

    para(doc, "（一）执行标的", bold=True, keep_with_next=True)
    g = grid(doc, ["项目", "金额（大写）", "金额（数字）"], [4.4, 6.8, 4.4])
    table_rows_loop(g, "c in claims", ["{{ c.kind }}", "{{ c.amount_capital }}", "{{ c.amount }}"])
    g.label_row("申请执行标的合计", "{{ case.claim_amount_capital }}", "{{ case.claim_amount }}")
    g.label_row("已执行到位", "{{ case.performed_amount_capital }}", "{{ case.performed_amount }}")
    g.label_row("未履行", "{{ case.outstanding_amount_capital }}", "{{ case.outstanding_amount }}")
    g.label_row("申请执行费", "{{ case.application_fee_capital }}", "{{ case.application_fee }}")

    para(doc, "（二）程序事项", bold=True, keep_with_next=True)
    g = grid(doc, ["事项", "日期或情况"], [7.0, 8.6])
    g.label_row("立案执行", "{{ case.filed_on }}")
    g.label_row("发出执行通知书", when("steps.enforcement_notice", "未发出"))
    g.label_row("发出报告财产令", when("steps.property_report_order", "未发出"))
    g.label_row("网络执行查控（首次）", when("steps.network_query", "未查询"))
    g.label_row("限制消费", when("steps.consumption_restriction", "未采取"))
    g.label_row("纳入失信被执行人名单", when("steps.dishonest_listing", "未采取"))
    g.label_row("终本约谈（告知申请执行人并听取意见）", when("steps.interview", "未进行"))

    para(doc, "（三）财产调查情况", bold=True, keep_with_next=True)
    g = grid(doc, ["被执行人", "类别", "调查事项", "调查结果", "反馈日期"], [2.4, 3.0, 3.0, 3.6, 3.6])
    table_rows_loop(g, "r in investigation",
                    ["{{ r.respondent }}", "{{ r.group }}", "{{ r.item }}", "{{ r.result }}", "{{ r.replied_on }}"],
                    empty="无")

    para(doc, "（四）控制措施", bold=True, keep_with_next=True)
    g = grid(doc, ["措施", "财产", "权利人", "期间", "状态"], [1.6, 5.2, 2.2, 4.8, 1.8])
    table_rows_loop(g, "m in measures",
                    ["{{ m.kind }}", "{{ m.asset }}", "{{ m.owner }}",
                     "{% if m.ends_on %}{{ m.started_on }}至{{ m.ends_on }}{% else %}{{ m.started_on }}{% endif %}",
                     "{{ m.status }}"],
                    empty="未采取控制措施")

    para(doc, "（五）执行措施与制裁", bold=True, keep_with_next=True)
    g = grid(doc, ["措施", "日期", "说明"], [6.0, 3.8, 5.8])
    table_rows_loop(g, "s in sanctions", ["{{ s.name }}", "{{ s.on }}", "{{ s.note }}"], empty="无")

    para(doc, "（六）已查明财产", bold=True, keep_with_next=True)
    g = grid(doc, ["财产", "权利人", "发现途径", "金额或价值"], [6.0, 2.4, 3.0, 4.2])
    table_rows_loop(g, "a in assets", ["{{ a.description }}", "{{ a.owner }}", "{{ a.found_via }}", "{{ a.value }}"],
                    empty="未发现可供执行的财产")

    para(doc, "（七）终本条件核查", bold=True, keep_with_next=True)
    g = grid(doc, ["条件", "条款", "结果", "证明材料"], [4.0, 3.0, 1.8, 6.8])
    table_rows_loop(g, "k in zhongben_checks", ["{{ k.title }}", "{{ k.article }}", "{{ k.result }}", "{{ k.proof }}"])

    para(doc, "本院认为，本案已向被执行人发出执行通知书、报告财产令，已依法采取限制消费等措施，"
         "经穷尽财产调查措施，未发现被执行人有可供执行的财产，或者发现的财产不能处置，"
         "本案符合终结本次执行程序的条件。依照" + CPL_JI + "第五百一十七条，" + ZHONGBEN_RULES
         + "第一条、第六条规定，裁定如下：")
    para(doc, "终结本次执行程序。")
    para(doc, "申请执行人发现被执行人有可供执行财产的，可以再次申请执行，再次申请不受申请执行时效期间的限制。"
         "终结本次执行程序后，被执行人负有继续向申请执行人履行债务的义务，对被执行人的限制消费措施继续有效。")
    para(doc, "当事人、利害关系人认为终结本次执行程序违反法律规定的，可以向本院提出执行异议。")
    para(doc, "本裁定送达后立即生效。")
    signature_block(doc, "ruling")


# ---------------------------------------------------------------------------------------------------
# The set
# ---------------------------------------------------------------------------------------------------

# code → (title printed and stored in the file's properties, builder). The codes are DOCUMENT_KINDS'.
BUILDERS: dict[str, tuple[str, Callable]] = {
    "enforcement_notice": ("执行通知书", enforcement_notice),
    "property_report_order": ("报告财产令", property_report_order),
    "consumption_restriction_order": ("限制消费令", consumption_restriction_order),
    "ruling_freeze": ("执行裁定书（冻结）", ruling_freeze),
    "ruling_seal": ("执行裁定书（查封）", ruling_seal),
    "ruling_detain": ("执行裁定书（扣押）", ruling_detain),
    "ruling_deduct": ("执行裁定书（扣划）", ruling_deduct),
    "ruling_auction": ("执行裁定书（拍卖）", ruling_auction),
    "assistance_notice": ("协助执行通知书", assistance_notice),
    "proof_of_service": ("送达回证", proof_of_service),
    "reward_notice": ("悬赏公告", reward_notice),
    "zhongben_notice": ("拟终结本次执行程序告知书", zhongben_notice),
    "zhongben_ruling": ("终结本次执行程序裁定书", zhongben_ruling),
    "restoration_notice": ("恢复执行通知书", restoration_notice),
    "distribution_plan": ("财产分配方案", distribution_plan),
}


def stable_zip(blob: bytes) -> bytes:
    """The package again with fixed entry times, so an unchanged template regenerates byte for byte."""
    stamp = FIXED_DATE.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def build(code: str) -> bytes:
    """One template as .docx bytes."""
    title, builder = BUILDERS[code]
    doc = new_document(title)
    builder(doc)
    out = io.BytesIO()
    doc.save(out)
    return stable_zip(out.getvalue())


def build_all(out_dir: Path = HERE) -> list[Path]:
    """Write every template into `out_dir`; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for code in BUILDERS:
        path = out_dir / f"{code}.docx"
        path.write_bytes(build(code))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out_dir = Path(argv[0]) if argv else HERE
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    import django

    django.setup()  # rules.py imports model choices
    from zhixing.documents.render import check_template
    from zhixing.documents.rules import DOCUMENT_KINDS

    missing, extra = set(DOCUMENT_KINDS) - set(BUILDERS), set(BUILDERS) - set(DOCUMENT_KINDS)
    if missing or extra:
        print(f"BUILDERS and DOCUMENT_KINDS differ: missing {sorted(missing)}, unknown {sorted(extra)}", file=sys.stderr)
        return 1
    failed = False
    for path in build_all(out_dir):
        bad = check_template(path.read_bytes())
        print(f"{path}{'  unknown fields: ' + ', '.join(bad) if bad else ''}")
        failed = failed or bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
