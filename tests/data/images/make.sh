#!/usr/bin/env bash
# Regenerates the golden images in this folder (run by hand, once; the tests do
# not run it). Needs the real ImageMagick 6 (Debian's imagemagick package: its
# `convert` is an encoder independent of our code) and python3.
#   ref_*.pam   reference pictures, written by the python below (exact pixels)
#   png_* bmp_* the references converted by ImageMagick into each format
# The tests decode the converted files with our code and compare against the
# reference (exactly, or within a format's rounding), and they check the headers
# really are the format the name says (so a changed ImageMagick cannot silently
# write something else).
set -euo pipefail
cd "$(dirname "$0")"
IM=${IM:-/usr/bin/convert}
W=11 H=7
python3 - "$W" "$H" <<'PY'
import sys
w, h = int(sys.argv[1]), int(sys.argv[2])
def pam(name, depth, tupl, px):
    with open(name, 'wb') as f:
        f.write(b'P7\nWIDTH %d\nHEIGHT %d\nDEPTH %d\nMAXVAL 255\nTUPLTYPE %s\nENDHDR\n'
                % (w, h, depth, tupl))
        f.write(bytes(px))
def ref(x, y):   # same formula as tests/unit/test_image_golden.c
    return [(x * 37 + y * 11) & 255, (x * 5 + y * 71 + 13) & 255,
            (x * y * 3 + 100) & 255, (x * 29 + y * 43 + 1) & 255]
pal = [[(i * 53 + 7) & 255, (i * 101 + 60) & 255, (255 - i * 29) & 255] for i in range(12)]
rgba, rgb, palt, palo, pal40, gray, bw = [], [], [], [], [], [], []
for y in range(h):
    for x in range(w):
        r = ref(x, y)
        rgba += r
        rgb += r[:3]
        i = (x * 3 + y * 5) % 12
        palt += pal[i] + [0 if i in (2, 7) else 255]
        palo += pal[i]
        j = (x * 7 + y * 3) % 40
        pal40 += [(j * 6) & 255, (j * 97 + 3) & 255, (200 - j * 5) & 255]
        gray.append(((x * 3 + y * 7) % 16) * 17)
        bw.append(255 if (x + y * 2) % 3 else 0)
pam('ref_rgba.pam', 4, b'RGB_ALPHA', rgba)
pam('ref_rgb.pam', 3, b'RGB', rgb)
pam('ref_pal_alpha.pam', 4, b'RGB_ALPHA', palt)
pam('ref_pal.pam', 3, b'RGB', palo)
pam('ref_pal40.pam', 3, b'RGB', pal40)
pam('ref_gray.pam', 1, b'GRAYSCALE', gray)
pam('ref_bw.pam', 1, b'GRAYSCALE', bw)
PY
strip=(-strip -define png:exclude-chunks=date,time)
$IM ref_rgb.pam "${strip[@]}" PNG24:png_rgb8.png
$IM ref_rgba.pam "${strip[@]}" PNG32:png_rgba8.png
$IM ref_rgba.pam "${strip[@]}" -interlace PNG PNG32:png_rgba8_interlaced.png
$IM ref_rgb.pam "${strip[@]}" -depth 16 PNG48:png_rgb16.png
$IM ref_rgba.pam "${strip[@]}" -depth 16 PNG64:png_rgba16.png
$IM ref_pal_alpha.pam "${strip[@]}" PNG8:png_pal8_trns.png
$IM ref_gray.pam "${strip[@]}" -define png:color-type=0 -define png:bit-depth=4 png_gray4.png
$IM ref_gray.pam "${strip[@]}" -define png:color-type=0 -define png:bit-depth=16 png_gray16.png
$IM ref_bw.pam "${strip[@]}" -define png:color-type=0 -define png:bit-depth=1 png_gray1.png
$IM ref_rgb.pam BMP3:bmp_rgb24.bmp
$IM ref_rgba.pam BMP:bmp_v5_argb32.bmp
$IM ref_pal.pam -type Palette BMP3:bmp_pal4.bmp
$IM ref_pal40.pam -type Palette -compress None BMP3:bmp_pal8.bmp
$IM ref_pal40.pam -type Palette BMP3:bmp_pal8_rle8.bmp   # RLE8: we refuse it
$IM ref_bw.pam -type Bilevel BMP3:bmp_pal1.bmp
$IM ref_rgb.pam -define bmp:subtype=RGB565 BMP:bmp_rgb565.bmp
$IM ref_rgb.pam -define bmp:subtype=RGB555 BMP:bmp_rgb555.bmp
$IM ref_rgba.pam -define bmp:subtype=ARGB4444 BMP:bmp_argb4444.bmp
# Seeds for the fuzzers: a few of the same tiny files.
fz=../../fuzz/corpus
mkdir -p "$fz/png" "$fz/bmp" "$fz/dib"
cp png_rgba8.png png_pal8_trns.png png_gray1.png png_rgba8_interlaced.png png_rgb16.png "$fz/png/"
cp bmp_rgb24.bmp bmp_v5_argb32.bmp bmp_pal8.bmp bmp_rgb565.bmp "$fz/bmp/"
for f in bmp_rgb24 bmp_v5_argb32 bmp_pal8 bmp_pal4 bmp_pal1 bmp_rgb565 bmp_argb4444; do
  tail -c +15 $f.bmp >"$fz/dib/$f.dib"   # a DIB is a BMP without its 14-byte file header
done
# Two DIB seeds ImageMagick does not write: a top-down 32-bpp BI_RGB with zero
# alpha (a GDI screenshot), and a V5 BI_BITFIELDS DIB that repeats its masks
# after the header.
python3 - "$fz/dib" <<'PY'
import struct, sys
w, h = 5, 3
def px(x, y): return ((x * 40) & 255, (y * 80) & 255, (x * y * 30) & 255)
rows = b''.join(bytes([b, g, r, 0]) for y in range(h) for x in range(w) for (r, g, b) in [px(x, y)])
hdr = struct.pack('<IiiHHIIiiII', 40, w, -h, 1, 32, 0, len(rows), 0, 0, 0, 0)
open(sys.argv[1] + '/topdown32_screenshot.dib', 'wb').write(hdr + rows)
masks = (0xFF0000, 0xFF00, 0xFF, 0xFF000000)
v5 = struct.pack('<IiiHHIIiiII', 124, w, h, 1, 32, 3, len(rows), 0, 0, 0, 0)
v5 += struct.pack('<4I', *masks) + struct.pack('<I', 0x73524742) + bytes(124 - 60)
open(sys.argv[1] + '/v5_masks_repeated.dib', 'wb').write(v5 + struct.pack('<3I', *masks[:3]) + rows)
PY
