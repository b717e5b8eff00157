#!/usr/bin/env python3
# Durability of wegwijzer-relay under SIGKILL.
#
#   test-crash.py SOURCE_ROOT WEGWIJZER_RELAY WEGWIJZER_ADMIN
#
# Each round starts the relay on one store, lets several kiosk clients
# send signed bookings back to back, and kills the relay with SIGKILL
# while their requests are in flight. After the restart:
#  - every booking that was answered 201 is in the store, with the id and
#    reference it was answered with;
#  - no request is stored twice (each body carries its Idempotency-Key in
#    fields.note, so a marker found twice is a double booking);
#  - each booking whose answer was lost is sent again with the same
#    Idempotency-Key and body (and a new webhook-id): it gets 201 with the
#    booking already stored if the first attempt got in, else a new one;
#  - PRAGMA integrity_check is "ok".
# Rounds alternate [store] group-commit=true and false. The random moment
# of each kill comes from a fixed seed; the test fails if no request at
# all was in flight at any kill, so it cannot pass by killing an idle relay.

import http.client
import json
import os
import random
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import relay_harness as harness  # noqa: E402

SEED = 20261203
ROUNDS = 8            # starts of the relay; every one but the last ends in a kill
CLIENTS = 6
ACKED_BEFORE_KILL = 5  # answers to wait for in a round before the kill may come
KILL_DELAY = (0.0, 0.25)

source_root, relay_path, admin_path = sys.argv[1:4]
rng = random.Random(SEED)
failures = []
checks = 0


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        failures.append(message)
        if len(failures) <= 20:
            print('not ok:', message, file=sys.stderr)
    return condition


class Round:
    """What the clients of one round saw."""

    def __init__(self, number):
        self.number = number
        self.lock = threading.Lock()
        self.acked_event = threading.Event()
        self.acked = 0
        self.lost = []      # (key, started) of attempts without an answer
        self.kill_time = None


tmpdir = tempfile.mkdtemp(prefix='test-crash-')
db = os.path.join(tmpdir, 'relay.db')
kiosk = harness.provision_kiosk(admin_path, db, 'Sample crash kiosk')

bodies = {}     # Idempotency-Key → body, of everything ever sent
acked = {}      # Idempotency-Key → the 201 answer (a dict)
totals = {'kills': 0, 'in_flight': 0, 'lost': 0, 'got_in': 0, 'retries': 0}
state_lock = threading.Lock()


def client(relay, current, index):
    connection = relay.connection()
    sequence = 0
    while True:
        key = f'crash-{current.number}-{index}-{sequence}'
        sequence += 1
        body = harness.booking_body(key)
        with state_lock:
            bodies[key] = body
        started = time.monotonic()
        try:
            status, answer = harness.post_booking(connection, harness.signed_headers(kiosk, body, key), body)
        except (OSError, http.client.HTTPException):
            with current.lock:
                current.lost.append((key, started))
            connection.close()
            return
        if not check(status == 201, f'round {current.number}: {key} → {status}: {answer!r}'):
            connection.close()
            return
        with state_lock:
            acked[key] = json.loads(answer)
        with current.lock:
            current.acked += 1
            if current.acked >= ACKED_BEFORE_KILL:
                current.acked_event.set()


def check_store(when, retried_pending):
    """Every acknowledged booking is stored as answered, none twice, and
    nothing is stored that was never sent. Returns marker → (id, reference)."""
    store = harness.open_store(db)
    try:
        check(harness.integrity(store) == ['ok'], f'{when}: integrity_check says {harness.integrity(store)}')
        rows = harness.stored_bookings(store)
    finally:
        store.close()

    found = {}
    for marker, booking_id, reference in rows:
        check(marker not in found, f'{when}: the request {marker} is stored twice')
        check(marker in bodies, f'{when}: a booking {marker} is stored that was never sent')
        found[marker] = (booking_id, reference)
    for key, answer in acked.items():
        stored = found.get(key)
        if check(stored is not None, f'{when}: {key} was answered 201 ({answer.get("id")}) but is not stored'):
            check(stored == (answer.get('id'), answer.get('reference')),
                  f'{when}: {key} was answered {answer.get("id")}/{answer.get("reference")} '
                  f'but stored as {stored}')
    if not retried_pending:
        check(set(found) == set(bodies), f'{when}: sent {len(bodies)} requests, {len(found)} are stored')
    return found


def retry_lost(relay, lost, number):
    """The same key and body again, as a kiosk's outbox would after a
    lost answer."""
    found = check_store(f'after restart {number}, before the retries', retried_pending=True)
    connection = relay.connection()
    for key, _ in lost:
        body = bodies[key]
        got_in = key in found
        totals['got_in'] += got_in
        totals['retries'] += 1
        status, answer = harness.post_booking(connection, harness.signed_headers(kiosk, body, key), body)
        if not check(status == 201, f'retry of {key} after restart {number} → {status}: {answer!r}'):
            continue
        answer = json.loads(answer)
        if got_in:
            check((answer.get('id'), answer.get('reference')) == found[key],
                  f'retry of {key}: its first attempt was stored as {found[key]}, '
                  f'the retry answered {answer.get("id")}/{answer.get("reference")}')
        acked[key] = answer
    connection.close()
    check_store(f'after restart {number} and its retries', retried_pending=False)


try:
    lost = []
    for number in range(ROUNDS):
        group_commit = number % 2 == 0
        relay = harness.Relay(relay_path, db, harness.write_config(tmpdir, group_commit))
        try:
            retry_lost(relay, lost, number)
            if number == ROUNDS - 1:
                status = relay.stop()
                check(status == 0, f'wegwijzer-relay exited with {status} on SIGTERM')
                break

            current = Round(number)
            clients = [threading.Thread(target=client, args=(relay, current, i)) for i in range(CLIENTS)]
            for thread in clients:
                thread.start()
            check(current.acked_event.wait(timeout=60),
                  f'round {number}: not {ACKED_BEFORE_KILL} bookings answered within 60 s')
            time.sleep(rng.uniform(*KILL_DELAY))
            current.kill_time = time.monotonic()
            relay.kill()
            totals['kills'] += 1
            for thread in clients:
                thread.join(timeout=60)
                check(not thread.is_alive(), f'round {number}: a client still waits after the kill')
        except BaseException:
            print(relay.stderr_text(), file=sys.stderr)
            relay.kill()
            raise

        lost = current.lost
        in_flight = sum(1 for _, started in lost if started < current.kill_time)
        totals['lost'] += len(lost)
        totals['in_flight'] += in_flight
        print(f'round {number} (group-commit={str(group_commit).lower()}): {current.acked} answered, '
              f'killed with {in_flight} in flight, {len(lost)} to retry')

    check(totals['in_flight'] > 0, 'no request was in flight at any kill: the test killed idle relays')

    store = harness.open_store(db)
    try:
        check(harness.integrity(store) == ['ok'], 'after the last stop: integrity_check is not ok')
        stored = len(harness.stored_bookings(store))
    finally:
        store.close()
    check(stored == len(acked) == len(bodies),
          f'after the last stop: {stored} stored, {len(acked)} acknowledged, {len(bodies)} sent')
finally:
    harness.remove_tree(tmpdir)

print(f'{ROUNDS} rounds, {totals["kills"]} kills (SIGKILL) with {totals["in_flight"]} requests in flight, '
      f'{len(acked)} bookings acknowledged, {totals["retries"]} retries '
      f'({totals["got_in"]} of them had got in before the kill)')
print(f'{checks} checks, {len(failures)} failed')
sys.exit(1 if failures else 0)
