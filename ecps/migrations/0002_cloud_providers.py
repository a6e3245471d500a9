from django.db import migrations

# The providers Poly starts with; Poly admins change the list and its flags in the portal.
# (name, requires_authorisation, direct_engagement)
PROVIDERS = [
    ("Microsoft Teams", True, True),
    ("Zoom", True, True),
    ("Google Meet", True, False),
    ("RingCentral", False, True),
    ("Webex", False, True),
]


def add_providers(apps, schema_editor):
    CloudProvider = apps.get_model("ecps", "CloudProvider")
    for name, requires_authorisation, direct_engagement in PROVIDERS:
        CloudProvider.objects.get_or_create(name=name, defaults={
            "requires_authorisation": requires_authorisation, "direct_engagement": direct_engagement})


class Migration(migrations.Migration):

    dependencies = [("ecps", "0001_initial")]

    operations = [migrations.RunPython(add_providers, migrations.RunPython.noop)]
