"""The settings page where a Poly admin changes business defaults (policies), and its service."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pghistory.models import Events

from polyplus.tenancy import services
from polyplus.tenancy.models import PolicySetting
from polyplus.tenancy.policy import policy_value, registered_policies


def html_of(response) -> str:
    return response.content.decode()


def test_a_poly_admin_sees_every_registered_policy_with_default_and_value_in_force(client_for, poly_admin):
    response = client_for(poly_admin).get("/settings/policies/")
    html = html_of(response)
    assert response.status_code == 200
    for policy in registered_policies():
        assert policy.label in html and f'id="policy-{policy.key}"' in html
    row = html[html.index('id="policy-enterprise_min_devices"'):]
    assert '<td class="mono">100</td>' in row[:row.index("</tr>")]


def test_a_poly_admin_changes_a_policy_and_it_applies_at_once_with_an_audit_trail(client_for, poly_admin):
    client = client_for(poly_admin)
    response = client.post("/settings/policies/enterprise_min_devices/",
                           {"enterprise_min_devices-value": " 20 "}, follow=True)
    html = html_of(response)
    assert "Poly+ Enterprise eligibility threshold is now 20." in html
    assert policy_value("enterprise_min_devices") == 20
    setting = PolicySetting.objects.get(key="enterprise_min_devices")
    assert setting.updated_by == poly_admin
    row = html[html.index('id="policy-enterprise_min_devices"'):]
    assert f"by {poly_admin.email}" in row[:row.index("</tr>")]
    assert Events.objects.filter(pgh_obj_model="tenancy.PolicySetting", pgh_label="insert").exists()


@pytest.mark.parametrize(("value", "message"), [("abc", "Enter a whole number."), ("-5", "Enter zero or more."),
                                                ("", "This field is required.")])
def test_an_invalid_value_is_refused_next_to_it_and_nothing_is_stored(client_for, poly_admin, value, message):
    PolicySetting.objects.create(key="enterprise_min_devices", value="50")
    response = client_for(poly_admin).post("/settings/policies/enterprise_min_devices/",
                                           {"enterprise_min_devices-value": value})
    html = html_of(response)
    assert response.status_code == 200
    row = html[html.index('id="policy-enterprise_min_devices"'):]
    assert message in row[:row.index("</tr>")]
    assert PolicySetting.objects.get(key="enterprise_min_devices").value == "50"


def test_a_poly_admin_resets_a_policy_to_its_default(client_for, poly_admin):
    PolicySetting.objects.create(key="enterprise_min_devices", value="50")
    response = client_for(poly_admin).post("/settings/policies/enterprise_min_devices/", {"reset": "1"})
    assert response.status_code == 302
    assert not PolicySetting.objects.exists()
    assert policy_value("enterprise_min_devices") == 100


def test_an_unknown_policy_is_not_found(client_for, poly_admin):
    response = client_for(poly_admin).post("/settings/policies/no_such_thing/", {"no_such_thing-value": "1"})
    assert response.status_code == 404
    assert not PolicySetting.objects.exists()


@pytest.mark.parametrize("persona", ["poly_support", "escalation_manager", "csm", "partner_a_admin",
                                     "partner_a_engineer", "customer_viewer"])
def test_only_a_poly_admin_may_see_or_change_policies(request, db, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/settings/policies/").status_code == 403
    assert client.post("/settings/policies/enterprise_min_devices/",
                       {"enterprise_min_devices-value": "1"}).status_code == 403
    assert client.post("/settings/policies/enterprise_min_devices/", {"reset": "1"}).status_code == 403
    assert not PolicySetting.objects.exists()


def test_the_settings_link_is_in_the_poly_admins_navigation_only(client_for, poly_admin, poly_support):
    assert 'href="/settings/policies/"' in html_of(client_for(poly_admin).get("/dashboard/"))
    assert 'href="/settings/policies/"' not in html_of(client_for(poly_support).get("/dashboard/"))


def test_the_service_refuses_anyone_but_a_poly_admin(poly_support):
    with pytest.raises(PermissionDenied):
        services.policy_setting_set(by=poly_support, key="enterprise_min_devices", value="5")
    with pytest.raises(PermissionDenied):
        services.policy_setting_reset(by=poly_support, key="enterprise_min_devices")
    assert not PolicySetting.objects.exists()


def test_the_service_validates_with_the_policys_own_parser_and_knows_its_keys(poly_admin):
    with pytest.raises(ValidationError) as refused:
        services.policy_setting_set(by=poly_admin, key="enterprise_min_devices", value="ten")
    assert refused.value.message_dict == {"value": ["Enter a whole number."]}
    with pytest.raises(ValidationError) as unknown:
        services.policy_setting_set(by=poly_admin, key="nope", value="1")
    assert "key" in unknown.value.message_dict
    with pytest.raises(ValidationError):
        services.policy_setting_set(by=poly_admin, key="enterprise_min_devices", value="1" * 201)
    assert not PolicySetting.objects.exists()


def test_setting_a_policy_twice_keeps_one_row_with_the_latest_value(poly_admin):
    services.policy_setting_set(by=poly_admin, key="enterprise_min_devices", value="10")
    services.policy_setting_set(by=poly_admin, key="enterprise_min_devices", value="12")
    assert list(PolicySetting.objects.values_list("value", flat=True)) == ["12"]
