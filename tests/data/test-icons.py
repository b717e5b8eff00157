#!/usr/bin/env python3
# The application's icons, in TAP.
#
#   test-icons.py SOURCE_ROOT APP_ID RSVG_CONVERT
#
# For the full-colour icon (data/icons/hicolor/scalable/apps/APP_ID.svg)
# and the symbolic one (…/symbolic/apps/APP_ID-symbolic.svg) it checks
# that each parses as SVG, has the canvas GNOME's guidelines give it
# (128×128, 16×16) in its size and viewBox, and renders with rsvg-convert
# to an image of that size with something drawn on it. The symbolic icon,
# which GTK recolours, must be flat shapes of one colour: no gradient,
# image, text, stroke or opacity.

import os
import re
import struct
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

from tap import done, result, run

SOURCE_ROOT, APP_ID, RSVG_CONVERT = sys.argv[1:4]
ICONS = os.path.join(SOURCE_ROOT, 'data', 'icons', 'hicolor')
SVG = '{http://www.w3.org/2000/svg}'


def read_png(path):
    """(width, height, [alpha of each pixel]) of an 8-bit RGBA PNG, the
    kind rsvg-convert writes."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG file')
    position, idat, header = 8, b'', None
    while position < len(data):
        length, kind = struct.unpack('>I4s', data[position:position + 8])
        chunk = data[position + 8:position + 8 + length]
        if kind == b'IHDR':
            header = struct.unpack('>IIBBBBB', chunk)
        elif kind == b'IDAT':
            idat += chunk
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if (depth, colour, interlace) != (8, 6, 0):
        raise ValueError(f'depth {depth}, colour type {colour}, interlace {interlace}: not 8-bit RGBA')
    raw, stride, rows, previous = zlib.decompress(idat), width * 4, [], bytearray(width * 4)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = row[x - 4] if x >= 4 else 0
            up = previous[x]
            up_left = previous[x - 4] if x >= 4 else 0
            if kind == 1:
                row[x] = (row[x] + left) & 0xff
            elif kind == 2:
                row[x] = (row[x] + up) & 0xff
            elif kind == 3:
                row[x] = (row[x] + (left + up) // 2) & 0xff
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                row[x] = (row[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xff
        rows.append(row)
        previous = row
    return width, height, [row[x] for row in rows for x in range(3, stride, 4)]


def length(value):
    """An SVG length in px, or None."""
    match = re.fullmatch(r'\s*([\d.]+)\s*(px)?\s*', value or '')
    return float(match.group(1)) if match else None


def paint_of(element, name):
    """The paint an element gives for fill or stroke, by attribute or style."""
    styles = dict(part.split(':', 1) for part in (element.get('style') or '').split(';') if ':' in part)
    value = styles.get(name, element.get(name))
    return value.strip().lower() if value is not None else None


def check_icon(kind, path, size):
    name = os.path.relpath(path, SOURCE_ROOT)
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        result(False, f'{name} parses as XML', str(e))
        return None
    result(root.tag == SVG + 'svg', f'{name} parses as an SVG document', f'the root element is {root.tag}')

    box = [float(n) for n in re.split(r'[\s,]+', (root.get('viewBox') or '').strip()) if n]
    result(box == [0, 0, size, size] and length(root.get('width')) == size
           and length(root.get('height')) == size,
           f'the {kind} icon is {size}×{size}, in its size and its viewBox',
           f'width="{root.get("width")}" height="{root.get("height")}" viewBox="{root.get("viewBox")}"')

    with tempfile.TemporaryDirectory(prefix='ww-icons-') as tmp:
        png = os.path.join(tmp, 'icon.png')
        status, out, err = run([RSVG_CONVERT, '--width', str(size), '--height', str(size),
                                '--output', png, path])
        drawn, why = 0, err or out or f'exit status {status}'
        if status == 0:
            try:
                width, height, alpha = read_png(png)
                drawn = sum(1 for a in alpha if a > 0) / len(alpha)
                why = f'{width}×{height}, {drawn:.0%} of it drawn'
                if (width, height) != (size, size):
                    drawn = 0
            except (OSError, ValueError, zlib.error) as e:
                why = str(e)
        # a fifth of the canvas at least: a signpost, not a speck
        result(drawn >= 0.2, f'the {kind} icon renders at {size} px with something drawn', why)
    return root


def check_symbolic(root):
    elements = list(root.iter())
    kinds = {element.tag.replace(SVG, '') for element in elements}
    unwanted = sorted(kinds & {'linearGradient', 'radialGradient', 'pattern', 'image', 'text',
                               'filter', 'mask', 'use'})
    result(not unwanted, 'the symbolic icon has no gradient, image, text, filter, mask or <use>',
           f'it has {", ".join(unwanted)}')

    shapes = [e for e in elements
              if e.tag.replace(SVG, '') in ('path', 'rect', 'circle', 'ellipse', 'polygon')]
    fills = sorted({paint_of(e, 'fill') or '(none given, black)' for e in shapes})
    result(len(fills) == 1 and fills[0].startswith('#'),
           'the symbolic icon\'s shapes have one fill colour, given', f'fills: {", ".join(fills)}')
    strokes = sorted({paint_of(e, 'stroke') for e in elements} - {None, 'none'})
    result(not strokes, 'the symbolic icon has no strokes (GTK recolours fills)',
           f'strokes: {", ".join(strokes)}; turn them into paths')
    see_through = [e.tag.replace(SVG, '') for e in elements
                   if any(paint_of(e, a) not in (None, '1') for a in ('opacity', 'fill-opacity'))]
    result(not see_through, 'the symbolic icon is opaque', f'opacity set on: {", ".join(see_through)}')


def main():
    check_icon('full-colour', os.path.join(ICONS, 'scalable', 'apps', APP_ID + '.svg'), 128)
    symbolic = check_icon('symbolic', os.path.join(ICONS, 'symbolic', 'apps', APP_ID + '-symbolic.svg'), 16)
    if symbolic is not None:
        check_symbolic(symbolic)
    return done()


sys.exit(main())
