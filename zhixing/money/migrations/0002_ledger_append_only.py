"""Journals and postings are append-only: the database itself refuses UPDATE and DELETE of their rows
(a mistake is corrected by a reversing journal). As for the execution log, TRUNCATE stays possible for
the table owner (test flushes); the production application role should not own the tables."""

from django.db import migrations

TABLES = ("money_journal", "money_posting")

SQLITE = [
    sql
    for table in TABLES
    for sql in (
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '账务凭证只能追加，不能修改 (the ledger is append-only)'); END;""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '账务凭证只能追加，不能删除 (the ledger is append-only)'); END;""",
    )
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {table}_{op};" for table in TABLES for op in ("no_update", "no_delete")]

POSTGRES = [
    """CREATE FUNCTION money_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '账务凭证只能追加 (the ledger is append-only): % refused', TG_OP; END; $$;""",
    *[f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
          FOR EACH ROW EXECUTE FUNCTION money_ledger_append_only();""" for table in TABLES],
]
POSTGRES_REVERSE = [
    *[f"DROP TRIGGER {table}_append_only ON {table};" for table in TABLES],
    "DROP FUNCTION money_ledger_append_only();",
]


def _run(statements):
    def apply(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)  # no placeholders: the PL/pgSQL uses a literal %

    return apply


class Migration(migrations.Migration):
    dependencies = [("money", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_REVERSE}),
        )
    ]
