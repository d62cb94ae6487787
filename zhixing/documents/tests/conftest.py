"""Fixtures of the documents tests: today is Wednesday 2026-11-25 in Beijing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from docx import Document


@pytest.fixture(autouse=True)
def on_25_november_2026():
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield


def docx_text(blob: bytes) -> str:
    """Every paragraph and table cell of a .docx (body, headers, footers), one per line."""
    doc = Document(io.BytesIO(blob))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    for section in doc.sections:
        lines.extend(p.text for p in section.header.paragraphs)
        lines.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(lines)


def table_rows(blob: bytes) -> list[list[str]]:
    doc = Document(io.BytesIO(blob))
    return [[cell.text for cell in row.cells] for table in doc.tables for row in table.rows]
