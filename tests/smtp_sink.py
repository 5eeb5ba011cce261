"""A small SMTP server on 127.0.0.1 for the fault tests and the fault benchmark: it keeps
what it receives and can refuse addresses for good (550), answer "try later" (451), answer
slowly, keep a message without ever answering (as a server whose reply is lost), or go away.

Standard library only (``socketserver``); one thread per connection.
"""

from __future__ import annotations

import email
import socketserver
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Received:
    to: list[str]
    message_id: str
    subject: str


@dataclass
class SinkState:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # answered 550 at RCPT
    try_later: bool = False  # every RCPT answered 451
    delay: float = 0.0  # seconds before answering the end of DATA
    hang_after_data: bool = False  # keep the message, never answer
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)


class _Handler(socketserver.StreamRequestHandler):
    timeout = 60

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        state: SinkState = self.server.state  # type: ignore[attr-defined]
        self.reply("220 sink ESMTP")
        recipients: list[str] = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-sink")
                self.reply("250 8BITMIME")
            elif verb in ("HELO", "NOOP", "RSET"):
                recipients = [] if verb == "RSET" else recipients
                self.reply("250 OK")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip().strip("<>").split(">")[0]
                if address in state.refuse:
                    self.reply(f"550 5.1.1 <{address}>: Recipient address rejected: no such user")
                elif state.try_later:
                    self.reply("451 4.3.0 Mailbox busy, try again later")
                else:
                    recipients.append(address)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = bytearray()
                while True:
                    chunk = self.rfile.readline()
                    if not chunk or chunk in (b".\r\n", b".\n"):
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                message = email.message_from_bytes(bytes(data))
                with state.lock:
                    state.received.append(
                        Received(
                            to=list(recipients),
                            message_id=str(message.get("Message-ID", "")),
                            subject=str(message.get("Subject", "")),
                        )
                    )
                if state.hang_after_data:
                    state.released.wait(120)  # the sender is killed meanwhile
                    return
                if state.delay:
                    time.sleep(state.delay)
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    """``with SmtpSink() as sink:`` a server on ``sink.port``; ``sink.state`` says how it
    behaves and what it received; ``sink.stop()`` makes it go away."""

    def __init__(self, port: int = 0) -> None:
        self.state = SinkState()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.state = self.state  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def received(self) -> list[Received]:
        with self.state.lock:
            return list(self.state.received)

    def stop(self) -> None:
        self.state.released.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SmtpSink:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
