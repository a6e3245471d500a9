"""The one range of dates and times the portal accepts, and the fields that hold input to it.

Every date the portal stores or computes with lies from 2000-01-01 to 2099-12-31: wide
enough for any contract, certification, product life or visit, and far enough from the
calendar's ends that a time zone shift or a term added to it never overflows (a visit in
the year 9999 shown in Stockholm's time is past the last day Python knows).

The model fields carry `validate_portal_date`, so model serializers, services' full_clean
and CSV imports refuse a date outside it; declared API fields and form fields use the
classes below, which also say that a well-formed date that is not on the calendar
(2026-02-30) does not exist, rather than that it has the wrong format.
"""

from __future__ import annotations

import calendar
import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from rest_framework import serializers

EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)
RANGE_MESSAGE = f"Enter a date from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}."

ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


@deconstructible(path="polyplus.tenancy.dates.PortalDateValidator")
class PortalDateValidator:
    """Refuse a date (or a datetime, by its UTC day) outside the portal's range."""

    code = "date_out_of_range"

    def __call__(self, value) -> None:
        if isinstance(value, datetime.datetime):
            try:
                value = (value.astimezone(datetime.UTC) if value.tzinfo is not None else value).date()
            except OverflowError:  # past the calendar's end once in UTC
                raise ValidationError(RANGE_MESSAGE, code=self.code) from None
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            raise ValidationError(RANGE_MESSAGE, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, PortalDateValidator)


validate_portal_date = PortalDateValidator()


def missing_day_message(text: str) -> str | None:
    """For text shaped like YYYY-MM-DD that names no day (2026-02-30), say so; None otherwise."""
    match = ISO_DAY.match(str(text))
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return f"{match.group(0).strip()} does not exist: there is no month {month:02d}."
    days = calendar.monthrange(max(year, 1), month)[1]
    if not 1 <= day <= days:
        month_name = datetime.date(2000, month, 1).strftime("%B")
        return f"{match.group(0).strip()} does not exist: {month_name} {year:04d} has {days} days."
    return None


def parse_portal_date(text: str) -> datetime.date:
    """A YYYY-MM-DD text as a date in the portal's range, or a ValidationError saying why not."""
    text = str(text).strip()
    try:
        value = datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(missing_day_message(text) or f"“{text}” is not a date (YYYY-MM-DD).") from None
    validate_portal_date(value)
    return value


def refuse_a_day_off_the_calendar(value, error_class) -> None:
    """A typed date that is not on the calendar (2026-02-30) is named as such, not as a bad format."""
    if isinstance(value, str) and (message := missing_day_message(value)):
        raise error_class(message, code="invalid")


# ---- API fields ------------------------------------------------------------------------------

class PortalDateField(serializers.DateField):
    """A date in the portal's range; a date that is not on the calendar is named as such."""

    default_validators = [validate_portal_date]

    def to_internal_value(self, value):
        refuse_a_day_off_the_calendar(value, serializers.ValidationError)
        return super().to_internal_value(value)


class PortalDateTimeField(serializers.DateTimeField):
    """A date and time in the portal's range."""

    default_validators = [validate_portal_date]

    def to_internal_value(self, value):
        refuse_a_day_off_the_calendar(value, serializers.ValidationError)
        return super().to_internal_value(value)


# ---- form fields -----------------------------------------------------------------------------

class PortalDateFormField(forms.DateField):
    default_validators = [validate_portal_date]

    def to_python(self, value):
        refuse_a_day_off_the_calendar(value, ValidationError)
        return super().to_python(value)


class PortalDateTimeFormField(forms.DateTimeField):
    default_validators = [validate_portal_date]

    def to_python(self, value):
        refuse_a_day_off_the_calendar(value, ValidationError)
        return super().to_python(value)


def use_portal_date_fields_in_model_serializers() -> None:
    """Every model serializer's date fields read input as the fields above do (the app's ready())."""
    from django.db import models
    from rest_framework.serializers import ModelSerializer

    ModelSerializer.serializer_field_mapping = {
        **ModelSerializer.serializer_field_mapping,
        models.DateField: PortalDateField,
        models.DateTimeField: PortalDateTimeField,
    }
