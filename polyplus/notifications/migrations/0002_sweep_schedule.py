from django.db import migrations

SWEEP_TASK_NAME = "Send mails left unsent"


def schedule_sweep(apps, schema_editor):
    """Beat runs the sweeper every 5 minutes; Poly staff may change the interval."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=SWEEP_TASK_NAME,
        defaults={
            "task": "polyplus.notifications.tasks.sweep_outbound_mail",
            "interval": every_five_minutes,
            "description": "Enqueue queued mails that were not sent (the broker was down at commit, retries ran out).",
        },
    )


def unschedule_sweep(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SWEEP_TASK_NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0001_outbound_mail"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [
        migrations.RunPython(schedule_sweep, unschedule_sweep),
    ]
