"""A request that ends in a server error keeps nothing it wrote, and runs no after-commit work."""

from django.db import transaction
from django.http import HttpResponse, HttpResponseServerError
from django.test import RequestFactory

from polyplus.tenancy.middleware import TenancyMiddleware
from polyplus.tenancy.models import Customer


def request_as(user):
    request = RequestFactory().post("/customers/")
    request.user = user
    return request


def a_view_that_writes_then_answers(response_class, partner, ran_after_commit):
    def view(request):
        Customer.objects.create(partner=partner, name="Half done AB")
        transaction.on_commit(lambda: ran_after_commit.append(True))
        return response_class()
    return view


def test_a_500_after_a_write_rolls_the_write_back(db, partner_a_admin):
    ran = []
    view = a_view_that_writes_then_answers(HttpResponseServerError, partner_a_admin.partner, ran)
    middleware = TenancyMiddleware(view)
    assert middleware(request_as(partner_a_admin)).status_code == 500
    assert not Customer.objects.filter(name="Half done AB").exists()
    assert ran == []


def test_a_good_answer_keeps_its_write(db, partner_a_admin):
    ran = []
    middleware = TenancyMiddleware(a_view_that_writes_then_answers(HttpResponse, partner_a_admin.partner, ran))
    assert middleware(request_as(partner_a_admin)).status_code == 200
    assert Customer.objects.filter(name="Half done AB").exists()
