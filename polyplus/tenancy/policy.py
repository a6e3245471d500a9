"""Business defaults that Poly staff can change (DOMAIN.md's "(default)" rules).

Each app registers its policies with their defaults (a registry, so lower apps need not
know higher ones); a Poly admin overrides a value in the portal, stored in PolicySetting.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Policy:
    key: str
    label: str
    default: object
    parse: Callable[[str], object]
    help_text: str = ""


def parse_positive_int(text: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ValidationError("Enter a whole number.") from None
    if value < 0:
        raise ValidationError("Enter zero or more.")
    return value


def parse_decimal(text: str) -> Decimal:
    try:
        return Decimal(str(text).strip())
    except InvalidOperation:
        raise ValidationError("Enter a number.") from None


def parse_time(text: str) -> datetime.time:
    try:
        return datetime.time.fromisoformat(str(text).strip())
    except ValueError:
        raise ValidationError("Enter a time as HH:MM.") from None


_REGISTRY: dict[str, Policy] = {}


def register_policy(policy: Policy) -> Policy:
    _REGISTRY[policy.key] = policy
    return policy


def registered_policies() -> list[Policy]:
    return sorted(_REGISTRY.values(), key=lambda policy: policy.label)


def policy_value(key: str):
    """The value in force: the stored override, else the registered default."""
    from polyplus.tenancy.models import PolicySetting

    policy = _REGISTRY[key]
    stored = PolicySetting.objects.filter(key=key).values_list("value", flat=True).first()
    return policy.default if stored is None else policy.parse(stored)
