"""The home-screen icons (frontend/icons/*.png), drawn here without any image library: a green
tile with three white shelves. Run `python -m local.icons` after changing the drawing; the PNGs
are committed, so nothing runs at build or serve time."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

GREEN = (0x0B, 0x6B, 0x4E, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parents[1] / "frontend" / "icons"
# name → (size, inner margin as a share of the side: maskable icons keep to the 80 % safe zone)
ICONS = {"icon-192.png": (192, 0.22), "icon-512.png": (512, 0.22), "maskable-512.png": (512, 0.30),
         "apple-touch-icon.png": (180, 0.22)}


def _pixel(x: float, y: float, margin: float) -> tuple[int, int, int, int]:
    """x, y in 0..1: three shelves, the lower ones wider, between two uprights."""
    lo, hi = margin, 1 - margin
    if not (lo <= x <= hi and lo <= y <= hi):
        return GREEN
    u = (x - lo) / (hi - lo)
    v = (y - lo) / (hi - lo)
    if u < 0.1 or u > 0.9:  # uprights
        return WHITE
    for top in (0.05, 0.45, 0.85):
        if top <= v <= top + 0.1:
            return WHITE
    # boxes on the shelves
    if (0.22 <= u <= 0.42 and 0.17 <= v <= 0.45) or (0.55 <= u <= 0.78 and 0.6 <= v <= 0.85):
        return WHITE
    return GREEN


def png(size: int, margin: float) -> bytes:
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            rows.extend(_pixel((x + 0.5) / size, (y + 0.5) / size, margin))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    pixels = chunk(b"IDAT", zlib.compress(bytes(rows), 9))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + pixels + chunk(b"IEND", b"")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, (size, margin) in ICONS.items():
        (OUT / name).write_bytes(png(size, margin))


if __name__ == "__main__":
    main()
