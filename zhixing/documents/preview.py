"""A plain HTML rendering of a DOCX, for previewing in the browser when LibreOffice (PDF) is not installed.

It reads the WordprocessingML directly rather than through python-docx's typed properties: those raise
on values outside python-docx's enums (e.g. `w:jc w:val="end"`), and a preview must never fail on a
document Word itself opens. All text is escaped; no markup or style from the document is passed through.
"""

from __future__ import annotations

import io
import re

import docx
from django.utils.html import escape
from docx.oxml.ns import qn

LARGE_HALF_POINTS = 36  # ≥ 18 pt (小二) reads as a title; body text of court documents is 16 pt (三号)
ALIGN = {"center": "center", "right": "right", "end": "right"}
TRUE_VALUES = {"1", "true", "on"}
# Paragraph children whose runs are visible text (fields show their cached result, insertions count).
RUN_CONTAINERS = {qn(t) for t in ("w:hyperlink", "w:fldSimple", "w:ins", "w:smartTag", "w:customXml", "w:sdt")}
BLOCK_CONTAINERS = {qn(t) for t in ("w:sdt", "w:customXml")}
W_P, W_TBL, W_R = qn("w:p"), qn("w:tbl"), qn("w:r")
W_VAL = qn("w:val")


def docx_to_html(blob: bytes) -> str:
    """`<div class="docx-preview">…</div>`; ValueError if `blob` is not a DOCX, never raises otherwise."""
    try:
        document = docx.Document(io.BytesIO(blob))
        body = document.element.body
    except Exception as exc:  # BadZipFile, KeyError, PackageNotFoundError, lxml errors…
        raise ValueError("不是有效的 DOCX 文件") from exc
    try:
        renderer = _Renderer(document)
        parts = []
        header, footer = _header_footer(document, renderer)
        if header:
            parts.append(f'<div class="docx-header">{header}</div>')
        parts.append(renderer.blocks(body))
        if footer:
            parts.append(f'<div class="docx-footer">{footer}</div>')
        inner = "".join(parts)
    except Exception:
        inner = _plain_text(body)
    return f'<div class="docx-preview">{inner}</div>'


def _header_footer(document, renderer: _Renderer) -> tuple[str, str]:
    """Header and footer of the first section (its first-page variant if the title page differs)."""
    try:
        section = document.sections[0]
    except Exception:
        return "", ""
    rendered = []
    for first, default in (
        ("first_page_header", "header"),
        ("first_page_footer", "footer"),
    ):
        html = ""
        candidates = [first, default] if _safe(lambda: section.different_first_page_header_footer) else [default]
        for attr in candidates:
            part = _safe(lambda attr=attr: getattr(section, attr))
            # Linked means "no definition of its own": reading it would add an empty one, skip instead.
            if part is None or _safe(lambda part=part: part.is_linked_to_previous, True):
                continue
            html = _safe(lambda part=part: renderer.blocks(part._element), "")
            if _has_text(html):
                break
        rendered.append(html if _has_text(html) else "")
    return rendered[0], rendered[1]


class _Renderer:
    def __init__(self, document):
        self.styles = {}
        try:
            for style in document.styles.element.findall(qn("w:style")):
                self.styles[style.get(qn("w:styleId"))] = style
        except Exception:
            pass

    # -- blocks -------------------------------------------------------------------------------------

    def blocks(self, parent) -> str:
        """Paragraphs and tables of a body, cell, header or footer, in document order."""
        out = []
        for child in parent.iterchildren():
            try:
                if child.tag == W_P:
                    out.append(self.paragraph(child))
                elif child.tag == W_TBL:
                    out.append(self.table(child))
                elif child.tag in BLOCK_CONTAINERS:
                    content = child.find(qn("w:sdtContent"))
                    out.append(self.blocks(content if content is not None else child))
            except Exception:
                out.append(f"<p>{_text(child)}</p>")
        return "".join(out)

    def paragraph(self, p) -> str:
        ppr = p.find(qn("w:pPr"))
        style_id = _val(ppr, "w:pStyle")
        attrs = ""
        classes = []
        if self._is_heading(style_id):
            classes.append("docx-large")
        align = ALIGN.get(_val(ppr, "w:jc") or self._style_val(style_id, "w:pPr", "w:jc") or "")
        if align:
            attrs += f' style="text-align: {align}"'

        # A paragraph holding page breaks becomes several <p>, with an <hr> at each break.
        segments: list[list[tuple[str, bool]]] = [[]]
        sizes: list[int] = []
        for run in self._runs(p):
            bold = self._run_flag(run, style_id, "w:b")
            size = self._run_size(run, style_id)
            for piece in self._run_pieces(run):
                if piece is None:
                    segments.append([])
                elif piece:
                    segments[-1].append((piece, bold))
                    if size:
                        sizes.append(size)
        if "docx-large" not in classes and sizes and max(sizes) >= LARGE_HALF_POINTS:
            classes.append("docx-large")
        if classes:
            attrs = f' class="{" ".join(classes)}"' + attrs

        html = '<hr class="page-break">'.join(f"<p{attrs}>{_inline(seg) or '<br>'}</p>" for seg in segments)
        if ppr is not None and _flag(ppr.find(qn("w:pageBreakBefore"))):
            html = '<hr class="page-break">' + html
        # A section break (sectPr inside pPr) starts a new page unless it is "continuous".
        sect = ppr.find(qn("w:sectPr")) if ppr is not None else None
        if sect is not None and _val(sect, "w:type") not in ("continuous",):
            html += '<hr class="page-break">'
        return html

    def table(self, tbl) -> str:
        """Each w:tc once: horizontal merges become colspan, vertical merges rowspan."""
        rows = []  # per row: list of (grid column, span, tc)
        for tr in tbl.findall(qn("w:tr")):
            col = int(_val(tr.find(qn("w:trPr")), "w:gridBefore") or 0)
            cells = []
            for tc in tr.iter(qn("w:tc")):
                if _parent_row(tc) is not tr:
                    continue  # a nested table's cell
                span = max(1, int(_val(tc.find(qn("w:tcPr")), "w:gridSpan") or 1))
                cells.append((col, span, tc))
                col += span
            rows.append(cells)

        out = ['<table class="docx-table">']
        for r, cells in enumerate(rows):
            out.append("<tr>")
            for col, span, tc in cells:
                vmerge = _vmerge(tc)
                if vmerge == "continue":
                    continue
                attrs = f' colspan="{span}"' if span > 1 else ""
                if vmerge == "restart":
                    rowspan = 1
                    for below in rows[r + 1 :]:
                        same = [c for c in below if c[0] == col]
                        if not same or _vmerge(same[0][2]) != "continue":
                            break
                        rowspan += 1
                    if rowspan > 1:
                        attrs += f' rowspan="{rowspan}"'
                out.append(f"<td{attrs}>{self.blocks(tc)}</td>")
            out.append("</tr>")
        out.append("</table>")
        return "".join(out)

    # -- runs ---------------------------------------------------------------------------------------

    def _runs(self, parent):
        for child in parent.iterchildren():
            if child.tag == W_R:
                yield child
            elif child.tag in RUN_CONTAINERS:
                content = child.find(qn("w:sdtContent"))
                yield from self._runs(content if content is not None else child)

    @staticmethod
    def _run_pieces(run):
        """Text of a run; None marks a page break."""
        for child in run.iterchildren():
            tag = child.tag
            if tag == qn("w:t"):
                yield child.text or ""
            elif tag == qn("w:tab"):
                yield "\t"
            elif tag == qn("w:br"):
                yield None if child.get(qn("w:type")) == "page" else "\n"
            elif tag == qn("w:cr"):
                yield "\n"
            elif tag == qn("w:noBreakHyphen"):
                yield "-"

    def _run_flag(self, run, para_style: str | None, tag: str) -> bool:
        rpr = run.find(qn("w:rPr"))
        if rpr is not None and rpr.find(qn(tag)) is not None:
            return _flag(rpr.find(qn(tag)))
        for style_id in (_val(rpr, "w:rStyle"), para_style):
            found = self._style_el(style_id, "w:rPr", tag)
            if found is not None:
                return _flag(found)
        return False

    def _run_size(self, run, para_style: str | None) -> int | None:
        rpr = run.find(qn("w:rPr"))
        value = _val(rpr, "w:sz") or self._style_val(_val(rpr, "w:rStyle"), "w:rPr", "w:sz")
        value = value or self._style_val(para_style, "w:rPr", "w:sz")
        try:
            return int(value) if value else None
        except ValueError:
            return None

    # -- styles -------------------------------------------------------------------------------------

    def _style_el(self, style_id: str | None, container: str, tag: str):
        """`tag` under `container` of a style or the styles it is based on (cycle-safe)."""
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.styles.get(style_id)
            if style is None:
                return None
            box = style.find(qn(container))
            found = box.find(qn(tag)) if box is not None else None
            if found is not None:
                return found
            style_id = _val(style, "w:basedOn")
        return None

    def _style_val(self, style_id: str | None, container: str, tag: str) -> str | None:
        found = self._style_el(style_id, container, tag)
        return found.get(W_VAL) if found is not None else None

    def _is_heading(self, style_id: str | None) -> bool:
        style = self.styles.get(style_id) if style_id else None
        if style is None:
            return False
        name = (_val(style, "w:name") or "").lower()
        if name.startswith(("heading", "title", "标题")):
            return True
        return self._style_val(style_id, "w:pPr", "w:outlineLvl") == "0"


def _inline(segment: list[tuple[str, bool]]) -> str:
    """Runs of one line, adjacent bold runs merged into one <strong>."""
    out = []
    for text, bold in _merge(segment):
        html = _escape_text(text)
        out.append(f"<strong>{html}</strong>" if bold else html)
    return "".join(out)


def _merge(segment: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    merged: list[tuple[str, bool]] = []
    for text, bold in segment:
        if merged and merged[-1][1] == bold:
            merged[-1] = (merged[-1][0] + text, bold)
        else:
            merged.append((text, bold))
    return merged


def _escape_text(text: str) -> str:
    html = str(escape(text)).replace("\t", "    ")
    html = re.sub(r" {2,}", lambda m: "&nbsp;" * len(m.group()), html)  # spacing used for layout
    return html.replace("\n", "<br>")


def _val(parent, tag: str) -> str | None:
    if parent is None:
        return None
    el = parent.find(qn(tag))
    return el.get(W_VAL) if el is not None else None


def _flag(el) -> bool:
    """An OOXML on/off property: present without w:val means on."""
    if el is None:
        return False
    value = el.get(W_VAL)
    return value is None or value.lower() in TRUE_VALUES


def _vmerge(tc) -> str | None:
    tcpr = tc.find(qn("w:tcPr"))
    el = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
    if el is None:
        return None
    return el.get(W_VAL) or "continue"  # no w:val means "continue"


def _parent_row(tc):
    parent = tc.getparent()
    while parent is not None and parent.tag != qn("w:tr"):
        parent = parent.getparent()
    return parent


def _text(el) -> str:
    return _escape_text("".join(t.text or "" for t in el.iter(qn("w:t"))))


def _plain_text(body) -> str:
    """Last resort when structured rendering failed: each paragraph's text, escaped."""
    try:
        return "".join(f"<p>{_text(p)}</p>" for p in body.iter(W_P))
    except Exception:
        return ""


def _has_text(html: str) -> bool:
    return bool(re.sub(r"<[^>]*>|&nbsp;|\s", "", html or ""))


def _safe(fn, default=None):
    try:
        return fn()
    except Exception:
        return default
