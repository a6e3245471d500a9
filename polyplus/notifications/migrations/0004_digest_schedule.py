from django.db import migrations

DIGEST_TASK_NAME = "Send the daily notification digests"


def schedule_digest(apps, schema_editor):
    """Beat sends the digests every day at 07:00 UTC; Poly staff may change the time."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_morning, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(
        name=DIGEST_TASK_NAME,
        defaults={
            "task": "polyplus.notifications.tasks.send_digests",
            "crontab": every_morning,
            "description": "One mail per person with the notifications they chose to read in a digest.",
        },
    )


def unschedule_digest(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=DIGEST_TASK_NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0003_events_and_preferences"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [
        migrations.RunPython(schedule_digest, unschedule_digest),
    ]
