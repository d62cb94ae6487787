"""Filling a Word template (docxtpl) and reading the Jinja source out of one (for the field check)."""

from __future__ import annotations

import functools
import io
import zipfile

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateError

from .fields import unknown_fields


class TemplateInvalid(ValueError):
    """A template that cannot be used: not a Word file, a broken tag, or unknown fields."""

    def __init__(self, message: str, *, bad_fields: list[str] | None = None):
        super().__init__(message)
        self.bad_fields = bad_fields or []


class _CachingEnvironment(Environment):
    """Compiles each part of a template once per process: docxtpl hands over the same XML on every
    render, and compiling it was most of the render time (a 1,000-document batch halves)."""

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - Jinja's own signature
        if globals is None and template_class is None and isinstance(source, str):
            return _compiled(self, source)
        return super().from_string(source, globals, template_class)


@functools.lru_cache(maxsize=256)
def _compiled(env: Environment, source: str):
    return Environment.from_string(env, source)


class _CachingTemplate(DocxTemplate):
    """docxtpl's XML clean-up (a chain of regular expressions) done once per template part."""

    def patch_xml(self, src_xml):
        return _patched(src_xml)


@functools.lru_cache(maxsize=64)
def _patched(src_xml: str) -> str:
    return DocxTemplate.patch_xml(None, src_xml)


# StrictUndefined: a field the context lacks is an error, never a silently blank line in a ruling.
# Autoescape: the values go into XML, where a party named "A&B贸易" would otherwise break the paragraph.
_ENV = _CachingEnvironment(undefined=StrictUndefined, autoescape=True)


def _open(blob: bytes) -> DocxTemplate:
    if not zipfile.is_zipfile(io.BytesIO(blob)):
        raise TemplateInvalid("不是有效的 Word（.docx）文件")
    try:
        return _CachingTemplate(io.BytesIO(blob))
    except Exception as exc:  # python-docx raises several kinds for a damaged package
        raise TemplateInvalid(f"无法打开 Word 文件：{exc}") from exc


def template_source(blob: bytes) -> str:
    """The Jinja source of the body, headers and footers, as docxtpl will see it."""
    tpl = _open(blob)
    doc = Document(io.BytesIO(blob))
    xml = tpl.patch_xml(tpl.xml_to_string(doc.element.body))
    for rel in doc.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            xml += tpl.patch_xml(tpl.xml_to_string(parse_xml(rel.target_part.blob)))
    return xml


def check_template(blob: bytes) -> list[str]:
    """The fields a template uses that the field list does not know ([] when all are known)."""
    source = template_source(blob)
    try:
        return unknown_fields(source)
    except TemplateError as exc:
        raise TemplateInvalid(f"模板标记有误（第 {getattr(exc, 'lineno', '?')} 处附近）：{exc.message}") from exc


def render_docx(blob: bytes, context: dict) -> bytes:
    """The filled document. The template bytes are opened afresh each time: docxtpl renders in place."""
    tpl = _open(blob)
    try:
        tpl.render(context, jinja_env=_ENV)
    except TemplateError as exc:
        raise TemplateInvalid(f"模板填充失败：{exc}") from exc
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
