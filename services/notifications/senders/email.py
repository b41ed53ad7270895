"""E-mail over SMTP (aiosmtplib), with a calendar attachment for meeting notices."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import formataddr

import aiosmtplib
from pydantic import SecretStr

from services.notifications.domain.model import Channel
from services.notifications.domain.retry import ConnectionFailed, SmtpReply, TimedOut
from services.notifications.senders.base import Outgoing, SendFailed, Undeliverable


def email_message(outgoing: Outgoing, *, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr(
        (outgoing.recipient.display_name or "", outgoing.recipient.email or "")
    )
    message["Subject"] = outgoing.message.subject
    # One Message-ID per delivery (not per attempt): mail systems that de-duplicate on it
    # drop the copy a crash mid-send can cause; so can anything reading the header below.
    digest = hashlib.sha256(outgoing.delivery_key.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@mentoring.local>"
    message["X-Mentoring-Delivery"] = outgoing.delivery_key
    text = outgoing.message.text
    if outgoing.message.action_url:
        text += f"\n\n{outgoing.message.action_label}: {outgoing.message.action_url}"
    message.set_content(text)
    if outgoing.calendar is not None:
        method = "CANCEL" if b"METHOD:CANCEL" in outgoing.calendar else "REQUEST"
        message.add_attachment(
            outgoing.calendar,
            maintype="text",
            subtype="calendar",
            filename="meeting.ics",
            params={"method": method},
        )
    return message


class EmailSender:
    channel = Channel.EMAIL

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: SecretStr | None = None,
        start_tls: bool = False,
        timeout_s: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.start_tls = start_tls
        self.timeout_s = timeout_s

    async def send(self, outgoing: Outgoing) -> None:
        if not outgoing.recipient.email:
            raise Undeliverable("no_email_address")
        message = email_message(outgoing, sender=self.sender)
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password.get_secret_value() if self.password else None,
                start_tls=self.start_tls,
                timeout=self.timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            code = exc.recipients[0].code if exc.recipients else 550
            raise SendFailed(SmtpReply(code), str(exc)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            if 400 <= exc.code < 600:
                raise SendFailed(SmtpReply(exc.code), exc.message) from exc
            raise SendFailed(ConnectionFailed(), repr(exc)) from exc
        except aiosmtplib.SMTPTimeoutError as exc:
            raise SendFailed(TimedOut(), repr(exc)) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendFailed(ConnectionFailed(), repr(exc)) from exc

    async def aclose(self) -> None:
        return None
