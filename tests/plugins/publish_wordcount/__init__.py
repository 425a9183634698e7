"""A third-party exporter used by the tests: one small text file per article, plus an index.

It declares settings, read from [wordcount] of publish.toml exactly as publish's own sections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from publish.config import SettingError
from publish.exporters.base import BuildContext, Exporter, Notice, Options, Task


@dataclass(frozen=True)
class WordCountSettings:
    label: str = "words"            # the unit written after each count
    short: int = 50                 # articles with fewer words get a warning

    def __post_init__(self) -> None:
        if self.short < 0:
            raise SettingError("short", "must not be negative")


Context = BuildContext[WordCountSettings, Options]


class WordCountExporter(Exporter[WordCountSettings, Options]):
    name = "wordcount"
    description = "Word counts as text files (test plugin)"
    settings: ClassVar[type[Any] | None] = WordCountSettings

    def plan(self, ctx: Context) -> list[Task]:
        tasks = [self.task(ctx, f"wordcount/{a.slug}", [f"wordcount/{a.slug}.txt"], [a], slug=a.slug)
                 for a in ctx.collection]
        # The index is made from the per-article files: it needs their tasks and reads ctx.inputs.
        tasks.append(self.task(ctx, "wordcount/index", ["wordcount/index.txt"], list(ctx.collection),
                               needs=[t.key for t in tasks]))
        return tasks

    def render(self, ctx: Context, task: Task) -> list[Notice]:
        if task.key == "wordcount/index":
            counts = {a.slug: ctx.inputs.get(f"wordcount/{a.slug}.txt", b"\n?").decode().splitlines()[1].split()[0]
                      for a in ctx.collection}
            lines = [f"{slug} {count}" for slug, count in counts.items()]
            ctx.write("wordcount/index.txt", "\n".join(lines) + "\n")
            short = sum(a.word_count < ctx.settings.short for a in ctx.collection)
            return [Notice(f"the index counts {short} short articles")] if short else []      # about the whole site
        article = ctx.collection.get(task.params["slug"])
        assert article is not None
        ctx.write(task.outputs[0], f"{article.title}\n{article.word_count} {ctx.settings.label}\n")
        if article.word_count < ctx.settings.short:
            return [Notice(f"fewer than {ctx.settings.short} {ctx.settings.label}", article.source)]
        return []


class StrayExporter(Exporter):
    name = "stray"
    description = "Writes a file its task does not list (test plugin)"

    def plan(self, ctx: BuildContext) -> list[Task]:
        return [self.task(ctx, "stray", ["stray/listed.txt"])]

    def render(self, ctx: BuildContext, task: Task) -> list[Notice]:
        ctx.write("stray/listed.txt", "listed")
        ctx.write("stray/unlisted.txt", "not listed")
        return []


class BrokenExporter(Exporter):
    name = "broken"
    description = "Fails on purpose (test plugin)"

    def plan(self, ctx: BuildContext) -> list[Task]:
        return [self.task(ctx, "broken", ["broken.txt"])]

    def render(self, ctx: BuildContext, task: Task) -> list[Notice]:
        raise RuntimeError("this exporter always fails")
