"""Parley's URLs plus /bench/baseline/, the page every measurement is compared with."""

from django.urls import path

from tracker.bench.views import baseline
from tracker.urls import handler400, handler404, handler500
from tracker.urls import urlpatterns as product_urls

urlpatterns = [path("bench/baseline/", baseline, name="bench-baseline"), *product_urls]

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]
