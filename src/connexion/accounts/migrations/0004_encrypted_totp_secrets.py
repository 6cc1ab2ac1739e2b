"""Two-step secrets encrypted under the master keys instead of kept as text."""

from django.db import migrations, models


def seal_secrets(apps, schema_editor):
    from connexion.lib import crypto
    from connexion.lib.storage import configured_keyring

    devices = apps.get_model("accounts", "MfaDevice")
    for device in devices.objects.all():
        device.sealed_secret = crypto.seal_text(device.secret, configured_keyring())
        device.save(update_fields=["sealed_secret"])


def open_secrets(apps, schema_editor):
    from connexion.lib import crypto
    from connexion.lib.storage import configured_keyring

    devices = apps.get_model("accounts", "MfaDevice")
    for device in devices.objects.all():
        device.secret = crypto.open_text(device.sealed_secret, configured_keyring())
        device.save(update_fields=["secret"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_role_visibility_and_category_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="mfadevice",
            name="sealed_secret",
            field=models.TextField(default="", verbose_name="encrypted secret"),
            preserve_default=False,
        ),
        migrations.RunPython(seal_secrets, open_secrets),
        # A default only so that going back can add the column before refilling it.
        migrations.AlterField(
            model_name="mfadevice",
            name="secret",
            field=models.CharField(default="", max_length=64, verbose_name="secret"),
        ),
        migrations.RemoveField(model_name="mfadevice", name="secret"),
    ]
