# The TAP these tests print, as test-kiosk-deployment.py prints it: a
# line per check on stdout, and why a check failed on stderr, which meson
# shows with --print-errorlogs.

import subprocess
import sys

_count = 0


def result(ok, description, diagnostics=None, skip=None):
    """Reports one check; returns ok, so that a check can guard the next."""
    global _count
    _count += 1
    if skip is not None:
        print(f'ok {_count} - {description} # SKIP {skip}')
        return True
    print(f'{"ok" if ok else "not ok"} {_count} - {description}')
    if diagnostics and not ok:
        print(f'not ok {_count} - {description}:', file=sys.stderr)
        for line in str(diagnostics).rstrip().splitlines():
            print(f'  {line}', file=sys.stderr)
    return ok


def done():
    """The plan, last. The verdict is in the stream: meson counts a
    "not ok" as a failure, and a non-zero status as an error of the test
    itself."""
    print(f'1..{_count}')
    return 0


def run(argv, **kwargs):
    """Runs argv; returns (status, stdout, stderr) as text."""
    completed = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    return completed.returncode, completed.stdout.strip(), completed.stderr.strip()
