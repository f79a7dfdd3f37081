from django.urls import path

from amparo.channels import views

app_name = "channels"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("contact/<uuid:contact_id>/", views.conversation, name="conversation"),
    path("contact/<uuid:contact_id>/reply/", views.reply, name="reply"),
    path("contact/<uuid:contact_id>/phone/", views.reveal_phone, name="reveal_phone"),
    path("inbound/<uuid:message_id>/", views.inbound_without_contact, name="inbound"),
    path("inbound/<uuid:message_id>/recording/", views.recording, name="recording"),
    path("inbound/<uuid:message_id>/handled/", views.mark_handled, name="mark_handled"),
    path("log/", views.message_log, name="log"),
    path("health/", views.health, name="health"),
    path("simulator/", views.simulator, name="simulator"),
]
