"""The public, read-only site."""

from django.urls import path

from tracker import feeds, preview, search_views, sitemaps, views
from tracker.downloads import download, downloads, negotiation_download, negotiation_downloads

app_name = "tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("talks/<slug:slug>/", views.negotiation_detail, name="negotiation"),
    path("talks/<slug:slug>/timeline/", views.negotiation_timeline, name="negotiation_timeline"),
    path("talks/<slug:slug>/downloads/", negotiation_downloads, name="negotiation_downloads"),
    path(
        "talks/<slug:slug>/downloads/<str:filename>",
        negotiation_download,
        name="negotiation_download",
    ),
    path("downloads/", downloads, name="downloads"),
    path("downloads/<str:filename>", download, name="download"),
    path("talks/<slug:negotiation_slug>/topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor"),
    path("statements/<int:pk>/", views.statement_detail, name="statement"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("milestones/<slug:slug>/", views.milestone_detail, name="milestone"),
    path("sources/", views.source_list, name="sources"),
    path("sources/<int:pk>/", views.source_detail, name="source"),
    path("changes/", views.changes, name="changes"),
    path("preview/<str:model_name>/<int:pk>/", preview.preview, name="preview"),
    path("search/", search_views.search_page, name="search"),
    path("talks/<slug:slug>/feed/", feeds.NegotiationFeed(), name="negotiation_feed"),
    path("feeds/statements/", feeds.StatementFeed(), name="statement_feed"),
    path("feeds/milestones/", feeds.MilestoneFeed(), name="milestone_feed"),
    path("feeds/changes/", feeds.ChangesFeed(), name="changes_feed"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
]
