"""Tuned linear baselines on every built-in dataset → bench/results/baselines.json.

For each dataset, on the project's seed-0 split (the one bench_accuracy.py
trains the RNN on): TF-IDF + logistic regression and NB-SVM, each choosing its
features and C on the validation part only, refitted on train, scored on test.
Baselines take seconds to a few minutes per dataset on 2 cores.

    .venv/bin/python bench/bench_baselines.py                  # every dataset
    .venv/bin/python bench/bench_baselines.py --datasets trec,sms-spam
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import RESULTS_DIR, write_result  # noqa: E402

from rnnclf.baseline import run_baselines  # noqa: E402
from rnnclf.data.corpora import DATASETS  # noqa: E402
from rnnclf.data.datasets import fetch, is_fetched  # noqa: E402
from rnnclf.data.sources import load_labelled_split  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS), help="comma-separated dataset names (default: all)")
    args = parser.parse_args(argv)
    previous = RESULTS_DIR / "baselines.json"
    rows = json.loads(previous.read_text(encoding="utf-8")).get("rows", {}) if previous.is_file() else {}
    for name in args.datasets.split(","):
        if not is_fetched(name):
            fetch(name)
        split, source = load_labelled_split(dataset=name)
        results = run_baselines(split)
        keep = ("accuracy", "macro_f1", "mcc", "chosen", "validation_accuracy", "tried", "fit_seconds", "model")
        rows[name] = {"fingerprint": split.fingerprint, "sizes": source["sizes"],
                      **{baseline: {key: result[key] for key in keep} for baseline, result in results.items()}}
        print(f"{name}: " + "  ".join(f"{baseline} {result['accuracy']:.4f} ({result['model']}, {result['fit_seconds']:.1f} s)"
                                      for baseline, result in results.items()), flush=True)
    write_result("baselines", {"rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
