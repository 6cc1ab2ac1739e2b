"""Trigram indexes so that a substring search (Thai names have no spaces between
words) stays fast on PostgreSQL; SQLite scans, which is fine at its scale."""

from django.db import migrations


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS people_person_search_trgm "
        "ON people_person USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS people_organization_search_trgm "
        "ON people_organization USING gin (search_text gin_trgm_ops)"
    )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS people_person_search_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS people_organization_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
