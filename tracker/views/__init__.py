"""Public, read-only views. Every one starts from ``.public()`` or ``.on_record()``.

talks: home, talks page (with time travel), topic, milestone.
records: actor, statement, event, sources, changes log.
errors: the 400, 404 and 500 pages.
"""

from tracker.views.errors import bad_request, page_not_found, server_error
from tracker.views.records import (
    actor_detail,
    changes,
    event_detail,
    source_detail,
    source_list,
    statement_detail,
)
from tracker.views.talks import (
    home,
    milestone_detail,
    negotiation_detail,
    negotiation_timeline,
    topic_detail,
)

__all__ = [
    "actor_detail",
    "bad_request",
    "changes",
    "event_detail",
    "home",
    "milestone_detail",
    "negotiation_detail",
    "negotiation_timeline",
    "page_not_found",
    "server_error",
    "source_detail",
    "source_list",
    "statement_detail",
    "topic_detail",
]
