"""Pages found by their keys first hold the same rows, in the same order, as plain pages."""

import pytest
from django.core.paginator import Paginator

from polyplus.tenancy.models import Customer
from polyplus.tenancy.pagination import KeysFirstPaginator
from tests import factories


@pytest.fixture
def customers(partner_a):
    for n in range(23):
        factories.CustomerFactory(partner=partner_a, name=f"Customer {n % 7} {n:02d}")
    return Customer.objects.select_related("partner").order_by("name", "pk")


@pytest.mark.parametrize("orphans", [0, 2])
def test_every_page_matches_a_plain_paginators(customers, orphans):
    plain, keys_first = Paginator(customers, 5, orphans=orphans), KeysFirstPaginator(customers, 5, orphans=orphans)
    assert keys_first.num_pages == plain.num_pages
    for number in plain.page_range:
        assert list(keys_first.page(number).object_list) == list(plain.page(number).object_list)


def test_a_page_costs_two_statements_wherever_it_is(customers, django_assert_num_queries):
    paginator = KeysFirstPaginator(customers, 5)
    paginator.count  # noqa: B018 - counted once per paginator
    for number in (1, 5):
        with django_assert_num_queries(2):
            rows = list(paginator.page(number).object_list)
        assert rows and rows[0].partner.name  # joined, not fetched one by one
