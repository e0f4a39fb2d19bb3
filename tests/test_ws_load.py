"""The protocol-level load client (benchmarks/ws_load.py) plays one user's flow against a real server: every page
run is answered, the settings it types reach the run, and the run finishes, on a server that pings every 3 s and
drops a client that has not answered within 3 s (a session here lasts 20 s or more)."""

from loop_support import run_in_own_thread

from benchmarks.harness import Server
from benchmarks.ws_load import run_all


def test_one_session_trains_with_the_settings_it_typed_and_every_page_answers(tmp_path):
    with Server(tmp_path / "server.log", env={"STREAMLIT_SERVER_WEBSOCKET_PING_INTERVAL": "3"}) as server:
        (result,) = run_in_own_thread(run_all(server.port, 1, ramp=0, think=0.05, dim=8, epochs=2, timeout=300))
    assert result.completed, result.error
    names = [name for name, _ in result.responses]
    assert names[:3] == ["first load", "Corpus", "Train"] and names.count("Projection") == 2 and len(names) == 15
    assert all(0 < seconds < 60 for _, seconds in result.responses)
    assert result.progress.startswith("Finished") and "epoch 2/2" in result.progress  # the typed epochs applied
