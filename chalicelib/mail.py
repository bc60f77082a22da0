"""Email out: the one module that talks to SES."""

from __future__ import annotations

from chalicelib import aws


def send(
    *, sender: str, to: list[str], subject: str, text: str, html: str, reply_to: list[str] | None = None,
    tenant_id: str | None = None,
) -> str:
    """Send one email with a text and an HTML part; returns SES's message id. Counted to the shop
    `tenant_id` names (usage metering)."""
    extra = {"ReplyToAddresses": reply_to} if reply_to else {}
    reply = aws.client("ses").send_email(
        Source=sender,
        Destination={"ToAddresses": to},
        **extra,
        Message={
            "Subject": {"Data": subject, "Charset": "UTF-8"},
            "Body": {"Text": {"Data": text, "Charset": "UTF-8"}, "Html": {"Data": html, "Charset": "UTF-8"}},
        },
    )
    if tenant_id:
        from chalicelib import usage

        usage.count(tenant_id, "emails")
    return str(reply.get("MessageId", ""))


def send_for_shop(
    tenant_id: str, kind: str, ref: str, *, to: list[str], subject: str, text: str, html: str,
    reply_to: list[str] | None = None,
) -> str:
    """Send one email on a shop's behalf from the app's sender and record that it went (kind,
    what it is about, SES's id, when; not its text), which is what the local outbox shows."""
    from chalicelib import clock, db
    from chalicelib.settings import get_settings

    message_id = send(sender=get_settings().alert_sender, to=to, subject=subject, text=text, html=html,
                      reply_to=reply_to, tenant_id=tenant_id)
    now = clock.now()
    try:
        db.put_mail(tenant_id, {"mail_id": clock.new_id(now), "kind": kind, "ref": ref, "message_id": message_id,
                                "sent_at": clock.iso(now)})
    except Exception as exc:  # the email went: a caller must not take this for a failed send and send again
        from chalicelib.observability import logger

        logger.warning("email sent but not recorded", extra={"kind": kind, "error": type(exc).__name__})
    return message_id
