"""Every URL the project answers is either on the short public list or closed to strangers.

The walk covers the whole resolver (our apps, allauth, the Django admin), so a
view added anywhere is checked without anyone remembering to add a test.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)
from django.urls.resolvers import RegexPattern, RoutePattern

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff

pytestmark = pytest.mark.django_db

# Routes anyone may open without signing in, and why. Keep it short: each entry
# is a page a stranger (or someone hunting for who is in the system) can reach.
PUBLIC_ROUTES = {
    "": "public home: know-your-rights basics",
    "healthz": "health check for the process supervisor; no personal data",
    "healthz/ping": "liveness probe; no database, no personal data",
    "i18n/setlang/": "language switch for community members",
    "report/": "public report form: no account, no name asked, rate limited per client",
    "report/thanks/": "thanks a reporter and says what happens next; shows nothing stored",
    "accounts/login/": "sign in",
    "accounts/login/code/confirm/": "allauth sign-in stage (login by code is off)",
    "accounts/2fa/authenticate/": "second sign-in stage: TOTP or security key",
    "accounts/logout/": "sign out",
    "accounts/inactive/": "tells a deactivated account it cannot sign in",
    "accounts/signup/": "says signup is closed",
    "accounts/confirm-email/": "allauth e-mail verification notice",
    r"accounts/confirm-email/(?P<key>[-:\w]+)/$": "allauth e-mail verification link",
    "accounts/password/reset/": "password reset request; a second factor is still needed",
    "accounts/password/reset/done/": "password reset request sent",
    r"accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "password reset link",
    "accounts/password/reset/key/done/": "password reset finished",
    "staff/admin/login/": "sends the Django admin's login to allauth's, so MFA applies",
    # Community alerts: only published broadcasts and confirmed open incidents at a coarse cell.
    "alerts/": "public feed of published alerts and debunks; rate limited per client",
    "alerts/feed.atom": "the same alerts as an Atom feed",
    "alerts/feed.json": "the same alerts as a JSON Feed",
    "alerts/map/": "map of confirmed open incidents at their ~1 km cell; a list without JavaScript",
    "alerts/map.json": "the map's pins: coarse cells of confirmed open incidents",
    "alerts/<uuid:broadcast_id>/": "one published alert; anything unpublished is a 404",
    "alerts/join/": "join alerts: only ever a pending request confirmed by the person's own text",
    "alerts/join/check-your-phone/": "says a confirmation text may be on its way; reveals nothing",
    # Know your rights: published texts only; drafts never leave the staff pages.
    "rights/": "know-your-rights topics in the visitor's language",
    "rights/card/<str:language>.pdf": "the printable red card in one language",
    "rights/<slug:slug>/": "a rights topic's current published text",
    "rights/<slug:slug>/<str:language>/v<int:number>/": "a published version by its permanent link",
    # Family plans: no account; nothing secret in a URL; a plan opens only with code and PIN.
    "plan/": "what a family plan is and how it is protected; static text",
    "plan/new/": "register a family plan: no account, rate limited per client",
    "plan/new/done/": "shows a new plan's code once, from the session; nothing on reload",
    "plan/manage/": "code and PIN open a plan; same answer for unknown code and wrong PIN; lockout",
    "plan/manage/edit/": "saves a plan: only with a signed 15-minute token from code and PIN",
    "plan/manage/pin/": "sets a new PIN: only with a signed 15-minute token from code and PIN",
    "plan/manage/delete/": "deletes a plan (key shredded): only with a token, after a confirmation",
    "plan/card/": "the wallet card PDF: only with a signed 15-minute token, by POST",
    "staff/dispatch/feed/<str:token>.ics": (
        "a responder's calendar app fetches their shifts: the URL holds a secret only its"
        " digest is stored of; shift times and the network's name, nothing else"
    ),
    # Twilio's webhooks: no account, but every request must carry Twilio's signature.
    "hooks/twilio/sms": "Twilio delivers inbound texts; signed, stores only once",
    "hooks/twilio/status": "Twilio's delivery receipts; signed",
    "hooks/twilio/voice": "a call to the hotline: language menu; signed",
    "hooks/twilio/voice/language": "rings the operators on call; signed",
    "hooks/twilio/voice/screen": "what an operator hears on picking up; signed",
    "hooks/twilio/voice/screen/answer": "the operator's key press: take the call or not; signed",
    "hooks/twilio/voice/after-dial": "nobody answered: voicemail prompt; signed",
    "hooks/twilio/voice/goodbye": "thanks the caller after the voicemail; signed",
    "hooks/twilio/voice/recording": "a voicemail recording is ready; signed",
}

# Static files are served by WhiteNoise before URL resolution; they are public by design.
STATIC_SAMPLE = "/static/amparo/amparo.css"

SAMPLE_BY_CONVERTER = {
    IntConverter: "1",
    StringConverter: "sample",
    SlugConverter: "sample",
    PathConverter: "1",
    UUIDConverter: str(uuid.UUID(int=1)),
}
SAMPLE_BY_REGEX_GROUP = {"app_label": "places"}
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


@dataclass(frozen=True)
class Endpoint:
    route: str
    url: str
    callback: Callable[..., Any]

    @property
    def is_marked_public(self) -> bool:
        # Django's login_not_required sets this; LoginRequiredMiddleware lets such views through.
        return getattr(self.callback, "login_required", True) is False


def _sample(pattern: RoutePattern | RegexPattern) -> str:
    if isinstance(pattern, RoutePattern):
        converters = pattern.converters

        def fill(match: re.Match[str]) -> str:
            return SAMPLE_BY_CONVERTER[type(converters[match["name"]])]

        return ROUTE_PARAMETER.sub(fill, str(pattern))
    text = REGEX_GROUP.sub(lambda m: SAMPLE_BY_REGEX_GROUP.get(m["name"], "1"), str(pattern))
    return text.removeprefix("^").removesuffix("$")


def _join_route(prefix: str, route: str) -> str:
    # The same joining ResolverMatch.route uses.
    return prefix + route.removeprefix("^")


def _walk(resolver: URLResolver, route: str = "", url: str = "/") -> Iterator[Endpoint]:
    for entry in resolver.url_patterns:
        entry_route = _join_route(route, str(entry.pattern))
        entry_url = url + _sample(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, entry_route, entry_url)
        else:
            assert isinstance(entry, URLPattern)
            yield Endpoint(entry_route, entry_url, entry.callback)


def all_endpoints() -> list[Endpoint]:
    return list(_walk(get_resolver()))


def staff_endpoints() -> list[Endpoint]:
    return [e for e in all_endpoints() if e.route not in PUBLIC_ROUTES]


def _is_refused(response: Any) -> bool:
    """Refused outright, or sent (through any redirects) to the sign-in page."""
    if response.status_code in (403, 404, 405):
        return True
    sent_to_login = response.redirect_chain and response.request["PATH_INFO"] == reverse(
        "account_login"
    )
    return bool(sent_to_login)


def test_the_walk_reaches_every_part_of_the_site() -> None:
    routes = {endpoint.route for endpoint in all_endpoints()}

    assert {"staff/", "staff/users/", "staff/users/<int:account_id>/role/"} <= routes
    assert {"accounts/2fa/totp/activate/", "accounts/email/"} <= routes
    assert {"staff/admin/", "staff/admin/places/town/<path:object_id>/change/"} <= routes


def test_each_sample_url_resolves_to_the_pattern_it_was_built_from() -> None:
    for endpoint in all_endpoints():
        match = resolve(urlsplit(endpoint.url).path)
        assert (match.route, match.func) == (endpoint.route, endpoint.callback), endpoint


def test_the_public_list_is_exactly_the_views_marked_public() -> None:
    marked_public = {e.route for e in all_endpoints() if e.is_marked_public}

    assert marked_public == set(PUBLIC_ROUTES)


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_refused_everywhere_off_the_public_list(
    client: Client, method: str
) -> None:
    answered = {}
    for endpoint in staff_endpoints():
        response = getattr(client, method)(endpoint.url, follow=True)
        if not _is_refused(response):
            answered[endpoint.route] = response.status_code

    assert answered == {}


def test_static_files_are_public(client: Client) -> None:
    assert client.get(STATIC_SAMPLE).status_code == 200
    assert not any(e.route.startswith("static/") for e in all_endpoints())


@override_settings(AMPARO_REQUIRE_MFA=True)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_signed_in_admin_without_a_second_factor_is_sent_to_enroll_one(
    client: Client, method: str
) -> None:
    # The most powerful account there is: if it is stopped, every role is.
    user = make_staff(Role.ADMIN, second_factor=False)
    assert user.is_staff
    client.force_login(user)
    enroll = reverse("mfa_activate_totp")

    not_sent_to_enroll = {}
    for endpoint in staff_endpoints():
        if endpoint.route.startswith("accounts/"):
            continue
        response = getattr(client, method)(endpoint.url)
        if not (response.status_code == 302 and response["Location"] == enroll):
            not_sent_to_enroll[endpoint.route] = response.status_code

    assert not_sent_to_enroll == {}


@override_settings(AMPARO_REQUIRE_MFA=True)
def test_a_user_with_a_second_factor_reaches_the_staff_home(client: Client) -> None:
    client.force_login(make_staff(Role.OPERATOR))

    response = client.get(reverse("core:home"))

    assert response.status_code == 200
