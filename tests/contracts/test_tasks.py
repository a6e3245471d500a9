"""The nightly contract expiry: a real Celery worker, a real Redis, the real database.

The worker (tests/conftest.py `worker_queue`) runs in a thread of this process on a queue of
its own; data is committed first because it reads on its own connection, as Poly staff
across every partner (the task's staff context), with row-level security live.
"""

import datetime

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from contracts.models import Contract, ContractStatus
from contracts.tasks import expire_ended_contracts
from polyplus.celery import app as celery_app
from polyplus.tenancy.context import staff_context
from tests import factories

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def make_contracts() -> dict[str, int]:
    """Two partners: one contract ended yesterday (each), one ends today, one ends tomorrow,
    and a draft and a cancelled contract whose terms ended too."""
    nordic = factories.CustomerFactory(partner=factories.PartnerFactory(slug="nordic"))
    wisla = factories.CustomerFactory(partner=factories.PartnerFactory(slug="wisla"))

    def contract(customer, status, end):
        return factories.ContractFactory(customer=customer, status=status, start_date=end - 364 * DAY,
                                         end_date=end).pk

    return {
        "nordic_ended_yesterday": contract(nordic, ContractStatus.ACTIVE, TODAY - DAY),
        "wisla_ended_yesterday": contract(wisla, ContractStatus.ACTIVE, TODAY - DAY),
        "ends_today": contract(nordic, ContractStatus.ACTIVE, TODAY),
        "ends_tomorrow": contract(wisla, ContractStatus.ACTIVE, TODAY + DAY),
        "draft_ended": contract(nordic, ContractStatus.DRAFT, TODAY - DAY),
        "cancelled_ended": contract(wisla, ContractStatus.CANCELLED, TODAY - 30 * DAY),
    }


def statuses(ids: dict[str, int]) -> dict[str, str]:
    with staff_context(reason="test: read contract statuses"):
        by_pk = dict(Contract.objects.values_list("pk", "status"))
    return {name: by_pk[pk] for name, pk in ids.items()}


@pytest.mark.worker
def test_a_real_worker_expires_what_ended_yesterday_and_a_rerun_changes_nothing(worker_queue):
    with staff_context(reason="test data: contracts to expire"):
        ids = make_contracts()

    first = expire_ended_contracts.apply_async(queue=worker_queue).get(timeout=60)
    after_first = statuses(ids)
    second = expire_ended_contracts.apply_async(queue=worker_queue).get(timeout=60)

    assert (first, second) == (2, 0)
    assert after_first == statuses(ids) == {
        "nordic_ended_yesterday": "expired", "wisla_ended_yesterday": "expired",
        "ends_today": "active", "ends_tomorrow": "active",
        "draft_ended": "draft", "cancelled_ended": "cancelled",
    }
    with staff_context(reason="test: read the reason"):
        expired = Contract.objects.get(pk=ids["nordic_ended_yesterday"])
    assert expired.status_reason == "The term ended."


@pytest.mark.worker
def test_the_worker_takes_the_day_to_judge_by(worker_queue):
    with staff_context(reason="test data: contracts to expire"):
        ids = make_contracts()

    tomorrow = (TODAY + DAY).isoformat()
    assert expire_ended_contracts.apply_async(args=[tomorrow], queue=worker_queue).get(timeout=60) == 3

    assert statuses(ids)["ends_today"] == "expired"
    assert statuses(ids)["ends_tomorrow"] == "active"


def test_the_task_is_acknowledged_only_after_it_ran_and_retried():
    assert expire_ended_contracts.name in celery_app.tasks
    assert expire_ended_contracts.acks_late is True
    assert expire_ended_contracts.max_retries > 0


def test_beat_runs_it_every_night(db):
    from django_celery_beat.models import PeriodicTask

    migration = __import__("contracts.migrations.0002_schedule_contract_expiry", fromlist=["x"])
    migration.schedule(django_apps, None)
    migration.schedule(django_apps, None)  # idempotent, like the migration rerun on a fresh database

    task = PeriodicTask.objects.get(name=migration.TASK_NAME)
    assert task.task == expire_ended_contracts.name and task.enabled
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week, str(task.crontab.timezone)) == (
        "15", "0", "*", "UTC")
    assert PeriodicTask.objects.filter(task=expire_ended_contracts.name).count() == 1
