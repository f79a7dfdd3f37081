"""The red card: a printable rights statement to pass under a door, with a QR code to /rights/.

One letter-size page holding one card: how to use it in the holder's language,
the statement in English for the agents, the same words in the holder's
language, a QR code to the public rights pages and the words "general
information, not legal advice". Drawn with reportlab's built-in Helvetica
(WinAnsi covers the accents of Spanish, Portuguese and Haitian Creole), so
the PDF embeds no font file and stays small.
"""

from __future__ import annotations

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color, white
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from amparo.rights.seed_content import CARD_STATEMENT_EN, CARD_TEXTS

RED = Color(0.75, 0.07, 0.12)
CARD_LEFT = 0.75 * inch
CARD_WIDTH = 7 * inch
CARD_TOP = 10.25 * inch
PADDING = 0.25 * inch
QR_SIZE = 1.4 * inch
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"


class _Writer:
    """Writes wrapped lines top-down inside the card's text column."""

    def __init__(self, canvas: Canvas, left: float, width: float, top: float) -> None:
        self.canvas, self.left, self.width, self.y = canvas, left, width, top

    def lines(self, text: str, *, font: str = REGULAR, size: float = 11, bullet: str = "") -> None:
        indent = self.canvas.stringWidth(bullet, font, size) if bullet else 0
        wrapped = simpleSplit(text, font, size, self.width - indent)
        self.canvas.setFont(font, size)
        for index, line in enumerate(wrapped):
            self.y -= size * 1.3
            if bullet and index == 0:
                self.canvas.drawString(self.left, self.y, bullet)
            self.canvas.drawString(self.left + indent, self.y, line)

    def gap(self, points: float) -> None:
        self.y -= points


def render_card(*, language: str, url: str) -> bytes:
    """The card in ``language`` (en, es, pt, ht) as PDF bytes; its QR code opens ``url``."""
    text = CARD_TEXTS[language]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, pageCompression=1)
    canvas.setTitle(text.heading)
    canvas.setAuthor("Amparo")

    # Red heading band.
    band = 0.55 * inch
    canvas.setFillColor(RED)
    canvas.rect(CARD_LEFT, CARD_TOP - band, CARD_WIDTH, band, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(BOLD, 20)
    canvas.drawString(CARD_LEFT + PADDING, CARD_TOP - band + 0.18 * inch, text.heading)
    canvas.setFillColorRGB(0, 0, 0)

    column = CARD_WIDTH - 2 * PADDING - QR_SIZE - PADDING
    writer = _Writer(canvas, CARD_LEFT + PADDING, column, CARD_TOP - band - 0.1 * inch)
    writer.lines(text.how_to_use, font=BOLD, size=11)
    writer.gap(8)
    writer.lines(
        CARD_TEXTS["en"].for_the_agent if language == "en" else text.for_the_agent,
        font=BOLD,
        size=10,
    )
    for sentence in CARD_STATEMENT_EN:
        writer.lines(sentence, font=BOLD, size=12, bullet="\u2022 ")
    if language != "en":
        writer.gap(8)
        for sentence in text.statement:
            writer.lines(sentence, size=10, bullet="\u2022 ")
    writer.gap(10)
    writer.lines(text.not_advice, size=8)
    bottom = min(writer.y, CARD_TOP - band - QR_SIZE - 0.9 * inch) - PADDING

    # QR code at the right, with the words above it and the address below.
    qr_left = CARD_LEFT + CARD_WIDTH - PADDING - QR_SIZE
    qr_top = CARD_TOP - band - 0.55 * inch
    scan = _Writer(canvas, qr_left, QR_SIZE, CARD_TOP - band - 0.05 * inch)
    scan.lines(text.scan, font=BOLD, size=8)
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, qr_left, qr_top - QR_SIZE - 0.1 * inch)
    link = _Writer(canvas, qr_left, QR_SIZE, qr_top - QR_SIZE - 0.1 * inch)
    link.lines(url, size=7)

    # The card's edge, a cutting line.
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(2)
    canvas.roundRect(CARD_LEFT, bottom, CARD_WIDTH, CARD_TOP - bottom, 8, stroke=1, fill=0)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
