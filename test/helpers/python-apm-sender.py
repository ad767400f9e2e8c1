"""A small real WSGI application instrumented by Debian's python3-sentry-sdk (1.9.10), sending
transactions (and one error) to a DSN.

    SNAG_DSN=http://<key>@127.0.0.1:<port>/<id> /usr/bin/python3 test/helpers/python-apm-sender.py requests

Optional: SNAG_RELEASE, SNAG_ENVIRONMENT. Run it with /usr/bin/python3: that is the interpreter
Debian installed sentry_sdk for (stdlib only besides it). The app is served by wsgiref on
127.0.0.1:0 behind SentryWsgiMiddleware (which makes the http.server transactions) and called
over real HTTP from this process, one route after the other. Prints one JSON line on stdout:
{"trace_ids": {"<route>": "<trace id>"}, "segment_ids": {"<route>": "<transaction span id>"},
"event_ids": {"checkout": "<error event id>"}, "requests": <n>, "version": "<sdk version>"}.

Routes mirror test/helpers/node-apm-app.js: /users/<id> (named by route, user set), /orders (N+1
over real sqlite3 queries), /checkout (cache.get span, an outbound call to /inventory through
http.client, which the SDK's stdlib integration turns into a span and a propagated trace, a
template.render span, then capture_exception and a 500) and /slow (~300 ms).
"""
import http.client
import json
import os
import socketserver
import sqlite3
import sys
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import sentry_sdk
from sentry_sdk.integrations.wsgi import SentryWsgiMiddleware

ids = {"trace_ids": {}, "segment_ids": {}, "event_ids": {}}
db_lock = threading.Lock()
db = sqlite3.connect(":memory:", check_same_thread=False)
db.executescript(
    """
    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total_cents INTEGER, status TEXT);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE inventory (sku TEXT PRIMARY KEY, stock INTEGER);
    INSERT INTO settings VALUES ('theme', 'dark');
    INSERT INTO inventory VALUES ('SKU-1', 12);
    """
)
for n in range(1, 9):
    db.execute("INSERT INTO users VALUES (?, ?, ?)", (n, "User %d" % n, "user%d@example.com" % n))
    db.execute("INSERT INTO orders VALUES (?, ?, ?, ?)", (n, n, n * 1250, "paid"))


def query(sql):
    """Runs literal SQL (as an ORM without bound parameters would) inside a db span."""
    with sentry_sdk.start_span(op="db", description=sql) as span:
        span.set_data("db.system", "sqlite")
        with db_lock:
            return db.execute(sql).fetchall()


def name_transaction(route):
    with sentry_sdk.configure_scope() as scope:
        scope.set_transaction_name(route, source="route")
        transaction = scope.transaction
    ids["trace_ids"][route] = transaction.trace_id
    ids["segment_ids"][route] = transaction.span_id


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def users(user_id, port):
    sentry_sdk.set_user({"id": "user-%s" % user_id})
    user = query("SELECT * FROM users WHERE id = %d" % int(user_id))
    related = query("SELECT id, name FROM users WHERE id IN (1, 2, 3) OR email = 'jane.doe@example.com'")
    return "200 OK", {"user": user[0][1], "related": len(related)}


def orders(_, port):
    total = query("SELECT COUNT(*) AS total FROM orders /*application:Shop,controller:orders,action:index*/")
    rows = query("SELECT * FROM orders")
    for row in rows:
        query("SELECT * FROM users WHERE id = %d" % row[1])
    for _ in range(5):
        query("SELECT * FROM settings WHERE key = 'theme'")
    return "200 OK", {"total": total[0][0], "orders": len(rows)}


def inventory(_, port):
    item = query("SELECT sku, stock FROM inventory WHERE sku = 'SKU-1'")
    return "200 OK", {"sku": item[0][0], "stock": item[0][1]}


def checkout(_, port):
    with sentry_sdk.start_span(op="cache.get", description="cart:42") as span:
        span.set_data("cache.key", ["cart:42"])
        span.set_data("cache.hit", False)
    status, body = get(port, "/inventory")
    with sentry_sdk.start_span(op="template.render", description="checkout/summary.html"):
        html = ("<p>empty cart: %s</p>" % body.decode()) * 50
    try:
        raise RuntimeError("Payment provider declined the charge")
    except RuntimeError as err:
        ids["event_ids"]["checkout"] = sentry_sdk.capture_exception()
        return "500 Internal Server Error", {"error": str(err), "rendered": len(html)}


def slow(_, port):
    with sentry_sdk.start_span(op="function", description="compute recommendations"):
        time.sleep(0.15)
    query("SELECT * FROM orders")
    time.sleep(0.15)
    return "200 OK", {"ok": True}


ROUTES = [
    ("/users/<id>", "/users/", users),
    ("/orders", "/orders", orders),
    ("/inventory", "/inventory", inventory),
    ("/checkout", "/checkout", checkout),
    ("/slow", "/slow", slow),
]


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    port = environ["SERVER_PORT"]
    for route, prefix, handler in ROUTES:
        param = path[len(prefix):] if prefix.endswith("/") else ""
        if path == prefix or (prefix.endswith("/") and path.startswith(prefix) and param.isdigit()):
            name_transaction(route)
            status, body = handler(param, int(port))
            start_response(status, [("Content-Type", "application/json")])
            return [json.dumps(body).encode()]
    start_response("404 Not Found", [("Content-Type", "application/json")])
    return [b'{"error": "no route"}']


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    # /checkout calls /inventory on this same server while its own request is open.
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass  # stdout carries the JSON line only; stderr stays for errors


def main():
    if sys.argv[1:] != ["requests"] or not os.environ.get("SNAG_DSN"):
        sys.stderr.write("usage: SNAG_DSN=... /usr/bin/python3 python-apm-sender.py requests\n")
        return 2
    sentry_sdk.init(
        dsn=os.environ["SNAG_DSN"],
        release=os.environ.get("SNAG_RELEASE") or None,
        environment=os.environ.get("SNAG_ENVIRONMENT") or "production",
        traces_sample_rate=1.0,
    )
    server = make_server(
        "127.0.0.1", 0, SentryWsgiMiddleware(app), server_class=ThreadingWSGIServer, handler_class=QuietHandler
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    requests = 0
    for path in ("/users/7", "/orders", "/checkout", "/slow"):
        # The driver stands for an uninstrumented caller (curl, a load balancer): a hub without a
        # client makes the stdlib integration skip it, so no span and no trace headers, and each
        # request starts its own trace on the server side.
        with sentry_sdk.Hub(None):
            status, _ = get(port, path)
        requests += 1
        if status != 200 and path != "/checkout":
            raise RuntimeError("GET %s answered %d" % (path, status))
    server.shutdown()
    sentry_sdk.flush(timeout=10)
    ids.update({"requests": requests, "version": sentry_sdk.VERSION})
    print(json.dumps(ids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
