#!/usr/bin/python3
"""HARNESS SELF-TEST of the PNG helper alone (no Wine, no host): a row with a
filter type above 4 is a corrupt PNG, and png_pixels must say so instead of
returning pixels a comparison could wrongly accept.

    selftest_png_pixels.py
"""
import os
import sys
import zlib

sys.dont_write_bytecode = True   # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import png_pixels                                             # noqa: E402
from stack import check, run_main                             # noqa: E402


def with_filters(w, h, px, filters):
    """The PNG of png_pixels.encode_rgba, its rows unfiltered but tagged with the
    given filter type bytes (types 0 and above 4 leave the row as it is)."""
    rows = b"".join(bytes([filters[y]]) + px[y * w * 4:(y + 1) * w * 4] for y in range(h))
    png = png_pixels.encode_rgba(w, h, px)
    ihdr_end = 8 + 25
    return png[:ihdr_end] + png_pixels._chunk(b"IDAT", zlib.compress(rows)) + \
        png_pixels._chunk(b"IEND", b"")


def main():
    w, h = 5, 3
    px = bytes((x * 7 + y * 13 + c) & 255 for y in range(h) for x in range(w) for c in range(4))
    check(png_pixels.decode_rgba(with_filters(w, h, px, [0, 0, 0])) == (w, h, px),
          "rows with filter type 0 decode to the pixels (the PNG is built right)")
    for bad in (5, 255):
        try:
            png_pixels.decode_rgba(with_filters(w, h, px, [0, bad, 0]))
            raised = None
        except ValueError as e:
            raised = str(e)
        check(raised is not None and "filter type %d" % bad in raised,
              "filter type %d is refused with a clear error [%s]" % (bad, raised))
    print("selftest png_pixels: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
