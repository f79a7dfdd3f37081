"""The wallet card: a printable PDF with the plan code, the hotline and a short rights summary.

One letter-size sheet holds the card's two sides at wallet size (3.375 x 2.125
in) side by side, with cut lines around them and a fold line between them:
cut out the pair, fold it and it is a two-sided card. The card is in the
plan's language and carries no name: whoever finds it learns only that a plan
exists, not whose. The PIN is never printed; the card shows where it goes.

Built-in Helvetica only (no font file): its WinAnsi encoding covers the
letters of Spanish, Portuguese and Haitian Creole.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

import phonenumbers
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from amparo.contacts.models import Language
from amparo.plans import codes

CARD_WIDTH = 3.375 * inch
CARD_HEIGHT = 2.125 * inch
MARGIN = 0.12 * inch
FONT = "Helvetica"
BOLD = "Helvetica-Bold"

# The word that activates a plan by text, in each language ("DETAINED <code> <PIN>").
ACTIVATION_WORDS = {
    Language.ENGLISH: "DETAINED",
    Language.SPANISH: "DETENIDO",
    Language.PORTUGUESE: "DETIDO",
    Language.HAITIAN_CREOLE: "ARETE",
}


@dataclass(frozen=True)
class Hotline:
    e164: str
    display: str


def plan_hotline() -> Hotline:
    """``AMPARO_HOTLINE_NUMBER`` as people dial it (national format at home, else international)."""
    raw = settings.AMPARO_HOTLINE_NUMBER
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return Hotline(e164=raw, display=raw)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.country_code == 1:
        display = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    else:
        display = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return Hotline(e164=e164, display=display)


def activation_word(language: str) -> str:
    return ACTIVATION_WORDS.get(language, ACTIVATION_WORDS[Language.ENGLISH])  # type: ignore[call-overload]


def activation_text(*, code: str, language: str) -> str:
    """What to text, with the PIN as a placeholder: ``DETAINED 4821 9307 PIN``."""
    with translation.override(language):
        return f"{activation_word(language)} {codes.show_code(code)} {_('PIN')}"


def rights_summary(language: str) -> list[str]:
    with translation.override(language):
        return [
            _("You have the right to remain silent."),
            _("Do not open the door unless they show a warrant signed by a judge."),
            _("Do not sign anything you do not understand."),
            _("Ask for a lawyer. Say: I want to speak to my lawyer."),
        ]


class _CardSide:
    """Writes lines top-down inside one side of the card, wrapping to its width.

    With ``canvas=None`` it only measures: :attr:`fits` says whether all of it
    stayed inside the card (a long translation is drawn smaller).
    """

    def __init__(self, canvas: Canvas | None, x: float, y: float, *, scale: float) -> None:
        self.canvas = canvas
        self.x = x + MARGIN
        self.bottom = y + MARGIN
        self.width = CARD_WIDTH - 2 * MARGIN
        self.cursor = y + CARD_HEIGHT - MARGIN
        self.scale = scale

    def write(self, text: str, *, size: float, font: str = FONT, gap: float = 1.5) -> None:
        size *= self.scale
        for line in simpleSplit(text, font, size, self.width):
            self.cursor -= size
            if self.canvas is not None:
                self.canvas.setFont(font, size)
                self.canvas.drawString(self.x, self.cursor, line)
            self.cursor -= 1
        self.cursor -= gap * self.scale

    @property
    def fits(self) -> bool:
        return self.cursor >= self.bottom


def _front(side: _CardSide, *, code: str, language: str, hotline: Hotline) -> None:
    side.write(settings.AMPARO_NETWORK_NAME, size=7, font=BOLD, gap=1)
    side.write(_("Family emergency plan"), size=7)
    side.write(_("Plan code"), size=6, gap=0)
    side.write(codes.show_code(code), size=16, font=BOLD, gap=3)
    side.write(_("Hotline, call or text:") + " " + hotline.display, size=7.5, font=BOLD)
    side.write(_("If I am detained, text this to the hotline:"), size=6.5, gap=0)
    side.write(activation_text(code=code, language=language), size=8, font=BOLD, gap=1)
    side.write(_("Put your PIN where it says PIN. Never write the PIN on this card."), size=5.5)


def _back(side: _CardSide, *, language: str) -> None:
    side.write(_("Know your rights"), size=8, font=BOLD, gap=2)
    for right in rights_summary(language):
        side.write("- " + right, size=6.5, gap=2)


def _scale_that_fits(*, code: str, language: str, hotline: Hotline) -> float:
    for scale in (1.0, 0.9, 0.8, 0.7, 0.6):
        front, back = _CardSide(None, 0, 0, scale=scale), _CardSide(None, 0, 0, scale=scale)
        _front(front, code=code, language=language, hotline=hotline)
        _back(back, language=language)
        if front.fits and back.fits:
            return scale
    return 0.5


def _cut_lines(canvas: Canvas, x: float, y: float) -> None:
    canvas.saveState()
    canvas.setLineWidth(0.5)
    canvas.setDash(3, 3)
    canvas.rect(x, y, 2 * CARD_WIDTH, CARD_HEIGHT)
    canvas.setDash(1, 2)
    canvas.line(x + CARD_WIDTH, y, x + CARD_WIDTH, y + CARD_HEIGHT)
    canvas.restoreState()


def render_wallet_card(*, code: str, language: str) -> bytes:
    """The wallet card of the plan with ``code``, in ``language``, as PDF bytes."""
    hotline = plan_hotline()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=letter, pageCompression=1, invariant=1)
    with translation.override(language):
        canvas.setTitle(_("Family plan wallet card"))
        canvas.setAuthor(settings.AMPARO_NETWORK_NAME)
        page_width, page_height = letter
        x = (page_width - 2 * CARD_WIDTH) / 2
        y = page_height - inch - CARD_HEIGHT

        scale = _scale_that_fits(code=code, language=language, hotline=hotline)
        _front(_CardSide(canvas, x, y, scale=scale), code=code, language=language, hotline=hotline)
        _back(_CardSide(canvas, x + CARD_WIDTH, y, scale=scale), language=language)

        _cut_lines(canvas, x, y)
        canvas.setFont(FONT, 9)
        canvas.drawString(
            x,
            y - 0.4 * inch,
            _("Cut out the card, fold it in the middle and keep it with you."),
        )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
