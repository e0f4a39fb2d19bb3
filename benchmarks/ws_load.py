"""Class-pace load without browsers: N sessions speaking Streamlit's WebSocket protocol (``websockets``), each
playing the load test's flow as a browser would (page runs with widget values, fragment polls, pings answered),
0.5-1.5 x ``--think`` s between actions. Page response: request sent -> its ``script_finished``, on loopback.

    python -m benchmarks.ws_load -n 30 --json ws30.json
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from benchmarks import harness as h

PAGE_DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
RAMP, DIM, EPOCHS, TIMEOUT = 20.0, 20, 1, 600.0  # sessions arrive over RAMP s; each run's size


@dataclass
class Result(h.SessionResult):
    responses: list[tuple[str, float]] = field(default_factory=list)  # (action, seconds)
    fragment_polls: int = 0
    progress: str = ""  # the last progress text the session was shown


class Client:
    """One app session over a WebSocket: page runs, widget values, fragment polls."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}  # page name -> page script hash
        self.page = self.progress = self.closed = ""  # closed: why the server closed the connection
        self.widgets: dict[str, str] = {}  # label -> widget id, on the current page
        self.values: dict[str, WidgetState] = {}  # widget id -> the value this user set
        self.finished, self.polls, self.waiting, self.polls_sent = asyncio.Event(), {}, False, 0

    async def connect(self, port: int) -> None:
        # no per-message compression (the figures in BENCHMARKS.md were measured without); no proxy: localhost
        self.ws = await connect(f"ws://localhost:{port}/_stcore/stream", subprotocols=["streamlit"],
                                compression=None, proxy=None, max_size=None, ping_interval=None)
        self.receiving = asyncio.create_task(self.receive())

    def rerun(self, fragment: str = "", trigger: str | None = None) -> bytes:
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash, state.page_name = self.pages.get(self.page, ""), self.page if self.pages else ""
        state.fragment_id, state.is_auto_rerun = fragment, bool(fragment)
        for widget, value in self.values.items():
            if widget in self.widgets.values():  # as the browser: the widgets of this page
                state.widget_states.widgets.add().CopyFrom(value)
        if trigger is not None:
            state.widget_states.widgets.add(id=trigger, trigger_value=True)
        return message.SerializeToString()

    async def run_page(self, page: str | None = None, trigger: str | None = None) -> float:
        """Ask for a page run (another page, or this one with a button pressed); seconds until it finished."""
        if page is not None and page != self.page:
            self.page, self.widgets = page, {}
        self.finished.clear()
        self.waiting, started = True, time.perf_counter()
        await self.ws.send(self.rerun(trigger=trigger))
        await self.finished.wait()
        self.waiting = False
        if self.closed:
            raise ConnectionError(self.closed)
        return time.perf_counter() - started

    async def poll(self, fragment: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            if not self.waiting:  # the browser does not poll a fragment while its page runs
                try:
                    await self.ws.send(self.rerun(fragment=fragment))
                except ConnectionClosed:  # the receiver reports it
                    return
                self.polls_sent += 1

    def stop_polls(self, fragments: object) -> None:
        for fragment in list(fragments):
            if fragment in self.polls:
                self.polls.pop(fragment).cancel()

    async def receive(self) -> None:
        """Read every message; reading is also what lets ``websockets`` answer the server's pings."""
        try:
            async for data in self.ws:
                if isinstance(data, bytes):
                    self.handle(ForwardMsg.FromString(data))
        finally:
            self.closed = f"the server closed the connection (code {self.ws.close_code})"
            self.finished.set()  # a page run waiting for its answer learns it

    def handle(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "navigation":  # st.navigation's pages, by title
            self.pages = {p.page_name: p.page_script_hash for p in message.navigation.app_pages}
        elif kind == "new_session" and not message.metadata.run.fragment_ids:  # a whole-page run starts:
            self.stop_polls(self.polls)  # its fragments ask for their polls again
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            inner = getattr(message.delta.new_element, name := message.delta.new_element.WhichOneof("type"))
            if name == "progress":
                self.progress = inner.text
            elif hasattr(inner, "id") and hasattr(inner, "label") and inner.id:
                self.widgets[inner.label] = inner.id
        elif kind == "auto_rerun":
            self.stop_polls([fragment := message.auto_rerun.fragment_id])
            self.polls[fragment] = asyncio.create_task(self.poll(fragment, message.auto_rerun.interval))
        elif kind == "stop_auto_rerun":
            self.stop_polls(message.stop_auto_rerun.fragment_ids)
        elif kind == "script_finished" and message.script_finished in PAGE_DONE:
            self.finished.set()


async def run_session(port: int, index: int, think: float, dim: int, epochs: int, deadline: float) -> Result:
    """Open, Corpus, Train; dim, 1 worker, epochs; Start training; Gradients, Projection, Neighbours, Compare, Train;
    wait for Finished; Projection, Neighbours, Train."""
    result, pause, client = Result(index), random.Random(index), Client()

    async def act(name: str, page: str | None = None, trigger: str | None = None) -> None:
        await asyncio.sleep(pause.uniform(0.5, 1.5) * think)
        seconds = await asyncio.wait_for(client.run_page(page, trigger), max(1.0, deadline - time.monotonic()))
        result.responses.append((name, seconds))

    try:
        await client.connect(port)
        for page in ("first load", "Corpus", "Train"):
            await act(page, None if page == "first load" else page)
        for label, value in (("Vector size (dim)", dim), ("Workers", 1), ("Epochs", epochs)):
            client.values[client.widgets[label]] = WidgetState(id=client.widgets[label], int_value=value)
            await act(f"set {label}")
        clicked = time.perf_counter()
        await act("Start training", trigger=client.widgets["Start training"])
        result.queued = client.progress.startswith("Waiting in the queue")
        for page in ("Gradients", "Projection", "Neighbours", "Compare", "Train"):
            await act(page, page)
        while not client.progress.startswith("Finished"):
            if client.closed:
                raise ConnectionError(client.closed)
            if time.monotonic() > deadline:
                raise TimeoutError(f"the run did not finish: {client.progress[:80]!r}")
            await asyncio.sleep(0.5)
        result.run_seconds = time.perf_counter() - clicked
        for page in ("Projection", "Neighbours", "Train"):
            await act(page, page)
        result.completed = True
    except Exception as error:  # noqa: BLE001 - a failed session is counted and reported
        result.error = h.failure(error)
    finally:
        result.fragment_polls, result.progress = client.polls_sent, client.progress
        client.stop_polls(client.polls)
        if hasattr(client, "ws"):
            client.receiving.cancel()
            await client.ws.close()
    return result


async def run_all(port: int, n: int, ramp: float, think: float, dim: int, epochs: int, timeout: float) -> list[Result]:
    deadline = time.monotonic() + timeout
    return await h.arrive(n, ramp, lambda i: run_session(port, i, think, dim, epochs, deadline))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--sessions", type=int, default=30)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds a user waits between actions")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    out = h.header("ws_load", argv)
    with h.Server(h.ROOT / "test-output" / "ws_load_server.log") as server:
        if not (warm := asyncio.run(run_all(server.port, 1, 0, 0.2, DIM, EPOCHS, 180))[0]).completed:
            raise RuntimeError(f"the warm-up session failed: {warm.error}")
        before, own_cpu = server.quiet_status(), time.process_time()
        with server.watch() as load:
            results = asyncio.run(run_all(server.port, args.sessions, RAMP, args.think, DIM, EPOCHS, TIMEOUT))
        own_cpu, after = time.process_time() - own_cpu, server.quiet_status()
    responses = [(name, s) for r in results for name, s in r.responses]
    out |= {**h.summarise(results), "wall_s": load["wall_s"], "all": h.figures([s for _, s in responses]),
            "page_switches": h.figures([s for name, s in responses if not name.startswith(("set ", "Start", "first"))]),
            "fragment_polls": sum(r.fragment_polls for r in results), "server_cpu_s": load["server_cpu_s"],
            "client_cpu_s": own_cpu, "threads": [before[1], load["peak_threads"], after[1]],
            "rss_mb": [before[0], load["peak_rss_mb"], after[0]], "results": [asdict(r) for r in results]}
    print(f"{out['completed']}/{out['sessions']} sessions completed in {out['wall_s']:.0f} s ({out['queued']} "
          f"queued); CPU s: server {out['server_cpu_s']:.0f}, this client {own_cpu:.0f}; {out['fragment_polls']} "
          "fragment polls")
    for name, key in (("page response (request sent -> script_finished)", "all"), ("  page switches", "page_switches"),
                      ("run (Start training -> Finished)", "runs")):
        print(h.describe(name, out[key]))
    print("server threads before, peak, after: {}, {}, {}; RSS MB {:.0f}, {:.0f}, {:.0f}".format(
        *out["threads"], *out["rss_mb"]))
    return h.finish(out, args.json)


if __name__ == "__main__":
    sys.exit(main())
