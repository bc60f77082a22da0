"""Email out: the one module that talks to SES."""

from __future__ import annotations

from chalicelib import aws


def send(*, sender: str, to: list[str], subject: str, text: str, html: str) -> str:
    """Send one email with a text and an HTML part; returns SES's message id."""
    reply = aws.client("ses").send_email(
        Source=sender,
        Destination={"ToAddresses": to},
        Message={
            "Subject": {"Data": subject, "Charset": "UTF-8"},
            "Body": {"Text": {"Data": text, "Charset": "UTF-8"}, "Html": {"Data": html, "Charset": "UTF-8"}},
        },
    )
    return str(reply.get("MessageId", ""))
