"""Train page: hyperparameters, Start/Pause/Resume/Stop and step mode, live loss and progress."""

import streamlit as st

from ui.charts import alpha_figure, loss_figure
from ui.corpus_source import LoadedCorpus
from ui.corpus_state import current_corpus
from ui.current_run import get_trainer, run_corpus_name
from ui.errors import message_of, safe_callback, user_errors
from ui.exports import config_json, figure_html, history_csv
from ui.limits import limits
from ui.option_inputs import option_input
from ui.saved_runs import continue_section, download_current_button
from ui.settings import DEFAULTS, setting, training_config
from ui.text import md_literal, md_message
from ui.training import (
    queue_position,
    resume_trainer,
    set_trainer,
    start_in_queue,
    stop_notice,
    stop_trainer,
    touch_session,
    training_phase,
    waiting_poll_seconds,
)
from w2v_core.corpus import check_trainable
from w2v_core.states import ACTIVE, STARTABLE, State
from w2v_core.trainer import ConfigError, Progress, Trainer

POLL_SECONDS = 1.0  # the loss chart and progress while training
SCHEDULE_POLL_SECONDS = 5.0  # the learning-rate chart and the epoch table
STEP_CHOICES = (1_000, 10_000, 100_000, 1_000_000)
# The live charts and progress bar stay fully drawn while their fragment reruns: Streamlit's dimming and fade-back
# of recomputed elements flickers on a page redrawn every second, and costs the browser frames.
LIVE_STYLE = """<style>
.st-key-loss_chart, .st-key-alpha_chart, :is(.st-key-loss_chart, .st-key-alpha_chart) [data-testid="stFullScreenFrame"],
[data-testid="stElementContainer"]:has(> [data-testid="stProgress"]) {
  opacity: 1 !important; transition: none !important;
}
[data-testid="stProgress"] * {transition: none !important;}
</style>"""


def settings_form(loaded: LoadedCorpus | None) -> None:
    """Hyperparameter widgets (their values persist across pages)."""
    first, second, third, fourth = st.columns([1.3, 1, 1, 1])  # the model names fit a 1280 px wide screen
    option_input(first, "model")
    option_input(second, "loss")
    option_input(third, "dim", step=10)
    option_input(fourth, "epochs")
    option_input(first, "window")
    option_input(second, "negative")
    option_input(third, "sample", step=1e-4, number_format="%g")
    option_input(fourth, "workers")
    with st.expander("More settings"):
        a, b, c, e = st.columns(4)
        option_input(a, "alpha", step=0.005, number_format="%g")
        option_input(b, "min_alpha", step=0.0001, number_format="%g")
        option_input(c, "ns_exponent", step=0.05)
        option_input(e, "seed")
        a, b = st.columns(2)  # two to a row: the labels stay whole
        option_input(a, "telemetry")
        option_input(b, "cbow_full_step")
        option_input(a, "shared_negatives")
        option_input(b, "hot_row_copies")
    if loaded is not None:
        st.caption(f"Training on **{md_literal(loaded.name)}**: {len(loaded.corpus.vocab):,} words, "
                   f"{loaded.corpus.n_tokens:,} tokens per epoch. Settings apply when a run starts.")


def _new_trainer() -> tuple[Trainer, str]:
    """A trainer on the current corpus and settings, with the corpus name (raises for bad settings)."""
    loaded = current_corpus()
    config = training_config()
    words, largest = len(loaded.corpus.vocab), limits().max_softmax_vocab
    if config.loss == "softmax" and words > largest:
        raise ConfigError(f"Full softmax costs O(vocabulary) per training pair: with {words:,} words it is too slow "
                          f"for this server, which allows it up to {largest:,} words. Raise min_count or set a "
                          "largest vocabulary on the Corpus page, or use negative sampling or hierarchical "
                          "softmax.")
    notes = check_trainable(loaded.corpus, config.window)  # raises when there is nothing to learn from
    trainer = Trainer(loaded.corpus, config)
    trainer.warnings.extend(notes)
    return trainer, loaded.name


@safe_callback("_train_error", "Could not start training")
def _start() -> None:
    trainer, name = _new_trainer()
    set_trainer(trainer, name)
    start_in_queue(trainer)


@safe_callback("_train_error", "Could not train a step")
def _step() -> None:
    trainer = get_trainer()
    if queue_position(trainer):
        raise RuntimeError("this run waits for a training slot; stop it first to train step by step.")
    if trainer is None or trainer.state not in STARTABLE:
        trainer, name = _new_trainer()
        set_trainer(trainer, name)
    trainer.step(int(setting("step_words")))


@safe_callback("_train_error", "Could not change the training")
def _call(method: str) -> None:
    trainer = get_trainer()
    if trainer is not None:
        {"pause": Trainer.pause, "resume": resume_trainer, "stop": stop_trainer}[method](trainer)


def controls() -> None:
    """Start / Pause / Resume / Stop and the step mode."""
    trainer = get_trainer()
    state = trainer.state if trainer is not None else None
    waiting = training_phase(trainer) == "waiting"
    active = (trainer is not None and trainer.is_active) or waiting
    columns = st.columns([1.3, 1, 1, 1, 1.3, 1.5], vertical_alignment="bottom")  # buttons in line with the select
    columns[0].button("Start training", type="primary", on_click=_start, disabled=active,
                      help="Start a new run with the settings above (a paused run is discarded).")
    columns[1].button("Pause", on_click=_call, args=("pause",), disabled=not active or waiting,
                      help="Let the threads finish their current chunk and wait.")
    columns[2].button("Resume", on_click=_call, args=("resume",), disabled=state != State.PAUSED,
                      help="Continue the paused run.")
    columns[3].button("Stop", on_click=_call, args=("stop",),
                      disabled=not waiting and state not in ACTIVE | {State.PAUSED},
                      help="End the run (or leave the queue); its vectors stay available for exploring.")
    words = columns[4].selectbox("Words per step", STEP_CHOICES, STEP_CHOICES.index(DEFAULTS["step_words"]),
                                 format_func="{:,}".format,
                                 key="step_words", persist_state="session",
                                 help="Step mode: train this many words, then pause, to watch learning slowly.")
    columns[5].button(f"Train {words:,} words", key="step_button", on_click=_step, disabled=active,
                      help="Train a few words in the foreground and pause (starts a new run if none is paused).")
    error = st.session_state.pop("_train_error", None)
    if error:
        st.error(error)
    if trainer is not None:
        for warning in trainer.warnings:
            st.warning(warning)


def _duration(seconds: float | None) -> str:
    """"1.4 s" below 10 s (a small run's "took 0 s" read as nothing), else "12 s" or "3 min 05 s"."""
    if seconds is None:
        return "–"
    if seconds < 9.95:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def progress_text(label: str, state: str, progress: Progress) -> str:
    """The progress bar's line: a running run's speed and time left; an ended or paused one's totals."""
    words = (f"{label}: {progress.words_done:,} of {progress.words_total:,} words · "
             f"epoch {progress.epoch}/{progress.epochs}")
    if state in ACTIVE:
        return (f"{words} · {progress.words_per_second:,.0f} words/s · elapsed {_duration(progress.elapsed_seconds)}"
                f" · ETA {_duration(progress.eta_seconds)} · learning rate {progress.alpha:.3g}")
    took = "trained for" if state in STARTABLE else "took"
    return (f"{words} · {progress.words_per_second:,.0f} words/s on average · {took} "
            f"{_duration(progress.elapsed_seconds)} · learning rate {progress.alpha:.3g}")


def live_panel(was: str) -> None:
    """Progress and the loss chart; a fragment that reruns every second while training runs (less often while
    the run waits in the queue) and reruns the page when the run's phase changes."""
    touch_session()
    trainer = get_trainer()
    if trainer is None:  # the empty chart is laid out (and the browser's charting code loaded) before the run
        st.info("Press **Start training** to train on the corpus with these settings and watch the loss fall, or "
                "open a saved run (a .w2vrun file) on the Compare page.")
        st.plotly_chart(loss_figure(None), key="loss_chart")
        return
    now = training_phase(trainer)
    if now == "waiting":  # nothing to chart yet: a cheap poll until the run starts
        st.info(f"Waiting for a free training slot: you are number {queue_position(trainer)} in the queue. "
                "The run starts by itself when a slot frees up; keep this tab open.")
        st.progress(0.0, text=f"Waiting in the queue (number {queue_position(trainer)})")
        if now != was:
            st.rerun(scope="app")
        return
    notice = stop_notice(trainer)
    if notice:
        st.warning(notice)
    progress = trainer.progress()
    label = {State.COMPILING: "Compiling the training kernels (first run only)…", State.RUNNING: "Training",
             State.PAUSED: "Paused", State.FINISHED: "Finished", State.STOPPED: "Stopped", State.FAILED: "Failed",
             State.READY: "Ready"}.get(trainer.state, trainer.state)
    st.progress(min(progress.fraction, 1.0), text=progress_text(label, trainer.state, progress))
    if trainer.state == State.FAILED:
        st.error(f"{md_message(trainer.error or 'Training failed.')} Change the settings and press Start training "
                 "again.")
    n_tokens = trainer.corpus.n_tokens
    ends = [k * n_tokens for k in range(1, progress.epochs) if k * n_tokens <= progress.words_done]
    st.plotly_chart(loss_figure(trainer.recorder.loss_history(), ends), key="loss_chart")
    if now != was:
        st.rerun(scope="app")


def schedule_panel() -> None:
    """The learning-rate schedule and the mean loss per epoch; a fragment refreshed every few seconds during
    training (each redraw costs the browser CPU that the training threads could use)."""
    trainer = get_trainer()
    if training_phase(trainer) == "waiting":
        return
    left, right = st.columns([3, 2])
    if trainer is None:  # the schedule a run would follow (drawn now, so a run's start only updates it)
        try:
            config, words = training_config(), current_corpus().corpus.n_tokens
        except (ValueError, KeyError):  # Start training names the problem
            return
        left.plotly_chart(alpha_figure(None, config.epochs * words, config.start_alpha, config.end_alpha),
                          key="alpha_chart")
        return
    config = trainer.config
    left.plotly_chart(alpha_figure(trainer.recorder.loss_history(), trainer.progress().words_total, config.start_alpha,
                                   config.end_alpha), key="alpha_chart")
    epochs = trainer.recorder.epoch_losses()
    if len(epochs):
        right.dataframe(epochs.rename(columns={"loss": "mean loss", "words_done": "words trained"}), hide_index=True,
                        height=min(36 * len(epochs) + 38, 300),
                        column_config={"mean loss": st.column_config.NumberColumn(format="%.4f"),
                                       "words trained": st.column_config.NumberColumn(format="localized")})


def downloads() -> None:
    """Exports of the run: configuration, loss history and the loss chart."""
    trainer = get_trainer()
    if trainer is None or training_phase(trainer) != "idle":
        return
    history = trainer.recorder.loss_history()
    progress = trainer.progress()
    st.subheader("Export this run")
    a, b, c, d = st.columns(4)
    config = config_json(trainer.config.to_dict(), progress, trainer.state, run_corpus_name())
    a.download_button("Configuration (JSON)", config,
                      file_name="w2v-config.json", mime="application/json", on_click="ignore",
                      help="The settings of this run, to repeat it in the app or the CLI.")
    b.download_button("Loss history (CSV)", history_csv(history), file_name="w2v-loss.csv", mime="text/csv",
                      on_click="ignore", help="Loss per chunk of about 10,000 words.")
    ends = [k * trainer.corpus.n_tokens for k in range(1, progress.epochs)
            if k * trainer.corpus.n_tokens <= progress.words_done]
    figure = loss_figure(history, ends)
    c.download_button("Loss chart (HTML)", lambda: figure_html(figure), file_name="w2v-loss.html",
                      mime="text/html", on_click="ignore", help="An interactive copy of the chart.")
    download_current_button(d)
    st.caption("Save any chart as PNG with the camera icon in its toolbar. Word vectors can be exported on "
               "the Neighbours page.")


st.title("Train")
st.html(LIVE_STYLE)
with user_errors("The Train page failed"):
    try:
        corpus = current_corpus()
    except (ValueError, KeyError) as problem:
        corpus = None
        st.error(f"The corpus cannot be used: {md_message(message_of(problem))} Fix it on the Corpus page.")
        st.page_link("pages/corpus.py", label="Go to Corpus")
    settings_form(corpus)
    controls()
    current = training_phase(get_trainer())
    poll = {"active": POLL_SECONDS, "waiting": waiting_poll_seconds(get_trainer())}.get(current)
    st.fragment(run_every=poll)(live_panel)(current)  # many queued tabs stay cheap: they poll slowly
    st.fragment(run_every=SCHEDULE_POLL_SECONDS if current == "active" else None)(schedule_panel)()
    downloads()
    continue_section()
