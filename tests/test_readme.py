"""The README's figures about the bundled models are the ones their files and the benchmark results hold."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _json(relative: str) -> dict:
    return json.loads((ROOT / relative).read_text(encoding="utf-8"))


@pytest.mark.parametrize("directory", ["data/default-sentiment", "data/default-sentiment-zh"])
def test_each_bundled_model_accuracy_in_the_readme_is_the_one_in_its_meta(directory):
    metrics = _json(f"{directory}/meta.json")["metrics"]
    assert f"{metrics['accuracy']:.1%}" in README
    assert f"macro-F1 {metrics['macro_f1']:.3f}, ROC-AUC {metrics['roc_auc']:.3f}" in README


def test_the_chinese_model_comparison_quotes_the_benchmark_and_its_verdict():
    results = _json("bench/results/chinese.json")
    meta = _json("data/default-sentiment-zh/meta.json")
    chosen = results["chosen"]
    # The committed model is the chosen recipe, on the benchmark's split, with the benchmark's test accuracy.
    assert meta["dataset"]["fingerprint"] == results["fingerprint"]
    assert abs(meta["metrics"]["accuracy"] - chosen["test_accuracy"]) < 1e-9
    tfidf, nbsvm = results["baselines"]["tfidf-logreg"], results["baselines"]["nbsvm"]
    assert f"**{tfidf['accuracy']:.1%}** (char 1–4-grams,\nC={tfidf['chosen']['C']:g}" in README
    assert f"NB-SVM's {nbsvm['accuracy']:.1%}" in README
    verdict = "**below** the tuned character TF-IDF" if chosen["difference"] < 0 else "above the tuned character TF-IDF"
    assert verdict in README


@pytest.mark.parametrize("directory", ["data/default-sentiment", "data/default-sentiment-zh"])
def test_each_bundled_model_size_in_the_readme_is_its_size_on_disk(directory):
    size = sum(path.stat().st_size for path in (ROOT / directory).iterdir()) / 1e6
    assert f"`{directory}/` ({size:.1f} MB, committed" in README


def test_the_transfer_figures_in_the_readme_are_the_benchmark_s():
    row = _json("bench/results/transfer.json")["rows"]["movie-snippets"]
    best = max([*row["baselines"].values(), *(item["accuracy"] for item in row["baselines_with_source_data"].values())])
    assert f"{row['transfer']['mean']:.1%} test accuracy from a source that never saw its test texts, against {best:.1%} " \
           "for the best tuned baseline" in README
    assert row["source"]["test_texts_seen"] == 0 and all(run["test_texts_seen"] == 0 for run in row["runs"])


def test_the_accuracy_summary_in_the_readme_is_the_benchmark_s():
    from tests.bench import load_bench_script

    summarize = load_bench_script("summarize")
    accuracy, baselines = _json("bench/results/accuracy.json"), _json("bench/results/baselines.json")
    verdicts = summarize.accuracy_verdicts(accuracy, baselines)
    met = sorted(name for name, (_, _, delta) in verdicts.items() if delta >= 0)
    missed = sorted(name for name, (_, _, delta) in verdicts.items() if delta < 0)
    movie = accuracy["rows"]["movie-snippets"]["chosen"]["accuracy"]["mean"]
    assert f"reaches the best tuned baseline on {len(met)} of {len(verdicts)} built-in datasets" in README
    assert ("misses on " + ", ".join(missed)) in README if missed else "misses on" not in README
    assert f"movie-snippets: {movie:.1%}" in README


def _large_data_commands() -> list[tuple[dict, list[str]]]:
    """Each command of the README's 'Large data and clusters' block: (environment it sets, rnnclf arguments)."""
    import shlex

    section = README.split("## Large data and clusters", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        environment = dict(word.split("=", 1) for word in words if "=" in word and word.split("=", 1)[0].isupper())
        rest = [word for word in words if not ("=" in word and word.split("=", 1)[0].isupper())]
        assert rest[0] == "rnnclf", line
        commands.append((environment, rest[1:]))
    return commands


def test_every_large_data_command_in_the_readme_is_one_the_cli_accepts():
    from rnnclf.cli import build_parser

    commands = _large_data_commands()
    assert {arguments[0] for _, arguments in commands} == {"train", "predict"} and len(commands) >= 5
    parsed = [build_parser().parse_args(arguments) for _, arguments in commands]
    assert {args.strategy for args in parsed if args.command == "train"} == {"default", "mirrored", "multi-worker"}
    assert any(getattr(args, "jit_compile", False) for args in parsed)
    for environment, arguments in commands:
        if "TF_CONFIG" in environment:
            config = json.loads(environment["TF_CONFIG"])
            assert len(config["cluster"]["worker"]) == 2 and config["task"] == {"type": "worker", "index": 0}


def test_the_large_data_figures_in_the_readme_are_the_scale_benchmark_s():
    row = next(row for row in _json("bench/results/scale.json")["rows"] if row["rows"] == 1_000_000)
    assert (f"streaming training peaks at {row['train_streaming']['peak_rss_mb']:,.0f} MB against\n"
            f"{row['train_in_memory']['peak_rss_mb']:,.0f} MB in memory, streaming prediction at "
            f"{row['predict_streaming']['peak_rss_mb']:,.0f} MB against {row['predict_in_memory']['peak_rss_mb']:,.0f} MB") in README
