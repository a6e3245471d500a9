"""Poly admin pages: engineers' training records and CSM assignments."""

import pytest

from polyplus.tenancy.models import CsmAssignment, Role, ServiceCategory, TrainingRecord
from tests import factories


def field_html(response, name: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="field-{name}"')
    end = html.find('<div class="field', start + 10)
    return html[start:end if end != -1 else len(html)]


TRAINING = {"category": ServiceCategory.VIDEO, "course": "Poly Video Service Certification",
            "completed_on": "2025-03-01", "expires_on": "2026-03-01"}


# ---- training records -------------------------------------------------------------------------

def test_poly_admin_lists_a_partners_training_records_by_engineer(client_for, poly_admin, partner_a_engineer,
                                                                  partner_b_engineer):
    factories.TrainingRecordFactory(engineer=partner_a_engineer, course="Poly Voice Essentials")
    factories.TrainingRecordFactory(engineer=partner_b_engineer, course="Poly Headset Care")
    response = client_for(poly_admin).get(f"/partners/{partner_a_engineer.partner_id}/training/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Poly Voice Essentials" in html and partner_a_engineer.email in html
    assert "Poly Headset Care" not in html


def test_poly_admin_records_training_for_an_engineer(client_for, poly_admin, partner_a_engineer):
    response = client_for(poly_admin).post(f"/partners/{partner_a_engineer.partner_id}/training/",
                                           {**TRAINING, "engineer": partner_a_engineer.pk})
    assert response.status_code == 302
    record = TrainingRecord.objects.get(engineer=partner_a_engineer)
    assert (record.partner_id, record.course) == (partner_a_engineer.partner_id, TRAINING["course"])


def test_another_partners_engineer_cannot_be_chosen(client_for, poly_admin, partner_a, partner_b_engineer):
    response = client_for(poly_admin).post(f"/partners/{partner_a.pk}/training/",
                                           {**TRAINING, "engineer": partner_b_engineer.pk})
    assert response.status_code == 200
    assert "Select a valid choice." in field_html(response, "engineer")
    assert not TrainingRecord.objects.exists()


def test_training_that_expires_before_completion_is_an_error_next_to_the_expiry(client_for, poly_admin,
                                                                                partner_a_engineer):
    response = client_for(poly_admin).post(f"/partners/{partner_a_engineer.partner_id}/training/", {
        **TRAINING, "engineer": partner_a_engineer.pk, "expires_on": "2024-01-01",
    })
    assert "Must be on or after the completed on." in field_html(response, "expires_on")
    assert not TrainingRecord.objects.exists()


def test_poly_admin_deletes_a_training_record(client_for, poly_admin, partner_a_engineer):
    record = factories.TrainingRecordFactory(engineer=partner_a_engineer)
    response = client_for(poly_admin).post(f"/training/{record.pk}/delete/")
    assert response.status_code == 302
    assert not TrainingRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("persona", ["poly_support", "partner_a_admin", "partner_a_engineer"])
def test_only_a_poly_admin_manages_training(db, request, client_for, persona, partner_a_engineer):
    record = factories.TrainingRecordFactory(engineer=partner_a_engineer)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(f"/partners/{partner_a_engineer.partner_id}/training/").status_code == 403
    assert client.post(f"/training/{record.pk}/delete/").status_code == 403
    assert TrainingRecord.objects.filter(pk=record.pk).exists()


def test_a_missing_training_record_is_not_found(client_for, poly_admin):
    assert client_for(poly_admin).post("/training/31337/delete/").status_code == 404


def test_the_training_page_costs_the_same_queries_for_3_or_30_records(client_for, poly_admin, partner_a,
                                                                     django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            factories.TrainingRecordFactory(engineer=factories.UserFactory(partner=partner_a))

    add(3)
    client = client_for(poly_admin)
    with django_assert_max_num_queries(20) as few:
        client.get(f"/partners/{partner_a.pk}/training/")
    add(27)
    with django_assert_max_num_queries(20) as many:
        client.get(f"/partners/{partner_a.pk}/training/")
    assert len(many) == len(few)


# ---- CSM assignments --------------------------------------------------------------------------

def test_poly_admin_assigns_then_unassigns_a_csm(client_for, poly_admin, csm, customer_a):
    client = client_for(poly_admin)
    response = client.post("/csm-assignments/", {"customer": customer_a.pk, "csm": csm.pk})
    assert response.status_code == 302
    assignment = CsmAssignment.objects.get(customer=customer_a)
    assert (assignment.csm, assignment.partner_id) == (csm, customer_a.partner_id)
    assert csm.email in client.get("/csm-assignments/").content.decode()
    assert client.post(f"/csm-assignments/{assignment.pk}/delete/").status_code == 302
    assert not CsmAssignment.objects.exists()


def test_someone_who_is_not_a_csm_cannot_be_assigned(client_for, poly_admin, poly_support, customer_a):
    response = client_for(poly_admin).post("/csm-assignments/", {"customer": customer_a.pk, "csm": poly_support.pk})
    assert response.status_code == 200
    assert "Select a valid choice." in field_html(response, "csm")
    assert not CsmAssignment.objects.exists()


def test_an_inactive_csm_cannot_be_assigned(client_for, poly_admin, customer_a):
    retired = factories.PolyStaffFactory(role=Role.CSM, is_active=False)
    response = client_for(poly_admin).post("/csm-assignments/", {"customer": customer_a.pk, "csm": retired.pk})
    assert "Select a valid choice." in field_html(response, "csm")
    assert not CsmAssignment.objects.exists()


@pytest.mark.parametrize("persona", ["poly_support", "csm", "partner_a_admin"])
def test_only_a_poly_admin_manages_csm_assignments(db, request, client_for, persona, customer_a):
    assignment = factories.CsmAssignmentFactory(customer=customer_a)
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/csm-assignments/").status_code == 403
    assert client.post(f"/csm-assignments/{assignment.pk}/delete/").status_code == 403
    assert CsmAssignment.objects.filter(pk=assignment.pk).exists()


def test_the_assignment_list_costs_the_same_queries_for_3_or_30_assignments(client_for, poly_admin, csm,
                                                                           django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            factories.CsmAssignmentFactory(customer=factories.CustomerFactory(), csm=csm)

    add(3)
    client = client_for(poly_admin)
    with django_assert_max_num_queries(20) as few:
        client.get("/csm-assignments/")
    add(27)
    with django_assert_max_num_queries(20) as many:
        client.get("/csm-assignments/")
    assert len(many) == len(few)
