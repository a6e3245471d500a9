import datetime

from django.db import migrations

H = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)

# DOMAIN.md's first-response defaults (Enterprise / Poly+); resolution targets are our default.
DEFAULTS = [
    (1, "poly_plus_enterprise", 30 * MINUTE, 4 * H), (1, "poly_plus", 1 * H, 8 * H),
    (2, "poly_plus_enterprise", 2 * H, 1 * DAY), (2, "poly_plus", 4 * H, 2 * DAY),
    (3, "poly_plus_enterprise", 8 * H, 3 * DAY), (3, "poly_plus", 12 * H, 5 * DAY),
    (4, "poly_plus_enterprise", 24 * H, 10 * DAY), (4, "poly_plus", 48 * H, 15 * DAY),
]


def seed(apps, schema_editor):
    SlaTarget = apps.get_model("tickets", "SlaTarget")
    for severity, offering, first_response, resolution in DEFAULTS:
        SlaTarget.objects.get_or_create(severity=severity, offering=offering,
                                        defaults={"first_response": first_response, "resolution": resolution})


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
