"""Command line: ``python -m w2v_core train|eval|neighbours|convert|gradcheck``.

Bad arguments and bad files print one clear line on stderr and exit with code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

from .config import ConfigError
from .corpus import CorpusError
from .embeddings import EmbeddingsError, UnknownWordError
from .evaluation import AnalogyResult, EvaluationError, PairResult
from .formats import VectorFormatError, format_of, open_vectors, save_vectors
from .options import OPTIONS, TRAIN_OPTIONS, Option
from .phrases import PHRASE_MIN_COUNT, PHRASE_THRESHOLD
from .progress import Stage
from .states import State
from .tokenizer import CJK_MODES

USER_ERRORS = (CorpusError, ConfigError, VectorFormatError, EmbeddingsError, UnknownWordError, EvaluationError,
               OSError, ValueError)


ENGINES = ("lab", "spark")
SPARK_ONLY = ("master", "partitions", "max_sentence_length", "spark_model")
# Options of our engine that Spark's Word2Vec has no equivalent for (it trains skip-gram + hierarchical softmax).
SPARK_LACKS = ("negative", "max_vocab", "sample", "min_alpha", "workers", "ns_exponent", "per_pair_negatives",
               "cbow_gradient_step", "encoding", "resume", "save_run", "stop_after_epoch", "nfkc", "cjk", "phrases",
               "phrase_threshold", "phrase_min_count", "phrase_passes")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse prints usage too)
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


# with --resume these mean "more epochs" and "the run's own workers" when given, so they default to None
RESUME_RELATIVE = {"epochs": "; with --resume: epochs to add to the run's plan",
                   "workers": "; with --resume the run's own; 1 = reproducible"}


def _add_option(parser: argparse.ArgumentParser, option: Option) -> None:
    """A flag from the option's declaration (options.py); bounds are checked by TrainConfig.validate."""
    if option.kind is bool:
        parser.add_argument(option.flag, action="store_true", help=f"turn off {option.what}")
        return
    default = f"default {option.auto if option.auto else option.default}"
    if option.kind is str:
        parser.add_argument(option.flag, choices=option.choices, default=option.default,
                            help=f"{option.what} ({default})")
        return
    relative = RESUME_RELATIVE.get(option.name, "")
    parser.add_argument(option.flag, type=option.kind, default=None if relative else option.default,
                        help=f"{option.what} ({default}{relative})")


def config_from_args(args: argparse.Namespace) -> dict:
    """The TrainConfig values of the train flags (bool flags turn their option's default around)."""
    values = {}
    for option in TRAIN_OPTIONS:
        given = getattr(args, option.flag[2:].replace("-", "_"))
        values[option.name] = option.default != given if option.kind is bool else given
    return {name: value for name, value in values.items() if value is not None or name not in RESUME_RELATIVE}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="w2v", description="Train, evaluate and convert word2vec vectors.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = commands.add_parser("train", help="train word vectors on a text corpus (one sentence per line)")
    train.add_argument("corpus", nargs="?", help="a .txt or .gz file, UTF-8, one sentence per line (with --resume: "
                                                 "the run's corpus, if it is not where the run says)")
    train.add_argument("-o", "--output", required=True, help="output file: .txt/.vec, .bin, .npz or .tsv")
    train.add_argument("--save-run", metavar="RUN", help="also save the whole run (weights, histories, snapshots, "
                                                         "position) as a .w2vrun file, to open or continue later; "
                                                         "without it, no histories are recorded and the loss "
                                                         "is estimated from a random eighth of the windows (not "
                                                         "with full softmax)")
    train.add_argument("--stop-after-epoch", type=_positive_int, metavar="N",
                       help="end after epoch N of the planned --epochs (the learning rate follows the whole plan)")
    train.add_argument("--resume", metavar="RUN", help="continue a saved run to the end of its planned epochs "
                                                       "(--epochs M: M epochs more); it keeps its settings")
    for option in TRAIN_OPTIONS:
        _add_option(train, option)
    _add_option(train, OPTIONS["min_count"])
    train.add_argument("--max-vocab", type=_positive_int, default=None, help="keep only the N most frequent words")
    train.add_argument("--whitespace", action="store_true", help="input is pre-tokenized: split on whitespace")
    train.add_argument("--keep-case", action="store_true", help="do not lowercase")
    train.add_argument("--nfkc", action="store_true",
                       help="normalise Unicode first (NFKC: full-width letters, ligatures, circled digits)")
    train.add_argument("--cjk", choices=CJK_MODES, default="characters",
                       help="Chinese and Japanese: one token per Han/kana character (default), or Chinese words "
                            "found by jieba (pip install jieba)")
    train.add_argument("--phrases", action="store_true",
                       help="join frequent pairs into one token (new_york), as word2phrase and gensim's Phrases")
    train.add_argument("--phrase-threshold", type=float, default=PHRASE_THRESHOLD,
                       help="join a pair when (count(a b) - min) * N / (count(a) * count(b)) is above this "
                            f"(default {PHRASE_THRESHOLD:g}; lower finds more)")
    train.add_argument("--phrase-min-count", type=int, default=PHRASE_MIN_COUNT,
                       help=f"ignore words and pairs rarer than this (default {PHRASE_MIN_COUNT})")
    train.add_argument("--phrase-passes", type=int, choices=[1, 2], default=1,
                       help="2: join phrases again (new_york_times)")
    train.add_argument("--encoding", default="utf-8", help="text encoding of the corpus (e.g. latin-1)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    spark = train.add_argument_group("Spark engine", "skip-gram with hierarchical softmax on Apache Spark (pyspark "
                                     "and Java needed); CORPUS may then be any path Spark reads (hdfs://, s3a://)")
    spark.add_argument("--engine", choices=ENGINES, default="lab",
                       help="lab: this library (default); spark: Spark MLlib's Word2Vec")
    spark.add_argument("--master", default="local[*]", help="Spark master URL (default local[*]: this machine)")
    spark.add_argument("--partitions", type=_positive_int, default=1,
                       help="Spark numPartitions: faster with more, each trains its own copy (lower quality)")
    spark.add_argument("--max-sentence-length", type=_positive_int, default=1000,
                       help="Spark cuts longer sentences into pieces of this many tokens")
    spark.add_argument("--spark-model", metavar="DIR", default=None,
                       help="also save Spark's own Word2VecModel directory here")

    evaluate = commands.add_parser("eval", help="score vectors on word-pair and analogy benchmarks")
    evaluate.add_argument("vectors")
    evaluate.add_argument("--pairs", action="append", default=[], help="word-pair file (WordSim-353, SimLex-999)")
    evaluate.add_argument("--analogies", action="append", default=[], help="analogy file (questions-words.txt)")
    evaluate.add_argument("--standard", action="store_true",
                          help="the bundled sets: WordSim-353, SimLex-999 and Google's analogies")
    evaluate.add_argument("--limit", type=_positive_int, default=None, help="load only the first N words")
    evaluate.add_argument("--restrict-vocab", type=_positive_int, default=30_000,
                          help="analogies: answer among the N most frequent words (questions with rarer words "
                               "are skipped)")

    neighbours = commands.add_parser("neighbours", help="nearest neighbours of words, and analogies")
    neighbours.add_argument("vectors")
    neighbours.add_argument("word", nargs="*", help="one or more words (each answered in turn)")
    neighbours.add_argument("-k", type=_positive_int, default=10)
    neighbours.add_argument("--analogy", nargs=3, action="append", default=[], metavar=("A", "B", "C"),
                            help="also answer A : B :: C : ? (repeatable)")
    neighbours.add_argument("--limit", type=_positive_int, default=None)

    convert = commands.add_parser("convert", help="convert between .txt/.vec, .bin, .npz and .tsv")
    convert.add_argument("input")
    convert.add_argument("output")
    convert.add_argument("--limit", type=_positive_int, default=None)
    for command in (evaluate, neighbours, convert):
        command.add_argument("--cache-dir", metavar="DIR", default=None,
                             help="folder for the memory-mapped cache of large word2vec files (default: beside "
                                  "the file, NAME.w2vcache)")

    commands.add_parser("gradcheck", help="finite-difference check of all six model/loss gradients")
    return parser


def _show_training(trainer, stage: Stage) -> None:  # noqa: ANN001 - Trainer, imported lazily
    """Move the training stage to the trainer's words done, with the latest loss."""
    progress = trainer.progress()
    stage.update(progress.words_done - stage.done)
    losses = trainer.recorder.epoch_mean_losses()
    if len(losses):
        stage.set_note(f"loss {float(losses[-1]):.4f}")


def _in_background(function) -> Future:  # noqa: ANN001 - Callable[[], T] -> Future[T]
    """Run ``function`` in a daemon thread (a bad corpus can exit at once, without waiting for it)."""
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(function())
        except BaseException as error:  # noqa: BLE001 - handed to whoever waits for the result
            future.set_exception(error)

    threading.Thread(target=run, name="w2v-kernels", daemon=True).start()
    return future


def _given_train_options(argv: Sequence[str]) -> set[str]:
    """Names of the train options given on the command line (not left at their defaults)."""
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for action in commands.choices["train"]._actions:
        action.default = argparse.SUPPRESS
    return set(vars(parser.parse_args(argv)))


def _spark_refusal(args: argparse.Namespace, given: set[str]) -> str | None:
    """Why these options cannot go to Spark's Word2Vec (one line), or None."""
    if "model" in given and args.model != "skipgram":
        return "Spark trains skip-gram only: drop --model cbow, or use --engine lab."
    if "loss" in given and args.loss != "hierarchical":
        return f"Spark trains with hierarchical softmax only: drop --loss {args.loss}, or use --engine lab."
    lacking = [name for name in SPARK_LACKS if name in given]
    if lacking:
        options = ", ".join("--" + name.replace("_", "-") for name in lacking)
        return f"Spark's Word2Vec has no {options}: drop it, or use --engine lab."
    return None


def run_spark_train(args: argparse.Namespace) -> int:
    from .spark_engine import SparkSettings, spark_missing, train_on_spark

    format_of(args.output)
    refusal = _spark_refusal(args, _given_train_options(args.argv))
    if refusal:
        raise ValueError(refusal)
    if args.corpus is None:
        raise ValueError("give the CORPUS to train on (any path Spark reads)")
    settings = SparkSettings(dim=args.dim, window=args.window, min_count=args.min_count,
                             epochs=OPTIONS["epochs"].default if args.epochs is None else args.epochs,
                             alpha=0.025 if args.alpha is None else args.alpha, seed=args.seed,
                             max_sentence_length=args.max_sentence_length, partitions=args.partitions,
                             master=args.master, lowercase=not args.keep_case, whitespace=args.whitespace)
    settings.validate()
    missing = spark_missing()
    if missing:
        raise ValueError(missing)
    if not args.quiet:
        print(f"training on Spark ({args.master}, {args.partitions} partition(s))…", file=sys.stderr, flush=True)
    result = train_on_spark(args.corpus, settings, args.spark_model)
    save_vectors(result.embeddings, args.output)
    emb = result.embeddings
    print(json.dumps({"engine": "spark", "tokens": result.tokens, "vocab": len(emb),
                      "seconds": round(result.seconds, 3), "model": "skipgram", "loss": "hierarchical",
                      "epochs": settings.epochs, "partitions": settings.partitions, "master": settings.master,
                      "spark_version": result.spark_version, "output": str(args.output),
                      "spark_model": args.spark_model}))
    return 0


# settings a resumed run keeps (given with --resume, they are ignored with a warning)
KEPT_ON_RESUME = ("model", "loss", "dim", "window", "negative", "min_count", "max_vocab", "sample", "alpha",
                  "min_alpha", "seed", "ns_exponent", "per_pair_negatives", "cbow_gradient_step", "no_telemetry",
                  "whitespace", "keep_case", "encoding", "nfkc", "cjk", "phrases", "phrase_threshold",
                  "phrase_min_count", "phrase_passes")


def _corpus_source(args: argparse.Namespace) -> dict:
    """How to read the corpus again (kept in a saved run)."""
    return {"kind": "file", "path": str(Path(args.corpus).resolve()), "min_count": args.min_count,
            "max_vocab": args.max_vocab, "lowercase": not args.keep_case, "whitespace": args.whitespace,
            "encoding": args.encoding, **_tokenizer_options(args)}


def _tokenizer_options(args: argparse.Namespace) -> dict:
    """NFKC, CJK and phrase options as ``load_corpus`` takes them (and a saved run keeps them)."""
    phrases = {"threshold": args.phrase_threshold, "min_count": args.phrase_min_count,
               "passes": args.phrase_passes} if args.phrases else None
    return {"nfkc": args.nfkc, "cjk": args.cjk, "phrases": phrases}


def _phrase_options(source: dict) -> dict:
    """``load_corpus`` keywords from the tokenizer options of a saved corpus source."""
    from .phrases import PhraseOptions

    phrases = source.get("phrases")
    return {"nfkc": bool(source.get("nfkc", False)), "cjk": source.get("cjk", "characters"),
            "phrases": PhraseOptions(**phrases) if isinstance(phrases, dict) else None}


def _new_trainer(args: argparse.Namespace):  # noqa: ANN202 - (Trainer, Corpus, name, source, kernels)
    from . import encoder
    from .corpus import load_corpus
    from .trainer import TrainConfig, Trainer, kernels_are_compiled, warm_up

    if args.corpus is None:
        raise ValueError("give the CORPUS to train on (or --resume RUN to continue a saved run)")
    values = config_from_args(args)
    if not args.save_run:  # per-word gradient norms are only ever read from a saved run (the app's Gradients page)
        values["telemetry"] = False
    config = TrainConfig(**values)
    config.validate()
    tokenizer_options = _phrase_options(_tokenizer_options(args))
    if tokenizer_options["phrases"] is not None:
        tokenizer_options["phrases"].validate()  # before reading the corpus
    kernels_ready = None
    if not kernels_are_compiled():  # the kernels load while the corpus is read, the encoder's own code loaded first
        encoder.warm_up()
        kernels_ready = _in_background(warm_up)
    corpus = load_corpus(args.corpus, min_count=args.min_count, max_vocab=args.max_vocab,
                         lowercase=not args.keep_case, whitespace=args.whitespace, encoding=args.encoding,
                         show_progress=not args.quiet, **tokenizer_options)
    if args.phrases and not args.quiet:
        top = ", ".join(phrase.text for phrase in corpus.phrases[:8])
        print(f"phrases: {len(corpus.phrases):,} joined" + (f" (best scores: {top})" if top else ""),
              file=sys.stderr)
    # Snapshots and gradient histories only serve a saved run (the app's Evolution and Gradients pages); without
    # one, the loss is estimated from a random eighth of the windows (a log per term spared; not full softmax).
    recording = {} if args.save_run else {"snapshot_words": 0, "history_words": 0, "loss_every": 8}
    return Trainer(corpus, config, **recording), corpus, Path(args.corpus).name, _corpus_source(args), kernels_ready


def _resumed_trainer(args: argparse.Namespace):  # noqa: ANN202 - as _new_trainer
    from .corpus import build_corpus, load_corpus
    from .runfile import read_run
    from .trainer import Trainer, kernels_are_compiled, warm_up

    given = _given_train_options(args.argv)
    for name in KEPT_ON_RESUME:
        if name in given:
            print(f"warning: --{name.replace('_', '-')} is ignored: a resumed run keeps its settings",
                  file=sys.stderr)
    kernels_ready = None if kernels_are_compiled() else _in_background(warm_up)
    run = read_run(args.resume)
    source = dict(run.corpus.source)
    options = {"min_count": run.corpus.min_count, "max_vocab": source.get("max_vocab"),
               "lowercase": source.get("lowercase", True)}
    if args.corpus is not None or source.get("kind") == "file":
        path = args.corpus or source.get("path", "")
        if args.corpus is None and not Path(path).is_file():
            raise ValueError(f"the run's corpus {path} is not there any more: give it as CORPUS")
        corpus = load_corpus(path, whitespace=source.get("whitespace", False),
                             encoding=source.get("encoding", "utf-8"), show_progress=not args.quiet, **options,
                             **_phrase_options(source))
        name, source = Path(path).name, {**source, "kind": "file", "path": str(Path(path).resolve())}
    elif source.get("kind") == "teaching":
        from .teaching import generate_teaching_corpus

        lines = generate_teaching_corpus(int(source.get("sentences", 0)), seed=int(source.get("seed", 0)))
        corpus, name = build_corpus(lines, **options), run.corpus.name
    elif source.get("kind") == "sample":
        from .datasets import KJV_PATH

        corpus, name = load_corpus(KJV_PATH, **options), run.corpus.name
    else:
        raise ValueError(f"the run was trained on {run.corpus.name}: give that text as CORPUS to continue it")
    if run.state == State.FINISHED and not args.epochs:
        raise ValueError(f"the run has trained all its {run.epochs} planned epochs: add --epochs M to train M more")
    trainer = Trainer.from_run_state(run, corpus, more_epochs=args.epochs or 0, workers=args.workers)
    return trainer, corpus, name, source, kernels_ready


def run_train(args: argparse.Namespace) -> int:
    if args.engine == "spark":
        return run_spark_train(args)
    given = [name for name in SPARK_ONLY if name in _given_train_options(args.argv)]
    if given:
        raise ValueError(f"--{given[0].replace('_', '-')} is an option of --engine spark.")
    from .runfile import write_run

    format_of(args.output)  # fail on a bad extension before the work
    started = time.perf_counter()
    if args.resume:
        trainer, corpus, name, source, kernels_ready = _resumed_trainer(args)
    else:
        trainer, corpus, name, source, kernels_ready = _new_trainer(args)
    config = trainer.config
    if args.stop_after_epoch:
        trainer.stop_after_epoch(args.stop_after_epoch)
    for warning in trainer.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if kernels_ready is not None:
        if not args.quiet and not kernels_ready.done():
            print("preparing kernels… (compiled on first use, then cached)", file=sys.stderr, flush=True)
        seconds, compiled = kernels_ready.result()
        if not args.quiet:
            print(f"kernels {'compiled' if compiled else 'loaded from cache'} in {seconds:.1f} s", file=sys.stderr)
    ended = threading.Event()
    trainer.add_done_callback(lambda _: ended.set())
    before = trainer.progress()  # a resumed run starts where it stopped
    with Stage("training", total=before.words_total, unit="words", enabled=not args.quiet,
               initial=before.words_done) as training:
        trainer.start()
        try:
            while not ended.wait(0.2):  # returns as soon as the last worker ends
                _show_training(trainer, training)
        except KeyboardInterrupt:
            trainer.stop()
            training.close(failed=True)
            print("interrupted: nothing saved", file=sys.stderr)
            return 130
        _show_training(trainer, training)
    if trainer.state not in (State.FINISHED, State.PAUSED):
        print(f"error: {trainer.error or 'training did not finish'}", file=sys.stderr)
        return 1
    with Stage("writing", unit="B", enabled=not args.quiet) as writing:
        written = save_vectors(trainer.embeddings(), args.output)
        if args.save_run:
            write_run(trainer.run_state(name, source), args.save_run)
            written.append(Path(args.save_run))
        writing.update(sum(path.stat().st_size for path in written))
        writing.set_note(", ".join(path.name for path in written))
    progress = trainer.progress()
    epoch_losses = trainer.recorder.epoch_mean_losses()
    summary = {
        "tokens": corpus.n_tokens, "vocab": len(corpus.vocab), "seconds": round(time.perf_counter() - started, 3),
        "train_seconds": round(progress.elapsed_seconds, 3),
        "words_per_second": round(progress.words_done / max(progress.elapsed_seconds, 1e-9)),
        "final_loss": round(float(epoch_losses[-1]), 6) if len(epoch_losses) else None,
        "model": config.model, "loss": config.loss, "epochs": config.epochs, "output": str(args.output),
    }
    if trainer.state == State.PAUSED:
        summary["stopped_after_epoch"] = progress.words_done // max(corpus.n_tokens, 1)
    if args.save_run:
        summary["run"] = str(args.save_run)
    print(json.dumps(summary))
    return 0


def _print_pairs(name: str, result: PairResult) -> None:
    print(f"{name}\tspearman {result.spearman:.4f}\tpearson {result.pearson:.4f}\t"
          f"pairs {result.n_used}/{result.n_pairs}\tcoverage {result.coverage:.1%}")


def _print_analogies(name: str, result: AnalogyResult) -> None:
    print(f"{name}\taccuracy {result.accuracy:.4f}\tcorrect {result.correct}/{result.attempted}\t"
          f"coverage {result.coverage:.1%} of {result.total:,} questions")
    for row in result.per_section:
        covered = row["attempted"] / row["total"] if row["total"] else 0.0
        print(f"  {row['section']}\t{row['accuracy']:.4f}\t{row['correct']}/{row['attempted']}\t"
              f"coverage {covered:.1%}")


def run_eval(args: argparse.Namespace) -> int:
    from .evaluation import evaluate_analogies, evaluate_standard, evaluate_word_pairs, read_analogies, read_word_pairs

    if not args.pairs and not args.analogies and not args.standard:
        raise ValueError("give --standard (the bundled sets), --pairs FILE or --analogies FILE")
    emb = _open(args.vectors, args)
    if args.standard:
        results = evaluate_standard(emb, restrict_vocab=args.restrict_vocab)
        for name, pairs in results.pairs.items():
            _print_pairs(name, pairs)
        for name, analogies in results.analogies.items():
            _print_analogies(name, analogies)
    for path in args.pairs:
        _print_pairs(path, evaluate_word_pairs(emb, read_word_pairs(Path(path))))
    for path in args.analogies:
        _print_analogies(path, evaluate_analogies(emb, read_analogies(Path(path)), restrict_vocab=args.restrict_vocab))
    return 0


def _open(path: str, args: argparse.Namespace):  # noqa: ANN202 - Embeddings
    """Vectors for a command: large word2vec files through their memory-mapped cache (notices on stderr)."""
    return open_vectors(path, limit=args.limit, cache_dir=args.cache_dir,
                        notice=lambda text: print(text, file=sys.stderr, flush=True))


def run_neighbours(args: argparse.Namespace) -> int:
    if not args.word and not args.analogy:
        raise ValueError("give a WORD (or several), or --analogy A B C")
    emb = _open(args.vectors, args)
    several = len(args.word) + len(args.analogy) > 1
    for word in args.word:
        if several:
            print(f"# {word}")
        for neighbour, score in emb.most_similar(word, k=args.k):
            print(f"{neighbour}\t{score:.4f}")
        sys.stdout.flush()  # each answer as soon as it is known
    for a, b, c in args.analogy:
        if several:
            print(f"# {a} : {b} :: {c} : ?")
        for answer, score in emb.analogy(a, b, c, k=args.k):
            print(f"{answer}\t{score:.4f}")
        sys.stdout.flush()
    return 0


def run_convert(args: argparse.Namespace) -> int:
    format_of(args.output)
    written = save_vectors(_open(args.input, args), args.output)
    print("wrote " + ", ".join(str(path) for path in written), file=sys.stderr)
    return 0


def run_gradcheck(args: argparse.Namespace) -> int:
    from .gradcheck import TOLERANCE, check_all

    rows = check_all()
    print(f"{'model':<10}{'loss':<14}{'input rel. error':>18}{'output rel. error':>19}  result")
    for row in rows:
        print(f"{row.model:<10}{row.loss:<14}{row.input_error:>18.2e}{row.output_error:>19.2e}  "
              f"{'ok' if row.passed else 'FAILED'}")
    failed = [row for row in rows if not row.passed]
    print(f"{len(rows) - len(failed)} passed, {len(failed)} failed (tolerance {TOLERANCE:g})")
    return 1 if failed else 0


COMMANDS = {"train": run_train, "eval": run_eval, "neighbours": run_neighbours, "convert": run_convert,
            "gradcheck": run_gradcheck}


def console() -> int:
    """The ``w2v`` command: ``main``, then leave numba's large object graph out of the interpreter's last garbage
    collection, which would walk it for about 0.3 s at exit (everything is written and closed by then)."""
    code = main()
    gc.freeze()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    try:
        return COMMANDS[args.command](args)
    except USER_ERRORS as error:
        message = str(error) if not isinstance(error, FileNotFoundError) else f"no such file: {error.filename}"
        print(f"error: {message}", file=sys.stderr)
        return 2
