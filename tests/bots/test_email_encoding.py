"""E-mail parts go as 8bit text where every line fits, in base64 otherwise."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from bots.email.adapter import EmailAdapter
from bots.email.compose import MAX_LINE, MailTemplate, _short_lines
from core.config import Settings, SMTPSettings
from core.models import Recipient, utcnow
from tests.fakes.smtp import FakeSMTP
from tests.render.editions import make_edition

READER = Recipient(subscriber_id="sub1", address="reader1@example.org")


def _parse(data: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _parts(message: EmailMessage) -> dict[str, tuple[str, str]]:
    """subtype -> (Content-Transfer-Encoding, decoded content)."""
    return {
        part.get_content_subtype(): (str(part["Content-Transfer-Encoding"]), part.get_content())
        for part in message.iter_parts()
    }


def _template(settings: Settings) -> MailTemplate:
    adapter = EmailAdapter(settings)
    return MailTemplate.build(adapter.render(make_edition(5)), settings, settings.signing_key())


def test_a_digest_goes_8bit_and_reads_the_same_as_its_base64_form(settings: Settings) -> None:
    mail = _template(settings).compose(READER, utcnow())
    assert mail.eight_bit and mail.seven_bit is not None
    assert all(len(line) <= MAX_LINE for line in mail.data.split(b"\r\n"))
    eight, seven = _parts(_parse(mail.data)), _parts(_parse(mail.seven_bit()))
    assert {cte for cte, _ in eight.values()} <= {"8bit", "7bit"}
    assert {cte for cte, _ in seven.values()} == {"base64"}
    # line breaks go as CRLF on the wire (MIME's canonical text form); HTML reads a line
    # break where a space was; the text part is otherwise the same to the character
    assert eight["plain"][1].replace("\r\n", "\n") == seven["plain"][1]
    assert eight["html"][1].split() == seven["html"][1].split()


def test_a_line_that_cannot_be_broken_sends_its_part_in_base64() -> None:
    assert _short_lines(b"<p>" + b"x" * 2000 + b"</p>") is None
    assert _short_lines(b"a\r\nb") is None
    long = b"<p>one</p> " * 200
    lines = _short_lines(long)
    assert lines is not None and all(len(line) <= MAX_LINE for line in lines)
    assert b" ".join(lines).split() == long.split()


async def test_the_relay_gets_8bit_with_body_8bitmime(settings: Settings) -> None:
    with FakeSMTP().running() as smtp:
        values = {"host": smtp.host, "port": smtp.port, "starttls": False, "timeout": 5.0}
        smtp_settings = SMTPSettings.model_validate({**settings.smtp.model_dump(), **values})
        adapter = EmailAdapter(settings.model_copy(update={"smtp": smtp_settings}))
        outcomes = await adapter.send(adapter.render(make_edition(5)), [READER])
    assert [o.kind.value for o in outcomes] == ["sent"]
    message = smtp.messages_to(READER.address)[0]
    assert "8bit" in {cte for cte, _ in _parts(message).values()}
