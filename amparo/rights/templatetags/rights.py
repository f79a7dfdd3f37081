"""``{% rights_scripts language %}``: the operator scripts of the rights topics, for intake."""

from __future__ import annotations

from typing import Any

from django import template

from amparo.rights.queries import intake_scripts

register = template.Library()


@register.inclusion_tag("rights/_intake_scripts.html")
def rights_scripts(language: str) -> dict[str, Any]:
    """Every current script in ``language`` (English where a topic has none), collapsed."""
    return {"scripts": intake_scripts(language)}
