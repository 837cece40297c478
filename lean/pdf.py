"""PDF text with reportlab: the built-in Chinese font, and text made safe for its paragraphs. Shared by the shortfall
reports and the project filing packages."""

from xml.sax.saxutils import escape

FONT = "STSong-Light"


def font() -> str:
    """The CID font with Chinese glyphs, registered with reportlab once."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


# The built-in CID font has the GB 2312 repertoire: the Latin middle dot, bullets and sub- and superscript digits
# (kgCO₂/kWh, m²) would print as empty boxes, so they are written with the glyphs it has.
_PDF_GLYPHS = str.maketrans(
    {"·": "・", "•": "・", **{chr(0x2080 + d): str(d) for d in range(10)}, "¹": "1", "²": "2", "³": "3"}
)


def pdf_text(text: str) -> str:
    """Text for a reportlab Paragraph: escaped, with the glyphs the font lacks replaced."""
    return escape(str(text).translate(_PDF_GLYPHS))
