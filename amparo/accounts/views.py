from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from amparo.accounts import actions
from amparo.accounts.decorators import role_required, sensitive_action, signed_in_user
from amparo.accounts.forms import ChangeRoleForm
from amparo.accounts.models import Role
from amparo.accounts.queries import access_staff_account, access_staff_accounts


def admin_password_change_redirect(
    request: HttpRequest, extra_context: object = None
) -> HttpResponseRedirect:
    """The admin's own password form would skip allauth's throttling and audit."""
    return HttpResponseRedirect(reverse("account_change_password"))


@login_not_required
def admin_login_redirect(
    request: HttpRequest, extra_context: object = None
) -> HttpResponseRedirect:
    """The admin has no login of its own: everyone signs in (with MFA) through allauth."""
    target = request.GET.get(REDIRECT_FIELD_NAME, "")
    url = reverse("account_login")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        url += "?" + urlencode({REDIRECT_FIELD_NAME: target})
    return HttpResponseRedirect(url)


@role_required(Role.ADMIN)
@require_GET
def staff_users(request: HttpRequest) -> HttpResponse:
    accounts = access_staff_accounts(signed_in_user(request))
    return render(
        request, "accounts/staff_users.html", {"accounts": accounts, "roles": Role.choices}
    )


@role_required(Role.ADMIN)
@require_POST
@sensitive_action
def change_user_role(request: HttpRequest, account_id: int) -> HttpResponse:
    admin = signed_in_user(request)
    account = access_staff_account(admin, account_id)
    form = ChangeRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
        return redirect("accounts:staff_users")
    try:
        account = actions.change_role(user=account, role=Role(form.cleaned_data["role"]), by=admin)
    except actions.AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": account.get_username(), "role": account.get_role_display()},
        )
    return redirect("accounts:staff_users")


@role_required(Role.ADMIN)
@require_POST
@sensitive_action
def deactivate_user(request: HttpRequest, account_id: int) -> HttpResponse:
    admin = signed_in_user(request)
    account = access_staff_account(admin, account_id)
    try:
        account = actions.deactivate_user(user=account, by=admin)
    except actions.AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(name)s can no longer sign in.") % {"name": account.get_username()}
        )
    return redirect("accounts:staff_users")
