"""What crawlers are told: /sitemap.xml (one section per record kind) and /robots.txt."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from tracker.views.common import public_records


class PagesSitemap(Sitemap):
    """The pages that list records rather than show one."""

    changefreq = "daily"

    def items(self) -> list[str]:
        return ["tracker:home", "tracker:sources", "tracker:changes"]

    def location(self, item: str) -> str:
        return reverse(item)


class RecordSitemap(Sitemap):
    """Every public record of one kind, with its last change as ``lastmod``."""

    limit = 5000  # URLs per sitemap page; a kind with more is split into ?p= pages

    def __init__(self, model_name: str):
        self.model_name = model_name

    def items(self):
        return public_records(self.model_name).order_by("pk")

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        """The newest change of the kind, in one query rather than by loading every record."""
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


# Positions, key figures and relationships have no page of their own: they
# are read on their topic, talks and actor pages.
SITEMAPS = {
    "pages": PagesSitemap,
    "talks": RecordSitemap("negotiation"),
    "topics": RecordSitemap("topic"),
    "actors": RecordSitemap("actor"),
    "statements": RecordSitemap("statement"),
    "events": RecordSitemap("event"),
    "milestones": RecordSitemap("milestone"),
    "sources": RecordSitemap("source"),
}


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """/robots.txt: crawl everything public, not the admin or search, and find the sitemap."""
    sitemap = request.build_absolute_uri(reverse("tracker:sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
