"""What a build removes from output/: files publish wrote that the current content no longer makes.

Only files in the manifest are ever candidates, and never one the current run planned. Per
exporter the run either planned everything it makes (`publish all`, `publish feed`, `publish pdf
--all`: its `whole` scope) or a selection (`publish pdf SLUG`, `publish email --digest`: `part`).

* A planned task's earlier outputs under other names go (a digest whose date changed), unless the
  task failed this run: then everything it wrote before stays until it succeeds.
* Whole scope: an unplanned task's files go (renamed, deleted, draft or future articles, unused
  tags), except a task a command chose (a tag book, a `--since` digest), kept while every
  article in it is still published, and a task made from an article that failed to load this
  run (a typo in the front matter never takes a published PDF off the host).
* Part scope: unplanned tasks stay, except previews when the run is not one.
* Previews (made with --drafts/--future from a draft or future article) never outlive the next
  run without those options.
* Image copies go when no remaining task links to them; empty folders left behind go too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from publish.manifest import Manifest, Owned


@dataclass(frozen=True)
class Run:
    """What the pruning rules need to know about this run."""

    whole: frozenset[str]               # exporters that planned everything they make
    part: frozenset[str]                # exporters that planned a selection
    published: frozenset[str]           # slugs in the collection
    failed_sources: frozenset[str]      # article files (relative to the site root) that failed to load
    preview: bool                       # --drafts or --future


def claim(owned: Manifest, made: Mapping[str, Owned]) -> Manifest:
    """The manifest to save before any task runs: every planned file is publish's from now on, and
    every file a task wrote before stays listed, so a run that dies half-way loses track of nothing."""
    tasks = dict(owned.tasks)
    for key, new in made.items():
        old = tasks.get(key)
        if old is None or (old.outputs, old.uses, old.preview) == (new.outputs, new.uses, new.preview):
            tasks[key] = new
        else:
            tasks[key] = replace(new, outputs=_union(new.outputs, old.outputs), uses=old.uses,
                                 preview=old.preview or new.preview)
    return Manifest(tasks, set(owned.images), owned.on_disk)


def settle(claimed: Manifest, made: Mapping[str, Owned], failed: Iterable[str], run: Run) -> tuple[Manifest, set[str]]:
    """The manifest after this run, and the files to remove. `made` holds every planned task with the
    image copies it links to now; `failed` the keys of planned tasks that did not succeed."""
    failed = set(failed)
    tasks: dict[str, Owned] = {}
    for key, owned in claimed.tasks.items():
        if key in made:
            tasks[key] = owned if key in failed else made[key]
        elif _keeps(owned, run):
            tasks[key] = owned
    planned = {rel for owned in made.values() for rel in owned.outputs}
    kept = {rel for owned in tasks.values() for rel in owned.outputs}
    linked = {rel for owned in tasks.values() for rel in owned.uses}
    images = claimed.images | {rel for owned in made.values() for rel in owned.uses}
    doomed = ({rel for owned in claimed.tasks.values() for rel in owned.outputs} - kept - planned) | (images - linked)
    return Manifest(tasks, images & linked, claimed.on_disk), doomed - planned


def _keeps(owned: Owned, run: Run) -> bool:
    """Whether an unplanned task's files stay."""
    if owned.exporter in run.whole:
        if owned.preview and not run.preview:
            return False
        if any(source in run.failed_sources for _, source in owned.articles):
            return True
        return owned.selected and bool(owned.articles) and all(slug in run.published for slug, _ in owned.articles)
    if owned.exporter in run.part:
        return not (owned.preview and not run.preview)
    return True                        # an exporter this run did not touch


def remove(output_dir: Path, doomed: Iterable[str]) -> tuple[list[str], dict[str, str]]:
    """Delete the files (never a folder), then the folders they leave empty, up to output/ itself.
    Returns the files removed, and a message for each file that could not be removed."""
    removed: list[str] = []
    stuck: dict[str, str] = {}
    folders: set[Path] = set()
    root = output_dir.resolve()
    for rel in sorted(doomed):
        path = output_dir / rel
        try:
            if ".." in Path(rel).parts or not path.parent.resolve().is_relative_to(root):
                continue                 # never through a symlinked folder to somewhere else
            if path.is_symlink() or path.is_file():
                path.unlink()
                removed.append(rel)
                folders.update(p for p in path.parents if p.is_relative_to(output_dir) and p != output_dir)
        except FileNotFoundError:
            continue
        except OSError as exc:
            stuck[rel] = f"could not remove {path}, which the content no longer makes: {exc.strerror or exc}"
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        try:
            if not folder.is_symlink():
                folder.rmdir()           # only when empty: a folder holding the user's files stays
        except OSError:
            pass
    return removed, stuck


def still_owned(settled: Manifest, claimed: Manifest, stuck: Iterable[str]) -> Manifest:
    """The manifest to save: files that could not be removed stay listed, so the next run tries again."""
    tasks, images = dict(settled.tasks), set(settled.images)
    for rel in stuck:
        if rel in claimed.images:
            images.add(rel)
        for key, owned in claimed.tasks.items():
            if rel in owned.outputs:
                base = tasks.get(key, owned)
                tasks[key] = replace(base, outputs=_union(base.outputs, (rel,)))
    return Manifest(tasks, images, settled.on_disk)


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*first, *second)))
