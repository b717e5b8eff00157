#!/usr/bin/env python3
# The provider's web inbox and the phone status page, in a real browser.
#
#   test-inbox-browser.py SOURCE_ROOT WEGWIJZER_RELAY WEGWIJZER_ADMIN
#
# Chromium is driven through chromedriver's W3C WebDriver HTTP API with
# urllib, so nothing outside the standard library is needed. The test
#  - provisions a kiosk and starts the relay on loopback with a fresh store,
#  - makes an inbox link for the fictional provider with
#    “wegwijzer-admin provider add-inbox”,
#  - sends signed bookings as the kiosk would,
#  - answers them in the inbox (accept with a typed time, decline with a
#    reason) by clicking and typing only,
#  - reads the answers back with the kiosk's PIN from the API and, as a
#    visitor would, from the status page with a wrong and a right PIN,
#  - does it all twice: once with JavaScript on and once with it switched
#    off by Chrome's content settings, as the pages must not need it,
#  - checks that the pages load nothing from another host and no script.
# With WW_SCREENSHOT_DIR set it also saves screenshots of the pages there.
# Chromium's own languages are limited to en-US here, so the
# datetime-local field is typed in en-US order (checked, not assumed).
#
# Exits 77 (skipped) when Chromium or chromedriver is not installed.

import base64
import datetime
import hashlib
import hmac
import html.parser
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

CHROMIUM = os.environ.get('WW_CHROMIUM', '/usr/bin/chromium')
CHROMEDRIVER = os.environ.get('WW_CHROMEDRIVER', '/usr/bin/chromedriver')
PROVIDER_ID = 'sample-clinic-1'
ANSWERED = ('accepted', 'proposed', 'declined')
ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'
KEY_RIGHT = '\ue014'
KEY_TAB = '\ue004'

missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
if missing:
    print(f'skipped: {" and ".join(missing)} not found; install them with '
          '“apt-get install chromium chromium-driver” (or point WW_CHROMIUM and '
          'WW_CHROMEDRIVER at them)')
    sys.exit(77)

source_root, relay_path, admin_path = sys.argv[1:4]
screenshot_dir = os.environ.get('WW_SCREENSHOT_DIR')
failures = []
notes = []
checks = 0


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        failures.append(message)
        print('not ok:', message, file=sys.stderr)
    return condition


def note(message):
    notes.append(message)
    print('note:', message)


class TestError(Exception):
    """A step the rest of the test depends on did not work."""


opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


raw_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)


def http(method, url, headers=None, body=None, follow=True):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with (opener if follow else raw_opener).open(request, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def wait_until(what, predicate, timeout=20):
    """Polls predicate until it gives something true. The timeout only
    bounds a failure; nothing here measures how fast the pages are."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except (WebDriverError, OSError) as error:
            value, last = None, error
        else:
            last = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TestError(f'timed out waiting for {what}' + (f' ({last})' if last else ''))
        time.sleep(0.1)


# --- Amsterdam time without tzdata -----------------------------------------
def last_sunday(year, month):
    day = datetime.date(year, month + 1, 1) - datetime.timedelta(days=1) if month < 12 else datetime.date(year, 12, 31)
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def amsterdam_offset(local):
    """CET/CEST by the EU rule: summer time from the last Sunday of March
    to the last Sunday of October, switching at 01:00 UTC. Local times
    used here are mid-day, well clear of the switch."""
    start = datetime.datetime.combine(last_sunday(local.year, 3), datetime.time(2))
    end = datetime.datetime.combine(last_sunday(local.year, 10), datetime.time(3))
    return datetime.timedelta(hours=2 if start <= local < end else 1)


def amsterdam(local):
    return local.replace(tzinfo=datetime.timezone(amsterdam_offset(local)))


# --- WebDriver ---------------------------------------------------------------
class WebDriverError(Exception):
    def __init__(self, error, message):
        super().__init__(f'{error}: {message}')
        self.error = error


class Browser:
    def __init__(self, driver_port, profile, javascript=True, window=(1000, 900), phone=False):
        self.base = f'http://127.0.0.1:{driver_port}'
        self.session = None
        self.javascript = javascript
        prefs = {}
        if not javascript:
            prefs['profile.managed_default_content_settings.javascript'] = 2
        options = {
            'binary': CHROMIUM,
            'args': [
                '--headless=new',
                '--no-sandbox',          # CI runs as root
                '--disable-gpu',
                '--disable-quic',
                '--no-first-run',
                # this closed network refuses Chromium's own connections
                '--disable-background-networking',
                '--disable-component-update',
                '--disable-sync',
                '--no-proxy-server',
                '--lang=en-US',
                f'--user-data-dir={profile}',
                f'--window-size={window[0]},{window[1]}',
            ],
            'prefs': prefs,
        }
        if phone:
            # honour <meta name="viewport"> the way a phone does
            options['mobileEmulation'] = {'deviceMetrics': {'width': window[0], 'height': window[1], 'pixelRatio': 2}}
        capabilities = {'capabilities': {'alwaysMatch': {
            'browserName': 'chrome',
            'goog:chromeOptions': options,
            'goog:loggingPrefs': {'performance': 'ALL'},
        }}}
        value = self.call('POST', '/session', capabilities, timeout=60)
        self.session = value['sessionId']
        self.requests = {}
        self.blocked = {}

    def call(self, method, path, body=None, timeout=30):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        try:
            with opener.open(request, timeout=timeout) as response:
                return json.loads(response.read())['value']
        except urllib.error.HTTPError as error:
            try:
                value = json.loads(error.read())['value']
            except (ValueError, KeyError):
                raise WebDriverError('http', f'{method} {path} → {error.code}') from None
            raise WebDriverError(value.get('error'), value.get('message', '').splitlines()[0]) from None

    def s(self, method, path, body=None):
        return self.call(method, f'/session/{self.session}{path}', body)

    def go(self, url):
        self.s('POST', '/url', {'url': url})

    def url(self):
        return self.s('GET', '/url')

    def title(self):
        return self.s('GET', '/title')

    def source(self):
        return self.s('GET', '/source')

    def find(self, css):
        try:
            return self.s('POST', '/element', {'using': 'css selector', 'value': css})[ELEMENT]
        except WebDriverError as error:
            if error.error == 'no such element':
                return None
            raise

    def need(self, css):
        element = self.find(css)
        if element is None:
            raise TestError(f'no element {css} on {self.url()}')
        return element

    def attribute(self, element, name):
        return self.s('GET', f'/element/{element}/attribute/{name}')

    def value(self, element):
        return self.s('GET', f'/element/{element}/property/value')

    def text(self, element):
        return self.s('GET', f'/element/{element}/text')

    def click(self, element):
        self.s('POST', f'/element/{element}/click', {})

    def clear(self, element):
        self.s('POST', f'/element/{element}/clear', {})

    def type(self, element, text):
        self.s('POST', f'/element/{element}/value', {'text': text})

    def set_by_script(self, element, value):
        self.s('POST', '/execute/sync', {'script': 'arguments[0].value = arguments[1];',
                                         'args': [{ELEMENT: element}, value]})

    def screenshot(self, name):
        if not screenshot_dir:
            return
        os.makedirs(screenshot_dir, exist_ok=True)
        with open(os.path.join(screenshot_dir, name), 'wb') as png:
            png.write(base64.b64decode(self.s('GET', '/screenshot')))
        print(f'saved {os.path.join(screenshot_dir, name)}')

    def requested(self):
        """Every URL the pages asked for since the last call, from
        Chrome's DevTools performance log."""
        for entry in self.s('POST', '/se/log', {'type': 'performance'}):
            message = json.loads(entry['message'])['message']
            params = message['params']
            if message['method'] == 'Network.requestWillBeSent':
                self.requests[params['requestId']] = (params['request']['url'], params.get('type', ''))
            elif message['method'] == 'Network.webSocketCreated':
                self.requests[params['requestId']] = (params['url'], 'WebSocket')
            elif message['method'] == 'Network.loadingFailed' and params.get('blockedReason'):
                self.blocked[params['requestId']] = params['blockedReason']
        return {(url, kind, self.blocked.get(request_id)) for request_id, (url, kind) in self.requests.items()}

    def quit(self):
        if self.session is not None:
            try:
                self.call('DELETE', f'/session/{self.session}', timeout=15)
            except (OSError, WebDriverError):
                pass
            self.session = None


def type_datetime(browser, element, local):
    """Types local (a naive datetime) into a datetime-local field.
    Chromium splits it into fields in the order of its locale and moves on
    by itself once a field is full, except after the year (up to six
    digits); so a field order is tried, and checked by the value it gives."""
    hour12 = (local.hour + 11) % 12 + 1
    meridiem = 'A' if local.hour < 12 else 'P'
    date_orders = {
        'month-day-year': f'{local.month:02}{local.day:02}{local.year:04}',
        'day-month-year': f'{local.day:02}{local.month:02}{local.year:04}',
        'year-month-day': f'{local.year:04}{local.month:02}{local.day:02}',
    }
    times = [f'{hour12:02}{local.minute:02}{meridiem}', f'{local.hour:02}{local.minute:02}']
    wanted = local.strftime('%Y-%m-%dT%H:%M')
    for order, date in date_orders.items():
        for clock in times:
            for step in (KEY_RIGHT, KEY_TAB):
                browser.clear(element)
                browser.type(element, date + step + clock)
                if browser.value(element) == wanted:
                    return order
    return None


# --- HTML inspection ---------------------------------------------------------
class PageScan(html.parser.HTMLParser):
    URL_ATTRIBUTES = {'src', 'href', 'action', 'formaction', 'srcset', 'poster', 'data',
                      'background', 'manifest', 'ping', 'cite', 'longdesc', 'icon'}

    def __init__(self, own_netloc):
        super().__init__(convert_charrefs=True)
        self.own = own_netloc
        self.problems = []
        self.viewport = False
        self.charset = False
        self.referrer = None

    def foreign(self, url):
        url = url.strip()
        if url.lower().startswith('javascript:'):
            return True
        parts = urllib.parse.urlsplit(url)
        if url.startswith('//') or parts.scheme not in ('', 'http', 'https', 'mailto', 'tel', 'data'):
            return parts.scheme not in ('mailto', 'tel')
        return bool(parts.netloc) and parts.netloc != self.own

    def handle_starttag(self, tag, attrs):
        attrs = [(name, value or '') for name, value in attrs]
        if tag == 'script':
            self.problems.append('a <script> element')
        if tag == 'meta' and dict(attrs).get('name', '').lower() == 'viewport':
            self.viewport = True
        if tag == 'meta' and dict(attrs).get('name', '').lower() == 'referrer':
            self.referrer = dict(attrs).get('content')
        if tag == 'meta' and ('charset' in dict(attrs) or 'charset=' in dict(attrs).get('content', '').lower()):
            self.charset = True
        for name, value in attrs:
            if name.startswith('on'):
                self.problems.append(f'an event handler {name}= on <{tag}>')
            elif name in self.URL_ATTRIBUTES:
                for url in (value.split(',') if name == 'srcset' else [value]):
                    if url.strip() and self.foreign(url.split()[0] if name == 'srcset' else url):
                        self.problems.append(f'<{tag} {name}="{value}"> goes to another host')
            elif name == 'style' and re.search(r'url\(\s*[\'"]?(https?:)?//', value):
                self.problems.append(f'<{tag} style> loads from another host')

    def handle_data(self, data):
        if re.search(r'@import|url\(\s*[\'"]?(https?:)?//', data):
            self.problems.append('a style sheet that loads from another host')


seen_headers = {}


def inspect_page(what, url, method='GET', body=None):
    """Fetches a page as the browser would and checks its HTML; the
    security headers are noted, not required."""
    headers = {'Content-Type': 'application/x-www-form-urlencoded'} if body is not None else {}
    status, answer_headers, content = http(method, url, headers, body)
    check(status == 200, f'{what}: {method} → {status}')
    content_type = answer_headers.get('Content-Type', '')
    check(content_type.startswith('text/html'), f'{what}: Content-Type is {content_type!r}')
    scan = PageScan(urllib.parse.urlsplit(url).netloc)
    scan.feed(content.decode('utf-8', errors='replace'))
    for problem in sorted(set(scan.problems)):
        check(False, f'{what}: {problem}')
    if not scan.viewport:
        note(f'{what}: no <meta name="viewport">, so a phone shows it zoomed out')
    if 'charset=utf-8' not in content_type.lower().replace(' ', '') and not scan.charset:
        note(f'{what}: no charset in Content-Type or <meta>')
    for header in ('Content-Security-Policy', 'Referrer-Policy', 'Cache-Control',
                   'X-Content-Type-Options', 'X-Frame-Options'):
        seen_headers.setdefault(what, {})[header] = answer_headers.get(header)
    seen_headers[what]['<meta name="referrer">'] = scan.referrer
    return content.decode('utf-8', errors='replace')


# --- the relay's side --------------------------------------------------------
def signed_headers(kiosk, body):
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
        'Idempotency-Key': str(uuid.uuid4()),
    }


def book(base, kiosk, name, note_text):
    request = {
        'provider_id': PROVIDER_ID,
        'fields': {'topic': 'sti-test', 'note': note_text},
        'contact': {'method': 'none'},
        'name': name,
        'language': 'nl',
        'day_parts': ['morning', 'afternoon'],
        'consent': True,
    }
    body = json.dumps(request).encode()
    status, _, answer = http('POST', base + '/v1/bookings', signed_headers(kiosk, body), body)
    if status != 201:
        raise TestError(f'POST /v1/bookings → {status}: {answer[:300]!r}')
    created = json.loads(answer)
    # the status page in the visitor's language
    check(created.get('status_url') == f'{base}/status?reference={created["reference"]}&lang=nl',
          f'status_url is {created.get("status_url")!r}')
    return created


def booking_status(base, created):
    status, _, answer = http('GET', f'{base}/v1/bookings/{created["reference"]}',
                             {'X-Wegwijzer-Pin': created['pin']})
    if status != 200:
        raise TestError(f'GET /v1/bookings/{created["reference"]} → {status}: {answer[:300]!r}')
    return json.loads(answer)


# --- one pass through the pages ---------------------------------------------
def section_status(browser, booking_id):
    """data-status of a booking's section, None while it is not (yet) there."""
    section = browser.find(f'#booking-{booking_id}')
    return browser.attribute(section, 'data-status') if section else None


def run_pass(browser, base, kiosk, link, key, label, when, shots):
    print(f'# {label}')
    if not browser.javascript:
        # the content setting really is in force: a script may not run
        browser.go('data:text/html,<title>off</title><script>document.title="on"</script>')
        check(browser.title() == 'off', f'{label}: JavaScript still runs with it switched off')

    visitor = 'Sample Visitor'
    note_text = 'Liefst een vrouwelijke arts, graag in de ochtend'
    markup = 'Mag ik <b>iemand</b> meenemen? & ook <i>later</i>'
    accepted = book(base, kiosk, visitor, note_text)
    declined = book(base, kiosk, 'Other Visitor', markup)
    reason = 'Deze week zijn we dicht — volgende week gaat het wél & graag tot dan'

    # --- the provider answers in the inbox
    browser.go(link)
    section = browser.need(f'section.booking[data-reference="{accepted["reference"]}"]')
    section_id = browser.attribute(section, 'id') or ''
    check(section_id == f'booking-{accepted["id"]}', f'{label}: section id is {section_id!r}')
    booking_id = accepted['id']
    status = browser.attribute(section, 'data-status')
    check(status not in ANSWERED, f'{label}: data-status is {status!r} before any answer')
    shown = browser.text(section)
    check(accepted['reference'] in shown, f'{label}: the reference is not shown in its section')
    check(visitor in shown, f'{label}: the visitor\'s name is not shown: {shown!r}')
    check(note_text in shown, f'{label}: what was asked is not shown as typed: {shown!r}')
    other = browser.need(f'#booking-{declined["id"]}')
    check(markup in browser.text(other), f'{label}: text with markup is not shown as typed: {browser.text(other)!r}')
    check(browser.find(f'#booking-{declined["id"]} b, #booking-{declined["id"]} i') is None,
          f'{label}: the visitor\'s text became markup')
    form = browser.need(f'#booking-{booking_id} form')
    action = browser.attribute(form, 'action') or ''
    check(action.endswith(f'/inbox/{key}/bookings/{booking_id}'), f'{label}: the form posts to {action!r}')
    check((browser.attribute(form, 'method') or '').lower() == 'post', f'{label}: the form is not POST')
    if shots:
        # newest first: the fragment brings the one being answered into view
        browser.go(f'{link}#booking-{booking_id}')

    time_field = browser.need(f'#time-{booking_id}')
    check(browser.attribute(time_field, 'type') == 'datetime-local', f'{label}: #time-{booking_id} is not datetime-local')
    order = type_datetime(browser, time_field, when)
    if order is None and browser.javascript:
        note(f'{label}: typing into the datetime-local field did not give a value; set by script instead')
        browser.set_by_script(time_field, when.strftime('%Y-%m-%dT%H:%M'))
    elif order is None:
        raise TestError(f'{label}: no key order gave the datetime-local field the value {when}')
    if shots:
        browser.screenshot('inbox.png')
    browser.click(browser.need(f'#accept-{booking_id}'))
    wait_until(f'{label}: the accepted section', lambda: section_status(browser, booking_id) == 'accepted')
    check(urllib.parse.urlsplit(browser.url()).path == f'/inbox/{key}',
          f'{label}: after answering the browser is at {browser.url()}')

    decline_id = declined['id']
    browser.type(browser.need(f'#reason-{decline_id}'), reason)
    browser.click(browser.need(f'#decline-{decline_id}'))
    wait_until(f'{label}: the declined section', lambda: section_status(browser, decline_id) == 'declined')
    check(browser.attribute(browser.need(f'#booking-{booking_id}'), 'data-status') == 'accepted',
          f'{label}: the first answer did not stay')
    if shots:
        browser.go(f'{link}#booking-{booking_id}')
        browser.screenshot('inbox-answered.png')

    # --- the kiosk asks with its PIN
    answer = booking_status(base, accepted)
    check(answer.get('status') == 'accepted', f'{label}: the API says {answer.get("status")!r}')
    given = (answer.get('answer') or {}).get('time')
    try:
        given_time = datetime.datetime.fromisoformat(given)
    except (TypeError, ValueError):
        given_time = None
    check(given_time == amsterdam(when) and given_time.utcoffset() == amsterdam_offset(when),
          f'{label}: answer.time is {given!r}, typed {when} in Amsterdam ({amsterdam(when).isoformat()})')
    refused = booking_status(base, declined)
    check(refused.get('status') == 'declined', f'{label}: the declined one is {refused.get("status")!r}')
    check((refused.get('answer') or {}).get('reason') == reason,
          f'{label}: the reason came back as {(refused.get("answer") or {}).get("reason")!r}')

    # --- the visitor looks on the phone: a wrong PIN first, then the right one
    browser.go(accepted['status_url'])
    check(browser.value(browser.need('#reference')) == accepted['reference'],
          f'{label}: #reference is not filled in from the link')
    wrong = '%06d' % ((int(accepted['pin']) + 1) % 1000000)
    browser.type(browser.need('#pin'), wrong)
    browser.click(browser.need('#check'))
    wait_until(f'{label}: #error after a wrong PIN', lambda: browser.find('#error'))
    check(browser.find('#status') is None, f'{label}: a wrong PIN shows a status')
    check(browser.value(browser.need('#reference')) == accepted['reference'],
          f'{label}: the reference is gone after a wrong PIN')
    pin = browser.need('#pin')
    browser.clear(pin)
    browser.type(pin, accepted['pin'])
    browser.click(browser.need('#check'))
    shown_status = wait_until(f'{label}: #status', lambda: browser.find('#status'))
    check(browser.attribute(shown_status, 'data-status') == 'accepted',
          f'{label}: the status page says {browser.attribute(shown_status, "data-status")!r}')
    check(browser.find('#error') is None, f'{label}: the right PIN still shows #error')
    shown = browser.text(shown_status)
    check(when.strftime('%H:%M') in shown, f'{label}: the time {when:%H:%M} is not on the status page: {shown!r}')
    if shots:
        browser.screenshot('status-page.png')

    browser.go(declined['status_url'])
    browser.type(browser.need('#pin'), declined['pin'])
    browser.click(browser.need('#check'))
    shown_status = wait_until(f'{label}: #status of the declined one', lambda: browser.find('#status'))
    check(browser.attribute(shown_status, 'data-status') == 'declined',
          f'{label}: the declined one shows {browser.attribute(shown_status, "data-status")!r}')
    # the reason may stand beside #status rather than in it
    page_text = browser.text(browser.need('body'))
    check(reason in page_text, f'{label}: the reason is not on the status page: {page_text!r}')
    return accepted


def check_requests(browser, base, label):
    own = urllib.parse.urlsplit(base).netloc
    seen = browser.requested()
    check(len(seen) > 0, f'{label}: the performance log shows no request at all')
    for url, kind, blocked in sorted(seen, key=str):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ('data', 'chrome', 'about', 'blob', 'chrome-extension', 'devtools'):
            continue
        how = f' (blocked: {blocked})' if blocked else ''
        check(parts.netloc == own, f'{label}: a page asked another host for {url}{how}')
        check(kind != 'Script', f'{label}: a page loaded a script {url}{how}')


# --- processes -----------------------------------------------------------------
processes = []


def spawn(argv, env, **kwargs):
    process = subprocess.Popen(argv, env=env, start_new_session=True, **kwargs)
    processes.append(process)
    return process


def stop(process, signum=signal.SIGTERM):
    """Ends process and its process group (chromedriver's holds Chromium)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signum)
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def sweep(tmpdir):
    """Ends what Chromium left in a session of its own (its crash handler
    calls setsid): every process that names this test's own directory."""
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as cmdline:
                if tmpdir.encode() in cmdline.read():
                    os.kill(int(pid), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass


tmpdir = tempfile.mkdtemp(prefix='test-inbox-browser-')
db = os.path.join(tmpdir, 'relay.db')
env = dict(os.environ, LC_ALL='C.UTF-8')
# Chromium is no GLib program of ours: fatal-warnings is not for it; and
# it keeps its profile, crash reports and caches in this test's directory.
browser_env = {name: value for name, value in env.items()
               if name not in ('G_DEBUG', 'MALLOC_CHECK_', 'MALLOC_PERTURB_') and 'proxy' not in name.lower()}
browser_env.update(HOME=tmpdir, XDG_CONFIG_HOME=os.path.join(tmpdir, 'config'),
                   XDG_CACHE_HOME=os.path.join(tmpdir, 'cache'), LANGUAGE='en_US', LANG='C.UTF-8')
relay = None
relay_log = []
browsers = []
exit_code = 1
try:
    added = subprocess.run([admin_path, 'kiosk', 'add', 'Sample kiosk', '--json', '--relay-db', db],
                           env=env, capture_output=True, text=True)
    if added.returncode != 0:
        raise TestError(f'wegwijzer-admin kiosk add: {added.stderr.strip()}')
    kiosk = json.loads(added.stdout)

    port = free_port()
    base = f'http://127.0.0.1:{port}'
    relay = spawn([relay_path, '--listen', f'127.0.0.1:{port}', '--db', db, '--public-url', base],
                  env, stderr=subprocess.PIPE, text=True)
    for line in relay.stderr:
        relay_log.append(line)
        if re.search(r'Listening on 127\.0\.0\.1:(\d+)', line):
            break
    else:
        raise TestError('wegwijzer-relay did not start:\n' + ''.join(relay_log))
    threading.Thread(target=lambda: relay_log.extend(relay.stderr), daemon=True).start()

    made = subprocess.run([admin_path, 'provider', 'add-inbox', PROVIDER_ID, '--relay-db', db,
                           '--relay-url', base, '--json'], env=env, capture_output=True, text=True)
    if made.returncode != 0:
        raise TestError(f'wegwijzer-admin provider add-inbox: {made.stderr.strip()}')
    inbox = json.loads(made.stdout)
    link = inbox['link']
    key = inbox.get('key', '')
    check(inbox.get('provider_id') == PROVIDER_ID, f'add-inbox provider_id is {inbox.get("provider_id")!r}')
    check(link == f'{base}/inbox/{key}' and key, f'add-inbox link {link!r} is not {base}/inbox/<key>')

    # --- what does not need a browser
    status, headers, content = http('GET', f'{base}/inbox/{key}x')
    check(status == 404, f'an unknown inbox key → {status}')
    check(headers.get('Content-Type', '').startswith('text/html'),
          f'an unknown inbox key answers {headers.get("Content-Type")!r}')
    fake_id = str(uuid.uuid4())
    status, _, _ = http('POST', f'{base}/inbox/{key}x/bookings/{fake_id}',
                        {'Content-Type': 'application/x-www-form-urlencoded'}, b'action=decline&reason=x')
    check(status == 404, f'answering through an unknown inbox key → {status}')

    driver_port = free_port()
    driver = spawn([CHROMEDRIVER, f'--port={driver_port}'], browser_env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until('chromedriver', lambda: http('GET', f'http://127.0.0.1:{driver_port}/status')[0] == 200)

    # Mid-day, a week on: within the times a provider may give, far from the
    # switch to or from summer time.
    today = datetime.datetime.now(datetime.timezone.utc).date()
    passes = [
        ('javascript-on', True, datetime.datetime.combine(today + datetime.timedelta(days=7), datetime.time(10, 0))),
        ('javascript-off', False, datetime.datetime.combine(today + datetime.timedelta(days=8), datetime.time(14, 30))),
    ]
    first = None
    for label, javascript, when in passes:
        browser = Browser(driver_port, os.path.join(tmpdir, f'profile-{label}'), javascript=javascript)
        browsers.append(browser)
        made_booking = run_pass(browser, base, kiosk, link, key, label, when, shots=first is None)
        first = first or made_booking
        check_requests(browser, base, label)
        browser.quit()

    # --- the pages themselves
    inspect_page('the inbox', link)
    inspect_page('the status form', first['status_url'])
    inspect_page('the status answer', f'{base}/status', 'POST',
                 urllib.parse.urlencode({'reference': first['reference'], 'pin': first['pin']}).encode())

    # the answer's redirect as the contract has it, which the browser hides
    third = book(base, kiosk, 'Third Visitor', 'Zonder browser')
    form = urllib.parse.urlencode({'action': 'propose', 'time': passes[0][2].strftime('%Y-%m-%dT%H:%M'), 'reason': ''})
    status, headers, _ = http('POST', f'{base}/inbox/{key}/bookings/{third["id"]}',
                              {'Content-Type': 'application/x-www-form-urlencoded'}, form.encode(), follow=False)
    location = urllib.parse.urlsplit(urllib.parse.urljoin(base, headers.get('Location', '')))
    check(status == 303 and location.path == f'/inbox/{key}',
          f'an answer from the inbox → {status} to {headers.get("Location")!r}')
    check(booking_status(base, third).get('status') == 'proposed', 'the proposal sent without a browser did not count')

    if screenshot_dir:
        phone = Browser(driver_port, os.path.join(tmpdir, 'profile-phone'), window=(390, 844), phone=True)
        browsers.append(phone)
        phone.go(first['status_url'])
        phone.type(phone.need('#pin'), first['pin'])
        phone.click(phone.need('#check'))
        wait_until('#status on the phone', lambda: phone.find('#status'))
        phone.screenshot('status-page-phone.png')
        check_requests(phone, base, 'phone')
        phone.quit()

    for what, headers in seen_headers.items():
        print(f'# {what}: ' + '; '.join(f'{name}: {value}' for name, value in headers.items()))
    if not any(headers.get('Content-Security-Policy') for headers in seen_headers.values()):
        note('no page sends a Content-Security-Policy header')
    exit_code = 1 if failures else 0
except TestError as error:
    failures.append(str(error))
    print('not ok:', error, file=sys.stderr)
finally:
    for browser in browsers:
        browser.quit()
    for process in reversed(processes):
        if process is not relay:
            stop(process)
    if relay is not None:
        stop(relay)
        # a clean exit on SIGTERM: under ASan this is where a leak shows
        if not check(relay.returncode == 0, f'wegwijzer-relay exited with {relay.returncode} on SIGTERM'):
            exit_code = 1
        if failures:
            print('wegwijzer-relay said:\n' + ''.join(relay_log[-40:]), file=sys.stderr)
    sweep(tmpdir)
    shutil.rmtree(tmpdir, ignore_errors=True)

print(f'{checks} checks, {len(failures)} failed, {len(notes)} notes')
sys.exit(exit_code)
