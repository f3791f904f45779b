"""Template filters and tags for Parley's public pages."""

from django import template
from django.utils.safestring import SafeString

from tracker.models import STANCE_SCORES
from tracker.text import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render editors' Markdown to sanitised HTML: ``{{ record.summary|markdown }}``."""
    return render_markdown(text or "")


@register.filter
def stance_class(stance: str) -> str:
    """The CSS modifier of a stance badge: ``stance--leans-support``."""
    return "stance--" + (stance or "none").replace("_", "-")


@register.filter
def stance_symbol(stance: str) -> str:
    """A shape that tells stances apart without colour: ++ + ± − −− ?."""
    score = STANCE_SCORES.get(stance)
    return {2: "++", 1: "+", 0: "±", -1: "−", -2: "−−"}.get(score, "?")


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` applied (empty values are removed)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def stance_scale() -> list[tuple[str, str]]:
    """The stance scale, supports to opposes then unclear: ``{% stance_scale as stances %}``."""
    from tracker.models import Stance

    return list(Stance.choices)
