"""gensim's side of ``bench_gensim`` and ``bench_memory``: ``Word2Vec`` on a corpus file (``LineSentence``), saved as
word2vec binary, with the JSON summary line ``python -m w2v_core train`` prints (training seconds only).

    python -m benchmarks.gensim_train corpus.txt -o out.bin --model skipgram --loss negative --workers 2
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--model", choices=["skipgram", "cbow"], default="skipgram")
    parser.add_argument("--loss", choices=["negative", "hierarchical"], default="negative")
    for name, kind, default in (("dim", int, 100), ("window", int, 5), ("negative", int, 5), ("min-count", int, 5),
                                ("sample", float, 1e-3), ("epochs", int, 5), ("workers", int, 2), ("seed", int, 1),
                                ("alpha", float, None), ("min-alpha", float, None)):  # alpha: the C tool's
        parser.add_argument(f"--{name}", type=kind, default=default)
    args = parser.parse_args(argv)
    args.alpha = args.alpha or (0.05 if args.model == "cbow" else 0.025)
    args.min_alpha = args.min_alpha or args.alpha * 1e-4
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    hierarchical = args.loss == "hierarchical"
    model = Word2Vec(vector_size=args.dim, window=args.window, min_count=args.min_count, sample=args.sample,
                     sg=int(args.model == "skipgram"), hs=int(hierarchical), workers=args.workers, seed=args.seed,
                     negative=0 if hierarchical else args.negative, alpha=args.alpha, min_alpha=args.min_alpha,
                     epochs=args.epochs)
    sentences = LineSentence(args.corpus)
    model.build_vocab(sentences)
    started = time.perf_counter()
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    seconds = time.perf_counter() - started
    model.wv.save_word2vec_format(args.output, binary=True)
    tokens = int(model.wv.expandos["count"].sum())
    print(json.dumps({"tool": "gensim", "tokens": tokens, "vocab": len(model.wv), "seconds": seconds,
                      "words_per_second": tokens * args.epochs / seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
