"""The demo builder's tables and their column lists, for fast bulk inserts of plain row tuples.

Why not QuerySet.bulk_create: for 100,000 cases the builder writes about 2.7 million rows, and
bulk_create spends ~5 µs per value in model instantiation and the SQL compiler (≈ 3 minutes on
SQLite, with its 999-parameter batches). The builder therefore makes tuples in the column order
below and inserts them through zhixing.bulk (executemany on SQLite, COPY on PostgreSQL). Every
column but the id must be listed, so a new NOT NULL field fails loudly here rather than in the
database.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models

from zhixing import bulk
from zhixing.cases.models import ClaimItem, EnforcementCase, ExecutionBasis, LogEntry, NodeRecord, Party

CASE_COLUMNS = (
    "id", "court_id", "case_number", "case_type", "year", "sequence", "filed_on", "origin_case_id", "stage", "status",
    "track", "team_id", "handler_id", "claim_amount_fen", "performed_amount_fen", "applicant_names",
    "respondent_names", "closing_type", "closed_on", "archived_on", "assign_due", "notice_due", "close_due",
    "archive_due", "source", "import_batch_id", "registered_by_id", "created_at",
)
BASIS_COLUMNS = ("court_id", "case_id", "document_number", "issuing_court", "effective_on", "main_text")
PARTY_COLUMNS = (
    "court_id", "case_id", "role", "kind", "name", "id_number", "credit_code", "birth_on", "legal_representative",
    "phone", "address", "position",
)
CLAIM_COLUMNS = ("court_id", "case_id", "kind", "amount_fen", "note")
NODE_COLUMNS = ("court_id", "case_id", "node_code", "occurred_on", "recorded_at", "recorded_by_id", "note")
LOG_COLUMNS = (
    "court_id", "case_id", "seq", "at", "actor_id", "actor_name", "action", "node_code", "summary", "before",
    "after", "reason", "prev_hash", "entry_hash",
)

TABLES: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (EnforcementCase, CASE_COLUMNS),
    (ExecutionBasis, BASIS_COLUMNS),
    (Party, PARTY_COLUMNS),
    (ClaimItem, CLAIM_COLUMNS),
    (NodeRecord, NODE_COLUMNS),
    (LogEntry, LOG_COLUMNS),
)


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence]) -> int:
    """The demo's rows into the model's table (zhixing.bulk), every column but the id given."""
    return bulk.insert_rows(model, columns, rows, complete=True)
