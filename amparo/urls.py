from django.contrib import admin
from django.urls import include, path

from amparo.accounts.views import admin_login_redirect

admin.site.site_header = "Amparo"
admin.site.login = admin_login_redirect  # type: ignore[method-assign]

urlpatterns = [
    path("", include("amparo.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("staff/users/", include("amparo.accounts.urls")),
    path("staff/admin/", admin.site.urls),
]
