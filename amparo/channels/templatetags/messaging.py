"""Template helpers of the staff messaging pages: ``{% load messaging %}``."""

from __future__ import annotations

from django import template

from amparo.channels import queries

register = template.Library()


@register.filter
def masked_phone(phone: str) -> str:
    """The last four digits only: lists never show a full number."""
    return queries.mask_phone(phone)


@register.simple_tag
def simulator_available() -> bool:
    return queries.simulator_available()
