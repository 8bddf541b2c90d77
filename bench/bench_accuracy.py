"""Benchmark 4 — accuracy: the best rnnclf configuration vs TF-IDF + logistic regression, every built-in dataset.

Per dataset: the seed-0 deduplicated, stratified split (70/10/20); TF-IDF word
1–2-grams + logistic regression fitted on train and scored on test; the rnnclf
configuration :data:`CONFIG` trained with model seeds 0..n-1 on the same split
(early stopping on the validation part) and scored on the same test texts.
Reported: mean ± std of accuracy, macro-F1 and MCC over seeds, next to the
baseline, and the difference.

Resumable: every finished (dataset, seed) is written to ``bench/results/accuracy.json``
at once and skipped on the next run unless ``--force`` (or the configuration
changed). Heavy — run it in the background::

    nohup .venv/bin/python bench/bench_accuracy.py > /tmp/bench_accuracy.log 2>&1 &
    python bench/bench_accuracy.py --datasets movie-snippets,trec --seeds 3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS_DIR, machine  # noqa: E402

from rnnclf.baseline import tfidf_baseline  # noqa: E402
from rnnclf.common import atomic_output  # noqa: E402
from rnnclf.data.corpora import DATASETS  # noqa: E402
from rnnclf.data.datasets import fetch, is_fetched  # noqa: E402
from rnnclf.experiments.compare import load_source, train_and_score  # noqa: E402

# Chosen on movie-snippets *validation* accuracy, model seed 0 (test accuracy in brackets;
# TF-IDF + LR test: 0.774), all BiGRU/BiLSTM 64 on fine-tuned GloVe 6B 50d:
#   BiGRU, dropout 0.3, lr 1e-3, batch 32 (the glove-bigru preset)   0.807 (0.772)
#   BiGRU, dropout 0.3, lr 2e-3, batch 64                            0.809 (0.787)
#   BiLSTM, dropout 0.3, lr 1e-3, batch 32                           0.794 (0.777)
#   BiGRU, dropout 0.5, lr 2e-3, batch 64, patience 3                0.831 (0.797)  <- chosen
#   BiGRU 128 units, dropout 0.5, lr 2e-3, batch 64                  0.815 (0.782)
#   BiGRU, dropout 0.5, frozen embeddings                            0.763 (0.747)
#   BiLSTM, dropout 0.5, lr 2e-3, batch 64, patience 3               0.797 (0.784)
# Then on seeds 1 and 2 (mean validation / test): the chosen one 0.812 / 0.786; with the
# treebank tokenizer 0.824 / 0.791 (not adopted: it splits emoticons and hashtags, which
# the tweet corpora rely on, and gains half a point of test accuracy); 2 layers 0.812 /
# 0.782; recurrent dropout 0.2 0.813 / 0.785.
CONFIG = {
    "cell_type": "gru",
    "bidirectional": True,
    "units": 64,
    "dropout": 0.5,
    "pretrained_embeddings": "glove-6b-50d",
    "learning_rate": 2e-3,
    "batch_size": 64,
    "epochs": 20,
    "patience": 3,
}
# Smallest corpora first, so most of the table exists early in a long run; datasets
# registered later run after these.
DEFAULT_ORDER = ("amazon-snippets", "tweet-snippets", "nyt-snippets", "sms-spam", "trec", "movie-snippets",
                 "sentiment", "crowdflower")
RESULTS_FILE = RESULTS_DIR / "accuracy.json"


def config_key(config: dict) -> str:
    """12 hex digits naming a configuration; cached seeds of another configuration are not reused."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode("utf-8")).hexdigest()[:12]


def read_results(path: Path) -> dict:
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"benchmark": "accuracy", "rows": {}}


def write_results(path: Path, payload: dict) -> None:
    # Atomic: the summary (or a second reader) never sees a half-written file.
    with atomic_output(path) as temporary:
        temporary.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


def spread(values: list[float]) -> dict:
    return {"mean": statistics.fmean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0, "n": len(values)}


def run_dataset(name: str, seeds: list[int], config: dict, payload: dict, path: Path, force: bool) -> dict:
    key = config_key(config)
    row = payload["rows"].get(name)
    split, source = load_source(name)
    # A new configuration or a changed split (new parser or data) makes cached seeds incomparable.
    if force or not row or row.get("config_key") != key or row.get("fingerprint") != split.fingerprint:
        row = {"dataset": name, "config_key": key, "config": config, "seeds": {}}
    row.update(fingerprint=split.fingerprint, sizes=source["sizes"], classes=sorted(map(str, split.train["label"].unique())))
    if "baseline" not in row:
        started = time.perf_counter()
        row["baseline"] = {**tfidf_baseline(split), "seconds": time.perf_counter() - started}
    for seed in seeds:
        if str(seed) in row["seeds"]:
            print(f"{name} seed {seed}: cached (accuracy {row['seeds'][str(seed)]['accuracy']:.4f})", flush=True)
            continue
        _, record = train_and_score(split, config, seed)
        # The machine facts describe the latest training, not a later run that only read the cache.
        payload["machine"] = machine()
        metrics = record["metrics"]
        row["seeds"][str(seed)] = {
            "accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"], "mcc": metrics["mcc"],
            "best_epoch": record["best_epoch"], "epochs_run": record["epochs_run"],
            "training_seconds": record["training_seconds"], "seconds_per_epoch": record["seconds_per_epoch"],
            "parameters": record["parameters"],
        }
        payload["rows"][name] = row
        write_results(path, payload)
        print(f"{name} seed {seed}: accuracy {metrics['accuracy']:.4f}  macro-F1 {metrics['macro_f1']:.4f}  "
              f"MCC {metrics['mcc']:.4f}  ({record['epochs_run']} epochs, {record['training_seconds']:.0f}s)", flush=True)
    done = [row["seeds"][str(seed)] for seed in seeds]
    row["summary"] = {metric: spread([item[metric] for item in done]) for metric in ("accuracy", "macro_f1", "mcc")}
    row["summary"]["seeds"] = seeds
    row["delta_accuracy"] = row["summary"]["accuracy"]["mean"] - row["baseline"]["accuracy"]
    payload["rows"][name] = row
    write_results(path, payload)
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    everything = list(DEFAULT_ORDER) + [name for name in DATASETS if name not in DEFAULT_ORDER]
    parser.add_argument("--datasets", default=",".join(everything), help="comma-separated built-in datasets (default: all)")
    parser.add_argument("--seeds", type=int, default=3, help="model seeds 0..n-1 (default 3)")
    parser.add_argument("--force", action="store_true", help="recompute rows even if cached")
    parser.add_argument("--params", help="JSON object overriding CONFIG (for trying configurations)")
    parser.add_argument("--results", default=str(RESULTS_FILE), help="results JSON (default bench/results/accuracy.json)")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.datasets.split(",") if name.strip()]
    unknown = [name for name in names if name not in DATASETS]
    if unknown:
        parser.error(f"unknown datasets {unknown}; expected some of {', '.join(sorted(DATASETS))}")
    config = {**CONFIG, **(json.loads(args.params) if args.params else {})}
    path = Path(args.results)
    payload = read_results(path)
    payload.update(benchmark="accuracy", config=config, config_key=config_key(config), expected=sorted(DATASETS))
    for name in names:
        if not is_fetched(name):
            fetch(name)
        row = run_dataset(name, list(range(args.seeds)), config, payload, path, args.force)
        summary = row["summary"]["accuracy"]
        print(f"== {name}: rnnclf {summary['mean']:.4f} ± {summary['std']:.4f} vs TF-IDF+LR {row['baseline']['accuracy']:.4f} "
              f"({row['delta_accuracy']:+.4f})", flush=True)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
