"""The .eml file: a standards-compliant multipart/alternative message, the same bytes every run.

The stdlib picks a random MIME boundary and email.utils.make_msgid() a random Message-ID; both
are derived from the content here, and Date is the article's date, never the clock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address

# RFC 5322 group syntax: a valid To header naming nobody; `--send-test ADDR` replaces it.
NO_RECIPIENTS = "undisclosed-recipients:;"


@dataclass(frozen=True)
class Envelope:
    subject: str
    sender: Address
    date: datetime                     # time-zone aware
    message_id: str                    # "<local@domain>"
    language: str = ""
    unsubscribe: tuple[str, ...] = ()  # List-Unsubscribe URIs: mailto: and/or https: (or a merge tag)


def message_id(base_url: str, key: str, domain: str) -> str:
    """A Message-ID that depends only on the site and the slug (or digest date)."""
    site = hashlib.sha256(base_url.encode("utf-8")).hexdigest()[:10]
    local = "".join(c if c.isalnum() or c in "-_." else "-" for c in key).strip(".") or "email"
    return f"<{local}.{site}@{domain or 'localhost'}>"


def build_message(envelope: Envelope, text: str, html: str) -> bytes:
    """The message as bytes with CRLF line ends, ready for a mail client or an SMTP server."""
    from email import policy
    from email.message import EmailMessage
    from email.utils import format_datetime

    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = envelope.subject
    msg["From"] = envelope.sender
    msg["To"] = NO_RECIPIENTS
    msg["Date"] = format_datetime(envelope.date)
    msg["Message-ID"] = envelope.message_id
    if envelope.unsubscribe:
        msg["List-Unsubscribe"] = ", ".join(f"<{uri}>" for uri in envelope.unsubscribe)
        if any(not uri.startswith("mailto:") for uri in envelope.unsubscribe):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"     # RFC 8058
    # Quoted-printable: inlined HTML has lines far longer than SMTP's 998-octet limit.
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    if envelope.language:
        msg["Content-Language"] = envelope.language     # after set_content(), which drops Content-* headers
    # "=_" never occurs in quoted-printable text, so this boundary cannot collide with the content.
    digest = hashlib.sha256((text + "\0" + html).encode("utf-8")).hexdigest()[:32]
    msg.set_boundary(f"=_publish_{digest}")
    return msg.as_bytes()
