"""Printed documents as PDF (fpdf2), in Open Sans: the discharge instructions, the day sheet.

Font: fpdf2's built-in fonts are Latin-1 only, and patient names can hold any character. Open
Sans ships on PyPI as `ttf-opensans` (Apache 2.0, no dependencies, about 0.6 MB): Latin with its
extensions (Vietnamese included), Greek and Cyrillic. A character it lacks (Chinese, Hebrew,
Arabic, emoji...) is printed as its decomposed letters where the font has them, else as U+FFFD,
and the document then says that some characters could not be printed
(mild.discharge_instructions.printable_text). Nothing typed can make rendering fail.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from mild.discharge_instructions import (
    REPLACED_NOTE,
    SOURCES_TITLE,
    DischargeInstructions,
    printable_text,
)

FAMILY = "OpenSans"
PAGE_FORMAT = "Letter"
MARGIN_MM = 18
GREY = (90, 90, 90)
# fpdf2 puts the page count in place of this alias wherever it appears, "{nb}" by default: a
# patient named "{nb}" would print as "2". This one holds U+2063, a format character that typed
# text never keeps (mild.discharge_instructions.clean_field).
PAGE_COUNT = "\u2063nb\u2063"


def _font_dir() -> Path:
    return Path(str(importlib.resources.files("ttf_opensans") / "ttf"))


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.footer_text}  Page {self.page_no()} of {PAGE_COUNT}", align="C")
        self.set_text_color(0, 0, 0)


class _Writer:
    """Lines written in order, each made printable first; remembers whether any character was
    replaced."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.replaced = False
        # The characters every face added has (fpdf2 read each font's cmap in add_font).
        self.characters = frozenset.intersection(
            *(frozenset(font.cmap) for font in pdf.fonts.values())
        )

    def has_glyph(self, ch: str) -> bool:
        return ord(ch) in self.characters

    def printable(self, text: str) -> str:
        shown, replaced = printable_text(text, self.has_glyph)
        self.replaced = self.replaced or replaced
        return shown

    def write(self, text: str, *, size: float = 10.5, bold: bool = False, gap: float = 1) -> None:
        self.pdf.set_font(FAMILY, "B" if bold else "", size)
        self.pdf.multi_cell(
            0,
            size * 0.48,
            self.printable(text),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.pdf.ln(gap)


def render(doc: DischargeInstructions) -> bytes:
    """The document as PDF bytes, US Letter, one or more pages."""
    pdf = _Document(format=PAGE_FORMAT)
    pdf.alias_nb_pages(PAGE_COUNT)
    fonts = _font_dir()
    pdf.add_font(FAMILY, "", fonts / "OpenSans-Regular.ttf")
    pdf.add_font(FAMILY, "B", fonts / "OpenSans-Bold.ttf")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_title(doc.title)
    pdf.set_lang("en-US")
    pdf.set_creator("MILD procedure-day dashboard")
    pdf.set_creation_date(doc.printed_at)
    out = _Writer(pdf)
    pdf.footer_text = out.printable(doc.footer)
    pdf.add_page()

    out.write(doc.title, size=16, bold=True, gap=0.5)
    out.write(doc.office_name, size=11, gap=4)
    for section in doc.sections:
        if section.new_page:
            pdf.add_page()
        out.write(section.title, size=12.5, bold=True, gap=0.8)
        for line in section.lines:
            out.write(line.text, bold=line.emphasis)
        pdf.ln(2.5)

    if out.replaced:
        out.write(REPLACED_NOTE, size=9, bold=True, gap=3)
    pdf.set_text_color(*GREY)
    out.write(SOURCES_TITLE, size=8, bold=True, gap=0.5)
    for number, source in enumerate(doc.sources, 1):
        out.write(f"{number}. {source}", size=7.5, gap=0.3)
    pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())
