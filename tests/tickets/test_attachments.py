"""Attachments are judged by their bytes and size, never their name; a refusal writes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from polyplus.tenancy import services as tenancy_services
from tests.tickets import EXE, LOG, PDF, PNG, cover, open_case, upload
from tickets import services
from tickets.attachments import sniff_content_type
from tickets.models import Case, CaseAttachment, CaseComment

NOT_ALLOWED = "is not one of: PNG or JPEG photos, PDF, plain-text logs, or ZIP/gzip archives of logs."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.fixture
def case(partner_a_engineer, site_a):
    cover(site_a)
    return open_case(partner_a_engineer, site_a)


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("codec.log", LOG, "text/plain"),
    ("room.png", PNG, "image/png"),
    ("report.pdf", PDF, "application/pdf"),
    ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(100), "image/jpeg"),
])
def test_a_log_a_photo_and_a_pdf_are_accepted_as_what_their_bytes_say(api_for, partner_a_engineer, case, media,
                                                                       name, content, content_type):
    attachment = services.case_attach(by=partner_a_engineer, case=case, upload=upload(name, content))

    assert (attachment.original_name, attachment.content_type, attachment.size) == (name, content_type,
                                                                                  len(content))
    response = api_for(partner_a_engineer).get(f"/api/v1/cases/{case.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == content_type
    assert name in response["Content-Disposition"] and "attachment" in response["Content-Disposition"]


def test_a_utf8_log_cut_inside_a_character_at_the_sample_boundary_is_still_text():
    text = ("x" * 4095 + "å").encode()  # the 4096-byte sample ends inside "å"
    assert sniff_content_type(text[:4096]) == "text/plain"


@pytest.mark.parametrize(("name", "content"), [
    ("screenshot.png", EXE),
    ("notes.txt", b"\x7fELF\x02\x01\x01\x00" + bytes(32)),
    ("empty.log", b""),
    ("latin1.log", "Fel på kodaren: å ä ö".encode("latin-1") * 10),
])
def test_a_file_whose_bytes_are_not_an_allowed_kind_is_refused_whatever_its_name(partner_a_engineer, case, media,
                                                                                 name, content):
    with pytest.raises(ValidationError) as refused:
        services.case_attach(by=partner_a_engineer, case=case, upload=upload(name, content))

    assert refused.value.message_dict == {"attachments": [f"{name} {NOT_ALLOWED}"]}
    assert not CaseAttachment.objects.exists()
    assert stored_files(media) == []


def test_a_file_over_the_size_limit_set_by_poly_is_refused(poly_admin, partner_a_engineer, case, media):
    tenancy_services.policy_setting_set(by=poly_admin, key="case_attachment_max_mb", value="1")
    limit = 1024 * 1024

    services.case_attach(by=partner_a_engineer, case=case, upload=upload("exactly.log", b"a" * limit))
    with pytest.raises(ValidationError) as refused:
        services.case_attach(by=partner_a_engineer, case=case, upload=upload("big.log", b"a" * (limit + 1)))

    assert refused.value.message_dict == {"attachments": ["big.log is larger than 1 MB."]}
    assert list(CaseAttachment.objects.values_list("original_name", flat=True)) == ["exactly.log"]
    assert len(stored_files(media)) == 1


def test_opening_a_case_with_one_bad_attachment_creates_no_case_and_writes_no_file(api_for, partner_a_engineer,
                                                                                 site_a, media):
    cover(site_a)
    body = {"site_id": site_a.site_id, "category": "video", "severity": 2, "subject": "No video",
            "description": "Black screen.",
            "attachments": [SimpleUploadedFile("room.png", PNG), SimpleUploadedFile("fix.png", EXE)]}

    response = api_for(partner_a_engineer).post("/api/v1/cases/", body, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"attachments": [f"fix.png {NOT_ALLOWED}"]}
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()
    assert stored_files(media) == []
    with pytest.raises(ValidationError):
        open_case(partner_a_engineer, site_a, uploads=(upload("room.png", PNG), upload("fix.png", EXE)))
    assert not Case.objects.exists()
    assert stored_files(media) == []


def test_a_reply_with_one_bad_attachment_writes_no_reply_and_no_file(api_for, partner_a_engineer, case, media):
    body = {"body": "Logs attached", "attachments": [SimpleUploadedFile("a.log", LOG),
                                                      SimpleUploadedFile("b.pdf", EXE)]}

    response = api_for(partner_a_engineer).post(f"/api/v1/cases/{case.pk}/comments/", body, format="multipart")

    assert response.status_code == 400
    assert not CaseComment.objects.exists() and not CaseAttachment.objects.exists()
    assert stored_files(media) == []


def test_case_and_reply_attachments_by_api_are_stored_and_listed(api_for, partner_a_engineer, site_a, media):
    cover(site_a)
    client = api_for(partner_a_engineer)
    created = client.post("/api/v1/cases/", {
        "site_id": site_a.site_id, "category": "video", "severity": "2", "subject": "No video",
        "description": "Black screen.", "hardware_replacement": "false",
        "attachments": [SimpleUploadedFile("room.png", PNG), SimpleUploadedFile("codec.log", LOG)]},
        format="multipart")
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    reply = client.post(f"/api/v1/cases/{case_id}/comments/",
                        {"body": "The report", "attachments": [SimpleUploadedFile("r.pdf", PDF)]}, format="multipart")
    assert reply.status_code == 201, reply.content

    assert [(a["name"], a["content_type"]) for a in created.json()["attachments"]] == [
        ("room.png", "image/png"), ("codec.log", "text/plain")]
    assert [(a["name"], a["comment"]) for a in reply.json()["attachments"]] == [("r.pdf", reply.json()["id"])]
    detail = client.get(f"/api/v1/cases/{case_id}/").json()
    assert [a["name"] for a in detail["attachments"]] == ["room.png", "codec.log", "r.pdf"]
    download = client.get(detail["attachments"][2]["download_url"])
    assert b"".join(download.streaming_content) == PDF
    assert len(stored_files(media)) == 3


@pytest.mark.parametrize("name", ["evil\r\nSet-Cookie: a=b.log", "quote\".log", "åäö rapport.pdf", "../../etc/passwd",
                                  "a" * 300 + ".log"])
def test_an_odd_file_name_is_kept_harmless_and_downloads(api_for, partner_a_engineer, case, media, name):
    client = api_for(partner_a_engineer)
    content = PDF if name.endswith(".pdf") else LOG
    reply = client.post(f"/api/v1/cases/{case.pk}/comments/",
                        {"body": "File", "attachments": [SimpleUploadedFile(name, content)]}, format="multipart")
    assert reply.status_code == 201, reply.content
    attachment = reply.json()["attachments"][0]
    download = client.get(attachment["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert "\n" not in download["Content-Disposition"] and "\r" not in download["Content-Disposition"]
    assert all(path.is_relative_to(media) for path in stored_files(media))
