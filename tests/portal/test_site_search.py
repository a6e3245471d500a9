"""The Site ID search a partner engineer types into: results as you type, scoped to its partner."""


from tests import factories


def test_an_engineer_finds_its_site_by_part_of_the_site_id_as_an_htmx_fragment(client_for, partner_a_engineer,
                                                                               site_a):
    response = client_for(partner_a_engineer).get("/sites/search/", {"q": "got-0"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert site_a.site_id in html
    assert "<html" not in html


def test_the_search_never_finds_another_partners_site(client_for, partner_a_engineer, site_a, site_b):
    html = client_for(partner_a_engineer).get("/sites/search/", {"q": site_b.site_id},
                                              HTTP_HX_REQUEST="true").content.decode()
    assert "<table" not in html
    assert site_b.customer.name not in html
    assert "No site matches" in html


def test_the_search_works_without_javascript_as_a_full_page(client_for, partner_a_engineer, site_a):
    response = client_for(partner_a_engineer).get("/sites/search/", {"q": site_a.site_id})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and site_a.site_id in html


def test_a_customer_viewer_finds_only_its_own_customers_sites(client_for, customer_viewer, site_a, partner_a):
    sibling = factories.SiteFactory(customer=factories.CustomerFactory(partner=partner_a), site_id="SE-STO-009")
    html = client_for(customer_viewer).get("/sites/search/", {"q": "SE-"}, HTTP_HX_REQUEST="true").content.decode()
    assert site_a.site_id in html
    assert sibling.site_id not in html


def test_the_search_costs_the_same_queries_for_3_or_30_matches(client_for, partner_a_engineer, customer_a,
                                                              django_assert_max_num_queries):
    for _ in range(3):
        factories.SiteFactory(customer=customer_a)
    client = client_for(partner_a_engineer)
    with django_assert_max_num_queries(20) as few:
        client.get("/sites/search/", {"q": "SITE"}, HTTP_HX_REQUEST="true")
    for _ in range(27):
        factories.SiteFactory(customer=customer_a)
    with django_assert_max_num_queries(20) as many:
        client.get("/sites/search/", {"q": "SITE"}, HTTP_HX_REQUEST="true")
    assert len(many) == len(few)


def test_anonymous_visitors_cannot_search(client, site_a):
    response = client.get("/sites/search/", {"q": site_a.site_id})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_found_site_links_to_its_page_and_to_opening_a_case_there(client_for, partner_a_engineer, site_a):
    html = client_for(partner_a_engineer).get("/sites/search/", {"q": "got"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'href="/sites/{site_a.site_id}/"' in html
    assert f'href="/cases/new/?site={site_a.site_id}"' in html


def test_a_customer_viewer_is_not_offered_to_open_a_case(client_for, customer_viewer, site_a):
    html = client_for(customer_viewer).get("/sites/search/", {"q": "got"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'href="/sites/{site_a.site_id}/"' in html
    assert "/cases/new/" not in html


# ---- the site's own page -----------------------------------------------------------------------

def test_a_sites_page_shows_where_it_is_its_local_time_and_what_can_be_done_there(client_for, partner_a_engineer,
                                                                                  site_a):
    response = client_for(partner_a_engineer).get(f"/sites/{site_a.site_id.lower()}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert site_a.name in html and site_a.customer.name in html and "Europe/Stockholm" in html
    assert f'href="/cases/new/?site={site_a.site_id}"' in html
    assert "CET" in html or "CEST" in html
    assert f"/sites/{site_a.site_id}/edit/" not in html  # engineers do not edit sites


def test_another_partners_site_page_is_not_found_like_a_missing_one(client_for, partner_a_engineer, site_b):
    client = client_for(partner_a_engineer)
    foreign, missing = client.get(f"/sites/{site_b.site_id}/"), client.get("/sites/NO-SUCH-SITE/")
    assert foreign.status_code == missing.status_code == 404
    assert site_b.name not in foreign.content.decode()


def test_a_customer_viewer_sees_its_own_site_but_no_case_or_customer_links(client_for, customer_viewer, site_a):
    html = client_for(customer_viewer).get(f"/sites/{site_a.site_id}/").content.decode()
    assert site_a.name in html
    assert "/cases/new/" not in html and "/customers/" not in html
