import datetime as dt

from django.db import migrations, models
from django.utils import timezone

# Tokens made before tokens could expire get the default lifetime from today.
LIFETIME = dt.timedelta(days=90)


def give_live_tokens_a_lifetime(apps, schema_editor):  # type: ignore[no-untyped-def]
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(revoked_at__isnull=True, expires_at__isnull=True).update(
        expires_at=timezone.now() + LIFETIME
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(give_live_tokens_a_lifetime, migrations.RunPython.noop),
    ]
