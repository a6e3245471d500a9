from django.db import migrations

MONITOR_TASK_NAME = "SLA monitor: warn and escalate breached cases"


def schedule_monitor(apps, schema_editor):
    """Beat runs the SLA monitor every minute."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=MONITOR_TASK_NAME,
        defaults={
            "task": "tickets.tasks.monitor_sla",
            "interval": every_minute,
            "description": "Warn before SLA targets are missed; escalate each breached case once.",
        },
    )


def unschedule_monitor(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=MONITOR_TASK_NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0004_owners_and_followers"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [
        migrations.RunPython(schedule_monitor, unschedule_monitor),
    ]
