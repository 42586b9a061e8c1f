"""外发渠道: one message out by email (SMTP) or by webhook (a JSON POST); errors raise.

Both are plain synchronous calls with a timeout, for `delivery.deliver_pending`, which
records the outcome. The email is UTF-8 (`EmailMessage` encodes a Chinese subject per
RFC 2047); the webhook's JSON is the message with its kind and recipient, for the region's
SMS gateway or government chat app to route (it answers 2xx to accept; anything else,
or no answer within the timeout, is a failure to retry).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import httpx

from sanjianguan.config import MessagesSettings
from sanjianguan.messages.kinds import MessageKind
from sanjianguan.workflow_db.models import Message, User

SMTP_TIMEOUT_S = 30.0


def _text(message: Message) -> str:
    where = f"\n\n办理页面：{message.link}" if message.link else ""
    return f"{message.body}{where}\n\n——医疗“三监管”平台（此邮件由系统发送，请勿回复）\n"


def send_email(settings: MessagesSettings, user: User, message: Message) -> None:
    """The message to `user.email` through `smtp_host:smtp_port` (STARTTLS if configured)."""
    if not user.email:
        raise ValueError(f"user {user.username} has no email address")
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = settings.smtp_from
    mail["To"] = user.email
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = make_msgid(idstring=f"sjg-message-{message.id}")
    mail.set_content(_text(message), charset="utf-8")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_S) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        smtp.send_message(mail)


def webhook_payload(user: User, message: Message) -> dict[str, Any]:
    """The JSON the webhook POSTs: the message, its kind (value and Chinese name), its recipient."""
    known = {k.value: k for k in MessageKind}
    kind = known.get(message.kind)
    return {
        "id": message.id,
        "kind": message.kind,
        "kind_zh": kind.label_zh if kind else message.kind,
        "title": message.title,
        "body": message.body,
        "link": message.link,
        "created_at": message.created_at.isoformat(),
        "recipient": {"user_id": user.id, "username": user.username, "email": user.email},
    }


def post_webhook(settings: MessagesSettings, user: User, message: Message) -> None:
    """POST the message as JSON to `webhook_url`; a non-2xx answer raises."""
    response = httpx.post(
        settings.webhook_url, json=webhook_payload(user, message), timeout=settings.webhook_timeout_s
    )
    response.raise_for_status()
