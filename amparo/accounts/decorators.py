"""Who may open a staff view, and which views ask staff to prove again who they are."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeAlias

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from amparo.accounts.models import Role, User

P = ParamSpec("P")
View: TypeAlias = Callable[Concatenate[HttpRequest, P], HttpResponse]


def role_required(*roles: Role) -> Callable[[View[P]], View[P]]:
    """Open the view to signed-in, active staff with one of ``roles``.

    Anyone else signed in gets a 403 page that names the roles the page is for.
    """
    if not roles:
        raise ValueError("role_required() needs at least one role.")
    allowed = tuple(Role(role) for role in roles)

    def decorator(view: View[P]) -> View[P]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not signed_in_user(request).has_role(*allowed):
                context = {"roles": [role.label for role in allowed]}
                return render(request, "accounts/role_required.html", context, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def sensitive_action(view: View[P]) -> View[P]:
    """Run ``view`` only if the user re-authenticated in the last few minutes.

    Otherwise allauth sends them to re-authenticate (with their second factor when
    they have one; see ``StaffAccountAdapter``) and then replays the request, a POST
    included. The window is ``ACCOUNT_REAUTHENTICATION_TIMEOUT``. Signing in does not
    count: only an explicit re-authentication does. Put it inside ``role_required``
    and ``require_POST`` so the wrong role or method is refused before anyone is asked
    for a password.
    """
    protected: View[P] = reauthentication_required(view)
    return protected


def signed_in_user(request: HttpRequest) -> User:
    """``request.user`` for a view that only signed-in staff reach."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user
