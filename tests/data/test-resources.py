#!/usr/bin/env python3
# The GResources of the program and of each theme plugin, in TAP.
#
#   test-resources.py SOURCE_ROOT APP_ID GLIB_COMPILE_RESOURCES GRESOURCE
#
# For app/gui/wegwijzer.gresource.xml, and for each plugins/<id>/ with its
# <id>.gresource.xml, it checks that
#  - the file parses, with one prefix: the application's resource base
#    path, or the one the plugin's module gives ww_plugin_class_set_resource_path;
#  - every file it lists exists, and none of the files that belong in it
#    is left out (every .ui and .css of app/gui; everything in a plugin's
#    data/, and its theme.json and providers.json by those names, which
#    is how WwPlugin looks them up);
#  - glib-compile-resources --generate-dependencies names the same files;
#  - a bundle compiled from it holds each file under its prefix
#    (`gresource list`), and every resource path the program's sources
#    ask for is in it.

import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET

from tap import done, result, run

SOURCE_ROOT, APP_ID, COMPILER, GRESOURCE = sys.argv[1:5]


def read_resource_xml(path):
    """[(prefix, [(file name, resource name)])], or None and why."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        return None, str(e)
    if root.tag != 'gresources':
        return None, f'the root element is <{root.tag}>, not <gresources>'
    resources = []
    for gresource in root.findall('gresource'):
        files = [(f.text.strip(), f.get('alias') or f.text.strip())
                 for f in gresource.findall('file') if f.text]
        resources.append((gresource.get('prefix', '/').rstrip('/'), files))
    return resources, None


def check_resource(label, xml_path, source_dir, expected_prefix, must_list, must_name, wanted_paths):
    """must_list: files (relative to source_dir) that must be listed;
    must_name: resource names that must be there; wanted_paths: full
    resource paths the sources use. Either of the last two may be None."""
    resources, error = read_resource_xml(xml_path)
    if not result(resources is not None and len(resources) == 1,
                  f'{label}: {os.path.relpath(xml_path, SOURCE_ROOT)} parses, with one <gresource>',
                  error or f'{len(resources or [])} <gresource> elements'):
        return
    prefix, files = resources[0]
    listed = [name for name, _ in files]
    names = [alias for _, alias in files]

    result(prefix == expected_prefix, f'{label}: the prefix is {expected_prefix}', f'prefix="{prefix}"')
    missing = [name for name in listed if not os.path.isfile(os.path.join(source_dir, name))]
    result(not missing, f'{label}: every file it lists exists', f'not found: {", ".join(missing)}')
    forgotten = [name for name in must_list if name not in listed]
    result(not forgotten, f'{label}: no file that belongs in it is left out',
           f'not listed: {", ".join(forgotten)}')
    if must_name:
        unnamed = [name for name in must_name if name not in names]
        result(not unnamed, f'{label}: it has {", ".join(must_name)} by those names',
               f'missing: {", ".join(unnamed)}')
    duplicates = sorted({name for name in names if names.count(name) > 1})
    result(not duplicates, f'{label}: no resource name is given twice', ', '.join(duplicates))

    status, out, err = run([COMPILER, '--generate-dependencies', '--sourcedir', source_dir, xml_path])
    dependencies = sorted(os.path.relpath(line, source_dir) for line in out.splitlines() if line)
    result(status == 0 and dependencies == sorted(listed),
           f'{label}: glib-compile-resources --generate-dependencies names its files',
           err or f'it names {dependencies}')

    with tempfile.TemporaryDirectory(prefix='ww-resources-') as tmp:
        bundle = os.path.join(tmp, 'bundle.gresource')
        status, out, err = run([COMPILER, '--target', bundle, '--sourcedir', source_dir, xml_path])
        if not result(status == 0 and os.path.isfile(bundle),
                      f'{label}: glib-compile-resources compiles it', err or out):
            return
        status, out, err = run([GRESOURCE, 'list', bundle])
        held = set(out.splitlines())
    wanted = [f'{prefix}/{name}' for name in names]
    absent = [path for path in wanted if path not in held]
    result(status == 0 and not absent, f'{label}: the compiled bundle holds each file under {prefix}/',
           err or f'not in the bundle: {", ".join(absent)}; it holds {sorted(held)}')
    if wanted_paths:
        absent = [path for path in wanted_paths if path not in held]
        result(not absent, f'{label}: every resource path its sources ask for is in the bundle',
               f'asked for, not in the bundle: {", ".join(absent)}')


def resource_paths_in(sources, prefix):
    """The resource paths under prefix that C sources name in string literals."""
    found = set()
    pattern = re.compile(r'"(' + re.escape(prefix) + r'/[^"]+)"')
    for source in sources:
        with open(source, encoding='utf-8') as f:
            found.update(pattern.findall(f.read()))
    return sorted(found)


def check_program():
    gui = os.path.join(SOURCE_ROOT, 'app', 'gui')
    # GtkApplication's resource base path, from the application id
    prefix = '/' + APP_ID.replace('.', '/')
    must_list = sorted(name for name in os.listdir(gui) if name.endswith(('.ui', '.css')))
    sources = [os.path.join(gui, name) for name in sorted(os.listdir(gui)) if name.endswith('.c')]
    check_resource('program', os.path.join(gui, 'wegwijzer.gresource.xml'), gui, prefix,
                   must_list, None, resource_paths_in(sources, prefix))


def check_plugins():
    plugins = os.path.join(SOURCE_ROOT, 'plugins')
    ids = sorted(name for name in os.listdir(plugins)
                 if os.path.isfile(os.path.join(plugins, name, name + '.plugin')))
    result(ids, 'there are theme plugins in plugins/', 'no plugins/<id>/<id>.plugin found')
    for plugin_id in ids:
        directory = os.path.join(plugins, plugin_id)
        module = os.path.join(directory, f'ww-plugin-{plugin_id}.c')
        given, error = [], None
        try:
            with open(module, encoding='utf-8') as f:
                given = re.findall(r'ww_plugin_class_set_resource_path\s*\([^,]+,\s*"([^"]+)"', f.read())
        except OSError as e:
            error = str(e)
        prefix = given[0].rstrip('/') if len(given) == 1 else f'/nl/wegwijzer/plugins/{plugin_id}'
        result(len(given) == 1, f'{plugin_id}: its module sets one resource path',
               error or f'ww_plugin_class_set_resource_path in '
                        f'{os.path.relpath(module, SOURCE_ROOT)}: {given}')
        data = os.path.join(directory, 'data')
        must_list = sorted(os.path.relpath(os.path.join(dirpath, name), directory)
                           for dirpath, _, names in os.walk(data) for name in names)
        check_resource(plugin_id, os.path.join(directory, f'{plugin_id}.gresource.xml'), directory,
                       prefix, must_list, ['theme.json', 'providers.json'], None)


def main():
    check_program()
    check_plugins()
    return done()


sys.exit(main())
