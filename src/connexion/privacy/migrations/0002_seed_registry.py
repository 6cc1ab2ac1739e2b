from django.db import migrations

from connexion.privacy.seed import seed


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    # The registry is data the privacy officer edits afterwards; not removed on reverse.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
