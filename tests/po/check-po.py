#!/usr/bin/env python3
# Checks the translations against the current source.
#
#   check-po.py SOURCE_ROOT [LANG…]
#
# Fails when
#  - a source file with translatable strings is missing from po/POTFILES,
#  - a PO file does not pass “msgfmt --check”, or has an untranslated or
#    fuzzy message,
#  - a message of a freshly extracted template is missing from a PO file
#    (msgcmp), i.e. nl.po was not updated after a string changed.
#
# Dutch is complete, the administration's messages included. The other
# languages translate what a visitor reads, every message of the program's
# screens (everything but app/admin/), and say in their header that they
# await review by a native speaker.
#
# Without LANG arguments every language in po/LINGUAS is checked.
# Exit status 77 (skipped) when the gettext tools are not installed.

import os
import re
import shutil
import subprocess
import sys
import tempfile

# As meson's i18n.gettext (preset: 'glib') calls xgettext, so that the
# template here is the one “ninja wegwijzer-pot” writes.
XGETTEXT_ARGS = [
    '-k_',
    '--from-code=UTF-8',
    '--add-comments',
    '--keyword=_',
    '--keyword=N_',
    '--keyword=C_:1c,2',
    '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2',
    '--keyword=g_dngettext:2,3',
    '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format',
    '--flag=C_:2:pass-c-format',
    '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format',
    '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format',
    '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format',
    '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format',
    '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format',
    '--flag=g_printerr:1:c-format',
    '--flag=g_printf:1:c-format',
    '--flag=g_fprintf:2:c-format',
    '--flag=g_sprintf:2:c-format',
    '--flag=g_snprintf:3:c-format',
]

# Where translatable strings can live.
SCAN_DIRS = ['app', 'plugins']

# A string literal handed to one of the keywords above, or to one that
# xgettext knows for C without being told (gettext, ngettext, …).
C_MARKERS = re.compile(r'''
    (?<![\w])(?:_|N_|gettext|ngettext)\s*\(\s*"              # _("…")
  | (?<![\w])(?:C_|NC_|pgettext)\s*\(\s*"                     # C_("ctx", "…")
  | (?<![\w])(?:g_dngettext|g_dcgettext|g_dpgettext2|dgettext|dngettext|dcgettext)
        \s*\(\s*[\w\s]*,\s*"                                  # g_dngettext (DOMAIN, "…")
''', re.VERBOSE)
UI_MARKER = re.compile(r'translatable\s*=\s*"yes"')

failures = []

# the languages with every message translated
COMPLETE = {'nl'}
REVIEW_NOTICE = 'awaits review by a native speaker'


def fail(message):
    failures.append(message)
    print('FAIL: ' + message)


def read_list(path):
    entries = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                entries.extend(line.split())
    return entries


def find_translatable_files(source_root):
    found = []
    for top in SCAN_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(source_root, top)):
            dirnames[:] = sorted(d for d in dirnames if d not in ('tests', '.git'))
            for name in filenames:
                path = os.path.join(dirpath, name)
                if name.endswith(('.c', '.h')):
                    marker = C_MARKERS
                elif name.endswith('.ui'):
                    marker = UI_MARKER
                else:
                    continue
                with open(path, encoding='utf-8', errors='replace') as f:
                    if marker.search(f.read()):
                        found.append(os.path.relpath(path, source_root))
    return sorted(found)


def check_potfiles(source_root, potfiles):
    listed = set(potfiles)
    for path in potfiles:
        if not os.path.isfile(os.path.join(source_root, path)):
            fail(f'po/POTFILES lists {path}, which does not exist')
    for path in find_translatable_files(source_root):
        if path not in listed:
            fail(f'{path} has translatable strings but is not in po/POTFILES')


def parse_statistics(text):
    """“185 translated messages, 2 fuzzy translations, 1 untranslated message.”"""
    counts = {'translated': 0, 'fuzzy': 0, 'untranslated': 0}
    for number, kind in re.findall(r'(\d+) (translated|fuzzy|untranslated) ', text):
        counts[kind] += int(number)
    return counts


def check_po(po_file, pot_file, screens_pot_file, lang):
    if not os.path.isfile(po_file):
        fail(f'po/LINGUAS lists {lang}, but {po_file} does not exist')
        return

    # C locale: the statistics line must be in English to be parsed.
    env = dict(os.environ, LC_ALL='C', LANGUAGE='')
    result = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, po_file],
                            capture_output=True, text=True, env=env)
    output = (result.stdout + result.stderr).strip()
    print(f'{lang}.po: {output}')
    if result.returncode != 0:
        fail(f'msgfmt --check rejects {lang}.po')
    counts = parse_statistics(output)
    if counts['translated'] == 0:
        fail(f'could not read the statistics of msgfmt for {lang}.po')
    if counts['fuzzy'] or (lang in COMPLETE and counts['untranslated']):
        fail(f'{lang}.po has {counts["untranslated"]} untranslated and '
             f'{counts["fuzzy"]} fuzzy messages')
    if lang not in COMPLETE:
        with open(po_file, encoding='utf-8') as f:
            if REVIEW_NOTICE not in f.read():
                fail(f'{lang}.po does not say that it “{REVIEW_NOTICE}”')

    # msgcmp ignores untranslated and fuzzy entries of the PO file, so a
    # message only counts as present when it is really translated.
    result = subprocess.run(['msgcmp', po_file, pot_file if lang in COMPLETE else screens_pot_file],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        print(result.stderr.strip())
        fail(f'{lang}.po lacks messages of the current source; run '
             '“meson compile wegwijzer-update-po” and translate them')


def main(argv):
    if len(argv) < 2:
        print(f'usage: {argv[0]} SOURCE_ROOT [LANG…]', file=sys.stderr)
        return 2

    source_root = os.path.abspath(argv[1])
    po_dir = os.path.join(source_root, 'po')

    for tool in ('xgettext', 'msgfmt', 'msgcmp'):
        if shutil.which(tool) is None:
            print(f'SKIP: {tool} is not installed')
            return 77

    potfiles = read_list(os.path.join(po_dir, 'POTFILES'))
    langs = argv[2:] or read_list(os.path.join(po_dir, 'LINGUAS'))

    check_potfiles(source_root, potfiles)

    with tempfile.TemporaryDirectory(prefix='wegwijzer-po-') as tmp:
        pot_file = os.path.join(tmp, 'wegwijzer.pot')
        screens_pot_file = os.path.join(tmp, 'screens.pot')
        screens_list = os.path.join(tmp, 'SCREENS')
        with open(screens_list, 'w', encoding='utf-8') as f:
            f.write(''.join(path + '\n' for path in potfiles if not path.startswith('app/admin/')))
        for output, files_from in ((pot_file, os.path.join(po_dir, 'POTFILES')),
                                   (screens_pot_file, screens_list)):
            result = subprocess.run(['xgettext', '--package-name=wegwijzer',
                                     '--files-from=' + files_from,
                                     '--directory=' + source_root,
                                     '--output=' + output] + XGETTEXT_ARGS,
                                    capture_output=True, text=True)
            if result.stderr.strip():
                print(result.stderr.strip())
            if result.returncode != 0 or not os.path.isfile(output):
                fail('xgettext could not extract the template')
                break
        else:
            for lang in langs:
                check_po(os.path.join(po_dir, lang + '.po'), pot_file, screens_pot_file, lang)

    if failures:
        print(f'{len(failures)} problem(s) with the translations')
        return 1
    print('translations are complete')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
