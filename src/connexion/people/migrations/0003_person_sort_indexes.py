"""Indexes for the list sorts other than by id (people by name and by last
change, organizations by name).

The lists page by keyset on (sort field, id). Without an index on that pair,
PostgreSQL reads and sorts the whole table for each page. With 1,000,000 people
and 100,000 organizations (benchmarks/people_scale.py, docs/performance.md), a
people page sorted by Thai name took 2.2 s of SQL, by Latin name 0.26 s, by last
change 0.30 s; an organizations page by name 50-85 ms. With these indexes the
first page reads one page of the index (under 1 ms). "newest" and "oldest"
already use the primary key.

Plain b-tree indexes, created on every database. They are not declared in the
models' Meta.indexes: RunPython leaves the migration state alone, so
`makemigrations --check` stays clean. If they are ever declared there, turn
the generated AddIndex into a state-only operation (SeparateDatabaseAndState).
"""

from django.db import migrations

INDEXES = {
    "person_first_name_th_id": "people_person (first_name_th, id)",
    "person_first_name_en_id": "people_person (first_name_en, id)",
    # Walked backwards for "recently changed" (updated_at DESC, id DESC).
    "person_updated_at_id": "people_person (updated_at, id)",
    "organization_name_th_id": "people_organization (name_th, id)",
    "organization_name_en_id": "people_organization (name_en, id)",
}


def create_indexes(apps, schema_editor):
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {columns}")


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("people", "0002_search_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
