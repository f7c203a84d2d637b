"""Deterministic binary files for the demo patients: a real PDF with a text layer, a PNG image.

Pure Python, no dependency: the same call always gives the same bytes, so the
file kept in assets/demo can be checked against (and rebuilt from) this code:

    python -m kiosk.services.backend.demo_files assets/demo
"""

from __future__ import annotations

import struct
import sys
import zlib
from functools import lru_cache
from pathlib import Path

PDF_NAME = "compte-rendu-ophtalmologie.pdf"

#: The ophthalmology report of Mme Paulette Exemple (fictional), one list of lines per page.
OPHTHALMOLOGY_REPORT: tuple[tuple[str, ...], ...] = (
    (
        "#Compte rendu de consultation d'ophtalmologie",
        "Centre de la vue de Villefictive, 8 boulevard des Essais, 99000 Villefictive",
        "",
        "Le 18 juin 2026",
        "Patiente : Mme Paulette Exemple, née le 12 mars 1944",
        "Médecin : Dr Louise Modèle-Vue, ophtalmologue",
        "",
        "#Pourquoi cette consultation",
        "Examen du fond de l'œil chaque année, à cause du diabète.",
        "",
        "#Ce que nous avons trouvé",
        "Vue de loin avec les lunettes : 7 sur 10 à droite, 6 sur 10 à gauche.",
        "Fond de l'œil : quelques petites taches de sang à gauche.",
        "C'est un début d'atteinte de l'œil par le diabète (rétinopathie légère).",
        "Pas de glaucome. Tension des yeux normale.",
    ),
    (
        "#Ce qu'il faut faire",
        "Bien équilibrer le sucre dans le sang et la tension.",
        "Revenir dans 6 mois pour un nouvel examen du fond de l'œil.",
        "Consulter vite si la vue baisse d'un coup ou si vous voyez des taches.",
        "",
        "#Nouvelles lunettes",
        "Pas besoin de changer de lunettes pour le moment.",
        "",
        "Dr Louise Modèle-Vue",
        "Ophtalmologue",
    ),
)


def _pdf_text(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _page_stream(lines: tuple[str, ...]) -> bytes:
    out = [b"BT", b"56 780 Td"]
    for line in lines:
        if line.startswith("#"):
            out += [b"/F2 14 Tf 20 TL", _pdf_text(line[1:]) + b" Tj T*"]
        else:
            out += [b"/F1 11 Tf 16 TL", _pdf_text(line) + b" Tj T*"]
    out.append(b"ET")
    return b"\n".join(out) + b"\n"


def make_pdf(pages: tuple[tuple[str, ...], ...] = OPHTHALMOLOGY_REPORT, title: str = "Compte rendu") -> bytes:
    """A valid PDF 1.4 (A4, Helvetica, WinAnsi) whose text can be extracted; no dates, so deterministic."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled below
    pages_obj = add(b"")
    font1 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    font2 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids = []
    for lines in pages:
        stream = _page_stream(lines)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
        page = add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>" % (pages_obj, content, font1, font2)
        )
        kids.append(page)
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    info = add(b"<< /Title " + _pdf_text(title) + b" /Producer (Kiosque Sante demo) >>")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        info,
        xref_at,
    )
    return bytes(out)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def make_png(width: int, height: int, rows) -> bytes:
    """An 8-bit greyscale PNG from ``rows``: ``height`` byte strings of ``width`` values."""
    raw = bytearray()
    for row in rows:
        if len(row) != width:
            raise ValueError("row width")
        raw.append(0)
        raw.extend(row)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + _png_chunk(b"IEND", b"")
    )


@lru_cache(maxsize=None)
def xray_png() -> bytes:
    """A stylised X-ray of a wrist: two long bones, small carpal bones, metacarpals, on a dark field."""
    width, height = 360, 480
    background = bytes(int(20 + 25 * (1 - abs(x - width / 2) / (width / 2))) for x in range(width))
    rows = []
    for y in range(height):
        row = bytearray(background)
        if y > 250:  # forearm: radius and ulna
            for cx, half in ((145, 26), (225, 20)):
                for x in range(cx - half + 1, cx + half):
                    row[x] = int(200 - 2.2 * abs(x - cx))
        for cx in (140, 180, 220):  # carpal bones
            for cy in (200, 235):
                dy = (y - cy) / 15
                if dy * dy < 1:
                    half = int(18 * (1 - dy * dy) ** 0.5)
                    row[cx - half : cx + half + 1] = bytes([185]) * (2 * half + 1)
        if 40 < y < 180:  # metacarpals
            for cx in (120, 155, 190, 225, 255):
                centre = int(cx - (180 - y) * 0.05)
                row[centre - 8 : centre + 9] = bytes([195]) * 17
        rows.append(bytes(row))
    return make_png(width, height, rows)


GENERATED = {"radiographie": xray_png}


def write_assets(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / PDF_NAME
    target.write_bytes(make_pdf())
    return target


if __name__ == "__main__":  # pragma: no cover - a maintenance helper
    print(write_assets(Path(sys.argv[1] if len(sys.argv) > 1 else "assets/demo")))
