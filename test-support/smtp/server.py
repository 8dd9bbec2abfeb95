"""A real SMTP server for the tests (aiosmtpd, installed into .tools/py by scripts/test).

It listens on 127.0.0.1:<port>, offers STARTTLS with the given certificate and requires it
before AUTH and before any mail (as a mail relay on the internet does), accepts exactly one
user/password (AUTH PLAIN or LOGIN), and writes every message it receives to <out>/<n>.json:
the envelope, whether TLS and AUTH were used, and the message parsed by Python's email package
(subject, text part, HTML part, the raw message). It stops when its stdin closes, so a test
binary that ends or dies leaves no server behind.

Usage: server.py PORT CERT_PEM KEY_PEM USER PASSWORD OUT_DIR
"""

import email
import email.policy
import json
import os
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data)


class Keep:
    def __init__(self, out):
        self.out = out
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        login = (
            session.auth_data.login.decode()
            if session.authenticated and isinstance(session.auth_data, LoginPassword)
            else None
        )
        self.n += 1
        record = {
            "mail-from": envelope.mail_from,
            "rcpt-tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "auth-user": login,
            "subject": str(message["subject"]),
            "from": str(message["from"]),
            "to": str(message["to"]),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "raw": envelope.content.decode("utf-8", "replace"),
        }
        path = os.path.join(self.out, f"{self.n:04}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(path + ".tmp", path)
        return "250 Message accepted"


def main():
    port, cert, key, user, password, out = sys.argv[1:7]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(
        Keep(out),
        hostname="127.0.0.1",
        port=int(port),
        tls_context=context,
        require_starttls=True,
        authenticator=Authenticator(user, password),
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
