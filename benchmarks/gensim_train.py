"""gensim's side of ``bench_gensim.py``: train Word2Vec on a corpus file (``LineSentence``: one sentence per
line, split on whitespace) and save word2vec binary. Prints one JSON line, as ``python -m w2v_core train`` does:
tokens (in-vocabulary, one pass), vocab, seconds (training only) and words_per_second (tokens x epochs / seconds).

    python -m benchmarks.gensim_train corpus.txt -o out.bin --model skipgram --loss negative --workers 2
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", help="text file, one sentence per line, tokens separated by whitespace")
    parser.add_argument("-o", "--output", required=True, help="word2vec binary file to write")
    parser.add_argument("--model", choices=["skipgram", "cbow"], default="skipgram")
    parser.add_argument("--loss", choices=["negative", "hierarchical"], default="negative")
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--sample", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--alpha", type=float, default=None, help="default: 0.025 skip-gram, 0.05 CBOW (C tool)")
    parser.add_argument("--min-alpha", type=float, default=None, help="default: alpha x 1e-4")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    alpha = args.alpha if args.alpha is not None else (0.05 if args.model == "cbow" else 0.025)
    min_alpha = args.min_alpha if args.min_alpha is not None else alpha * 1e-4
    hierarchical = args.loss == "hierarchical"
    model = Word2Vec(vector_size=args.dim, window=args.window, min_count=args.min_count, sample=args.sample,
                     sg=int(args.model == "skipgram"), hs=int(hierarchical),
                     negative=0 if hierarchical else args.negative, workers=args.workers, alpha=alpha,
                     min_alpha=min_alpha, seed=args.seed, epochs=args.epochs)
    sentences = LineSentence(args.corpus)
    model.build_vocab(sentences)
    started = time.perf_counter()
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    seconds = time.perf_counter() - started
    model.wv.save_word2vec_format(args.output, binary=True)
    tokens = int(model.wv.expandos["count"].sum())
    print(json.dumps({"tool": "gensim", "tokens": tokens, "vocab": len(model.wv), "seconds": seconds,
                      "words_per_second": tokens * args.epochs / seconds if seconds > 0 else 0.0}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
