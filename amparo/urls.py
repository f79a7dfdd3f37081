from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import include, path

from amparo.accounts.views import admin_login_redirect, admin_password_change_redirect

admin.site.site_header = "Amparo"
# Sign-in and password changes go through allauth: MFA, throttling, audit.
admin.site.login = admin_login_redirect  # type: ignore[method-assign]
admin.site.password_change = admin_password_change_redirect  # type: ignore[method-assign,assignment]
# Second factors and e-mail addresses belong to their owner alone; in the admin
# they would let one admin take over another staff member's account. Groups
# are unused: permissions come from the role (accounts.backends).
for not_for_the_admin in (Authenticator, EmailAddress, Group):
    if admin.site.is_registered(not_for_the_admin):
        admin.site.unregister(not_for_the_admin)

urlpatterns = [
    # First: providers post here many times a second, and resolving walks the list.
    path("hooks/", include("amparo.channels.hook_urls")),
    path("", include("amparo.core.urls")),
    path("", include("amparo.intake.urls")),  # /report/ and /staff/intake/
    path("accounts/", include("allauth.urls")),
    path("staff/users/", include("amparo.accounts.urls")),
    path("staff/messages/", include("amparo.channels.urls")),
    path("staff/incidents/", include("amparo.incidents.urls")),
    path("staff/dispatch/", include("amparo.dispatch.urls")),
    path("staff/alerts/", include("amparo.alerts.urls")),
    path("alerts/", include("amparo.alerts.public_urls")),
    path("staff/cases/", include("amparo.cases.urls")),
    path("staff/plans/", include("amparo.plans.urls")),
    path("plan/", include("amparo.plans.public_urls")),
    path("staff/rights/", include("amparo.rights.urls")),
    path("rights/", include("amparo.rights.public_urls")),
    path("staff/admin/", admin.site.urls),
]
