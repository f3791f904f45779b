"""Production settings plus the benchmark's baseline page; used only by ``manage.py bench``."""

import copy

from tracker.settings import *  # noqa: F403
from tracker.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "tracker.bench.urls"
TEMPLATES = copy.deepcopy(TEMPLATES)
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tracker" / "bench" / "templates"]
