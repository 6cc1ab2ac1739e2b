"""Indexes for the people list's sorts by name and by last change.

The list pages by keyset on (sort field, id). Without an index on that pair,
PostgreSQL reads and sorts every person for each page: with 1,000,000 people
(benchmarks/people_scale.py) a page sorted by Thai name took 2.2 s of SQL,
by Latin name 0.26 s, by last change 0.30 s. With these it reads one page of
the index: about 1 ms. "newest"/"oldest" already use the primary key.

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
