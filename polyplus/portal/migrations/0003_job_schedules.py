"""The portal's periodic jobs, stored for beat's DatabaseScheduler (Poly staff may change the times).

The monthly CSM reports run on the 5th at 04:00 UTC, so partners have had time to upload the
previous month's inventory; quotes and return reminders run every morning.
"""

from django.db import migrations

SCHEDULES = [
    {
        "name": "Monthly CSM reports",
        "task": "polyplus.portal.tasks.make_monthly_reports",
        "crontab": {"minute": "0", "hour": "4", "day_of_month": "5"},
        "description": "Reconcile the previous month and make each Enterprise contract's report PDF, "
                       "mailed to its CSM and the partner's admins. Change the day of the month here.",
    },
    {
        "name": "True-up and renewal quotes",
        "task": "polyplus.portal.tasks.make_due_quotes",
        "crontab": {"minute": "0", "hour": "5", "day_of_month": "*"},
        "description": "Quote each proposed true-up, and each renewal due within the renewal-quote window.",
    },
    {
        "name": "RMA return reminders",
        "task": "polyplus.portal.tasks.remind_overdue_returns",
        "crontab": {"minute": "30", "hour": "6", "day_of_month": "*"},
        "description": "Mail partners about failed units overdue for return and not yet marked as sent back.",
    },
]


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for job in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            day_of_week="*", month_of_year="*", timezone="UTC", **job["crontab"]
        )
        PeriodicTask.objects.get_or_create(
            name=job["name"], defaults={"task": job["task"], "crontab": crontab, "description": job["description"]}
        )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[job["name"] for job in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0002_reports_quotes_job_runs"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
