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
# About 50 tokens each, for the whole Classify page with its extra views (target: ≤ 300 ms on 2 cores).
LONG_TEXTS = {
    "default": "We booked the small hotel by the harbour for three nights. The room was clean and quiet, the breakfast "
               "was fresh, and the owner gave us a map of the best walks. On the last day the shower broke, but they "
               "fixed it within an hour and apologised twice. We would happily stay again.",
    "default-zh": "我们在海边的小酒店住了三晚。房间干净安静，早餐新鲜，老板还给了我们一张最好走的步道地图。最后一天淋浴坏了，"
                  "但他们一个小时内就修好了，还道歉了两次。下次还会再来住。",
}
PAGE_TARGET_MS = 300.0


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
    if warmed:
        result["whole_page"] = _whole_page(classifier, LONG_TEXTS[model])
    return result


def _whole_page(classifier, text: str) -> dict:
    """What one Classify answer costs with every view: analysis (integrated gradients), what-if, gates and states."""
    from rnnclf.interpret.analysis import analyze_text
    from rnnclf.interpret.insight import what_if
    from rnnclf.interpret.states import inspect_states

    parts = {"analysis": [], "what_if": [], "inside_the_rnn": [], "total": []}
    for _ in range(LATER_CALLS + 1):  # the first round traces what-if's batch shape; it is not counted
        started = time.perf_counter()
        analysis = analyze_text(classifier, text)
        after_analysis = time.perf_counter()
        scores = analysis.explanation.scores
        what_if(classifier, text, max(range(len(scores)), key=lambda index: abs(scores[index])))
        after_what_if = time.perf_counter()
        inspect_states(classifier, text, trajectory=analysis.trajectory)
        finished = time.perf_counter()
        for name, seconds in (("analysis", after_analysis - started), ("what_if", after_what_if - after_analysis),
                              ("inside_the_rnn", finished - after_what_if), ("total", finished - started)):
            parts[name].append(seconds * 1000)
    medians = {f"{name}_ms": statistics.median(values[1:]) for name, values in parts.items()}
    return {"tokens_read": len(analysis.explanation.tokens), "calls": LATER_CALLS, **medians}


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
            if "whole_page" in rows[model][scenario]:
                page = rows[model][scenario]["whole_page"]
                print(f"{model} whole page, {page['tokens_read']} tokens: {page['total_ms']:.0f} ms", flush=True)
    write_result("first_click", {"later_calls": LATER_CALLS, "texts": TEXTS, "long_texts": LONG_TEXTS,
                                 "page_target_ms": PAGE_TARGET_MS, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
