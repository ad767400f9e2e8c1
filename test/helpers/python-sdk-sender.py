"""Sends events to a DSN with Debian's python3-sentry-sdk (1.9.10), one scenario per run.

    SNAG_DSN=http://<key>@127.0.0.1:<port>/<id> /usr/bin/python3 test/helpers/python-sdk-sender.py <scenario>

Run it with /usr/bin/python3: that is the interpreter Debian installed sentry_sdk for. Prints one
JSON line on stdout: {"ids": {"<label>": "<event id>", ...}, "version": "<sdk version>"}.

1.9.10 posts plain errors to /api/<id>/store/ (gzip, X-Sentry-Auth), and anything with an
attachment, and transactions, to /api/<id>/envelope/ (gzip, every item with a length).
"""
import json
import os
import sys

import sentry_sdk

ids = {}


def compute_ratio(total, parts):
    return total / parts


def build_report(total, parts):
    return {"ratio": compute_ratio(total, parts)}


def read_setting(settings, name):
    return settings[name]


def load_settings():
    return read_setting({"debug": "1"}, "database_url")


def parse_port(text):
    try:
        return int(text)
    except ValueError as err:
        raise RuntimeError("invalid port in config") from err


def capture(label, fn, *args):
    try:
        fn(*args)
    except Exception:
        ids[label] = sentry_sdk.capture_exception()


def errors():
    sentry_sdk.set_user({"id": "py-user-1", "email": "ada@example.com"})
    sentry_sdk.set_tag("component", "billing")
    for label in ("ratio-1", "ratio-2"):
        # The same line raises both times: one issue with two events.
        capture(label, build_report, 10, 0)
    capture("keyerror", load_settings)
    capture("chained", parse_port, "eighty")
    ids["message"] = sentry_sdk.capture_message("Nightly export skipped", level="warning")


def attachment():
    with sentry_sdk.push_scope() as scope:
        scope.add_attachment(bytes=b"\x00\x01\x02binary\nlog\xff", filename="dump.bin")
        capture("attachment", parse_port, "eighty")


def transaction():
    with sentry_sdk.start_transaction(op="task", name="nightly-export"):
        with sentry_sdk.start_span(op="db", description="SELECT 1"):
            pass
    ids["transaction"] = "sent"


SCENARIOS = {"errors": errors, "attachment": attachment, "transaction": transaction}


def main():
    scenario = sys.argv[1] if len(sys.argv) > 1 else ""
    if scenario not in SCENARIOS or not os.environ.get("SNAG_DSN"):
        sys.stderr.write("usage: SNAG_DSN=... python3 python-sdk-sender.py %s\n" % "|".join(SCENARIOS))
        return 2
    sentry_sdk.init(
        dsn=os.environ["SNAG_DSN"],
        release=os.environ.get("SNAG_RELEASE") or None,
        environment=os.environ.get("SNAG_ENVIRONMENT") or "production",
        traces_sample_rate=1.0 if scenario == "transaction" else 0.0,
        default_integrations=False,
        auto_session_tracking=False,
        send_client_reports=False,
    )
    SCENARIOS[scenario]()
    sentry_sdk.flush(timeout=5)
    print(json.dumps({"ids": ids, "version": sentry_sdk.VERSION}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
