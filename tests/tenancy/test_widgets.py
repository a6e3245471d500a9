"""QuickSelect renders exactly the markup Django's Select does, without a template per option."""

import pytest
from django import forms
from django.test.html import parse_html

from polyplus.tenancy.widgets import QuickSelect

CHOICES = [("", "All partners"), (1, "Nordic <Collaboration> AB"), (2, 'Wisła "Systemy"'), (30, "Zed & Co")]
GROUPED = [("", "Any"), ("Open", [("new", "New"), ("in_progress", "In progress")]), ("closed", "Closed")]


def rendered(widget_class, choices, value, attrs=None):
    return widget_class(choices=choices).render("partner", value, attrs=attrs)


@pytest.mark.parametrize(("choices", "value", "attrs"), [
    (CHOICES, None, None),
    (CHOICES, "", {"id": "id_partner"}),
    (CHOICES, 2, {"id": "id_partner", "required": True, "aria-describedby": "help"}),
    (CHOICES, "30", {"disabled": False, "class": "wide"}),
    (GROUPED, "in_progress", {"id": "id_status"}),
    (GROUPED, "nothing", None),
])
def test_it_renders_what_djangos_select_renders(choices, value, attrs):
    quick, django_select = rendered(QuickSelect, choices, value, attrs), rendered(forms.Select, choices, value, attrs)
    assert parse_html(quick) == parse_html(django_select)  # the same elements; only the line breaks differ


def test_labels_and_values_are_escaped():
    html = rendered(QuickSelect, [('"><script>', "<b>x</b>")], None)
    assert "<script>" not in html and "<b>" not in html
