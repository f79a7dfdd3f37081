from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


@login_not_required
def admin_login_redirect(request: HttpRequest, extra_context: object = None) -> HttpResponseRedirect:
    """The admin has no login of its own: everyone signs in (with MFA) through allauth."""
    target = request.GET.get(REDIRECT_FIELD_NAME, "")
    url = reverse("account_login")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        url += "?" + urlencode({REDIRECT_FIELD_NAME: target})
    return HttpResponseRedirect(url)
