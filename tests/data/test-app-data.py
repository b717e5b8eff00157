#!/usr/bin/env python3
# The desktop file and the metainfo against the project and each other, in
# TAP.
#
#   test-app-data.py SOURCE_ROOT DESKTOP_FILE METAINFO_FILE APP_ID VERSION
#                    HOMEPAGE_URL BINARY GETTEXT_PACKAGE
#
# DESKTOP_FILE and METAINFO_FILE are the ones the build merged with the
# translations. It checks that
#  - the desktop file's Icon is the application id, its Exec the program,
#    and the icons it names are in data/icons;
#  - the metainfo's id is the application id, and its launchable is the
#    desktop file by the name it is installed under;
#  - the metainfo names the program, the gettext domain, the homepage and
#    the version the build has;
#  - every screenshot is under HOMEPAGE_URL/screenshots/ and is a file of
#    docs/screenshots, so that a renamed picture fails here, the default
#    one first, each with a caption;
#  - both carry every language of po/LINGUAS.
# desktop-file-validate and appstreamcli check the formats themselves.

import configparser
import os
import shlex
import sys
import xml.etree.ElementTree as ET

from tap import done, result

(SOURCE_ROOT, DESKTOP_FILE, METAINFO_FILE, APP_ID, VERSION, HOMEPAGE_URL,
 BINARY, GETTEXT_PACKAGE) = sys.argv[1:9]
XML_LANG = '{http://www.w3.org/XML/1998/namespace}lang'
ICONS = {
    'scalable': os.path.join('data', 'icons', 'hicolor', 'scalable', 'apps', APP_ID + '.svg'),
    'symbolic': os.path.join('data', 'icons', 'hicolor', 'symbolic', 'apps', APP_ID + '-symbolic.svg'),
}
SCREENSHOTS = os.path.join('docs', 'screenshots')


def read_linguas():
    with open(os.path.join(SOURCE_ROOT, 'po', 'LINGUAS'), encoding='utf-8') as f:
        return [word for line in f for word in line.split('#', 1)[0].split()]


def version_key(version):
    return [int(part) if part.isdigit() else part for part in version.split('.')]


def check_desktop_file(languages):
    parser = configparser.RawConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP_FILE, encoding='utf-8')
    entry = parser['Desktop Entry'] if parser.has_section('Desktop Entry') else {}

    icon = entry.get('Icon')
    result(icon == APP_ID, f'the desktop file\'s Icon is {APP_ID}', f'Icon={icon}')
    for kind, path in ICONS.items():
        result(os.path.isfile(os.path.join(SOURCE_ROOT, path)),
               f'the {kind} icon is {path}', f'{path} does not exist')
    command = shlex.split(entry.get('Exec', ''))
    result(command[:1] == [BINARY], f'the desktop file runs {BINARY}', f'Exec={entry.get("Exec")}')
    missing = [lang for lang in languages
               for key in ('Comment', 'Keywords') if f'{key}[{lang}]' not in entry]
    result(not missing, 'the desktop file has a Comment and Keywords in every language of po/LINGUAS',
           f'missing: {", ".join(missing)}; is the language in po/ and its messages translated?')


def check_metainfo(languages):
    root = ET.parse(METAINFO_FILE).getroot()

    component_id = root.findtext('id')
    result(component_id == APP_ID, f'the metainfo\'s id is {APP_ID}', f'<id>{component_id}</id>')
    launchables = [(l.get('type'), l.text) for l in root.findall('launchable')]
    desktop_id = os.path.basename(DESKTOP_FILE)
    result(launchables == [('desktop-id', desktop_id)] and desktop_id == APP_ID + '.desktop',
           f'the metainfo launches {APP_ID}.desktop, the desktop file installed',
           f'launchables: {launchables}; the desktop file is {desktop_id}')

    binaries = [b.text for b in root.findall('provides/binary')]
    result(binaries == [BINARY], f'the metainfo provides the binary {BINARY}', f'binaries: {binaries}')
    domains = [(t.get('type'), t.text) for t in root.findall('translation')]
    result(domains == [('gettext', GETTEXT_PACKAGE)],
           f'the metainfo\'s translations are the gettext domain {GETTEXT_PACKAGE}', f'{domains}')
    homepage = [u.text for u in root.findall('url') if u.get('type') == 'homepage']
    result(homepage == [HOMEPAGE_URL], f'the metainfo\'s homepage is homepage_url, {HOMEPAGE_URL}',
           f'homepages: {homepage}')
    releases = sorted((r.get('version') for r in root.findall('releases/release')),
                      key=version_key, reverse=True)
    result(releases[:1] == [VERSION], f'the newest release in the metainfo is {VERSION}, the project\'s',
           f'releases: {releases}; add a <release> for {VERSION}')

    screenshots = root.findall('screenshots/screenshot')
    result(screenshots and screenshots[0].get('type') == 'default'
           and [s.get('type') for s in screenshots].count('default') == 1,
           'the first screenshot, and only that, is the default one',
           f'types: {[s.get("type") for s in screenshots]}')
    base = HOMEPAGE_URL + '/screenshots/'
    for number, screenshot in enumerate(screenshots, 1):
        images = [i.text or '' for i in screenshot.findall('image')]
        captions = [c for c in screenshot.findall('caption') if c.get(XML_LANG) is None]
        for url in images:
            name = url[len(base):] if url.startswith(base) else None
            path = os.path.join(SCREENSHOTS, name) if name else None
            result(path is not None and '/' not in name
                   and os.path.isfile(os.path.join(SOURCE_ROOT, path)),
                   f'screenshot {number}, {url}, is a file of {SCREENSHOTS}',
                   f'{url} is not under {base}' if path is None else
                   f'{path} does not exist; was it renamed?')
        result(len(images) == 1 and len(captions) == 1 and (captions[0].text or '').strip(),
               f'screenshot {number} has one image and a caption',
               f'{len(images)} images, {len(captions)} captions')

    summaries = {s.get(XML_LANG) for s in root.findall('summary')}
    missing = [lang for lang in languages if lang not in summaries]
    result(not missing, 'the metainfo has a summary in every language of po/LINGUAS',
           f'missing: {", ".join(missing)}')


def main():
    languages = read_linguas()
    check_desktop_file(languages)
    check_metainfo(languages)
    return done()


sys.exit(main())
