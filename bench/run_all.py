"""Run every benchmark, each in its own process, then regenerate BENCHMARKS.md (``make bench``).

A failing benchmark does not stop the others; the exit status is 1 if any
failed. The accuracy benchmark is resumable and skips (dataset, seed) pairs
already in ``bench/results/accuracy.json``; the attribution benchmark runs
only if ``bench/bench_attribution.py`` exists.

    .venv/bin/python bench/run_all.py                     # everything
    .venv/bin/python bench/run_all.py --only training,inference
    .venv/bin/python bench/run_all.py --skip accuracy
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
STEPS = {
    "training": [str(BENCH_DIR / "bench_training.py")],
    "inference": [str(BENCH_DIR / "bench_inference.py")],
    "attribution": [str(BENCH_DIR / "bench_attribution.py")],
    "accuracy": [str(BENCH_DIR / "bench_accuracy.py")],
    "baselines": [str(BENCH_DIR / "bench_baselines.py")],
    "chinese": [str(BENCH_DIR / "bench_chinese.py")],
    "first_click": [str(BENCH_DIR / "bench_first_click.py")],
    "transfer": [str(BENCH_DIR / "bench_transfer.py")],
    "probe": [str(BENCH_DIR / "bench_probe.py"), "long-range"],
    "first_cue": [str(BENCH_DIR / "bench_probe.py"), "first-cue"],
    "streaming": [str(BENCH_DIR / "bench_streaming.py")],
    "scale": [str(BENCH_DIR / "bench_scale.py")],
    "throughput": [str(BENCH_DIR / "bench_throughput.py")],
    "training_step": [str(BENCH_DIR / "bench_training_step.py")],
}


def run_step(name: str) -> bool:
    command = [sys.executable, *STEPS[name]]
    if not Path(STEPS[name][0]).is_file():
        print(f"== {name}: skipped ({Path(STEPS[name][0]).name} does not exist)", flush=True)
        return True
    print(f"== {name}: {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    code = subprocess.call(command, cwd=BENCH_DIR.parent)
    print(f"== {name}: {'ok' if code == 0 else f'FAILED (exit {code})'} in {time.perf_counter() - started:.0f}s", flush=True)
    return code == 0


def _names(text: str | None, parser: argparse.ArgumentParser) -> list[str]:
    names = [name.strip() for name in (text or "").split(",") if name.strip()]
    unknown = [name for name in names if name not in STEPS]
    if unknown:
        parser.error(f"unknown benchmarks {unknown}; expected some of {', '.join(STEPS)}")
    return names


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(STEPS)}")
    parser.add_argument("--skip", help="comma-separated benchmarks to leave out")
    args = parser.parse_args(argv)
    selected = _names(args.only, parser) or list(STEPS)
    skipped = set(_names(args.skip, parser))
    failed = [name for name in selected if name not in skipped and not run_step(name)]
    subprocess.call([sys.executable, str(BENCH_DIR / "summarize.py")], cwd=BENCH_DIR.parent)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
