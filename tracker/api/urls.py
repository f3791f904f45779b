"""The read-only API, its OpenAPI schema and its docs, under /api/v1/ (namespace api:)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from tracker.api import views

app_name = "api"

router = DefaultRouter()
# One way to ask for JSON is enough: ?format=json, not also a ".json" suffix.
router.include_format_suffixes = False
router.register("talks", views.TalksViewSet, basename="talks")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("relationships", views.RelationshipViewSet, basename="relationship")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("positions", views.PositionViewSet, basename="position")
router.register("statements", views.StatementViewSet, basename="statement")
router.register("events", views.EventViewSet, basename="event")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("sources", views.SourceViewSet, basename="source")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.api_docs, name="docs"),
    *router.urls,
    # Last: any other address ending in a slash is a JSON 404 (others get the slash appended).
    re_path(r"^.*/$", views.not_found, name="not-found"),
]
