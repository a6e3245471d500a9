"""`make run` keeps every sent message readable: one .eml file each, attachments included."""

import email
from email import policy

from django.core.mail import EmailMessage


def test_each_message_is_an_eml_file_with_its_attachment(settings, tmp_path, capsys):
    settings.EMAIL_BACKEND = "polyplus.mailfiles.EmlFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    message = EmailMessage("Volvo Cars monthly report, November 2026", "The report is attached.",
                           to=["csm@poly.example"])
    message.attach("NORDIC-C-0007-report-2026-11.pdf", b"%PDF-1.7 report", "application/pdf")
    message.send()

    [path] = list(tmp_path.glob("*.eml"))
    parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["To"] == "csm@poly.example"
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "NORDIC-C-0007-report-2026-11.pdf"
    assert attachment.get_content() == b"%PDF-1.7 report"
    assert str(path) in capsys.readouterr().out
