"""Provider webhooks: signed by the provider, so no login and no CSRF token."""

app_name = "hooks"
urlpatterns: list = []
