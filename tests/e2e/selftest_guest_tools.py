#!/usr/bin/python3
"""HARNESS SELF-TEST: the guest application (e2e_clip.exe) and the PNG helper on
their own, without service or agent, so that a scenario failing says something
about the agent, not the harness: text with CJK/emoji and an odd-sized image go
through the Wine clipboard and back exactly; png_pixels round-trips.

    selftest_guest_tools.py --host E2E_HOST --win64 TREE --wine-state DIR --work DIR
"""
import os
import struct
import sys
import zlib

sys.dont_write_bytecode = True   # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import png_pixels                                             # noqa: E402
import stack                                                  # noqa: E402
from scenarios import _test_image                             # noqa: E402
from stack import check                                       # noqa: E402


def no_pump(_seconds):
    import time
    time.sleep(0.01)


def main():
    cfg = stack.Config(sys.argv[1:])
    for p in (cfg.clip_exe,):
        if not os.path.isfile(p):
            raise stack.Skip("%s is not built" % p)
    cfg.require_wine()
    # PNG helper: our encoder, and a hand-filtered PNG (Sub/Up/Average/Paeth rows).
    w, h = 37, 5
    px = _test_image(w, h, 9)
    check(png_pixels.decode_rgba(png_pixels.encode_rgba(w, h, px)) == (w, h, px),
          "png_pixels round-trips RGBA")
    rows, prev = b"", bytes(w * 4)
    for y in range(h):
        line = px[y * w * 4:(y + 1) * w * 4]
        f = y % 5
        out = bytearray()
        for i in range(len(line)):
            a = line[i - 4] if i >= 4 else 0
            b = prev[i]
            c = prev[i - 4] if i >= 4 else 0
            pred = (0, a, b, (a + b) >> 1, png_pixels._paeth(a, b, c))[f]
            out.append((line[i] - pred) & 255)
        rows += bytes([f]) + bytes(out)
        prev = line
    png = png_pixels.encode_rgba(w, h, px)
    ihdr_end = 8 + 25
    filtered = png[:ihdr_end] + png_pixels._chunk(b"IDAT", zlib.compress(rows)) + \
        png_pixels._chunk(b"IEND", b"")
    check(png_pixels.decode_rgba(filtered) == (w, h, px), "png_pixels reads all five row filters")

    with stack.Processes(cfg.work) as procs:
        g = stack.Guest(procs, cfg, 0)
        text = "Grüße 世界 🎉👍🏽\r\nline 2\r\n".encode() * 1000
        g.put_text(no_pump, text)
        check(g.get_text(no_pump, 2000) == text, "e2e_clip text round trip through the clipboard")
        w2, h2 = 31, 7
        px2 = _test_image(w2, h2, 10)
        g.put_image(no_pump, w2, h2, px2)
        check(g.get_image(no_pump, 2000) == (w2, h2, px2), "e2e_clip image round trip")
        check(g.run_clip(no_pump, "clear") == 0, "clipboard cleared")
        check(g.get_text(no_pump, 200) is None, "no text after clear: get-text times out (exit 3)")
    print("selftest guest tools: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(stack.run_main(main))
