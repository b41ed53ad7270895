"""E-mail over SMTP (aiosmtplib), with a calendar attachment for meeting notices."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import formataddr

import aiosmtplib

from services.notifications.domain.model import Channel
from services.notifications.domain.retry import ConnectionFailed, SmtpReply, TimedOut
from services.notifications.senders.base import Outgoing, SendFailed, Undeliverable
from services.notifications.settings import NotificationsSettings


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
    """Sends through the SMTP server the settings name (``smtp_*``)."""

    channel = Channel.EMAIL

    def __init__(self, settings: NotificationsSettings) -> None:
        self.settings = settings

    async def send(self, outgoing: Outgoing) -> None:
        if not outgoing.recipient.email:
            raise Undeliverable("no_email_address")
        smtp = self.settings
        message = email_message(outgoing, sender=smtp.smtp_from)
        password = smtp.smtp_password.get_secret_value() if smtp.smtp_password else None
        try:
            await aiosmtplib.send(
                message,
                hostname=smtp.smtp_host,
                port=smtp.smtp_port,
                username=smtp.smtp_username,
                password=password,
                start_tls=smtp.smtp_start_tls,
                timeout=smtp.smtp_timeout_s,
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
