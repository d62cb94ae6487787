"""Bulk registration from CSV/XLSX (placeholder interface; implemented by the import work)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .exceptions import DomainError


@dataclass
class ImportResult:
    created: int
    already_imported: bool
    message: str
    case_numbers: list[str] = field(default_factory=list)


def cases_import(*, actor, file_name: str, content: bytes) -> ImportResult:
    raise DomainError("导入功能尚未实现", code="not_implemented")
