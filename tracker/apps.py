from django.apps import AppConfig


class TrackerConfig(AppConfig):
    """Parley's one app: the talks, who takes part, what they say and do."""

    name = "tracker"
    verbose_name = "Parley"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tracker import caching, search

        search.connect_signals()
        caching.connect_signals()
