# Shared by the relay's python tests that start wegwijzer-relay as a
# subprocess: provisioning a kiosk, starting and killing the relay,
# signing bookings as a kiosk does, and reading the store behind the
# relay's back. Standard library only.

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

ENV = dict(os.environ, LC_ALL='C.UTF-8')


def provision_kiosk(admin_path, db, name):
    """A kiosk made by “wegwijzer-admin kiosk add --json”: {"id", "secret"}."""
    added = subprocess.run([admin_path, 'kiosk', 'add', name, '--json', '--relay-db', db],
                           env=ENV, capture_output=True, text=True)
    if added.returncode != 0:
        sys.exit(f'wegwijzer-admin kiosk add failed ({added.returncode}): {added.stderr}')
    return json.loads(added.stdout)


def write_config(directory, group_commit):
    """A relay config file that only sets [store] group-commit."""
    path = os.path.join(directory, f'relay-group-commit-{str(group_commit).lower()}.conf')
    with open(path, 'w', encoding='utf-8') as config:
        config.write(f'[store]\ngroup-commit={str(group_commit).lower()}\n')
    return path


class Relay:
    """One wegwijzer-relay process on a free loopback port. Its stderr
    is read all the time (so that it never blocks on a full pipe) and
    kept, to be shown when something fails."""

    def __init__(self, relay_path, db, config=None):
        args = [relay_path, '--listen', '127.0.0.1:0', '--db', db]
        if config is not None:
            args += ['--config', config]
        self.log = []
        self.process = subprocess.Popen(args, env=ENV, stderr=subprocess.PIPE, text=True)
        self.port = None
        for line in self.process.stderr:
            self.log.append(line)
            found = re.search(r'Listening on 127\.0\.0\.1:(\d+)', line)
            if found:
                self.port = int(found.group(1))
                break
        if self.port is None:
            self.process.wait()
            sys.exit(f'wegwijzer-relay did not start (exit {self.process.returncode}):\n' +
                     ''.join(self.log))
        self.reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.reader.start()

    def _read_stderr(self):
        for line in self.process.stderr:
            self.log.append(line)

    def connection(self, timeout=30):
        return http.client.HTTPConnection('127.0.0.1', self.port, timeout=timeout)

    def kill(self):
        """SIGKILL: no handler runs, nothing is flushed or closed."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.reader.join(timeout=10)

    def stop(self):
        """SIGTERM and wait; returns the exit status (under the sanitizers
        a leak or an error at exit makes it non-zero)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=10)
        return self.process.returncode

    def stderr_text(self):
        return ''.join(self.log)


def booking_body(marker):
    """A valid booking whose fields.note is @marker, to find it in the store."""
    return json.dumps({
        'provider_id': 'sample-clinic-1',
        'fields': {'topic': 'sti-test', 'note': marker},
        'contact': {'method': 'none'},
        'name': 'Sample Visitor',
        'language': 'nl',
        'consent': True,
    }, separators=(',', ':')).encode()


def signed_headers(kiosk, body, idempotency_key):
    """Standard Webhooks headers with a fresh webhook-id: every attempt,
    retries included, is a new message."""
    msg_id = str(uuid.uuid4())
    timestamp = str(int(time.time()))
    key = base64.b64decode(kiosk['secret'][len('whsec_'):])
    mac = hmac.new(key, f'{msg_id}.{timestamp}.'.encode() + body, hashlib.sha256).digest()
    return {
        'Content-Type': 'application/json',
        'X-Wegwijzer-Device': kiosk['id'],
        'webhook-id': msg_id,
        'webhook-timestamp': timestamp,
        'webhook-signature': 'v1,' + base64.b64encode(mac).decode(),
        'Idempotency-Key': idempotency_key,
    }


def post_booking(connection, headers, body):
    """Returns (status, body bytes); raises OSError or HTTPException when
    the answer is lost."""
    connection.request('POST', '/v1/bookings', body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def open_store(db):
    """A read-only connection of our own; the relay may be running."""
    uri = 'file:' + urllib.parse.quote(os.path.abspath(db)) + '?mode=ro'
    return sqlite3.connect(uri, uri=True, timeout=30)


def stored_bookings(store):
    """(marker, id, reference) of every stored booking."""
    return store.execute("SELECT json_extract(payload, '$.fields.note'), id, reference "
                         "FROM bookings").fetchall()


def integrity(store):
    return [row[0] for row in store.execute('PRAGMA integrity_check').fetchall()]


def remove_tree(directory):
    for name in os.listdir(directory):
        os.unlink(os.path.join(directory, name))
    os.rmdir(directory)
