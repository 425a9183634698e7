"""`publish ping`: tells the WebSub hub which feeds changed since the last successful ping.

Run it after uploading output/: the hub fetches every feed it is told about at once, so the new
files must already be online (which is why `publish all` never pings). A feed is announced with
one form-encoded POST (`hub.mode=publish`, `hub.url=<the feed's URL>`), tried twice at most. The
digests of the feeds the hub accepted are remembered in `output/.publish/websub.json`: the next
ping announces only feeds whose bytes changed since (all of them for a new hub). Archive pages
never change their subscribers' view and are not announced; nor are previews (--drafts/--future).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from publish.config import PLACEHOLDER_URL, Config
from publish.errors import ConfigError, PublishError
from publish.feed_files import is_current_feed
from publish.paths import write_atomic

RECORD = ".publish/websub.json"
VERSION = 1
RETRY_PAUSE = 0.5            # seconds before the one retry


class PingError(PublishError):
    """The hub could not be reached or refused the notification."""


def ping(config: Config, *, timeout: float = 10.0, say: Callable[[str], Any] = print) -> int:
    """Announce every changed feed; returns how many were announced. Raises ConfigError without a hub
    or a real base URL, PingError when the hub fails (feeds announced before that stay announced)."""
    from publish.lock import output_lock

    hub = config.feed.websub_hub
    if not hub:
        raise ConfigError("no WebSub hub is configured", path=config.source, field="feed.websub_hub",
                          hint='set websub_hub = "https://…" under [feed] in publish.toml, then build again')
    if config.base_url.startswith(PLACEHOLDER_URL) and not config.site.base_url:
        raise ConfigError("the site's base URL is not set: the hub would fetch the feeds from a placeholder",
                          path=config.source, field="site.base_url", hint="set base_url under [site] in publish.toml")
    output_dir = config.output_dir
    with output_lock(output_dir, wait=60):
        feeds, previews = published_feeds(output_dir)
        if previews:
            say(f"not announced: {previews} feed(s) made with --drafts/--future (build without them first)")
        if not feeds:
            raise PublishError("there is no feed to announce", path=output_dir,
                               hint="run `publish all` (or `publish feed`) and upload output/ first")
        last = _load(output_dir, hub)
        changed = [rel for rel in sorted(feeds, key=_feed_order) if last.get(rel) != feeds[rel]]
        if not changed:
            say(f"nothing changed since the last ping: no feed announced to {hub}")
            return 0
        accepted = {rel: digest for rel, digest in last.items() if rel in feeds}
        try:
            _announce(config, hub, changed, feeds, accepted, timeout, say)
        finally:
            _save(output_dir, hub, accepted)
    return len(changed)


def published_feeds(output_dir: Path) -> tuple[dict[str, str], int]:
    """The feeds a subscriber may follow ({relative path: sha256 of its bytes}) as the last builds made
    them, and how many feeds were left out as previews."""
    from publish import manifest
    from publish.state import file_digest

    owned = manifest.load(output_dir)
    previews = owned.previews()
    feeds: dict[str, str] = {}
    skipped = set()
    for task in owned.tasks.values():
        for rel in task.outputs:
            if not is_current_feed(rel):
                continue
            if rel in previews:
                skipped.add(rel)
            elif (output_dir / rel).is_file():
                feeds[rel] = file_digest(output_dir / rel)
    return feeds, len(skipped)


def _announce(config: Config, hub: str, changed: list[str], feeds: dict[str, str], accepted: dict[str, str],
              timeout: float, say: Callable[[str], Any]) -> None:
    import httpx

    from publish import __version__

    with httpx.Client(timeout=timeout, follow_redirects=False,
                      headers={"User-Agent": f"publish/{__version__} (WebSub publisher)"}) as client:
        for rel in changed:
            topic = urljoin(config.base_url + "/", rel)
            status = _notify(client, hub, topic, timeout)
            accepted[rel] = feeds[rel]
            say(f"announced {topic} to {hub} ({status})")


def _notify(client: Any, hub: str, topic: str, timeout: float) -> int:
    """POST the notification; one retry. Returns the hub's 2xx status."""
    import httpx

    problem = ""
    for attempt in range(2):
        if attempt:
            time.sleep(RETRY_PAUSE)
        try:
            response = client.post(hub, data={"hub.mode": "publish", "hub.url": topic})
        except httpx.TimeoutException:
            problem = f"did not answer within {timeout:g} s"
            continue
        except httpx.TransportError as exc:
            problem = f"could not be reached ({exc or type(exc).__name__})"
            continue
        if 200 <= response.status_code < 300:
            return int(response.status_code)
        body = " ".join(response.text[:300].split())
        problem = f"answered {response.status_code} {response.reason_phrase}" + (f": {body}" if body else "")
    raise PingError(f"the WebSub hub {hub} {problem} (tried twice, announcing {topic})",
                    hint="check [feed] websub_hub and the hub's status; `publish ping` announces what is "
                         "left next time")


def _feed_order(rel: str) -> tuple[int, str]:
    return (rel.count("/"), rel)          # the site's feeds first, then the tags'


def _load(output_dir: Path, hub: str) -> dict[str, str]:
    """The digests of the feeds `hub` accepted last ({} for another hub, or none yet)."""
    try:
        data = json.loads((output_dir / RECORD).read_text(encoding="utf-8"))
        if data.get("version") != VERSION or data.get("hub") != hub:
            return {}
        return {str(rel): str(digest) for rel, digest in data["feeds"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _save(output_dir: Path, hub: str, accepted: dict[str, str]) -> None:
    data = {"version": VERSION, "hub": hub, "feeds": dict(sorted(accepted.items()))}
    write_atomic(output_dir / RECORD, json.dumps(data, separators=(",", ":")))
