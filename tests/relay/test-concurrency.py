#!/usr/bin/env python3
# One Idempotency-Key sent ten times at once makes one booking.
#
#   test-concurrency.py SOURCE_ROOT WEGWIJZER_RELAY WEGWIJZER_ADMIN
#
# Ten threads, each on its own connection and with its own webhook-id,
# wait at a barrier and then POST the same key:
#  - with the same body: all ten answers are 201 with the same body (the
#    relay commits the key with the booking under one write lock, so the
#    later ones get the kept answer), and the store holds one booking;
#  - with ten different bodies: one 201, nine 422, and one booking, the
#    one that was answered 201.
# Repeated a few times, with [store] group-commit=true and =false.

import json
import os
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import relay_harness as harness  # noqa: E402

SENDERS = 10
REPEATS = 4

source_root, relay_path, admin_path = sys.argv[1:4]
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


def send_at_once(relay, kiosk, key, bodies):
    """POSTs bodies[i] from thread i, all released by one barrier;
    returns [(status, answer bytes)] in the same order."""
    barrier = threading.Barrier(len(bodies))
    results = [None] * len(bodies)

    def sender(index):
        body = bodies[index]
        connection = relay.connection()
        try:
            connection.connect()
            headers = harness.signed_headers(kiosk, body, key)
            barrier.wait(timeout=30)
            results[index] = harness.post_booking(connection, headers, body)
        except Exception as error:  # reported below as a failed answer
            results[index] = (None, repr(error).encode())
        finally:
            connection.close()

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def stored_with_prefix(db, prefix):
    store = harness.open_store(db)
    try:
        return [row for row in harness.stored_bookings(store)
                if row[0] is not None and row[0].startswith(prefix)]
    finally:
        store.close()


def same_body(relay, kiosk, db, key):
    body = harness.booking_body(key)
    results = send_at_once(relay, kiosk, key, [body] * SENDERS)
    statuses = [status for status, _ in results]
    check(statuses == [201] * SENDERS, f'{key}: one body ten times at once → {statuses}')
    answers = {answer for _, answer in results}
    check(len(answers) == 1, f'{key}: ten answers to one request differ: {sorted(answers)}')

    rows = stored_with_prefix(db, key)
    check(len(rows) == 1, f'{key}: {len(rows)} bookings stored for one request sent ten times')
    if rows and len(answers) == 1 and statuses[0] == 201:
        answer = json.loads(next(iter(answers)))
        check((answer.get('id'), answer.get('reference')) == rows[0][1:],
              f'{key}: answered {answer.get("id")}/{answer.get("reference")}, stored {rows[0][1:]}')


def different_bodies(relay, kiosk, db, key):
    bodies = [harness.booking_body(f'{key}/{i}') for i in range(SENDERS)]
    results = send_at_once(relay, kiosk, key, bodies)
    statuses = [status for status, _ in results]
    created = [i for i, status in enumerate(statuses) if status == 201]
    check(len(created) == 1 and statuses.count(422) == SENDERS - 1,
          f'{key}: one key with ten bodies at once → {statuses} (want one 201, nine 422)')
    for status, answer in results:
        if status == 422:
            problem = json.loads(answer)
            check(problem.get('type') == 'urn:wegwijzer:problem:idempotency-key-reused',
                  f'{key}: 422 of type {problem.get("type")}')

    rows = stored_with_prefix(db, key + '/')
    check(len(rows) == 1, f'{key}: {len(rows)} bookings stored for one key with ten bodies')
    if rows and len(created) == 1:
        answer = json.loads(results[created[0]][1])
        check(rows[0] == (f'{key}/{created[0]}', answer.get('id'), answer.get('reference')),
              f'{key}: the body answered 201 was #{created[0]} ({answer.get("id")}), '
              f'the one stored is {rows[0]}')


tmpdir = tempfile.mkdtemp(prefix='test-concurrency-')
try:
    for group_commit in (True, False):
        db = os.path.join(tmpdir, f'relay-{str(group_commit).lower()}.db')
        kiosk = harness.provision_kiosk(admin_path, db, 'Sample concurrency kiosk')
        relay = harness.Relay(relay_path, db, harness.write_config(tmpdir, group_commit))
        try:
            for repeat in range(REPEATS):
                same_body(relay, kiosk, db, f'same-{group_commit}-{repeat}')
                different_bodies(relay, kiosk, db, f'different-{group_commit}-{repeat}')
            store = harness.open_store(db)
            check(harness.integrity(store) == ['ok'], 'integrity_check is not ok')
            store.close()
        finally:
            status = relay.stop()
            check(status == 0, f'wegwijzer-relay exited with {status} on SIGTERM')
            if failures:
                print(relay.stderr_text(), file=sys.stderr)
        print(f'group-commit={str(group_commit).lower()}: {REPEATS} times ten senders of one body '
              f'and ten of ten bodies')
finally:
    harness.remove_tree(tmpdir)

print(f'{checks} checks, {len(failures)} failed')
sys.exit(1 if failures else 0)
