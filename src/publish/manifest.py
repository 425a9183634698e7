"""What publish wrote under output/: the files a build may later remove, and nothing else.

`output/.publish/manifest.json` lists, per task, the files it wrote, the shared image copies they
link to, the articles they were made from, and whether they were chosen by a command (`publish
epub --tag T`) or made as a preview (`--drafts`/`--future`). A file that is not listed belongs to
the user (`CNAME`, `robots.txt`, `_headers`) and is never touched. The file is rewritten
atomically, under the output lock, and only when it changes; prune.py decides what goes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publish import state
from publish.images import IMAGES_DIR
from publish.paths import write_atomic

MANIFEST = ".publish/manifest.json"
VERSION = 1
# How images.web_copy_name names a copy: only such files count as publish's when an older
# version's output folder (state records, no manifest) is taken over.
_COPY_NAME = re.compile(r"[a-z0-9_-]+-[0-9a-f]{12}-[0-9]+\.(jpg|png)")


@dataclass(frozen=True)
class Owned:
    """One task's files."""

    exporter: str
    outputs: tuple[str, ...]
    uses: tuple[str, ...] = ()                       # shared image copies the outputs link to
    articles: tuple[tuple[str, str], ...] = ()       # (slug, source file relative to the site root)
    selected: bool = False       # made by a command that chose it (a tag book, a --since digest)
    preview: bool = False        # made with --drafts/--future from a draft or future article


@dataclass
class Manifest:
    tasks: dict[str, Owned] = field(default_factory=dict)
    images: set[str] = field(default_factory=set)     # every image copy publish wrote
    on_disk: tuple[dict[str, Owned], set[str]] | None = None   # as last read or written: saved only if changed

    def files(self) -> set[str]:
        return {rel for owned in self.tasks.values() for rel in owned.outputs} | self.images

    def previews(self) -> set[str]:
        return {rel for owned in self.tasks.values() if owned.preview for rel in owned.outputs}


def load(output_dir: Path) -> Manifest:
    """The manifest; from the state records when there is none yet (or it cannot be read)."""
    path = output_dir / MANIFEST
    try:
        return _parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _from_state(output_dir)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return _from_state(output_dir)


def save(output_dir: Path, manifest: Manifest) -> Manifest:
    """Write the manifest if it changed; returns it as now on disk."""
    if manifest.on_disk != (manifest.tasks, manifest.images):
        write_atomic(output_dir / MANIFEST, _dump(manifest))
    tasks, images = dict(manifest.tasks), set(manifest.images)
    return Manifest(tasks, images, (tasks, images))


def previews(output_dir: Path) -> set[str]:
    """Files made as previews (for `publish serve`, which never hosts them); empty without a manifest."""
    try:
        return _parse((output_dir / MANIFEST).read_text(encoding="utf-8")).previews()
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def _parse(text: str) -> Manifest:
    data = json.loads(text)
    if data.get("version") != VERSION:
        raise ValueError("another version's manifest")
    tasks = {str(key): Owned(exporter=str(entry["exporter"]), outputs=tuple(map(str, entry["outputs"])),
                             uses=tuple(map(str, entry.get("uses", ()))),
                             articles=tuple((str(slug), str(source)) for slug, source in entry.get("articles", ())),
                             selected=bool(entry.get("selected")), preview=bool(entry.get("preview")))
             for key, entry in data["tasks"].items()}
    images = set(map(str, data.get("images", ())))
    return Manifest(tasks, images, (dict(tasks), set(images)))


def _dump(manifest: Manifest) -> str:
    tasks: dict[str, Any] = {}
    for key, owned in sorted(manifest.tasks.items()):
        entry: dict[str, Any] = {"exporter": owned.exporter, "outputs": list(owned.outputs)}
        if owned.uses:
            entry["uses"] = list(owned.uses)
        if owned.articles:
            entry["articles"] = [list(pair) for pair in owned.articles]
        if owned.selected:
            entry["selected"] = True
        if owned.preview:
            entry["preview"] = True
        tasks[key] = entry
    return json.dumps({"version": VERSION, "tasks": tasks, "images": sorted(manifest.images)},
                      ensure_ascii=False, separators=(",", ":"))


def _from_state(output_dir: Path) -> Manifest:
    """An output folder written before manifests existed: what its state records name is publish's."""
    manifest = Manifest()
    for record in state.every_record(output_dir):
        key = record["key"]
        uses = tuple(str(rel) for rel in record.get("uses", ()) if isinstance(rel, str))
        manifest.tasks[key] = Owned(str(record.get("exporter") or key.split("/", 1)[0]),
                                    tuple(str(rel) for rel in record["outputs"]), uses)
        manifest.images.update(uses)
    folder = output_dir / IMAGES_DIR
    if folder.is_dir() and not folder.is_symlink():
        manifest.images.update(f"{IMAGES_DIR}/{p.name}" for p in folder.iterdir()
                               if _COPY_NAME.fullmatch(p.name) and p.is_file())
    return manifest
