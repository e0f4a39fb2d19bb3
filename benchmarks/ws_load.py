"""Load without browsers: N sessions speaking Streamlit's WebSocket protocol arrive over 20 s at one server of the
app, 0.5-1.5 x ``--think`` s between actions. ``--flow full``: a class's visit (every page, a run of dim 20, 1 epoch,
to Finished); page response: request sent -> its ``script_finished``. ``--flow brief``: open, Start training (dim
100, 1 epoch), close, ``--rounds`` times on one server, closed sessions left to expire: the server's RSS and threads.

    python -m benchmarks.ws_load -n 30 [--think 1]
    python -m benchmarks.ws_load -n 50 --flow brief --rounds 2
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from benchmarks.harness import ROOT, Server, header

PAGE_DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
TRAINING_SHOWN = re.compile(r"Waiting in the queue|Compiling|Training|Finished")
RAMP, DIM, EPOCHS, TIMEOUT = 20.0, 20, 1, 600.0  # sessions arrive over RAMP s; the full flow's run size
SESSION_TTL, RECLAIM_WAIT = 120, 16.0  # Streamlit's default; one period of ui.serving's watchdog and a second


@dataclass
class Result:
    """One simulated user: did the flow complete, did its run wait in the queue, its page responses."""

    index: int
    completed: bool = False
    error: str = ""
    queued: bool = False
    run_seconds: float | None = None  # Start training -> Finished
    responses: list[tuple[str, float]] = field(default_factory=list)  # (action, seconds)
    progress: str = ""  # the last progress text the session was shown


def figures(seconds: Sequence[float]) -> str:
    """"n=30, median 0.10 s, p95 0.54 s, max 1.23 s" of some times."""
    if not seconds:
        return "none"
    median, p95, top = np.percentile(seconds, [50, 95, 100])
    return f"n={len(seconds)}, median {median:.2f} s, p95 {p95:.2f} s, max {top:.2f} s"


class Client:
    """One app session over a WebSocket, as a browser: page runs, widget values, fragment polls; reading every
    message is also what lets ``websockets`` answer the server's pings."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}  # page name -> page script hash
        self.page = self.progress = self.closed = ""  # closed: why the server closed the connection
        self.widgets: dict[str, str] = {}  # label -> widget id, on the current page
        self.values: dict[str, WidgetState] = {}  # widget id -> the value this user set
        self.finished, self.trained = asyncio.Event(), asyncio.Event()  # a page run; the training run
        self.polls, self.waiting = {}, False

    async def connect(self, port: int) -> None:
        # no per-message compression (the figures in BENCHMARKS.md were measured without); no proxy: localhost
        self.ws = await connect(f"ws://localhost:{port}/_stcore/stream", subprotocols=["streamlit"],
                                compression=None, proxy=None, max_size=None, ping_interval=None)
        self.receiving = asyncio.create_task(self.receive())

    async def send_rerun(self, fragment: str = "", trigger: str | None = None) -> None:
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash, state.page_name = self.pages.get(self.page, ""), self.page if self.pages else ""
        state.fragment_id, state.is_auto_rerun = fragment, bool(fragment)
        for widget, value in self.values.items():
            if widget in self.widgets.values():  # as the browser: the widgets of this page
                state.widget_states.widgets.add().CopyFrom(value)
        if trigger is not None:
            state.widget_states.widgets.add(id=trigger, trigger_value=True)
        await self.ws.send(message.SerializeToString())

    async def run_page(self, page: str | None = None, trigger: str | None = None) -> float:
        """Ask for a page run (another page, or this one with a button pressed); seconds until it finished."""
        if page is not None and page != self.page:
            self.page, self.widgets = page, {}
        self.finished.clear()
        self.waiting, started = True, time.perf_counter()
        await self.send_rerun(trigger=trigger)
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
                    await self.send_rerun(fragment=fragment)
                except ConnectionClosed:  # the receiver reports it
                    return

    def stop_polls(self, fragments: Iterable[str]) -> None:
        for fragment in list(fragments):
            if fragment in self.polls:
                self.polls.pop(fragment).cancel()

    async def receive(self) -> None:
        try:
            async for data in self.ws:
                if isinstance(data, bytes):
                    self.handle(ForwardMsg.FromString(data))
        finally:
            self.closed = f"the server closed the connection (code {self.ws.close_code})"
            self.finished.set()  # a page run or a run waiting for its end learns it
            self.trained.set()

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
                if inner.text.startswith("Finished"):
                    self.trained.set()
            elif hasattr(inner, "id") and hasattr(inner, "label") and inner.id:
                self.widgets[inner.label] = inner.id
        elif kind == "auto_rerun":
            self.stop_polls([fragment := message.auto_rerun.fragment_id])
            self.polls[fragment] = asyncio.create_task(self.poll(fragment, message.auto_rerun.interval))
        elif kind == "stop_auto_rerun":
            self.stop_polls(message.stop_auto_rerun.fragment_ids)
        elif kind == "script_finished" and message.script_finished in PAGE_DONE:
            self.finished.set()


async def run_session(port: int, index: int, flow: str, think: float, dim: int, epochs: int,
                      deadline: float) -> Result:
    """full: open, Corpus, Train; dim, 1 worker, epochs; Start training; Gradients, Projection, Neighbours, Compare,
    Train; wait for Finished; Projection, Neighbours, Train. brief: open; epochs; Start training; close."""
    result, pause, client, brief = Result(index), random.Random(index), Client(), flow == "brief"

    async def act(name: str, page: str | None = None, trigger: str | None = None) -> None:
        await asyncio.sleep(pause.uniform(0.5, 1.5) * think)
        seconds = await asyncio.wait_for(client.run_page(page, trigger), max(1.0, deadline - time.monotonic()))
        result.responses.append((name, seconds))

    try:
        await client.connect(port)
        for page in ("first load",) if brief else ("first load", "Corpus", "Train"):
            await act(page, None if page == "first load" else page)
        for label, value in (("Vector size (dim)", dim), ("Workers", 1), ("Epochs", epochs))[2 if brief else 0:]:
            client.values[client.widgets[label]] = WidgetState(id=client.widgets[label], int_value=value)
            await act(f"set {label}")
        clicked = time.perf_counter()
        await act("Start training", trigger=client.widgets["Start training"])
        result.queued = client.progress.startswith("Waiting in the queue")
        if brief and not TRAINING_SHOWN.match(client.progress):
            raise RuntimeError(f"no run started: {client.progress[:80]!r}")
        for page in () if brief else ("Gradients", "Projection", "Neighbours", "Compare", "Train"):
            await act(page, page)
        if not brief:  # the Train page's fragment polls bring the run's progress
            await asyncio.wait_for(client.trained.wait(), max(1.0, deadline - time.monotonic()))
            if client.closed:
                raise ConnectionError(client.closed)
            result.run_seconds = time.perf_counter() - clicked
        for page in () if brief else ("Projection", "Neighbours", "Train"):
            await act(page, page)
        result.completed = True
    except Exception as error:  # noqa: BLE001 - a failed session is counted and reported
        result.error = f"{type(error).__name__}: {(str(error).splitlines() or [''])[0][:200]}"
    finally:
        result.progress = client.progress
        client.stop_polls(client.polls)
        if hasattr(client, "ws"):
            client.receiving.cancel()
            await client.ws.close()
    return result


async def run_all(port: int, n: int, flow: str = "full", ramp: float = RAMP, think: float = 2.0,
                  dim: int = DIM, epochs: int = EPOCHS, timeout: float = TIMEOUT) -> list[Result]:
    """``n`` sessions starting evenly over ``ramp`` seconds, each within ``timeout`` s."""
    deadline = time.monotonic() + timeout

    async def one(index: int) -> Result:
        await asyncio.sleep(ramp * index / max(n, 1))
        return await run_session(port, index, flow, think, dim, epochs, deadline)

    return list(await asyncio.gather(*map(one, range(n))))


def settle(server: Server, session_ttl: float, baseline_threads: int) -> tuple[float, int]:
    """After the sessions closed: wait for them to expire, let one probe session come and go (Streamlit drops
    expired sessions when one disconnects), give the watchdog time to reclaim their memory and idle threads up to
    60 s to end; the server's (RSS MB, threads) then."""
    time.sleep(session_ttl + 1)
    asyncio.run(run_all(server.port, 1, "brief", ramp=0, think=0, timeout=60))
    time.sleep(RECLAIM_WAIT)
    deadline, (rss, threads) = time.monotonic() + 60, server.quiet_status()
    while threads > baseline_threads and time.monotonic() < deadline:  # idle file-serving threads end only
        rss, threads = server.quiet_status()  # when a request comes after 10 s
    return rss, threads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--sessions", type=int, default=30)
    parser.add_argument("--flow", choices=["full", "brief"], default="full")
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds a user waits between actions")
    parser.add_argument("--rounds", type=int, default=1, help="the N sessions this many times on one server")
    args = parser.parse_args(argv)
    header("ws_load", argv)
    results: list[Result] = []
    with Server(ROOT / "test-output" / "ws_load_server.log", session_ttl=SESSION_TTL) as server:
        if not (warm := asyncio.run(run_all(server.port, 1, ramp=0, think=0.2, timeout=180))[0]).completed:
            raise RuntimeError(f"the warm-up session failed: {warm.error}")
        before = server.quiet_status()
        print(f"server after warm-up: RSS {before[0]:.0f} MB, {before[1]} threads")
        for number in range(1, args.rounds + 1):
            with server.watch() as load:
                batch = asyncio.run(run_all(server.port, args.sessions, args.flow, think=args.think))
            rss, threads = settle(server, SESSION_TTL, before[1]) if args.flow == "brief" else server.quiet_status()
            results += batch
            print(f"round {number}: {sum(r.completed for r in batch)}/{len(batch)} sessions completed in "
                  f"{load['wall_s']:.0f} s ({sum(r.queued for r in batch)} queued), server CPU "
                  f"{load['server_cpu_s']:.0f} s; server RSS MB peak {load['peak_rss_mb']:.0f}, after {rss:.0f}; "
                  f"threads peak {load['peak_threads']}, after {threads}")
    responses = [(name, s) for r in results for name, s in r.responses]
    print("page response (request sent -> script_finished): " + figures([s for _, s in responses]))
    switches = [s for name, s in responses if not name.startswith(("set ", "Start", "first"))]
    print("  page switches: " + figures(switches))
    print("run (Start training -> Finished): " + figures([r.run_seconds for r in results if r.run_seconds]))
    for r in results:
        if r.error:
            print(f"  session {r.index}: {r.error}")
    return 0 if all(r.completed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
