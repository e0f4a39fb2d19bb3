"""The load test's wire tap: WebSocket frames split into messages, page runs paired, and a real relay that passes
every byte on unchanged while it logs when a page-run request came in and when its answer went out."""

import asyncio
import json
import time

import pytest
from loop_support import run_in_own_thread
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.wire_tap import FrameReader, Tap, frame, page_responses, page_run_request


def rerun(page: str = "train-page", fragment: str = "") -> bytes:
    message = BackMsg()
    message.rerun_script.page_script_hash = page
    message.rerun_script.fragment_id = fragment
    return message.SerializeToString()


def finished(status: int = ForwardMsg.FINISHED_SUCCESSFULLY) -> bytes:
    message = ForwardMsg()
    message.script_finished = status
    return message.SerializeToString()


def test_frames_fed_in_any_pieces_give_whole_messages_unmasked():
    mask = b"\x12\x34\x56\x78"
    medium, large = b"m" * 300, b"L" * 70_000
    stream = (frame(b"hello", mask=mask) + frame(b"frag", fin=False, mask=mask)
              + frame(b"mented", opcode=0, mask=mask) + frame(medium, mask=mask) + frame(large)
              + frame(b"", opcode=9) + frame(b"text", opcode=1))
    for step in (1, 7, 1000, len(stream)):
        reader = FrameReader(keep=1000)
        messages = [m for start in range(0, len(stream), step) for m in reader.feed(stream[start:start + step])]
        assert messages == [(2, b"hello"), (2, b"fragmented"), (2, medium), (2, None), (9, b""), (1, b"text")]


def test_only_whole_page_run_requests_count():
    assert page_run_request(rerun("corpus-page")) == "corpus-page"
    assert page_run_request(rerun(fragment="live_panel")) is None  # a fragment's poll is not a page run
    assert page_run_request(b"\xff\xff not protobuf") is None


def test_each_request_is_paired_with_the_next_page_run_finished_on_its_connection():
    events = [
        {"t": 1.0, "conn": 1, "event": "rerun", "page": "train"},  # first load
        {"t": 1.5, "conn": 2, "event": "rerun", "page": "train"},
        {"t": 1.8, "conn": 1, "event": "finished"},
        {"t": 2.0, "conn": 1, "event": "rerun", "page": "corpus"},  # superseded by the next click
        {"t": 2.1, "conn": 1, "event": "rerun", "page": "corpus"},
        {"t": 2.6, "conn": 1, "event": "finished"},
        {"t": 3.0, "conn": 1, "event": "finished"},  # a run the server started by itself: no request
        {"t": 3.5, "conn": 2, "event": "finished"},
        {"t": 4.0, "conn": 2, "event": "rerun", "page": "train"},  # a widget on the same page
        {"t": 4.25, "conn": 2, "event": "finished"},
        {"t": 5.0, "conn": 2, "event": "rerun", "page": "corpus"},  # never answered: not a pair
    ]
    pairs, superseded = page_responses(events)
    assert superseded == 1
    got = sorted((p.conn, p.kind, round(p.seconds, 3)) for p in pairs)
    assert got == [(1, "first load", 0.8), (1, "page switch", 0.5), (2, "first load", 2.0), (2, "same page", 0.25)]


def test_the_relay_passes_every_byte_and_times_the_answer_at_the_servers_socket(tmp_path):
    """A stand-in WebSocket server answers a page-run request after 0.3 s with a large delta and
    script_finished; the tap logs the request and the answer 0.3 s apart and the client gets the same bytes."""
    answer = frame(b"D" * 200_000) + frame(finished(ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)) \
        + frame(finished())
    request = frame(rerun(fragment="poll"), mask=b"abcd") + frame(rerun("corpus"), mask=b"wxyz")

    async def scenario() -> tuple[bytes, bytes, Tap]:
        received = bytearray()

        async def websocket_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
            received.extend(await reader.readexactly(len(request)))
            await asyncio.sleep(0.3)
            writer.write(answer)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(websocket_server, "localhost", 0)
        tap = await asyncio.to_thread(Tap, server.sockets[0].getsockname()[1], tmp_path / "events.jsonl")
        try:
            reader, writer = await asyncio.open_connection("localhost", tap.port)
            writer.write(b"GET /_stcore/stream HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                         b"Connection: Upgrade\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 101")
            writer.write(request)
            await writer.drain()
            body = await reader.read()  # until the server closes
            writer.close()
        finally:
            await asyncio.to_thread(tap.stop)
            server.close()
        return bytes(received), body, tap

    received, body, tap = run_in_own_thread(scenario())
    assert received == request and body == answer
    events = tap.events()
    assert [e["event"] for e in events] == ["rerun", "finished"] and events[0]["page"] == "corpus"
    (pair,), superseded = page_responses(events)
    assert superseded == 0 and pair.seconds == pytest.approx(0.3, abs=0.1)
    assert tap.events(since=time.monotonic()) == []
    assert json.loads((tmp_path / "events.jsonl").read_text().splitlines()[0])["conn"] == 1
