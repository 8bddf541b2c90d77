"""First click vs later clicks per explanation method, with and without the app's warm-up → bench/results/first_click.json.

What a person feels on the Classify page: the first answer of each method after
the app loads a model. Each scenario runs in a fresh Python process (nothing
traced yet), loads a bundled model and times, for every method of the Classify
page, the first :func:`~rnnclf.interpret.analysis.analyze_text` call and the
median of later ones:

- ``cold``: no warm-up — the first click of each method pays for tracing;
- ``warmed``: :func:`~rnnclf.interpret.analysis.warm_up_analysis` first (what the
  app does while it shows its loading message), whose own time is reported too.

    .venv/bin/python bench/bench_first_click.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[1]
TEXTS = {
    "default": "The first half drags a little, but the last hour is warm, funny and surprisingly moving.",
    "default-zh": "这家店发货很快，包装也很仔细，用了几天感觉质量不错",
}
LATER_CALLS = 5


def _scenario(model: str, warmed: bool) -> dict:
    """Runs inside the child process."""
    from rnnclf.classifier import load_run
    from rnnclf.interpret.analysis import METHOD_LABELS, analyze_text, warm_up_analysis

    started = time.perf_counter()
    classifier = load_run(model)
    result = {"load_seconds": time.perf_counter() - started, "methods": {}}
    if warmed:
        result["warm_up_seconds"] = warm_up_analysis(classifier)
    else:
        classifier.warm_up()  # the plain prediction path is traced in both scenarios
    text = TEXTS[model]
    for method in METHOD_LABELS:
        started = time.perf_counter()
        analyze_text(classifier, text, method=method)
        first = time.perf_counter() - started
        later = []
        for _ in range(LATER_CALLS):
            started = time.perf_counter()
            analyze_text(classifier, text, method=method)
            later.append(time.perf_counter() - started)
        result["methods"][method] = {"first_ms": first * 1000, "later_median_ms": statistics.median(later) * 1000}
    return result


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(_scenario(sys.argv[2], sys.argv[3] == "warmed")))
        return 0
    from common import write_result

    from rnnclf.data.paths import bundled_model_dir

    rows = {}
    for model in TEXTS:
        if bundled_model_dir(model) is None:
            print(f"{model}: not bundled here, skipped", flush=True)
            continue
        for scenario in ("cold", "warmed"):
            output = subprocess.run([sys.executable, __file__, "--child", model, scenario], capture_output=True, text=True,
                                    check=True, cwd=ROOT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
            rows.setdefault(model, {})[scenario] = json.loads(output.stdout.strip().splitlines()[-1])
            methods = rows[model][scenario]["methods"]
            print(f"{model} {scenario}: " + "  ".join(f"{method} first {value['first_ms']:.0f} ms / later {value['later_median_ms']:.0f} ms"
                                                     for method, value in methods.items()), flush=True)
    write_result("first_click", {"later_calls": LATER_CALLS, "texts": TEXTS, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
