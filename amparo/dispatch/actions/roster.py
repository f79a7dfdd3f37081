"""Writes of the roster and shifts.

Only coordinators manage the roster (``by`` is a coordinator, or None for the
system: the demo loader). Every write is audited by ids only; names, phones
and home points never reach the audit chain.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from amparo.accounts.models import Role
from amparo.audit.actions import record_event
from amparo.contacts.actions import find_or_create_contact, set_language
from amparo.contacts.errors import ContactsError
from amparo.crypto.vault import blind_index
from amparo.dispatch.errors import DispatchError
from amparo.dispatch.models import (
    Responder,
    Shift,
    ShiftKind,
    Skill,
    SpokenLanguage,
)

if TYPE_CHECKING:
    from amparo.accounts.models import User
    from amparo.contacts.models import Contact
    from amparo.places.models import Town


# Who manages the roster and shifts.
MANAGE_ROLES = (Role.COORDINATOR,)
# Who sends responders to an incident.
DISPATCH_ROLES = (Role.COORDINATOR,)
# Staff who may be on the roster: operators answer the hotline on shift,
# responders go to the field, coordinators may do either.
STAFF_RESPONDER_ROLES = (Role.OPERATOR, Role.RESPONDER, Role.COORDINATOR)
FEED_TOKEN_PURPOSE = "calendar-feed"  # noqa: S105 (a blind index purpose, not a secret)


def _require_manager(by: User | None) -> None:
    if by is not None and not by.has_role(*MANAGE_ROLES):
        raise DispatchError(_("Only a coordinator manages responders and shifts."))


def _check_profile(skills: Sequence[str], languages: Sequence[str], travel_radius_km: int) -> None:
    if not set(skills) <= set(Skill.values):
        raise DispatchError(_("That is not a skill the network knows."))
    if not set(languages) <= set(SpokenLanguage.values):
        raise DispatchError(_("That is not a language the network knows."))
    if travel_radius_km < 0:
        raise DispatchError(_("A travel radius cannot be negative."))


def _check_home_point(home_point: dict[str, float] | None) -> None:
    if home_point is None:
        return
    lat, lon = home_point.get("lat"), home_point.get("lon")
    if not isinstance(lat, float | int) or not isinstance(lon, float | int):
        raise DispatchError(_("A home point needs a latitude and a longitude."))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise DispatchError(_("A home point needs a latitude and a longitude."))


def _contact_for(phone: str, language: str | None, by: User | None) -> Contact:
    try:
        contact = find_or_create_contact(phone=phone, language=language, by=by)
    except ContactsError:
        raise DispatchError(_("That is not a valid phone number.")) from None
    if language is not None and contact.language != language:
        # A number already known (it texted us, or was on the roster before) keeps
        # its contact; the coordinator's choice of language is the person's.
        set_language(contact=contact, language=language, by=by)
    return contact


def _check_user(user: User | None, responder: Responder | None) -> None:
    if user is None:
        return
    if not user.has_role(*STAFF_RESPONDER_ROLES):
        raise DispatchError(
            _("Only an active operator, responder or coordinator account can be a responder.")
        )
    taken = Responder.objects.filter(user=user)
    if responder is not None:
        taken = taken.exclude(pk=responder.pk)
    if taken.exists():
        raise DispatchError(_("That account is already on the roster."))


def _check_request(
    by: User | None,
    *,
    display_name: str,
    has_account: bool,
    phone: str,
    skills: Sequence[str],
    languages: Sequence[str],
    travel_radius_km: int,
    home_point: dict[str, float] | None,
) -> None:
    """The rules a new or replaced profile follows; raise :class:`DispatchError`."""
    _require_manager(by)
    if not display_name.strip():
        raise DispatchError(_("A responder needs a name."))
    if not has_account and not phone:
        raise DispatchError(_("A responder without a staff account needs a phone number."))
    _check_profile(skills, languages, travel_radius_km)
    _check_home_point(home_point)


def add_responder(
    *,
    by: User | None,
    display_name: str,
    user: User | None = None,
    phone: str = "",
    language: str | None = None,
    skills: Sequence[str] = (),
    languages: Sequence[str] = (),
    home_town: Town | None = None,
    home_point: dict[str, float] | None = None,
    travel_radius_km: int = 15,
    trained_on: dt.date | None = None,
    vetted_on: dt.date | None = None,
) -> Responder:
    """Put a volunteer on the roster: a staff account, or SMS-only with a ``phone``.

    ``phone`` (any spelling) becomes the responder's contact, created in
    ``language`` if the number is new. Raise :class:`DispatchError` for a
    wrong role, a responder with neither account nor phone, an account already
    on the roster, an invalid number or an unknown skill or language.
    """
    _check_request(
        by,
        display_name=display_name,
        has_account=user is not None,
        phone=phone,
        skills=skills,
        languages=languages,
        travel_radius_km=travel_radius_km,
        home_point=home_point,
    )
    with transaction.atomic():
        _check_user(user, None)
        contact = _contact_for(phone, language, by) if phone else None
        responder = Responder.objects.create(
            user=user,
            contact=contact,
            display_name=display_name.strip(),
            skills=sorted(set(skills)),
            languages=sorted(set(languages)),
            home_town=home_town,
            home_point=home_point,
            travel_radius_km=travel_radius_km,
            trained_on=trained_on,
            vetted_on=vetted_on,
        )
        record_event(actor=by, action="dispatch.responder_add", target=responder)
    return responder


def update_responder(
    *,
    responder: Responder,
    by: User | None,
    display_name: str,
    user: User | None = None,
    phone: str = "",
    language: str | None = None,
    skills: Sequence[str] = (),
    languages: Sequence[str] = (),
    home_town: Town | None = None,
    home_point: dict[str, float] | None = None,
    travel_radius_km: int = 15,
    trained_on: dt.date | None = None,
    vetted_on: dt.date | None = None,
) -> Responder:
    """Replace ``responder``'s profile with the values given (the same rules as adding).

    An empty ``phone`` unlinks the contact (allowed only for a staff
    responder); the contact itself stays, for the contacts app to forget.
    """
    _check_request(
        by,
        display_name=display_name,
        has_account=user is not None,
        phone=phone,
        skills=skills,
        languages=languages,
        travel_radius_km=travel_radius_km,
        home_point=home_point,
    )
    with transaction.atomic():
        _check_user(user, responder)
        before = (responder.contact_id, responder.user_id)
        responder.contact = _contact_for(phone, language, by) if phone else None
        responder.user = user
        responder.display_name = display_name.strip()
        responder.skills = sorted(set(skills))
        responder.languages = sorted(set(languages))
        responder.home_town = home_town
        responder.home_point = home_point
        responder.travel_radius_km = travel_radius_km
        responder.trained_on = trained_on
        responder.vetted_on = vetted_on
        responder.save()
        record_event(actor=by, action="dispatch.responder_update", target=responder)
        # Who gets the hotline's calls follows these two: each change is its own event.
        if responder.contact_id != before[0]:
            record_event(actor=by, action="dispatch.responder_phone_change", target=responder)
        if responder.user_id != before[1]:
            record_event(actor=by, action="dispatch.responder_account_change", target=responder)
    return responder


def deactivate_responder(*, responder: Responder, by: User | None) -> bool:
    """Take ``responder`` off the roster: never on call, and their calendar feed stops.

    Shifts are kept, so reactivating restores them. Return whether anything changed.
    """
    _require_manager(by)
    with transaction.atomic():
        changed = Responder.objects.filter(pk=responder.pk, active=True).update(
            active=False, feed_token_index=None
        )
        responder.active, responder.feed_token_index = False, None
        if changed:
            record_event(actor=by, action="dispatch.responder_deactivate", target=responder)
    return bool(changed)


def reactivate_responder(*, responder: Responder, by: User | None) -> bool:
    """Put a deactivated responder back on the roster; return whether anything changed."""
    _require_manager(by)
    with transaction.atomic():
        changed = Responder.objects.filter(pk=responder.pk, active=False).update(active=True)
        responder.active = True
        if changed:
            record_event(actor=by, action="dispatch.responder_reactivate", target=responder)
    return bool(changed)


def feed_token_digest(token: str) -> str:
    """How a calendar feed secret is stored and looked up: its blind index."""
    return blind_index(token, purpose=FEED_TOKEN_PURPOSE)


def new_feed_token(*, responder: Responder, by: User | None) -> str:
    """Give ``responder`` a new calendar feed secret and return it (shown once).

    Only its blind index is stored, so a database copy does not open any
    feed; the previous secret stops working.
    """
    _require_manager(by)
    if not responder.active:
        raise DispatchError(_("This responder is not active."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        digest = feed_token_digest(token)
        Responder.objects.filter(pk=responder.pk).update(feed_token_index=digest)
        responder.feed_token_index = digest
        record_event(actor=by, action="dispatch.feed_token_new", target=responder)
    return token


def add_shift(
    *,
    responder: Responder,
    kind: str,
    by: User | None,
    weekday: int | None = None,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
) -> Shift:
    """Put ``responder`` on a weekly shift (``weekday``, ``start_time``, ``end_time``
    on the network's wall clock; an end not after the start is on the next day) or a
    one-off shift (``starts_at`` to ``ends_at``, timezone-aware).

    Unfair loads are not refused here: :func:`amparo.dispatch.schedule.shift_warnings`
    tells the coordinator. Raise :class:`DispatchError` for an incomplete or mixed
    shift, an unknown kind, or an inactive responder.
    """
    _require_manager(by)
    if kind not in ShiftKind.values:
        raise DispatchError(_("That is not a kind of shift."))
    if not responder.active:
        raise DispatchError(_("This responder is not active."))
    weekly = (weekday, start_time, end_time)
    once = (starts_at, ends_at)
    if all(v is not None for v in weekly) and all(v is None for v in once):
        assert weekday is not None
        if not 0 <= weekday <= 6:
            raise DispatchError(_("A weekly shift needs a day of the week."))
        if start_time == end_time:
            raise DispatchError(_("A shift needs an end different from its start."))
    elif all(v is not None for v in once) and all(v is None for v in weekly):
        assert starts_at is not None and ends_at is not None
        if starts_at.tzinfo is None or ends_at.tzinfo is None:
            raise ValueError("one-off shifts need timezone-aware instants")
        if ends_at <= starts_at:
            raise DispatchError(_("A shift needs an end after its start."))
        if ends_at - starts_at > dt.timedelta(days=7):
            raise DispatchError(_("A one-off shift lasts at most a week."))
    else:
        raise DispatchError(
            _("A shift is either weekly (day, start, end) or one-off (start and end dates).")
        )
    with transaction.atomic():
        shift = Shift.objects.create(
            responder=responder,
            kind=kind,
            weekday=weekday,
            start_time=start_time,
            end_time=end_time,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        record_event(actor=by, action="dispatch.shift_add", target=shift)
    return shift


def remove_shift(*, shift: Shift, by: User | None) -> None:
    """Delete ``shift``; audited by its id."""
    _require_manager(by)
    with transaction.atomic():
        record_event(
            actor=by,
            action="dispatch.shift_remove",
            target_type="dispatch.shift",
            target_id=str(shift.pk),
        )
        shift.delete()
