"""The subscribers' pages: `index.html` (the landing page) and `tags/<tag>/index.html`.

One task for the landing page and one per tag page, each covering exactly the articles it shows
and the theme's `site/` files, so editing an article rebuilds only the pages that show it. The
pages come from the theme's `site/` templates (render.py) filled with what pages.py gathers. What
they link to in other formats (feeds, PDFs, the EPUB, the emails) comes from `ctx.downloads`,
declared by the exporters that write those files; every link between files of output/ is relative,
so the pages work under any base URL and from `publish serve`.
"""

from __future__ import annotations

from typing import ClassVar

from publish.exporters.base import BuildContext, Exporter, Notice, Options, Task
from publish.exporters.site.pages import INDEX, tag_page_path
from publish.model import Image


class SiteExporter(Exporter[None, Options]):
    # "site" would collide with publish's own [site] section
    name: ClassVar[str] = "landing"
    description: ClassVar[str] = "The subscribers' landing page (index.html) and a page per tag, from the theme"
    version: ClassVar[str] = "1"
    theme_folder: ClassVar[str | None] = "site"
    imports: ClassVar[tuple[str, ...]] = ("publish.exporters.site.render",)

    def plan(self, ctx: BuildContext[None, Options]) -> list[Task]:
        articles = ctx.collection.articles
        if not articles:
            return []
        downloads = dict(ctx.downloads)
        icon = ctx.site.icon.digest if isinstance(ctx.site.icon, Image) else ctx.site.icon or ""
        tasks = [self.task(ctx, "landing/index", [INDEX], articles, label=INDEX, cost=5 + len(articles),
                           page="index", downloads=downloads, icon=icon)]
        for tag in ctx.collection.tags:
            tagged = tuple(a for a in articles if any(t.slug == tag.slug for t in a.tags))
            tasks.append(self.task(ctx, f"landing/tags/{tag.slug}", [tag_page_path(tag.slug)], tagged,
                                   label=tag_page_path(tag.slug), cost=5 + len(tagged), page="tag", tag=tag.slug,
                                   downloads=downloads, icon=icon))
        return tasks

    def prepare(self, ctx: BuildContext[None, Options]) -> None:
        from publish.exporters.site.render import site_theme

        self.preload()
        site_theme(ctx.themes)

    def render(self, ctx: BuildContext[None, Options], task: Task) -> list[Notice]:
        from publish.exporters.site import pages
        from publish.exporters.site.render import site_theme

        theme = site_theme(ctx.themes)
        warnings: list[Notice] = []
        if task.params["page"] == "index":
            html = theme.render("index.html", pages.index_page(ctx, INDEX, warnings))
        else:
            html = theme.render("tag.html", pages.tag_page(ctx, task.outputs[0], task.params["tag"], warnings))
        ctx.write(task.outputs[0], html)
        return warnings
