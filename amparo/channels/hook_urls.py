"""Provider webhooks: signed by the provider, so no login and no CSRF token."""

from django.urls import path

from amparo.channels import webhooks

app_name = "hooks"
urlpatterns = [
    path("twilio/sms", webhooks.twilio_sms, name="twilio_sms"),
    path("twilio/status", webhooks.twilio_status, name="twilio_status"),
    path("twilio/voice", webhooks.twilio_voice, name="twilio_voice"),
    path("twilio/voice/language", webhooks.twilio_voice_language, name="twilio_voice_language"),
    path("twilio/voice/screen", webhooks.twilio_voice_screen, name="twilio_voice_screen"),
    path(
        "twilio/voice/screen/answer",
        webhooks.twilio_voice_screen_answer,
        name="twilio_voice_screen_answer",
    ),
    path(
        "twilio/voice/after-dial", webhooks.twilio_voice_after_dial, name="twilio_voice_after_dial"
    ),
    path("twilio/voice/goodbye", webhooks.twilio_voice_goodbye, name="twilio_voice_goodbye"),
    path("twilio/voice/recording", webhooks.twilio_voice_recording, name="twilio_voice_recording"),
]
