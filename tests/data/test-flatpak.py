#!/usr/bin/env python3
# The Flatpak packaging, checked as far as it can be without a Flatpak
# runtime (which needs the network), in TAP.
#
#   test-flatpak.py manifests SOURCE_ROOT
#   test-flatpak.py build SOURCE_ROOT
#
# "manifests": `flatpak-builder --show-manifest` parses every manifest in
# flatpak/ without a warning (it only warns of an unknown or mistyped key),
# and what it parsed has what the packaging promises:
#  - the app: a current org.gnome.Platform; least-privilege finish-args;
#    the extension point nl.wegwijzer.Wegwijzer.Plugin mounted where the
#    plugin engine looks (/app/plugins), in subdirectories, with merge-dirs
#    of the ABI-versioned plugin folder, add-ld-path, no-autodownload,
#    autodelete and a version that is the plugin ABI; a build that creates
#    the mount folder and ships no theme of its own;
#  - one extension per theme of meson_options.txt and the template, each
#    built as an extension of the app, on its SDK, on the branch of the
#    ABI, into its own mount subfolder;
#  - each extension's AppStream add-on file passes `appstreamcli validate
#    --no-net`, extends the app and names the theme as its .plugin does.
#
# "build": what flatpak-builder would run, run here instead, into a folder
# that stands for /app: the app's meson module with the manifest's own
# config-opts and post-install, then each extension's against what the
# app installed, under the extension's prefix; merge-dirs done as
# Flatpak does it; then the installed `wegwijzer-admin plugins verify`
# checks the mounted plugin set, and a plugin built against a library of
# another ABI is refused by its build. Slow (it builds the program once
# more), so meson runs it in the plain build only.
#
# A missing tool is a failure, not a skip: the README's test command
# installs them.

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

MODE = sys.argv[1]
SOURCE_ROOT = os.path.abspath(sys.argv[2])
FLATPAK = os.path.join(SOURCE_ROOT, 'flatpak')
TEMPLATE = os.path.join(FLATPAK, 'plugin-template')
APP_ID = 'nl.wegwijzer.Wegwijzer'
EXTENSION_POINT = APP_ID + '.Plugin'
APP_MANIFEST = os.path.join(FLATPAK, APP_ID + '.json')
# GTK 4, libadwaita and libsoup 3 are all in org.gnome.Platform from 43
# on; older than this is out of support.
OLDEST_RUNTIME = 48
FINISH_ARGS = {
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
}

count = 0
failed = 0


def result(ok, description, diagnostics=None):
    global count, failed
    count += 1
    print(f'{"ok" if ok else "not ok"} {count} - {description}')
    if not ok:
        failed += 1
        # on stderr, which meson shows with --print-errorlogs
        print(f'not ok {count} - {description}:', file=sys.stderr)
        for line in str(diagnostics or '').rstrip().splitlines():
            print(f'  {line}', file=sys.stderr)
    return ok


def finish():
    print(f'1..{count}')
    sys.exit(1 if failed else 0)


def need(tool, package):
    path = shutil.which(tool)
    if path is None:
        result(False, f'{tool} is installed',
               f'{tool} is missing: apt-get install {package} (build-aux/wegwijzer-dev test does)')
        finish()
    return path


def read_text(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def plugin_abi():
    meson = re.search(r'^plugin_abi = (\d+)$', read_text(os.path.join(SOURCE_ROOT, 'meson.build')), re.M)
    header = re.search(r'^#define WW_PLUGIN_ABI_VERSION (\d+)$',
                       read_text(os.path.join(SOURCE_ROOT, 'app', 'core', 'ww-plugin.h')), re.M)
    template = re.search(r'^plugin_abi = (\d+)$', read_text(os.path.join(TEMPLATE, 'meson.build')), re.M)
    values = {m.group(1) if m else None for m in (meson, header, template)}
    result(len(values) == 1 and None not in values,
           'meson.build, ww-plugin.h and the template agree on the plugin ABI',
           f'meson.build {meson and meson.group(1)}, ww-plugin.h {header and header.group(1)}, '
           f'template {template and template.group(1)}')
    return meson.group(1)


def themes():
    options = read_text(os.path.join(SOURCE_ROOT, 'meson_options.txt'))
    block = re.search(r"option\('plugins',.*?value: \[(.*?)\]", options, re.S)
    return re.findall(r"'([a-z-]+)'", block.group(1))


def extension_name(theme):
    return theme[0].upper() + theme[1:]


def read_plugin_file(path):
    """Name and Description of a .plugin file, by language (None: untranslated)."""
    values = {}
    for line in read_text(path).splitlines():
        m = re.match(r'^(Name|Description)(?:\[([A-Za-z_@]+)\])?=(.*)$', line)
        if m:
            values[(m.group(1), m.group(2))] = m.group(3)
    return values


def show_manifest(path):
    """What flatpak-builder parsed of @path, or None; a warning is a failure."""
    name = os.path.relpath(path, SOURCE_ROOT)
    proc = subprocess.run(['flatpak-builder', '--show-manifest', path],
                          capture_output=True, text=True)
    warnings = [line for line in proc.stderr.splitlines() if line.strip()]
    ok = proc.returncode == 0 and not warnings
    if not result(ok, f'flatpak-builder parses {name} without a warning',
                  proc.stderr or f'exit status {proc.returncode}'):
        return None
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        result(False, f'the parsed {name} is JSON', e)
        return None


def check(ok, description, diagnostics):
    return result(ok, description, diagnostics)


def wegwijzer_module(manifest):
    modules = [m for m in manifest.get('modules', []) if isinstance(m, dict)]
    return modules[-1] if modules else {}


def check_app(app, abi):
    check(app.get('id') == APP_ID, 'the app id is ' + APP_ID, app.get('id'))
    check(app.get('runtime') == 'org.gnome.Platform' and app.get('sdk') == 'org.gnome.Sdk',
          'the app runs on org.gnome.Platform, built with org.gnome.Sdk',
          f"runtime {app.get('runtime')}, sdk {app.get('sdk')}")
    version = str(app.get('runtime-version', ''))
    check(version.isdigit() and int(version) >= OLDEST_RUNTIME,
          f'the GNOME runtime is a current one (>= {OLDEST_RUNTIME})', version)
    check(app.get('command') == 'wegwijzer', 'the command is wegwijzer', app.get('command'))
    check(bool(app.get('branch')), 'the app names its branch, which extensions build against',
          app.get('branch'))

    args = app.get('finish-args', [])
    check(set(args) == FINISH_ARGS and len(args) == len(FINISH_ARGS),
          'finish-args are network, IPC, Wayland with X11 fallback and DRI, nothing else',
          f'extra: {sorted(set(args) - FINISH_ARGS)}, missing: {sorted(FINISH_ARGS - set(args))}')
    check(not any(a.startswith(('--filesystem', '--socket=x11', '--socket=session-bus',
                                '--socket=system-bus', '--device=all', '--talk-name')) for a in args),
          'no home, host file, session bus or all-devices access', args)

    extensions = app.get('add-extensions', {})
    check(list(extensions) == [EXTENSION_POINT], 'one extension point, ' + EXTENSION_POINT,
          list(extensions))
    point = extensions.get(EXTENSION_POINT, {})
    expected = {
        'directory': 'plugins',
        'subdirectories': True,
        'merge-dirs': f'lib/wegwijzer/plugins-{abi}',
        'add-ld-path': 'lib',
        'no-autodownload': True,
        'autodelete': True,
        'version': abi,
    }
    for key, value in expected.items():
        check(point.get(key) == value, f'the extension point has {key} = {json.dumps(value)}',
              f'it has {json.dumps(point.get(key))}')
    check(set(point) == set(expected), 'the extension point has no other keys',
          sorted(set(point) - set(expected)))

    engine = read_text(os.path.join(SOURCE_ROOT, 'app', 'core', 'ww-plugin-engine.c'))
    mount = re.search(r'#define FLATPAK_PLUGIN_MOUNT "([^"]+)"', engine)
    subdir = re.search(r'#define FLATPAK_PLUGIN_SUBDIR "lib" G_DIR_SEPARATOR_S "wegwijzer" '
                       r'G_DIR_SEPARATOR_S PLUGIN_ABI_DIR', engine)
    check(mount is not None and mount.group(1) == '/app/' + point.get('directory', ''),
          'the plugin engine searches the mount of the extension point',
          f'engine: {mount and mount.group(1)}, manifest: /app/{point.get("directory")}')
    check(subdir is not None, 'the plugin engine searches lib/wegwijzer/plugins-<ABI> below it',
          'FLATPAK_PLUGIN_SUBDIR in ww-plugin-engine.c is not lib/wegwijzer/plugins-<ABI>')

    module = wegwijzer_module(app)
    check(module.get('name') == 'wegwijzer' and module.get('buildsystem') == 'meson',
          'the last module builds wegwijzer with meson', module.get('name'))
    check(any(re.fullmatch(r'install -d \$\{FLATPAK_DEST\}/' + re.escape(point.get('directory', '')), c)
              for c in module.get('post-install', [])),
          "the app's build creates the mount folder", module.get('post-install'))
    opts = module.get('config-opts', [])
    check('-Dplugins=[]' in opts and '-Dtests=false' in opts,
          'the app ships no theme of its own (themes are extensions) and builds no tests', opts)
    check(module.get('sources') == [{'type': 'dir', 'path': '..'}],
          'the app is built from this tree', module.get('sources'))
    for other in app.get('modules', [])[:-1]:
        for source in other.get('sources', []):
            if source.get('type') == 'archive':
                check(re.fullmatch(r'[0-9a-f]{64}', source.get('sha256', '')) is not None
                      and source.get('url', '').startswith('https://'),
                      f"{other.get('name')} comes from an https address with a sha256", source)


def check_extension(manifest, name, app, abi, source_path, options):
    ext_id = f'{EXTENSION_POINT}.{name}'
    label = os.path.basename(ext_id)
    check(manifest.get('id') == ext_id, f'{label}: the id is {ext_id}', manifest.get('id'))
    check(manifest.get('build-extension') is True, f'{label}: build-extension is true',
          manifest.get('build-extension'))
    check(manifest.get('runtime') == APP_ID and manifest.get('runtime-version') == app.get('branch'),
          f'{label}: its runtime is the app, on the app\'s branch',
          f"{manifest.get('runtime')}//{manifest.get('runtime-version')}")
    check(manifest.get('sdk') == f"org.gnome.Sdk//{app.get('runtime-version')}",
          f"{label}: built with the app's SDK", manifest.get('sdk'))
    check(manifest.get('branch') == abi,
          f'{label}: its branch is the plugin ABI, the version the extension point mounts',
          manifest.get('branch'))
    build_options = manifest.get('build-options', {})
    check(build_options.get('prefix') == f'/app/plugins/{name}',
          f'{label}: installs into its own subfolder of the mount', build_options.get('prefix'))
    pkg_config_path = build_options.get('env', {}).get('PKG_CONFIG_PATH', '')
    check('/app/lib/pkgconfig' in pkg_config_path.split(':'),
          f"{label}: finds the app's libwegwijzer with pkg-config", pkg_config_path)
    module = wegwijzer_module(manifest)
    check(module.get('buildsystem') == 'meson' and all(o in module.get('config-opts', []) for o in options),
          f'{label}: builds with meson {" ".join(options)}', module.get('config-opts'))
    check(module.get('sources') == [{'type': 'dir', 'path': source_path}],
          f'{label}: built from this tree', module.get('sources'))


def check_addon(path, name, plugin_file):
    label = os.path.basename(path)
    ext_id = f'{EXTENSION_POINT}.{name}'
    proc = subprocess.run(['appstreamcli', 'validate', '--no-net', '--explain', path],
                          capture_output=True, text=True)
    if not check(proc.returncode == 0, f'{label} passes appstreamcli validate --no-net',
                 proc.stdout + proc.stderr):
        return
    root = ET.parse(path).getroot()
    check(root.tag == 'component' and root.get('type') == 'addon', f'{label} is an add-on', root.attrib)
    check(root.findtext('id') == ext_id, f'{label}: its id is the extension\'s', root.findtext('id'))
    check(root.findtext('extends') == APP_ID, f'{label} extends {APP_ID}', root.findtext('extends'))
    lang_key = '{http://www.w3.org/XML/1998/namespace}lang'
    metainfo = {}
    for tag, key in (('name', 'Name'), ('summary', 'Description')):
        for element in root.findall(tag):
            metainfo[(key, element.get(lang_key))] = element.text
    plugin = read_plugin_file(plugin_file)
    check(metainfo == plugin,
          f'{label}: name and summary are the Name and Description of '
          f'{os.path.relpath(plugin_file, SOURCE_ROOT)}, in every language',
          '\n'.join(f'{k}: metainfo {metainfo.get(k)!r}, .plugin {plugin.get(k)!r}'
                    for k in sorted(set(metainfo) | set(plugin), key=str)
                    if metainfo.get(k) != plugin.get(k)))


def extensions_to_check(abi):
    """(name, manifest path, metainfo path, .plugin path, source path, config-opts)"""
    for theme in themes():
        name = extension_name(theme)
        base = os.path.join(FLATPAK, f'{EXTENSION_POINT}.{name}')
        yield (name, base + '.json', base + '.metainfo.xml',
               os.path.join(SOURCE_ROOT, 'plugins', theme, theme + '.plugin'), '..',
               ['-Dplugins_only=true', f'-Dplugins={theme}'])
    base = os.path.join(TEMPLATE, f'{EXTENSION_POINT}.Example')
    yield ('Example', base + '.json', base + '.metainfo.xml',
           os.path.join(TEMPLATE, 'example.plugin'), '.', [])


def manifests():
    need('flatpak-builder', 'flatpak-builder')
    need('appstreamcli', 'appstream')
    abi = plugin_abi()

    app = show_manifest(APP_MANIFEST)
    if app is None:
        finish()
    check_app(app, abi)

    expected = {APP_MANIFEST}
    for name, manifest_path, metainfo_path, plugin_file, source_path, options in extensions_to_check(abi):
        expected.add(manifest_path)
        if not check(os.path.exists(manifest_path), f'{os.path.basename(manifest_path)} exists',
                     f'{manifest_path} is missing: every theme is an extension'):
            continue
        manifest = show_manifest(manifest_path)
        if manifest is not None:
            check_extension(manifest, name, app, abi, source_path, options)
        check_addon(metainfo_path, name, plugin_file)

    found = set(glob.glob(os.path.join(FLATPAK, '*.json')) + glob.glob(os.path.join(TEMPLATE, '*.json')))
    check(found == expected, 'flatpak/ has no manifest of a theme that does not exist',
          sorted(os.path.relpath(p, SOURCE_ROOT) for p in found - expected))
    finish()


# --- build ---------------------------------------------------------------


def run(description, argv, env=None, cwd=None, expect_failure=False):
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd)
    ok = (proc.returncode != 0) if expect_failure else (proc.returncode == 0)
    result(ok, description, f'$ {" ".join(argv)}\n{proc.stdout[-4000:]}{proc.stderr[-4000:]}')
    return proc


def meson_build(description, source, build, prefix, options, env):
    """A meson module as flatpak-builder builds it: libdir lib, the
    manifest's config-opts; --werror on top, so that a warning of a
    release build (which the tests' builds do not make) fails here."""
    argv = ['meson', 'setup', build, source, f'--prefix={prefix}', '--libdir=lib', '--werror'] + options
    if run(f'{description}: meson setup', argv, env=env).returncode != 0:
        return False
    if run(f'{description}: meson compile', ['meson', 'compile', '-C', build], env=env).returncode != 0:
        return False
    return run(f'{description}: meson install', ['meson', 'install', '-C', build], env=env).returncode == 0


def merge_dirs(mount, merge_dir):
    """What Flatpak does for merge-dirs: a link in mount/merge_dir to each
    entry of every extension's own mount/<Extension>/merge_dir."""
    merged = os.path.join(mount, merge_dir)
    os.makedirs(merged, exist_ok=True)
    for extension in sorted(os.listdir(mount)):
        own = os.path.join(mount, extension, merge_dir)
        if extension == merge_dir.split('/')[0] or not os.path.isdir(own):
            continue
        for entry in sorted(os.listdir(own)):
            link = os.path.join(merged, entry)
            if not os.path.lexists(link):
                os.symlink(os.path.relpath(os.path.join(own, entry), merged), link)


def build():
    need('meson', 'meson')
    abi = plugin_abi()
    with open(APP_MANIFEST, encoding='utf-8') as f:
        app = json.load(f)
    point = app['add-extensions'][EXTENSION_POINT]

    tmp = tempfile.mkdtemp(prefix='ww-flatpak-')
    try:
        prefix = os.path.join(tmp, 'app')
        env = dict(os.environ)
        env.pop('WEGWIJZER_UNINSTALLED', None)
        env.pop('WEGWIJZER_PLUGIN_PATH', None)

        module = wegwijzer_module(app)
        if not meson_build('the app', SOURCE_ROOT, os.path.join(tmp, 'build-app'), prefix,
                           module.get('config-opts', []), env):
            finish()
        for command in module.get('post-install', []):
            run(f'the app: post-install {command}', ['sh', '-c', command],
                env=dict(env, FLATPAK_DEST=prefix))
        mount = os.path.join(prefix, point['directory'])
        check(os.path.isdir(mount), 'the app creates the mount folder', mount)
        own_plugins = glob.glob(os.path.join(prefix, 'lib', 'wegwijzer', '*', '*.plugin'))
        check(not own_plugins, 'the app installs no theme of its own', own_plugins)
        # Flatpak exports only files named by the app id to the host
        for exported in (f'share/applications/{APP_ID}.desktop',
                         f'share/metainfo/{APP_ID}.metainfo.xml',
                         f'share/icons/hicolor/scalable/apps/{APP_ID}.svg',
                         f'share/icons/hicolor/symbolic/apps/{APP_ID}-symbolic.svg',
                         f'share/glib-2.0/schemas/{APP_ID}.gschema.xml'):
            check(os.path.exists(os.path.join(prefix, exported)), f'the app installs {exported}',
                  os.path.join(prefix, exported))
        check(os.path.exists(os.path.join(prefix, 'lib', 'pkgconfig', f'wegwijzer-{abi}.pc')),
              'the app installs what an extension builds against (wegwijzer-ABI.pc)', prefix)

        ext_env = dict(env, PKG_CONFIG_PATH=os.path.join(prefix, 'lib', 'pkgconfig'))
        names = []
        for name, manifest_path, metainfo_path, plugin_file, source_path, options in extensions_to_check(abi):
            with open(manifest_path, encoding='utf-8') as f:
                manifest = json.load(f)
            ext_prefix = manifest['build-options']['prefix'].replace('/app', prefix, 1)
            source = os.path.normpath(os.path.join(os.path.dirname(manifest_path), source_path))
            if meson_build(name, source, os.path.join(tmp, 'build-' + name), ext_prefix,
                           wegwijzer_module(manifest).get('config-opts', []), ext_env):
                names.append(name)
                installed = os.path.join(ext_prefix, 'share', 'metainfo', os.path.basename(metainfo_path))
                check(os.path.exists(installed), f'{name}: installs its add-on metainfo', installed)

        merge_dirs(mount, point['merge-dirs'])
        admin_env = dict(env, LD_LIBRARY_PATH=os.path.join(prefix, 'lib'))
        proc = run('the installed wegwijzer-admin verifies the mounted plugin set',
                   [os.path.join(prefix, 'bin', 'wegwijzer-admin'), '--db', os.path.join(tmp, 'directory.db'),
                    'plugins', 'verify', '--json', '--path', mount], env=admin_env)
        try:
            report = json.loads(proc.stdout)
        except json.JSONDecodeError:
            report = []
        ok_ids = sorted(p.get('id') for p in report if p.get('ok'))
        expected_ids = sorted(themes() + ['example'])
        check(ok_ids == expected_ids and len(report) == len(expected_ids),
              'every extension built loads, each once, through the Flatpak mount',
              f'ok: {ok_ids}, expected: {expected_ids}, all: {report}')
        warnings = [(p.get('id') or p.get('folder'), w) for p in report for w in p.get('warnings', [])]
        check(not warnings, 'and verify has no warning for any of them', warnings)

        # A library of another ABI, as an older or newer app would bring:
        # the extension's build refuses, before a module is made.
        other = os.path.join(tmp, 'other-abi')
        os.makedirs(other)
        with open(os.path.join(prefix, 'lib', 'pkgconfig', f'wegwijzer-{abi}.pc'), encoding='utf-8') as f:
            pc = f.read()
        with open(os.path.join(other, f'wegwijzer-{abi}.pc'), 'w', encoding='utf-8') as f:
            f.write(re.sub(r'^plugin_abi=\d+$', f'plugin_abi={int(abi) + 1}', pc, flags=re.M))
        proc = run('a plugin is not built against a libwegwijzer of another ABI',
                   ['meson', 'setup', os.path.join(tmp, 'build-other'), TEMPLATE,
                    f'--prefix={os.path.join(tmp, "other-prefix")}', '--libdir=lib'],
                   env=dict(env, PKG_CONFIG_PATH=other), expect_failure=True)
        check(f'libwegwijzer takes plugin ABI {int(abi) + 1}' in proc.stdout + proc.stderr,
              'and says which ABI the library takes', proc.stdout[-2000:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if MODE == 'manifests':
    manifests()
elif MODE == 'build':
    build()
else:
    sys.exit(f'unknown mode {MODE}; use manifests or build')
