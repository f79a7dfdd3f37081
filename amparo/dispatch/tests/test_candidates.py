"""The hand-written candidate query says what the ORM's on-call query says, on both databases."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import random
from decimal import Decimal

import pytest
from django.db.models import F, Q
from django.utils import timezone

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.dispatch.candidates import Box, offerable_rows
from amparo.dispatch.models import Responder, ShiftKind, Skill
from amparo.dispatch.offers import HOME_TOWN_SLACK_KM, OFFER_SKILLS
from amparo.dispatch.schedule import on_call_rows
from amparo.dispatch.tests.factories import next_phone, once, weekly
from amparo.places.models import Town

pytestmark = pytest.mark.django_db

_FACTS = (
    "responder__travel_radius_km",
    "responder__home_town__latitude",
    "responder__home_town__longitude",
)


def _reference_where(box: Box | None) -> Q:
    """The rule written with the ORM: a number, an offer skill, a home town in the box."""
    may_go = Q(responder__contact__isnull=False) & functools.reduce(
        operator.or_,
        (Q(responder__skills__icontains=f'"{skill}"') for skill in sorted(OFFER_SKILLS)),
    )
    if box is None:
        return may_go
    reach_km = F("responder__travel_radius_km") + box.slack_km
    lat, lon = reach_km / box.km_per_lat_degree, reach_km / box.km_per_lon_degree
    return may_go & (
        Q(responder__home_town__isnull=True)
        | Q(
            responder__home_town__latitude__gte=box.latitude - lat,
            responder__home_town__latitude__lte=box.latitude + lat,
            responder__home_town__longitude__gte=box.longitude - lon,
            responder__home_town__longitude__lte=box.longitude + lon,
        )
    )


def _roster(rng: random.Random, now: dt.datetime) -> None:
    towns = [
        Town.objects.create(
            name=f"Invented Town {n}",
            state="ZZ",
            latitude=Decimal(f"{rng.uniform(41.0, 42.0):.5f}"),
            longitude=Decimal(f"{rng.uniform(-73.7, -71.8):.5f}"),
        )
        for n in range(8)
    ]
    closed = make_staff(Role.RESPONDER)
    closed.is_active = False
    closed.save()
    open_account = make_staff(Role.RESPONDER)
    skills = list(Skill.values)
    for index in range(40):
        user = {0: closed, 1: open_account}.get(index)
        responder = Responder.objects.create(
            display_name=f"Invented Volunteer {index}",
            user=user,
            skills=rng.sample(skills, rng.randint(1, 3)),
            home_town=rng.choice([*towns, None]),
            travel_radius_km=rng.choice([5, 15, 40]),
        )
        if rng.random() < 0.9:
            from amparo.contacts.actions import find_or_create_contact

            responder.contact = find_or_create_contact(phone=next_phone())
            responder.save()
        for _ in range(4):
            kind = rng.choice([ShiftKind.FIELD, ShiftKind.FIELD, ShiftKind.OPERATOR])
            if rng.random() < 0.6:
                start = dt.time(rng.randrange(24), rng.choice([0, 30]))
                # Overnight when it ends before it starts.
                end = dt.time((start.hour + rng.randrange(1, 24)) % 24, start.minute)
                weekly(responder, rng.randrange(7), start, end, kind=kind)
            else:
                starts = now + dt.timedelta(hours=rng.uniform(-10 * 24, 7 * 24))
                length = dt.timedelta(hours=rng.choice([2, 8, 30, 6 * 24]))
                once(responder, starts, starts + length, kind=kind)
        if rng.random() < 0.1:  # left the roster after their shifts were set
            Responder.objects.filter(pk=responder.pk).update(active=False)


def test_offerable_rows_match_the_orm_query_at_many_instants_and_places() -> None:
    rng = random.Random(11)
    now = timezone.now().replace(microsecond=0)
    _roster(rng, now)
    compared = nonempty = 0
    for _ in range(150):
        at = now + dt.timedelta(minutes=rng.randrange(-3 * 24 * 60, 8 * 24 * 60))
        box = rng.choice(
            [None, Box(rng.uniform(41.0, 42.0), rng.uniform(-73.7, -71.8), HOME_TOWN_SLACK_KM)]
        )
        expected = on_call_rows(
            at, kind=ShiftKind.FIELD, fields=_FACTS, where=_reference_where(box)
        )

        found = offerable_rows(at, skills=OFFER_SKILLS, box=box)

        normal = [(pk, int(r), lat and float(lat), lon and float(lon)) for pk, r, lat, lon in found]
        assert normal == [
            (pk, int(r), lat and float(lat), lon and float(lon)) for pk, r, lat, lon in expected
        ]
        compared += 1
        nonempty += bool(found)
    assert compared == 150
    assert nonempty > 30  # the comparison saw real rosters, not empty ones


def test_a_one_off_shift_started_more_than_a_week_ago_has_ended() -> None:
    responder = Responder.objects.create(
        display_name="Invented Volunteer", skills=[Skill.VERIFIER], travel_radius_km=10
    )
    from amparo.contacts.actions import find_or_create_contact

    responder.contact = find_or_create_contact(phone=next_phone())
    responder.save()
    now = timezone.now()
    once(responder, now - dt.timedelta(days=6), now + dt.timedelta(hours=1))

    assert [row[0] for row in offerable_rows(now, skills=OFFER_SKILLS, box=None)] == [responder.pk]
    assert offerable_rows(now + dt.timedelta(days=2), skills=OFFER_SKILLS, box=None) == []
