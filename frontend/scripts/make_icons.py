"""Draw Mastline's app icons as PNG files with nothing but the standard library.

The mark is a white pulse line (the "line" in Mastline: a diary of how things go) on a teal tile.
Shapes are drawn as signed distances and anti-aliased by pixel coverage, so one description renders
crisply at any size. Run from anywhere: `python3 frontend/scripts/make_icons.py`; the PNGs it writes
into frontend/public/icons/ are committed, so a build does not need Python.
"""

import math
import struct
import zlib
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "public" / "icons"

# Keep in step with theme_color/background_color in vite.config.js.
TILE_TOP = (0x0D, 0x6E, 0x7A)
TILE_BOTTOM = (0x0B, 0x5D, 0x6B)
WHITE = (0xFF, 0xFF, 0xFF)

# The pulse, in unit coordinates (0..1, y down): flat, a spike, a dip, flat again.
PULSE = [(0.18, 0.55), (0.37, 0.55), (0.46, 0.32), (0.56, 0.72), (0.64, 0.50), (0.82, 0.50)]
STROKE = 0.075  # stroke width as a fraction of the icon's side
CORNER = 0.22  # corner radius of the "any" tile; a maskable icon is masked by the platform instead


def segment_distance(px, py, ax, ay, bx, by):
    """Distance from point p to segment ab (round caps and joins come for free)."""
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def rounded_square_distance(px, py, radius):
    """Signed distance to the unit square with rounded corners (negative inside)."""
    qx = abs(px - 0.5) - (0.5 - radius)
    qy = abs(py - 0.5) - (0.5 - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def coverage(signed_distance, size):
    """How much of a pixel a shape covers, from its signed distance in unit coordinates."""
    return max(0.0, min(1.0, 0.5 - signed_distance * size))


def render(size, *, tile, corner, scale):
    """RGBA rows for one icon. `scale` shrinks the pulse about the centre (the maskable safe zone)."""
    points = [(0.5 + (x - 0.5) * scale, 0.5 + (y - 0.5) * scale) for x, y in PULSE]
    segments = list(zip(points, points[1:], strict=False))
    half_stroke = STROKE * scale / 2
    rows = []
    for j in range(size):
        py = (j + 0.5) / size
        bg = [round(t + (b - t) * py) for t, b in zip(TILE_TOP, TILE_BOTTOM, strict=True)]
        row = bytearray()
        for i in range(size):
            px = (i + 0.5) / size
            line = min(segment_distance(px, py, *a, *b) for a, b in segments) - half_stroke
            ink = coverage(line, size)
            if not tile:
                # A notification badge: only the alpha channel counts, so the line on transparency.
                row += bytes((*WHITE, round(255 * ink)))
                continue
            alpha = coverage(rounded_square_distance(px, py, corner), size) if corner else 1.0
            rgb = [round(c + (w - c) * ink) for c, w in zip(bg, WHITE, strict=True)]
            row += bytes((*rgb, round(255 * alpha)))
        rows.append(bytes(row))
    return rows


def png(size, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


ICONS = {
    # name: (size, options)
    "icon-192.png": (192, {"tile": True, "corner": CORNER, "scale": 1.0}),
    "icon-512.png": (512, {"tile": True, "corner": CORNER, "scale": 1.0}),
    # Maskable: full bleed, and the pulse kept well inside the central 80% circle that every mask shows.
    "maskable-512.png": (512, {"tile": True, "corner": 0, "scale": 0.72}),
    "badge-96.png": (96, {"tile": False, "corner": 0, "scale": 1.15}),
}


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, (size, options) in ICONS.items():
        (OUT_DIR / name).write_bytes(png(size, render(size, **options)))
        print(f"wrote {OUT_DIR / name}")


if __name__ == "__main__":
    main()
