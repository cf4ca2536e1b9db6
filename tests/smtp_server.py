#!/usr/bin/python3
"""smtp_server.py — an SMTP sink for tests (aiosmtpd; run with Debian's /usr/bin/python3).

    smtp_server.py --port N --dir D [--starttls CERT KEY | --smtps CERT KEY] [--auth USER:PASS]

Listens on 127.0.0.1 only. Port 0 picks a free port. Once listening it prints one line,
"READY <port>", on stdout (flushed) and nothing else there; diagnostics go to stderr.

Every accepted message is written to D/<n>.eml (n = 1, 2, … in arrival order), atomically
(written to a temporary name, then renamed), before the server answers 250 to DATA: when the
client has its 250, the file is complete. The file holds the message bytes exactly as received
(CRLF line ends, dot-stuffing removed), preceded by headers this sink adds:

    X-Envelope-From: <MAIL FROM address>
    X-Envelope-To: <RCPT TO address>          (one line per recipient)
    X-Smtp-Tls: yes|no                         (was the session encrypted when DATA ran)
    X-Smtp-Auth: <user>|none                   (the authenticated login, if any)

Options:
  --starttls CERT KEY  offer STARTTLS with this certificate (PEM) and key
  --smtps CERT KEY     implicit TLS from the first byte (smtps://) instead
  --auth USER:PASS     offer AUTH PLAIN/LOGIN (also over plain text), accept only this pair,
                       and refuse MAIL until the client has authenticated
Stops on SIGTERM/SIGINT with exit code 0.
"""

import argparse
import asyncio
import logging
import os
import signal
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class SinkHandler:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        tls = server.transport is not None and \
            server.transport.get_extra_info("ssl_object") is not None
        user = "none"
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            user = session.auth_data.login.decode("utf-8", "replace")
        head = [b"X-Envelope-From: " + envelope.mail_from.encode("utf-8", "surrogateescape")]
        for rcpt in envelope.rcpt_tos:
            head.append(b"X-Envelope-To: " + rcpt.encode("utf-8", "surrogateescape"))
        head.append(b"X-Smtp-Tls: " + (b"yes" if tls else b"no"))
        head.append(b"X-Smtp-Auth: " + user.encode("utf-8"))
        data = b"\r\n".join(head) + b"\r\n" + envelope.original_content
        final = os.path.join(self.directory, "%d.eml" % self.count)
        tmp = final + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, final)
        return "250 OK"


class OneLineFormatter(logging.Formatter):
    def formatException(self, ei):
        exc = ei[1]
        cause = exc.__cause__ or exc.__context__
        return "%r%s" % (exc, " caused by %r" % cause if cause else "")

    def format(self, record):
        return super().format(record).replace("\n", " | ")


def make_authenticator(user, password):
    want = LoginPassword(user.encode("utf-8"), password.encode("utf-8"))

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data == want
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        # handled=False: aiosmtpd answers "535 … credentials invalid" itself.
        return AuthResult(success=False, handled=False)

    return authenticator


def server_tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


async def serve(args):
    handler = SinkHandler(args.dir)
    starttls_ctx = server_tls_context(*args.starttls) if args.starttls else None
    smtps_ctx = server_tls_context(*args.smtps) if args.smtps else None
    kwargs = {}
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not sep:
            raise SystemExit("--auth wants USER:PASS")
        kwargs.update(authenticator=make_authenticator(user, password), auth_required=True,
                      auth_require_tls=False)
    loop = asyncio.get_running_loop()

    def factory():
        return SMTP(handler, hostname="localhost", tls_context=starttls_ctx, loop=loop, **kwargs)

    server = await loop.create_server(factory, host="127.0.0.1", port=args.port, ssl=smtps_ctx)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write("READY %d\n" % port)
    sys.stdout.flush()
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    p = argparse.ArgumentParser(description="SMTP sink for tests")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--dir", required=True)
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    tls.add_argument("--smtps", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth", metavar="USER:PASS")
    args = p.parse_args()
    # AUTH over plain text is deliberate here (tests); keep stderr for real problems, one line
    # each (a client refusing our self-signed certificate is a normal test case).
    warnings.filterwarnings("ignore", module="aiosmtpd")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter("smtp_server: %(message)s"))
    log = logging.getLogger("mail.log")
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.ERROR)
    if not os.path.isdir(args.dir):
        raise SystemExit("--dir %s: not a directory" % args.dir)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
