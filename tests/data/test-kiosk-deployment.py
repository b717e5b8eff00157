#!/usr/bin/env python3
# The files that run a kiosk for real, checked offline, in TAP.
#
#   test-kiosk-deployment.py SOURCE_ROOT COMPILED_SCHEMAS
#
# COMPILED_SCHEMAS is the build tree's data/gschemas.compiled. Against the
# schema data/nl.wegwijzer.Wegwijzer.gschema.xml it checks that
#  - every key has a value in data/dconf/db/wegwijzer.d and a lock in its
#    locks/, and neither names a key the schema lacks;
#  - each value is of the key's type and in its range or enum, as
#    `gsettings set` sees it (on the memory backend);
#  - the keyfiles compile with `dconf compile`, and through the shipped
#    profile, a compiled database in place of /etc/dconf/db/wegwijzer,
#    GSettings reads every value as written (a value of another type, such
#    as a bare 90 for a uint32, would be ignored for the default) and can
#    change none of them;
# and that data/wegwijzer-kiosk.service passes `systemd-analyze verify`,
# restarts always, runs as its own user (the one in
# data/wegwijzer-kiosk.sysusers) and starts Cage, without VT switching,
# with `wegwijzer --kiosk` and the shipped dconf profile.
#
# A check whose tool is missing (gsettings, dconf, the dconf GSettings
# backend, systemd-analyze, cage) is skipped with the reason. Why a check
# failed goes to stderr.

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SOURCE_ROOT = sys.argv[1]
COMPILED_SCHEMAS = sys.argv[2]
DATA = os.path.join(SOURCE_ROOT, 'data')
SCHEMA_ID = 'nl.wegwijzer.Wegwijzer'
SCHEMA_FILE = os.path.join(DATA, SCHEMA_ID + '.gschema.xml')
DCONF = os.path.join(DATA, 'dconf')
UNIT_FILE = os.path.join(DATA, 'wegwijzer-kiosk.service')
SYSUSERS_FILE = os.path.join(DATA, 'wegwijzer-kiosk.sysusers')

count = 0


def result(ok, description, diagnostics=None, skip=None):
    global count
    count += 1
    if skip is not None:
        print(f'ok {count} - {description} # SKIP {skip}')
        return
    print(f'{"ok" if ok else "not ok"} {count} - {description}')
    # on stderr, which meson shows with --print-errorlogs
    if diagnostics and not ok:
        print(f'not ok {count} - {description}:', file=sys.stderr)
        for line in str(diagnostics).rstrip().splitlines():
            print(f'  {line}', file=sys.stderr)


def run(argv, env=None):
    """Runs argv; returns (status, stdout, stderr) as text."""
    completed = subprocess.run(argv, env=env, capture_output=True, text=True)
    return completed.returncode, completed.stdout.strip(), completed.stderr.strip()


# --- the schema ---------------------------------------------------------

def read_schema():
    """The schema SCHEMA_ID's path, and {key: {'type', 'range', 'choices'}}."""
    root = ET.parse(SCHEMA_FILE).getroot()
    enums = {enum.get('id'): [value.get('nick') for value in enum.findall('value')]
             for enum in root.findall('enum')}
    schema = next(s for s in root.findall('schema') if s.get('id') == SCHEMA_ID)
    keys = {}
    for key in schema.findall('key'):
        info = {'type': key.get('type')}
        if key.get('enum'):
            info['type'] = 's'
            info['choices'] = enums[key.get('enum')]
        if key.find('range') is not None:
            info['range'] = (key.find('range').get('min'), key.find('range').get('max'))
        keys[key.get('name')] = info
    return schema.get('path'), keys


# --- the dconf files ------------------------------------------------------

def read_keyfiles(directory):
    """{group: {key: value}} of every keyfile in a dconf .d directory, read
    as GKeyFile reads them; and a list of problems."""
    groups, problems = {}, []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        group = None
        with open(path, encoding='utf-8') as f:
            for number, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                if line.startswith('[') and line.endswith(']'):
                    group = line[1:-1]
                    groups.setdefault(group, {})
                elif '=' in line and group is not None:
                    key, value = line.split('=', 1)
                    groups[group][key.strip()] = value.strip()
                else:
                    problems.append(f'{name}:{number}: not a group or key=value: {line}')
    return groups, problems


def read_locks(directory):
    locks = []
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), encoding='utf-8') as f:
            locks += [line.strip() for line in f
                      if line.strip() and not line.lstrip().startswith('#')]
    return locks


def read_profile(path):
    with open(path, encoding='utf-8') as f:
        return [line.split('#', 1)[0].strip() for line in f
                if line.split('#', 1)[0].strip()]


# --- the unit ---------------------------------------------------------------

def read_unit(path):
    """{section: {key: [values]}}: systemd allows a key more than once."""
    sections, section, pending = {}, None, ''
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if pending:
                line, pending = pending + ' ' + line.lstrip(), ''
            if line.endswith('\\'):
                pending = line[:-1]
                continue
            stripped = line.strip()
            if not stripped or stripped[0] in '#;':
                continue
            if stripped.startswith('[') and stripped.endswith(']'):
                section = sections.setdefault(stripped[1:-1], {})
            elif '=' in stripped and section is not None:
                key, value = stripped.split('=', 1)
                section.setdefault(key.strip(), []).append(value.strip())
    return sections


def read_sysusers(path):
    users = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            fields = shlex.split(line)
            if fields[0] == 'u':
                fields += ['-'] * (6 - len(fields))
                users[fields[1]] = {'id': fields[2], 'gecos': fields[3],
                                    'home': fields[4], 'shell': fields[5]}
    return users


def main():
    schema_path, keys = read_schema()
    group = schema_path.strip('/')
    profile_dir = os.path.join(DCONF, 'profile')
    profiles = sorted(os.listdir(profile_dir))
    profile_name = profiles[0] if len(profiles) == 1 else None
    profile = read_profile(os.path.join(profile_dir, profile_name)) if profile_name else []
    system_dbs = [line.split(':', 1)[1] for line in profile if line.startswith('system-db:')]
    db_dirs = [os.path.join(DCONF, 'db', name + '.d') for name in system_dbs]

    # The profile: the user's database first, then one system database
    # whose keyfiles are here
    result(profile_name is not None and profile[:1] == ['user-db:user']
           and len(system_dbs) == 1 and os.path.isdir(db_dirs[0]),
           'the dconf profile has user-db:user, then a system-db with keyfiles in data/dconf/db',
           f'profiles: {profiles}; lines: {profile}')
    if len(system_dbs) != 1 or not os.path.isdir(db_dirs[0]):
        print(f'1..{count}')
        return 1
    db_name, db_dir = system_dbs[0], db_dirs[0]
    values_by_group, problems = read_keyfiles(db_dir)
    values = values_by_group.get(group, {})
    locks = read_locks(os.path.join(db_dir, 'locks'))

    # (a) values and locks, against the schema's keys
    result(not problems, 'the keyfiles are groups and key=value lines', '\n'.join(problems))
    missing = [key for key in keys if key not in values]
    result(not missing, 'every key of the schema has a value in the keyfile',
           f'no value for: {", ".join(missing)}')
    unknown = [f'[{g}] {key}' for g, entries in values_by_group.items() for key in entries
               if g != group or key not in keys]
    result(not unknown, 'every value in the keyfile is of a key the schema has',
           f'not in the schema: {", ".join(unknown)}')
    missing = [key for key in keys if schema_path + key not in locks]
    result(not missing, 'every key of the schema is locked',
           f'no lock for: {", ".join(schema_path + key for key in missing)}')
    unknown = [lock for lock in locks
               if not lock.startswith(schema_path) or lock[len(schema_path):] not in keys]
    result(not unknown, 'every lock names a key the schema has',
           f'not in the schema: {", ".join(unknown)}')
    duplicates = sorted({lock for lock in locks if locks.count(lock) > 1})
    result(not duplicates, 'no key is locked twice', ', '.join(duplicates))

    # (b) the values' types and ranges, as GSettings sees them
    gsettings = shutil.which('gsettings')
    compiler = shutil.which('glib-compile-schemas')
    if compiler:
        status, out, err = run([compiler, '--strict', '--dry-run', DATA])
        result(status == 0 and not err, 'the schema compiles with --strict', err or out)
    else:
        result(True, 'the schema compiles with --strict', skip='glib-compile-schemas not found')
    schema_dir = os.path.dirname(COMPILED_SCHEMAS)
    memory_env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'GSETTINGS_BACKEND': 'memory'}
    for key, info in keys.items():
        description = f'{key}={values.get(key, "(none)")} is a {info["type"]}'
        if 'choices' in info:
            description += f' among {"|".join(info["choices"])}'
        elif 'range' in info:
            description += ' in {}..{}'.format(*info['range'])
        if not gsettings:
            result(True, description, skip='gsettings not found (libglib2.0-bin)')
            continue
        if key not in values:
            result(False, description, 'no value')
            continue
        status, out, err = run([gsettings, '--schemadir', schema_dir,
                                'set', SCHEMA_ID, key, values[key]], memory_env)
        result(status == 0 and not err, description, err or out)

    languages = values.get('languages', '[]')
    default = values.get('default-language', "''")
    codes = re.findall(r"'([^']*)'", languages)
    chosen = re.fullmatch(r"'([^']*)'", default)
    result(chosen is not None and (chosen.group(1) == '' or chosen.group(1) in codes),
           'default-language is one of languages', f'{default} not in {languages}')

    # (b) through dconf: compile the keyfiles and read them back with the
    # shipped profile, as the kiosk's program will
    dconf = shutil.which('dconf')
    with tempfile.TemporaryDirectory(prefix='ww-kiosk-deployment-') as tmp:
        compiled = os.path.join(tmp, db_name)
        if dconf:
            status, out, err = run([dconf, 'compile', compiled, db_dir])
            compiles = status == 0 and os.path.isfile(compiled)
            result(compiles, 'the keyfiles and locks compile with dconf compile', err or out)
        else:
            compiles = False
            result(True, 'the keyfiles and locks compile with dconf compile',
                   skip='dconf not found (dconf-cli)')

        # The shipped profile, with the compiled database in place of
        # /etc/dconf/db/NAME, and a user of its own with nothing set
        test_profile = os.path.join(tmp, 'profile')
        with open(test_profile, 'w', encoding='utf-8') as f:
            for line in profile:
                if line.startswith('system-db:'):
                    line = 'file-db:' + os.path.join(tmp, line.split(':', 1)[1])
                f.write(line + '\n')
        runtime = os.path.join(tmp, 'runtime')
        os.mkdir(runtime, 0o700)
        dconf_env = {
            'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
            'HOME': tmp,
            'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
            'XDG_RUNTIME_DIR': runtime,
            'DCONF_PROFILE': test_profile,
            'GSETTINGS_BACKEND': 'dconf',
        }

        skip = None
        if not compiles:
            skip = 'no compiled dconf database'
        elif not gsettings:
            skip = 'gsettings not found (libglib2.0-bin)'
        else:
            status, out, err = run([gsettings, '--schemadir', schema_dir,
                                    'list-keys', SCHEMA_ID], dconf_env)
            if "Can't find module" in err:
                skip = 'no dconf GSettings backend (dconf-gsettings-backend)'
        for key in keys:
            stored = read = writable = None
            errors = ''
            if skip is None:
                _, stored, err_stored = run([dconf, 'read', schema_path + key], dconf_env)
                _, read, err_read = run([gsettings, '--schemadir', schema_dir,
                                         'get', SCHEMA_ID, key], dconf_env)
                _, writable, err_writable = run([gsettings, '--schemadir', schema_dir,
                                                 'writable', SCHEMA_ID, key], dconf_env)
                errors = '\n'.join(e for e in (err_stored, err_read, err_writable) if e)
            result(skip is None and stored != '' and stored == read and not errors,
                   f'GSettings reads {key} as the keyfile sets it',
                   f'dconf has {stored!r}, GSettings reads {read!r} '
                   f'(GSettings reads the default for a value of another type or out of range)\n{errors}'
                   if skip is None else None, skip=skip)
            result(skip is None and writable == 'false',
                   f'{key} cannot be changed', f'gsettings writable says {writable!r}',
                   skip=skip)

    # (c) the unit, as systemd reads it
    unit = read_unit(UNIT_FILE)
    service = unit.get('Service', {})
    analyze = shutil.which('systemd-analyze')
    description = 'systemd-analyze verify finds nothing wrong with the unit'
    exec_start = shlex.split(service.get('ExecStart', [''])[-1])
    compositor = exec_start[0].lstrip('@-:+!') if exec_start else ''
    if not analyze:
        result(True, description, skip='systemd-analyze not found (systemd)')
    elif not os.access(compositor, os.X_OK):
        result(True, description,
               skip=f'{compositor or "ExecStart"} is not installed, and verify checks it is')
    else:
        # A unit with nothing wrong tells whether verify can run here at all
        with tempfile.TemporaryDirectory(prefix='ww-kiosk-verify-') as tmp:
            control = os.path.join(tmp, 'ww-control.service')
            with open(control, 'w', encoding='utf-8') as f:
                f.write('[Service]\nExecStart=/bin/true\n')
            status, out, err = run([analyze, 'verify', '--man=no', control])
        if status != 0 or out or err:
            result(True, description,
                   skip='systemd-analyze verify cannot run here: '
                   + ' '.join((err or out or f'exit status {status}').split())[:200])
        else:
            status, out, err = run([analyze, 'verify', '--man=no', UNIT_FILE])
            result(status == 0 and not out and not err, description,
                   '\n'.join(s for s in (out, err) if s) or f'exit status {status}')

    # (d) what the unit must do
    result(service.get('Restart', [''])[-1] == 'always', 'the unit has Restart=always',
           f'Restart={service.get("Restart")}')
    user = service.get('User', [''])[-1]
    result(user not in ('', 'root', '0') and service.get('DynamicUser', ['no'])[-1] == 'no',
           'the unit runs as a user of its own, not root', f'User={user!r}')
    users = read_sysusers(SYSUSERS_FILE)
    state = service.get('StateDirectory', [''])[-1]
    home = users.get(user, {}).get('home')
    result(user in users and state != '' and home == '/var/lib/' + state,
           'the sysusers snippet makes that user, with the unit\'s StateDirectory as its home',
           f'users: {users}; StateDirectory={state!r}')

    options, program = [], []
    if '--' in exec_start:
        options = exec_start[1:exec_start.index('--')]
        program = exec_start[exec_start.index('--') + 1:]
    vt_switching = [o for o in options if re.fullmatch(r'-[a-z]*s[a-z]*', o)]
    result(os.path.basename(compositor) == 'cage' and not vt_switching
           and program[:1] and os.path.basename(program[0]) == 'wegwijzer'
           and '--kiosk' in program[1:],
           'the unit starts cage, without -s, with wegwijzer --kiosk',
           f'ExecStart={" ".join(exec_start)}')
    result('getty@tty7.service' in ' '.join(unit.get('Unit', {}).get('Conflicts', [])).split()
           and service.get('TTYPath', [''])[-1] == '/dev/tty7'
           and service.get('PAMName', [''])[-1] != '',
           'the unit takes tty7 in a logind session, instead of its getty',
           f'Conflicts={unit.get("Unit", {}).get("Conflicts")} '
           f'TTYPath={service.get("TTYPath")} PAMName={service.get("PAMName")}')
    environment = {}
    for line in service.get('Environment', []):
        for assignment in shlex.split(line):
            name, _, value = assignment.partition('=')
            environment[name] = value
    result(environment.get('DCONF_PROFILE') == profile_name,
           'the unit sets DCONF_PROFILE to the shipped profile',
           f'DCONF_PROFILE={environment.get("DCONF_PROFILE")!r}, profile {profile_name!r}')

    # The verdict is in the TAP stream: meson counts a "not ok" as a
    # failure, and a non-zero status as an error of the test itself.
    print(f'1..{count}')
    return 0


sys.exit(main())
