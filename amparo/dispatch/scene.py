"""Texts of a responder's time on scene: acks of their reports, check-in calls, alerts.

Every text travels by SMS through a third party, so none holds a name, an
address, a note or anything about an incident's status: a code, a time of day,
instructions, and for coordinators a link to the staff page (which needs a
sign-in). The writes are in :mod:`amparo.dispatch.actions.scene`; the keywords
responders text in :mod:`amparo.dispatch.field_replies`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from amparo.contacts.models import Contact
from amparo.dispatch.models import FieldReportKind
from amparo.incidents.models import Incident


def _in_language_of(contact: Contact, render: Callable[[], str]) -> str:
    with translation.override(contact.language):
        return render()


def _network() -> str:
    name: str = settings.AMPARO_NETWORK_NAME
    return name


def _minutes() -> int:
    minutes: int = settings.AMPARO_DISPATCH_CHECKIN_MINUTES
    return minutes


def _local_time(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M")


def ack_text(contact: Contact, *, kind: str, code: str) -> str:
    """The answer to a report from the scene: noted, and what to do next."""

    def render() -> str:
        values = {"network": _network(), "code": code, "minutes": _minutes()}
        if kind == FieldReportKind.ARRIVED:
            text = gettext(
                "%(network)s: Arrival noted (code %(code)s). Text OK every %(minutes)d min, "
                "LEAVING when you go. Stay safe."
            )
        elif kind == FieldReportKind.CHECK_IN:
            text = gettext("%(network)s: Thank you, noted that you are safe (code %(code)s).")
        elif kind == FieldReportKind.LEAVING:
            text = gettext("%(network)s: Thank you. Noted that you left safely (code %(code)s).")
        else:
            text = gettext(
                "%(network)s: Your report is noted (code %(code)s); the coordinators decide. "
                "Text OK every %(minutes)d min, LEAVING when you go."
            )
        return text % values

    return _in_language_of(contact, render)


def words_noted_text(contact: Contact, *, code: str) -> str:
    """The answer to a check-in with words ("Ok they grabbed me"): read by people, not "safe"."""
    return _in_language_of(
        contact,
        lambda: (
            gettext("%(network)s: Your message is noted (code %(code)s); the coordinators read it.")
            % {"network": _network(), "code": code}
        ),
    )


def leaving_alone_text(contact: Contact, *, code: str) -> str:
    """The answer to "LEAVING" followed by other words: noted, but the watch goes on."""
    return _in_language_of(
        contact,
        lambda: (
            gettext(
                "%(network)s: Your message is noted (code %(code)s). To end the safety watch, "
                "text LEAVING alone when you have left."
            )
            % {"network": _network(), "code": code}
        ),
    )


def which_deployment_text(contact: Contact, *, codes: list[str]) -> str:
    """Asked of a responder on two scenes at once who sent a report without a code."""
    return _in_language_of(
        contact,
        lambda: (
            gettext(
                "%(network)s: Which one? Put its code after the word, e.g. OK %(code)s. "
                "Your codes: %(codes)s."
            )
            % {"network": _network(), "code": codes[0], "codes": ", ".join(codes)}
        ),
    )


def check_in_call_text(contact: Contact, *, code: str) -> str:
    """To a responder on scene who has not checked in for too long."""
    return _in_language_of(
        contact,
        lambda: (
            gettext(
                "%(network)s: Please check in (code %(code)s): reply OK if you are safe, "
                "LEAVING if you left."
            )
            % {"network": _network(), "code": code}
        ),
    )


def incident_link(incident: Incident) -> str:
    """The incident's staff page, absolute: it needs a staff sign-in to open."""
    public_url: str = settings.AMPARO_PUBLIC_URL
    return public_url + reverse("incidents:incident", args=[incident.pk])


def missed_check_in_text(*, incident: Incident, last_seen: dt.datetime) -> str:
    """The alert to coordinators, in the active language: no name, no code, a link.

    The time of the responder's last sign of life tells two alerts of one
    incident apart (the outbox drops a third identical text in a day).
    """
    return gettext(
        "%(network)s: a responder missed a check-in (last sign of life %(time)s). %(link)s"
    ) % {"network": _network(), "time": _local_time(last_seen), "link": incident_link(incident)}


def missed_check_in_subject() -> str:
    return gettext("%(network)s: a responder missed a check-in") % {"network": _network()}
