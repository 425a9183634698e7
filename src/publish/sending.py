"""`publish email … --send-test ADDR`: hand the written .eml files to the configured SMTP server.

Settings come from [smtp] (host, port, security, username, timeout); the password only from the
PUBLISH_SMTP_PASSWORD environment variable, never from a file. Each message goes to ADDR alone,
with its To header replaced. Every failure is a PublishError naming host:port and what to check.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from publish.errors import PublishError

if TYPE_CHECKING:
    import smtplib

    from publish.config import Config, SmtpSettings

PASSWORD_VARIABLE = "PUBLISH_SMTP_PASSWORD"  # noqa: S105 - the name of the variable, not a password
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class SendError(PublishError):
    """A test message could not be sent."""


def send_files(config: Config, eml_paths: list[Path], address: str) -> Iterator[str]:
    """Send each .eml to `address` through [smtp]; yields one line per message sent."""
    settings = config.smtp
    recipient = _recipient(address)
    if not eml_paths:
        raise SendError("there is no .eml file to send", hint="name an article slug or pass --digest")
    messages = [(path, _message(path, recipient)) for path in eml_paths]
    password = os.environ.get(PASSWORD_VARIABLE, "")
    if settings.username and not password:
        raise SendError(f"smtp.username is {settings.username!r} but {PASSWORD_VARIABLE} is not set",
                        path=config.source, hint=f"export {PASSWORD_VARIABLE}=… before sending")
    if settings.username and settings.security == "none" and settings.host not in LOOPBACK:
        raise SendError(f"refusing to send the password for {settings.username!r} unencrypted to "
                        f"{settings.host}:{settings.port}", path=config.source,
                        hint='set smtp.security = "starttls" (port 587) or "ssl" (port 465)')
    where = f"{settings.host}:{settings.port}"
    with _connection(settings, password) as smtp:
        for path, message in messages:
            sender = message["From"].addresses[0].addr_spec if message["From"] else ""
            with _explained(settings, f"sending {path.name}"):
                smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
            yield f"sent {path.name} to {recipient} via {where}"


def _recipient(address: str) -> str:
    from email.headerregistry import Address
    from email.utils import parseaddr

    _, addr = parseaddr(address)
    local, at, domain = addr.rpartition("@")
    if not at or not local or "." not in domain.strip("."):
        raise SendError(f"{address!r} is not an email address", field="--send-test",
                        hint="pass an address such as you@example.com")
    return Address(username=local, domain=domain).addr_spec


def _message(path: Path, recipient: str) -> EmailMessage:
    from email import policy
    from email.parser import BytesParser

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SendError(f"cannot read the message: {exc.strerror}", path=path) from None
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not isinstance(message, EmailMessage) or not message["From"]:
        raise SendError("not an email message with a From header", path=path)
    for header in ("To", "Cc", "Bcc"):
        del message[header]
    message["To"] = recipient
    return message


@contextmanager
def _connection(settings: SmtpSettings, password: str) -> Iterator[smtplib.SMTP]:
    import smtplib
    import ssl

    context = ssl.create_default_context()
    with _explained(settings, "connecting"):
        if settings.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        with _explained(settings, "starting TLS" if settings.security == "starttls" else "greeting"):
            smtp.ehlo()
            if settings.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
        if settings.username:
            with _explained(settings, "logging in"):
                smtp.login(settings.username, password)
        yield smtp
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


@contextmanager
def _explained(settings: SmtpSettings, step: str) -> Iterator[None]:
    """Turns smtplib/ssl/socket exceptions into one SendError that says what to check."""
    import smtplib
    import socket
    import ssl

    where = f"{settings.host}:{settings.port}"
    try:
        yield
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"the SMTP server at {where} refused the login for user {settings.username!r} "
                        f"({exc.smtp_code} {_text(exc.smtp_error)})",
                        hint=f"check smtp.username and the {PASSWORD_VARIABLE} environment variable") from None
    except smtplib.SMTPNotSupportedError as exc:
        if step == "starting TLS":
            raise SendError(f"the SMTP server at {where} does not offer STARTTLS",
                            hint='set smtp.security = "ssl" if it expects TLS from the start (port 465), '
                                 'or "none" only for a local test server') from None
        raise SendError(f"the SMTP server at {where} does not support {step}: {exc}",
                        hint="check smtp.security: many servers offer login only after STARTTLS") from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(f"{addr} ({code} {_text(msg)})" for addr, (code, msg) in exc.recipients.items())
        raise SendError(f"the SMTP server at {where} refused the recipient {refused}",
                        field="--send-test") from None
    except smtplib.SMTPSenderRefused as exc:
        raise SendError(f"the SMTP server at {where} refused the sender {exc.sender!r} "
                        f"({exc.smtp_code} {_text(exc.smtp_error)})",
                        hint="check email.sender: the server must allow sending as that address") from None
    except smtplib.SMTPServerDisconnected as exc:
        raise SendError(f"the SMTP server at {where} closed the connection while {step} ({exc or 'no reason'})",
                        hint='check smtp.port and smtp.security ("ssl" for port 465, "starttls" for 587)') from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"the SMTP server at {where} answered {exc.smtp_code} {_text(exc.smtp_error)} "
                        f"while {step}") from None
    except smtplib.SMTPException as exc:
        raise SendError(f"SMTP error from {where} while {step}: {exc}") from None
    except ssl.SSLCertVerificationError as exc:
        raise SendError(f"the TLS certificate of {where} is not trusted: {exc.verify_message}",
                        hint="check smtp.host is the name on the server's certificate") from None
    except ssl.SSLError as exc:
        raise SendError(f"the TLS handshake with {where} failed while {step}: {exc.reason or exc}",
                        hint='port 465 usually needs smtp.security = "ssl", port 587 "starttls"') from None
    except socket.gaierror as exc:
        raise SendError(f"cannot find the SMTP server {settings.host!r}: {exc.strerror}",
                        hint="check smtp.host") from None
    except TimeoutError:
        raise SendError(f"no answer from the SMTP server at {where} within {settings.timeout} s while {step}",
                        hint="check smtp.host, smtp.port and any firewall; smtp.timeout sets the wait") from None
    except OSError as exc:
        raise SendError(f"cannot reach the SMTP server at {where}: {exc.strerror or exc}",
                        hint="check smtp.host and smtp.port, and that the server is running") from None


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
