"""A recording relay in front of a Streamlit server: page response at the server's socket.

The load test's browser tabs share this machine's two cores with the server, so a time taken inside a tab
includes the tab waiting for CPU behind 29 other tabs, which a class's browsers, each on its own computer, would
not. This relay sits between the tabs and the server (plain TCP on localhost, every byte passed on unchanged as
soon as it is read) and reads the app's WebSocket messages as they go by: when a tab's request for a page run
(Streamlit's ``rerun_script`` BackMsg without a fragment id) reaches the server, and when the server's message
that a page run finished (``script_finished``) leaves it. The time between the two is the page response a client
on another computer would get, without the network's latency: the server's queueing, its script run and the
sending of every message of the page, and nothing of the tab's own rendering.

Each event is one JSON line in ``--log``: ``{"t": monotonic seconds, "conn": n, "event": "rerun" | "finished",
"page": page script hash}``; ``page_responses`` pairs them. The relay runs in its own process (``Tap``), so
that it never waits for the load test's own Python.

    python benchmarks/wire_tap.py --listen 8600 --to 8501 --log tap.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from google.protobuf.message import DecodeError
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

STREAM_PATH = b"/_stcore/stream"  # the app's WebSocket
HEAD_END = b"\r\n\r\n"
# bytes of a message kept for decoding: a page-run request carries the page's widget states (small); the server's
# script_finished is tiny, and its page deltas, often large, are skipped
KEEP = {"browser": 1 << 20, "server": 4096}
CHUNK = 1 << 16


class FrameReader:
    """Splits a byte stream of WebSocket frames (RFC 6455) into whole messages: ``feed(data)`` yields
    ``(opcode, payload)`` per complete message (fragments joined, client masks removed). Payloads over
    ``keep`` bytes are skipped, not kept: their opcode is yielded with ``None``."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._buffer = bytearray()
        self._opcode = 0
        self._parts: list[bytes] | None = []  # None: the current message is too large to keep
        self._size = 0

    def feed(self, data: bytes) -> Iterator[tuple[int, bytes | None]]:
        self._buffer += data
        while (frame := self._next_frame()) is not None:
            fin, opcode, payload, length = frame
            if opcode:  # a new message (0 continues the current one)
                self._opcode, self._parts, self._size = opcode, [], 0
            self._size += length
            if self._parts is not None:
                self._parts = None if self._size > self.keep else [*self._parts, payload]
            if fin:
                yield self._opcode, None if self._parts is None else b"".join(self._parts)

    def _next_frame(self) -> tuple[bool, int, bytes, int] | None:
        """(fin, opcode, payload or b"" when too large, length) of the first complete frame, consumed; or None."""
        buffer = self._buffer
        if len(buffer) < 2:
            return None
        fin, opcode, masked, length = buffer[0] & 0x80, buffer[0] & 0x0F, buffer[1] & 0x80, buffer[1] & 0x7F
        start = 2
        if length >= 126:
            extra = 2 if length == 126 else 8
            if len(buffer) < 2 + extra:
                return None
            length, start = int.from_bytes(buffer[2:2 + extra], "big"), 2 + extra
        mask = bytes(buffer[start:start + 4]) if masked else b""
        start += len(mask) if masked else 0
        if len(buffer) < start + length or (masked and len(mask) < 4):
            return None
        payload = b""
        if length <= self.keep:
            payload = bytes(buffer[start:start + length])
            if masked:
                payload = unmasked(payload, mask)
        del buffer[:start + length]
        return bool(fin), opcode, payload, length


def unmasked(payload: bytes, mask: bytes) -> bytes:
    """``payload`` XOR its repeated 4-byte ``mask``: how a browser's frames are masked, and unmasked."""
    key = (mask * (len(payload) // 4 + 1))[:len(payload)]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")).to_bytes(len(payload), "little")


def frame(payload: bytes, opcode: int = 2, fin: bool = True, mask: bytes | None = None) -> bytes:
    """One WebSocket frame (RFC 6455), masked as a browser sends it when ``mask`` (4 bytes) is given."""
    size, flag = len(payload), 0x80 if mask else 0
    head = bytes([(0x80 if fin else 0) | opcode])
    if size < 126:
        head += bytes([flag | size])
    elif size < 1 << 16:
        head += bytes([flag | 126]) + size.to_bytes(2, "big")
    else:
        head += bytes([flag | 127]) + size.to_bytes(8, "big")
    return head + mask + unmasked(payload, mask) if mask else head + payload


def page_run_request(payload: bytes) -> str | None:
    """The page script hash if ``payload`` (a browser's binary message) asks for a whole-page run, else None."""
    message = BackMsg()
    try:
        message.ParseFromString(payload)
    except DecodeError:
        return None
    if message.WhichOneof("type") != "rerun_script" or message.rerun_script.fragment_id:
        return None
    return message.rerun_script.page_script_hash


def is_page_run_finished(payload: bytes) -> bool:
    """Whether ``payload`` (a server's binary message) says a whole-page run finished (with or without an
    error in the page; not a fragment's run, nor a run cut short by a rerun)."""
    message = ForwardMsg()
    try:
        message.ParseFromString(payload)
    except DecodeError:
        return False
    return message.WhichOneof("type") == "script_finished" and message.script_finished in (
        ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)


@dataclass
class PageResponse:
    conn: int
    page: str
    seconds: float
    kind: str  # "first load" (a connection's first request), "page switch" (another page) or "same page"


def page_responses(events: list[dict]) -> tuple[list[PageResponse], int]:
    """Pairs each connection's page-run request with the next page run finished on it; returns the pairs and how
    many requests were superseded (a newer request came before the answer: the browser waits for that one)."""
    pending: dict[int, dict] = {}
    last_page: dict[int, str] = {}
    pairs, superseded = [], 0
    for event in sorted(events, key=lambda e: e["t"]):
        conn = event["conn"]
        if event["event"] == "rerun":
            superseded += conn in pending
            pending[conn] = event
        elif event["event"] == "finished" and conn in pending:
            asked = pending.pop(conn)
            kind = "first load" if conn not in last_page else \
                "page switch" if last_page[conn] != asked["page"] else "same page"
            pairs.append(PageResponse(conn, asked["page"], event["t"] - asked["t"], kind))
            last_page[conn] = asked["page"]
    return pairs, superseded


# ------------------------------------------------------------------------------------------------ relay


class Relay:
    """Passes every connection on to ``target`` (host, port) and logs the app's page runs with ``record``."""

    def __init__(self, target: tuple[str, int], record: Callable[[dict], None]) -> None:
        self.target, self.record = target, record
        self._connections = 0

    async def handle(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        self._connections += 1
        conn = self._connections
        try:
            server_in, server_out = await asyncio.open_connection(*self.target)
        except OSError:
            client_out.close()
            return
        try:
            head = await client_in.readuntil(HEAD_END)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            server_out.close()
            client_out.close()
            return
        server_out.write(head)
        tapped = STREAM_PATH in head.split(b"\r\n", 1)[0] and b"upgrade: websocket" in head.lower()
        upstream = self._pump(client_in, server_out, conn, "browser" if tapped else None)
        downstream = self._pump(server_in, client_out, conn, "server" if tapped else None, skip_head=tapped)
        await asyncio.gather(upstream, downstream, return_exceptions=True)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, conn: int, side: str | None,
                    skip_head: bool = False) -> None:
        """Copy ``source`` to ``sink``; on a tapped connection (``side``), read its WebSocket messages.

        ``sink`` is never waited for (no ``drain``): what a slow reader has not taken yet is buffered here, so that
        a tab starved of CPU does not hold back the reading of the server's later messages, and their times.
        (The server itself buffers for a slow client in the same way.)"""
        reader = FrameReader(KEEP[side] if side else 0)
        head = bytearray() if skip_head else None
        try:
            while data := await source.read(CHUNK):
                seen = time.monotonic()
                sink.write(data)
                if side is not None:
                    if head is not None:  # the server's handshake answer comes before any frame
                        head += data
                        if HEAD_END not in head:
                            continue
                        data, head = bytes(head.split(HEAD_END, 1)[1]), None
                    self._read(reader.feed(data), conn, side, seen)
        except ConnectionError:
            pass
        finally:
            sink.close()

    def _read(self, messages: Iterator[tuple[int, bytes | None]], conn: int, side: str, seen: float) -> None:
        for opcode, payload in messages:
            if opcode != 2 or payload is None:  # text, control and large messages carry no run boundary
                continue
            if side == "browser":
                page = page_run_request(payload)
                if page is not None:
                    self.record({"t": seen, "conn": conn, "event": "rerun", "page": page})
            elif is_page_run_finished(payload):
                self.record({"t": seen, "conn": conn, "event": "finished"})


async def serve(listen: int, target: tuple[str, int], log_path: Path) -> None:
    with open(log_path, "a", encoding="utf-8") as log:
        def record(event: dict) -> None:
            log.write(json.dumps(event) + "\n")
            log.flush()

        relay = Relay(target, record)
        server = await asyncio.start_server(relay.handle, "localhost", listen, limit=CHUNK)
        print("listening", flush=True)  # what ``Tap`` waits for
        async with server:
            await server.serve_forever()


class Tap:
    """The relay in its own process, listening on a free localhost port in front of ``target_port``."""

    def __init__(self, target_port: int, log_path: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("localhost", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://localhost:{self.port}"
        self.log_path = log_path
        log_path.unlink(missing_ok=True)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen([sys.executable, __file__, "--listen", str(self.port), "--to",
                                         str(target_port), "--log", str(log_path)], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, start_new_session=True)
        self.pid = self.process.pid
        if self.process.stdout.readline().strip() != b"listening":  # empty if it exited
            self.stop()
            raise RuntimeError(f"the wire tap did not start on port {self.port}")

    def events(self, since: float = float("-inf"), until: float = float("inf")) -> list[dict]:
        """The logged events between two ``time.monotonic()`` readings."""
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        return [e for e in map(json.loads, filter(None, lines)) if since <= e["t"] <= until]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGTERM)
            self.process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", type=int, required=True, help="localhost port to listen on")
    parser.add_argument("--to", type=int, required=True, help="localhost port of the Streamlit server")
    parser.add_argument("--log", type=Path, required=True, help="JSON-lines file of the page-run events")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.listen, ("localhost", args.to), args.log))  # until SIGTERM (``Tap.stop``)
    return 0


if __name__ == "__main__":
    sys.exit(main())
