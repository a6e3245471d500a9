"""Adding a person mails them an invitation, in their partner's brand, to set a password."""

import re
import time

import pytest
from django.core import mail

from polyplus.tenancy import invitations, services
from polyplus.tenancy.context import read_context, staff_context, tenant_context
from polyplus.tenancy.models import PartnerDomain, Role, User
from tests import factories

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
NEW = {"email": "new.engineer@nordic.example", "full_name": "Nora Nilsson", "role": Role.PARTNER_ENGINEER}


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = LOCMEM


@pytest.fixture
def nordic_brand(partner_a):
    brand = partner_a.brand
    brand.display_name, brand.primary_color, brand.support_email = "Nordic Care", "#123456", "help@nordic.example"
    brand.save()
    return brand


def test_adding_a_user_without_a_password_invites_them_after_the_commit(client_for, partner_a_admin,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(partner_a_admin).post("/users/new/", {**NEW, "password": ""})
    assert response.status_code == 302
    assert len(callbacks) == 1  # the task is queued only once the account is committed
    assert mail.outbox == []


def test_adding_a_user_with_a_password_sends_no_invitation(partner_a_admin, partner_a,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.user_create(by=partner_a_admin, partner=partner_a, password="a-long-enough-Passw0rd!", **NEW)
    assert callbacks == []


def test_the_invitation_is_in_the_partners_brand_and_its_link_sets_the_password(client, partner_a,
                                                                                partner_a_admin, nordic_brand):
    person = services.user_create(by=partner_a_admin, partner=partner_a, **NEW)
    assert invitations.invitation_send(user_id=person.pk, base_url="http://portal.example/")

    message = mail.outbox[-1]
    html = message.alternatives[0][0]
    assert message.to == [NEW["email"]]
    assert message.subject.startswith("Nordic Care")
    assert message.from_email.startswith("Nordic Care <")
    assert message.reply_to == ["help@nordic.example"]
    assert "Nordic Care" in html and "#123456" in html
    assert "Poly" not in message.body
    link = re.search(r"http://portal\.example(/accounts/password/reset/key/\S+/)", message.body).group(1)

    with tenant_context(read_context()):
        opened = client.get(link, follow=True)
        form_url = opened.redirect_chain[-1][0] if opened.redirect_chain else link
        set_it = client.post(form_url, {"password1": "Fj0rd-and-Sk3rries!", "password2": "Fj0rd-and-Sk3rries!"})
    assert set_it.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Fj0rd-and-Sk3rries!")


def test_the_link_uses_the_partners_own_host_when_it_has_one(partner_a, partner_a_admin):
    PartnerDomain.objects.create(partner=partner_a, host="support.nordic.example")
    person = services.user_create(by=partner_a_admin, partner=partner_a, **NEW)
    assert invitations.invitation_link(person, "http://portal.example/").startswith(
        "https://support.nordic.example/accounts/password/reset/key/")


def test_poly_staff_are_invited_in_polys_own_brand(poly_admin):
    person = services.user_create(by=poly_admin, email="new@poly.example", full_name="P", role=Role.POLY_SUPPORT)
    assert invitations.invitation_send(user_id=person.pk, base_url="http://portal.example/")
    assert mail.outbox[-1].subject.startswith("Poly+ partner portal")


def test_nobody_is_invited_twice_once_they_have_a_password_nor_while_inactive(partner_a, partner_a_admin):
    person = services.user_create(by=partner_a_admin, partner=partner_a, **NEW)
    person.set_password("Fj0rd-and-Sk3rries!")
    person.save()
    assert not invitations.invitation_send(user_id=person.pk, base_url="http://portal.example/")
    idle = services.user_create(by=partner_a_admin, partner=partner_a, email="idle@nordic.example", full_name="I",
                                role=Role.PARTNER_ENGINEER)
    User.objects.filter(pk=idle.pk).update(is_active=False)
    assert not invitations.invitation_send(user_id=idle.pk, base_url="http://portal.example/")
    assert mail.outbox == []


@pytest.mark.worker
def test_a_real_worker_sends_the_invitation_once_the_account_is_committed(route_to_worker):
    route_to_worker("polyplus.tenancy.tasks.send_invitation")
    with staff_context(reason="test data: invitations"):
        partner = factories.PartnerFactory(name="Nordic Collaboration AB", slug="nordic")
        admin = factories.UserFactory(partner=partner, role=Role.PARTNER_ADMIN, email="admin@nordic.example")
    with staff_context(reason="test: add a user", actor=admin):
        services.user_create(by=admin, partner=partner, invite_from="http://portal.example/", **NEW)
        assert mail.outbox == []  # not before the commit
    deadline = time.monotonic() + 60
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [message.to for message in mail.outbox] == [[NEW["email"]]]
    assert "http://portal.example/accounts/password/reset/key/" in mail.outbox[0].body
