# tests/lesson05_smtp_server.py — the real SMTP peer of test_lesson05's smtp_send cases:
# aiosmtpd (Debian's python3-aiosmtpd) on loopback, printing each message it accepts as one JSON
# line on stdout. Stops when its stdin closes.
#
#   python3 lesson05_smtp_server.py PORT [--cert C --key K [--implicit]] [--auth USER:PASS]
#                                        [--refuse ADDRESS]... [--only-login]
import argparse
import email
import email.policy
import json
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("--cert")
ap.add_argument("--key")
ap.add_argument("--implicit", action="store_true")
ap.add_argument("--auth")
ap.add_argument("--refuse", action="append", default=[])
ap.add_argument("--only-login", action="store_true")
args = ap.parse_args()


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in args.refuse:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        print(json.dumps({
            "from": envelope.mail_from, "to": envelope.rcpt_tos, "mail_options": envelope.mail_options,
            "subject": str(msg["subject"]), "raw_subject": msg.get("subject", "").__str__(),
            "content_type": msg["content-type"], "cte": msg["content-transfer-encoding"],
            "has_date": msg["date"] is not None, "has_message_id": msg["message-id"] is not None,
            "header_to": msg["to"], "body": msg.get_content().replace("\r\n", "\n"),
            "tls": session.ssl is not None, "authenticated": session.authenticated,
        }, ensure_ascii=False), flush=True)
        return "250 OK: queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    user, _, password = args.auth.partition(":")
    ok = auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False)


ctx = None
if args.cert:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(args.cert, args.key)

kw = {}
if args.auth:
    # aiosmtpd 1.4 counts only STARTTLS as TLS when it hides AUTH; implicit TLS is TLS all along.
    kw.update(authenticator=authenticator, auth_require_tls=not args.implicit)
    if args.only_login:
        kw.update(auth_exclude_mechanism=["PLAIN"])
if ctx is not None and not args.implicit:
    kw.update(tls_context=ctx)
controller = Controller(Handler(), hostname="127.0.0.1", port=args.port,
                        ssl_context=ctx if args.implicit else None, enable_SMTPUTF8=True, **kw)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
