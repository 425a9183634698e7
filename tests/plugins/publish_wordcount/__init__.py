"""A third-party exporter used by the tests: one small text file per article, plus an index."""

from __future__ import annotations

from publish.exporters.base import BuildContext, Exporter, Task


class WordCountExporter(Exporter):
    name = "wordcount"
    description = "Word counts as text files (test plugin)"

    def plan(self, ctx: BuildContext) -> list[Task]:
        tasks = [self.task(ctx, f"wordcount/{a.slug}", [f"wordcount/{a.slug}.txt"], [a], slug=a.slug)
                 for a in ctx.collection]
        tasks.append(self.task(ctx, "wordcount/index", ["wordcount/index.txt"], list(ctx.collection)))
        return tasks

    def render(self, ctx: BuildContext, task: Task) -> list[str]:
        import os

        if task.key == "wordcount/index":
            lines = [f"{a.slug} {a.word_count}" for a in ctx.collection]
            ctx.write("wordcount/index.txt", "\n".join(lines) + "\n")
            return []
        article = ctx.collection.get(task.params["slug"])
        assert article is not None
        ctx.write(task.outputs[0], f"{article.title}\n{article.word_count} words\npid {os.getpid()}\n")
        return [f"counted {article.slug}"] if article.word_count < 50 else []


class BrokenExporter(Exporter):
    name = "broken"
    description = "Fails on purpose (test plugin)"

    def plan(self, ctx: BuildContext) -> list[Task]:
        return [self.task(ctx, "broken", ["broken.txt"])]

    def render(self, ctx: BuildContext, task: Task) -> list[str]:
        raise RuntimeError("this exporter always fails")
