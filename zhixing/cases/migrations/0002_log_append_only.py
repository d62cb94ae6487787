"""The execution log is append-only: the database itself refuses UPDATE and DELETE of its rows.

TRUNCATE (PostgreSQL) stays possible for the table owner, as it must for test flushes; the
production application role should not own the tables (docs/operations.md)."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS cases_logentry_no_update BEFORE UPDATE ON cases_logentry
       BEGIN SELECT RAISE(ABORT, '执行日志只能追加，不能修改 (execution log is append-only)'); END;""",
    """CREATE TRIGGER IF NOT EXISTS cases_logentry_no_delete BEFORE DELETE ON cases_logentry
       BEGIN SELECT RAISE(ABORT, '执行日志只能追加，不能删除 (execution log is append-only)'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER cases_logentry_no_update;", "DROP TRIGGER cases_logentry_no_delete;"]

POSTGRES = [
    """CREATE FUNCTION cases_logentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '执行日志只能追加 (execution log is append-only): % refused', TG_OP; END; $$;""",
    """CREATE TRIGGER cases_logentry_append_only BEFORE UPDATE OR DELETE ON cases_logentry
       FOR EACH ROW EXECUTE FUNCTION cases_logentry_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER cases_logentry_append_only ON cases_logentry;",
    "DROP FUNCTION cases_logentry_append_only();",
]


def _run(statements):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql, params=None)  # no placeholders: the PL/pgSQL uses a literal %

    return apply


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
