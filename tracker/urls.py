"""Parley's URLs: the public site under tracker:, the admin under /admin/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("tracker.api.urls")),
    path("", include("tracker.public_urls")),
]

handler400 = "tracker.views.bad_request"
handler404 = "tracker.views.page_not_found"
handler500 = "tracker.views.server_error"
