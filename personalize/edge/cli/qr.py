"""A link as a QR code file, for posters, badges and slides at events.

segno writes SVG and PNG itself (no Pillow). Error correction "M" survives a smudged print or a
logo sticker on a badge; a quiet zone of four modules is what phone cameras expect.
"""

from __future__ import annotations

from pathlib import Path

from personalize.errors import UserError

FORMATS = (".svg", ".png")
#: Pixels per module in a PNG: a 1.5 cm code on a badge prints sharp at 300 dpi.
PNG_SCALE = 10


def write_qr(url: str, path: Path) -> None:
    """Write `url` as a QR code to `path`; the suffix (.svg or .png) decides the format."""
    import segno

    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"--qr {path}: name an .svg or .png file")
    code = segno.make_qr(url, error="m")
    try:
        if suffix == ".svg":
            code.save(str(path), kind="svg", scale=4, border=4, xmldecl=True)
        else:
            code.save(str(path), kind="png", scale=PNG_SCALE, border=4)
    except OSError as error:
        raise UserError(f"--qr {path}: cannot write it ({error.strerror or error})") from error
