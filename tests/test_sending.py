"""`publish email … --send-test ADDR` against a real SMTP server (aiosmtpd) started on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.conftest import REPO, run_publish

SLUG = "the-measure-of-a-line"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(**options: Any) -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def reject_everyone(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    return AuthResult(success=False, handled=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sending") / "site"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "publish.toml", root / "publish.toml")
    return root


def configure(site: Path, port: int, security: str = "none", username: str = "") -> None:
    base = (REPO / "publish.toml").read_text()
    site.joinpath("publish.toml").write_text(
        base + f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "{security}"\nusername = "{username}"\n'
               "timeout = 10\n")


def test_send_test_delivers_the_article_to_the_given_address(site: Path) -> None:
    with smtp_server() as (inbox, port):
        configure(site, port)
        result = run_publish(site, "email", SLUG, "--send-test", "Reader <reader@example.org>",
                             env={"PUBLISH_SMTP_PASSWORD": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"sent {SLUG}.eml to reader@example.org via 127.0.0.1:{port}" in result.stdout
    (envelope,) = inbox.messages
    assert envelope.mail_from == "ada@fieldnotes.example"
    assert envelope.rcpt_tos == ["reader@example.org"]
    received = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
    assert received["To"] == "reader@example.org"
    assert received["Subject"] == "The Measure of a Line"
    assert received["Message-ID"].startswith(f"<{SLUG}.")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received.get_content_type() == "multipart/alternative"
    assert all(not part.defects for part in received.walk())
    html = received.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert html == (site / "output" / "email" / f"{SLUG}.html").read_text()
    assert "The Measure of a Line\n=====" in received.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_send_test_works_with_the_digest(site: Path) -> None:
    with smtp_server() as (inbox, port):
        configure(site, port)
        result = run_publish(site, "email", "--digest", "--send-test", "reader@example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    (envelope,) = inbox.messages
    received = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
    assert received["Subject"] == "Field Notes: A Little Mathematics on the Page"
    assert received["To"] == "reader@example.org"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_refused_login_names_the_server_and_what_to_check(site: Path) -> None:
    with smtp_server(authenticator=reject_everyone, auth_require_tls=False, auth_required=True) as (inbox, port):
        configure(site, port, username="ada")
        result = run_publish(site, "email", SLUG, "--send-test", "reader@example.org",
                             env={"PUBLISH_SMTP_PASSWORD": "not-the-password"})
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert f"127.0.0.1:{port}" in message and "refused the login for user 'ada'" in message
    assert "PUBLISH_SMTP_PASSWORD" in message
    assert "Traceback" not in result.stderr
    assert not inbox.messages


def test_starttls_on_a_server_without_it_is_explained(site: Path) -> None:
    with smtp_server() as (inbox, port):
        configure(site, port, security="starttls")
        result = run_publish(site, "email", SLUG, "--send-test", "reader@example.org")
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert f"127.0.0.1:{port} does not offer STARTTLS" in message and 'smtp.security = "ssl"' in message
    assert not inbox.messages


def test_nothing_listening_and_a_missing_password_are_clear_errors(site: Path) -> None:
    port = free_port()
    configure(site, port)
    result = run_publish(site, "email", SLUG, "--send-test", "reader@example.org")
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert f"cannot reach the SMTP server at 127.0.0.1:{port}" in message and "smtp.port" in message
    configure(site, port, username="ada")
    result = run_publish(site, "email", SLUG, "--send-test", "reader@example.org", env={"PUBLISH_SMTP_PASSWORD": ""})
    assert result.returncode == 1
    assert "PUBLISH_SMTP_PASSWORD is not set" in " ".join(result.stderr.split())
    result = run_publish(site, "email", SLUG, "--send-test", "not-an-address")
    assert result.returncode == 1 and "is not an email address" in result.stderr
