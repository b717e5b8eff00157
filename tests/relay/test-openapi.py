#!/usr/bin/env python3
# Checks data/openapi.yaml against a running wegwijzer-relay.
#
#   test-openapi.py SOURCE_ROOT WEGWIJZER_RELAY WEGWIJZER_ADMIN
#
# The spec is YAML in its JSON-compatible flow style, so json reads it
# and no third-party module is needed. The test
#  - compares the documented operations with the route table in
#    app/relay/ww-relay-server.c,
#  - starts the relay on loopback with a fresh store and a kiosk made by
#    “wegwijzer-admin kiosk add --json”,
#  - calls every operation with a request built from its documented
#    shape, and checks each answer's status is documented and its body
#    fits the documented schema.

import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

source_root, relay_path, admin_path = sys.argv[1:4]
spec = json.load(open(os.path.join(source_root, 'data', 'openapi.yaml'), encoding='utf-8'))
failures = []
checks = 0


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        failures.append(message)
        print('not ok:', message, file=sys.stderr)


def resolve(node):
    while isinstance(node, dict) and '$ref' in node:
        target = spec
        for part in node['$ref'].lstrip('#/').split('/'):
            target = target[part]
        node = target
    return node


def validate(value, schema, where):
    schema = resolve(schema)
    if value is None:
        check(schema.get('nullable', False), f'{where}: null is not allowed')
        return
    kind = schema.get('type')
    types = {'object': dict, 'string': str, 'integer': int, 'boolean': bool, 'array': list}
    if kind is not None:
        ok = isinstance(value, types[kind]) and not (kind == 'integer' and isinstance(value, bool))
        check(ok, f'{where}: {value!r} is not of type {kind}')
        if not ok:
            return
    if 'enum' in schema:
        check(value in schema['enum'], f'{where}: {value!r} is not one of {schema["enum"]}')
    if kind == 'string' and 'pattern' in schema:
        check(re.search(schema['pattern'], value) is not None, f'{where}: {value!r} does not match {schema["pattern"]}')
    if kind == 'object':
        for name in schema.get('required', []):
            check(name in value, f'{where}: required property “{name}” is missing')
        for name, sub in schema.get('properties', {}).items():
            if name in value:
                validate(value[name], sub, f'{where}.{name}')


def example(schema):
    """A value of the documented shape: the example, else the first enum
    value, else a plain value of the type."""
    schema = resolve(schema)
    if 'example' in schema:
        return schema['example']
    if 'enum' in schema:
        return schema['enum'][0]
    kind = schema.get('type')
    if kind == 'object':
        return {name: example(schema['properties'][name]) for name in schema.get('required', [])}
    return {'string': 'sample', 'integer': 1, 'boolean': True, 'array': []}[kind]


# --- the documented routes are the ones the server has -------------------
server_source = open(os.path.join(source_root, 'app', 'relay', 'ww-relay-server.c'), encoding='utf-8').read()
served = set(re.findall(r'\[ROUTE_\w+\]\s*=\s*\{\s*"([^"]+)",\s*"([A-Z]+)"\s*\}', server_source))
documented = {(path, method.upper()) for path, item in spec['paths'].items() for method in item}
check(len(served) > 0, 'no route table found in ww-relay-server.c')
check(served == documented, f'routes served {sorted(served)} != documented {sorted(documented)}')

# --- a relay with a kiosk --------------------------------------------------
tmpdir = tempfile.mkdtemp(prefix='test-openapi-')
db = os.path.join(tmpdir, 'relay.db')
env = dict(os.environ, LC_ALL='C.UTF-8')
added = subprocess.run([admin_path, 'kiosk', 'add', 'Sample kiosk', '--json', '--relay-db', db],
                       env=env, capture_output=True, text=True, check=True)
kiosk = json.loads(added.stdout)

# a provider that gets webhooks (to a port nobody listens on: the
# deliveries fail and wait, which does not matter here) and has an inbox
provider = json.loads(subprocess.run([admin_path, 'provider', 'set-webhook', 'sample-clinic-1',
                                      'http://127.0.0.1:9/hook', '--json', '--relay-db', db],
                                     env=env, capture_output=True, text=True, check=True).stdout)
inbox = json.loads(subprocess.run([admin_path, 'provider', 'add-inbox', 'sample-clinic-1',
                                   '--json', '--relay-db', db],
                                  env=env, capture_output=True, text=True, check=True).stdout)
# a directory seeded with the sample listings, for /v1/directory
directory = os.path.join(tmpdir, 'directory.db')
subprocess.run([admin_path, '--db', directory, 'export', '--output', os.path.join(tmpdir, 'export.ndjson')],
               env=env, capture_output=True, check=True)

relay = subprocess.Popen([relay_path, '--listen', '127.0.0.1:0', '--db', db, '--directory', directory],
                         env=env, stderr=subprocess.PIPE, text=True)
port = None
for line in relay.stderr:
    found = re.search(r'Listening on 127\.0\.0\.1:(\d+)', line)
    if found:
        port = int(found.group(1))
        break
if port is None:
    relay.kill()
    sys.exit('wegwijzer-relay did not start')
base = f'http://127.0.0.1:{port}'


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# redirects are answers to check, not to follow
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())


def call(method, path, headers=None, body=None):
    request = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def check_answer(path, method, status, headers, body):
    operation = spec['paths'][path][method.lower()]
    where = f'{method} {path} → {status}'
    documented_answer = operation['responses'].get(str(status))
    check(documented_answer is not None, f'{where} is not documented')
    if documented_answer is None:
        return None
    documented_answer = resolve(documented_answer)
    content_type = headers.get('Content-Type', '')
    media = next((m for m in documented_answer.get('content', {})
                  if content_type.split(';')[0].strip() == m.split(';')[0].strip()), None)
    check(media is not None, f'{where}: Content-Type {content_type} is not documented')
    for header in documented_answer.get('headers', {}):
        check(header in headers, f'{where}: header {header} is missing')
    if media == 'application/x-ndjson':
        for number, line in enumerate(body.decode().splitlines(), 1):
            check(isinstance(json.loads(line), dict), f'{where}: line {number} is not a JSON object')
        return None
    if media is not None and 'json' in media:
        value = json.loads(body)
        validate(value, documented_answer['content'][media]['schema'], where)
        return value
    return None


def signed_headers(body, secret=None, signer=('X-Wegwijzer-Device', None)):
    msg_id = str(uuid.uuid4())
    timestamp = str(int(time.time()))
    key = base64.b64decode((secret or kiosk['secret'])[len('whsec_'):])
    mac = hmac.new(key, f'{msg_id}.{timestamp}.'.encode() + body, hashlib.sha256).digest()
    return {
        'Content-Type': 'application/json',
        signer[0]: signer[1] or kiosk['id'],
        'webhook-id': msg_id,
        'webhook-timestamp': timestamp,
        'webhook-signature': 'v1,' + base64.b64encode(mac).decode(),
        'Idempotency-Key': str(uuid.uuid4()),
    }


try:
    for path in ('/healthz', '/metrics'):
        status, headers, body = call('GET', path)
        check(status == 200, f'GET {path} → {status}')
        check_answer(path, 'GET', status, headers, body)
    check('version=0.0.4' in call('GET', '/metrics')[1].get('Content-Type', ''), '/metrics is not text format 0.0.4')

    schema = spec['paths']['/v1/bookings']['post']['requestBody']['content']['application/json']['schema']
    booking_body = json.dumps(example(schema)).encode()
    status, headers, body = call('POST', '/v1/bookings', signed_headers(booking_body), booking_body)
    check(status == 201, f'POST /v1/bookings → {status}: {body!r}')
    created = check_answer('/v1/bookings', 'POST', status, headers, body) or {}

    unsigned = {'Content-Type': 'application/json', 'Idempotency-Key': 'x'}
    status, headers, body = call('POST', '/v1/bookings', unsigned, booking_body)
    check(status == 401, f'unsigned POST → {status}')
    check_answer('/v1/bookings', 'POST', status, headers, body)
    status, headers, body = call('POST', '/v1/bookings', signed_headers(b'{}'), b'{}')
    check(status == 400, f'empty booking → {status}')
    check_answer('/v1/bookings', 'POST', status, headers, body)

    # the provider answers through the API, signed with its own secret
    answer_path = '/v1/provider/bookings/{id}/answer'
    target = '/v1/provider/bookings/' + created.get('id', 'none') + '/answer'
    as_provider = dict(secret=provider['secret'], signer=('X-Wegwijzer-Provider', 'sample-clinic-1'))
    answer_schema = spec['paths'][answer_path]['post']['requestBody']['content']['application/json']['schema']
    answer_body = json.dumps(example(answer_schema)).encode()
    status, headers, body = call('POST', target, signed_headers(answer_body, **as_provider), answer_body)
    check(status == 200, f'POST answer → {status}: {body!r}')
    answered = check_answer(answer_path, 'POST', status, headers, body) or {}
    check(answered.get('status') == 'accepted', f'answered booking is {answered.get("status")}')
    status, headers, body = call('POST', target, signed_headers(answer_body), answer_body)
    check(status == 401, f'answer signed by a kiosk → {status}')
    check_answer(answer_path, 'POST', status, headers, body)
    bad_answer = b'{"status":"accepted"}'
    status, headers, body = call('POST', target, signed_headers(bad_answer, **as_provider), bad_answer)
    check(status == 400, f'answer without a time → {status}')
    check_answer(answer_path, 'POST', status, headers, body)
    status, headers, body = call('POST', '/v1/provider/bookings/no-such-id/answer',
                                 signed_headers(answer_body, **as_provider), answer_body)
    check(status == 404, f'answer to an unknown booking → {status}')
    check_answer(answer_path, 'POST', status, headers, body)

    # the directory's changes
    status, headers, body = call('GET', '/v1/directory?since=0')
    check(status == 200, f'GET /v1/directory → {status}')
    check_answer('/v1/directory', 'GET', status, headers, body)
    check(len(body.splitlines()) > 100, f'/v1/directory gave {len(body.splitlines())} listings')
    status, headers, body = call('GET', '/v1/directory?since=' + headers.get('X-Wegwijzer-Next-Since', '0'))
    check(status == 200 and body == b'', f'GET /v1/directory from the next number → {status} {body[:80]!r}')
    status, headers, body = call('GET', '/v1/directory?since=yesterday')
    check(status == 400, f'GET /v1/directory?since=yesterday → {status}')
    check_answer('/v1/directory', 'GET', status, headers, body)

    # the phone's status page
    reference = created.get('reference', 'ABCDEFGH')
    status, headers, body = call('GET', '/status?reference=' + reference)
    check(status == 200 and b'<script' not in body, f'GET /status → {status}')
    check_answer('/status', 'GET', status, headers, body)
    form = {'Content-Type': 'application/x-www-form-urlencoded'}
    good_form = f'reference={reference}&pin={created.get("pin", "")}'.encode()
    status, headers, body = call('POST', '/status', form, good_form)
    check(status == 200 and b'data-status="accepted"' in body, f'POST /status → {status}')
    check_answer('/status', 'POST', status, headers, body)
    status, headers, body = call('POST', '/status', form, b'reference=' + reference.encode() + b'&pin=12')
    check(status == 400, f'POST /status with a short PIN → {status}')
    check_answer('/status', 'POST', status, headers, body)

    # the provider's inbox
    key = inbox['key']
    status, headers, body = call('GET', '/inbox/' + key)
    check(status == 200 and reference.encode() in body, f'GET /inbox/KEY → {status}')
    check_answer('/inbox/{key}', 'GET', status, headers, body)
    status, headers, body = call('GET', '/inbox/not-a-key')
    check(status == 404, f'GET /inbox/not-a-key → {status}')
    check_answer('/inbox/{key}', 'GET', status, headers, body)
    inbox_answer = '/inbox/{key}/bookings/{id}'
    inbox_target = f'/inbox/{key}/bookings/{created.get("id", "none")}'
    status, headers, body = call('POST', inbox_target, form, b'action=decline&reason=We+are+closed+that+week')
    check(status == 303, f'POST inbox answer → {status}')
    check_answer(inbox_answer, 'POST', status, headers, body)
    status, headers, body = call('POST', inbox_target, form, b'action=accept&time=')
    check(status == 400, f'POST inbox answer without a time → {status}')
    check_answer(inbox_answer, 'POST', status, headers, body)

    item = '/v1/bookings/{reference}'
    target = '/v1/bookings/' + created.get('reference', 'ABCDEFGH')
    status, headers, body = call('GET', target, {'X-Wegwijzer-Pin': created.get('pin', '')})
    check(status == 200, f'GET booking → {status}')
    check_answer(item, 'GET', status, headers, body)
    status, headers, body = call('GET', target)
    check(status == 400, f'GET booking without a PIN → {status}')
    check_answer(item, 'GET', status, headers, body)
    wrong = '%06d' % ((int(created.get('pin', '0')) + 1) % 1000000)
    for _ in range(5):
        status, headers, body = call('GET', target, {'X-Wegwijzer-Pin': wrong})
        check(status == 404, f'GET booking with a wrong PIN → {status}')
        check_answer(item, 'GET', status, headers, body)
    status, headers, body = call('GET', target, {'X-Wegwijzer-Pin': created.get('pin', '')})
    check(status == 429, f'GET booking after 5 wrong PINs → {status}')
    check_answer(item, 'GET', status, headers, body)

    for path, method in sorted(documented):
        concrete = path.replace('{reference}', 'ABCDEFGH').replace('{id}', 'x').replace('{key}', 'k')
        other = 'DELETE'
        status, headers, body = call(other, concrete)
        check(status == 405, f'{other} {concrete} → {status}')
        check_answer(path, method, status, headers, body)
finally:
    relay.terminate()
    relay.wait(timeout=10)
    for name in os.listdir(tmpdir):
        os.unlink(os.path.join(tmpdir, name))
    os.rmdir(tmpdir)

print(f'{checks} checks, {len(failures)} failed')
sys.exit(1 if failures else 0)
