"""Remote images, fetched only when the site allows it (`[network] remote_images = true`).

Each URL is fetched once into `output/.publish/remote/` and reused by later builds, with a time
limit, a size limit and a check that the answer is an image; the probe that follows applies the
same pixel limits as for local files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from publish.errors import ImageError
from publish.paths import write_atomic

REMOTE_DIR = ".publish/remote"
MAX_BYTES = 20 * 1024 * 1024
TIMEOUT = 15


def fetch(url: str, output_dir: Path) -> Path:
    """The local copy of `url` (downloaded on first use). Raises ImageError naming the problem."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ImageError(f"{url!r} is not an http(s) URL")
    folder = output_dir / REMOTE_DIR
    target = folder / hashlib.sha256(url.encode()).hexdigest()
    if target.is_file():
        return target
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "publish (remote_images)"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            kind = response.headers.get_content_type()
            if not kind.startswith("image/"):
                raise ImageError(f"remote image {url!r} answered with {kind}, not an image")
            data = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ImageError(f"remote image {url!r} could not be fetched ({exc})",
                         hint="check the URL, or copy the image into the public folder") from None
    if len(data) > MAX_BYTES:
        raise ImageError(f"remote image {url!r} is larger than {MAX_BYTES // 1_048_576} MB")
    write_atomic(target, data)
    return target
