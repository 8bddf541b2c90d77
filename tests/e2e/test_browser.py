"""End to end in a real browser: `streamlit run app.py`, headless Chromium, the default model.

Starts the app on a free local port, types a sentence on Classify, waits for the
label and the attribution plot, then visits every page and saves a screenshot
of each under artifacts/screenshots/ (git-ignored). Timings go to
artifacts/e2e_timings.json.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = ["classify", "train", "compare", "datasets", "models"]
SENTENCE = "The waiter was friendly and the pasta was delicious."

pytestmark = pytest.mark.e2e

FAKE_DATASETS = """
import pandas as pd
from rnnclf.data import datasets
from rnnclf.data.parsers import ParsedCorpus
for name in ("movie-snippets", "amazon-snippets"):
    frame = pd.DataFrame({"text": ["a warm and funny film", "dull and far too long", "works as promised", "broke after a day"],
                          "label": ["positive", "negative", "positive", "negative"]})
    datasets._save(datasets.DATASETS[name], ParsedCorpus(frame, {}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy in time")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: `apt-get install -y chromium` (.ci/run does this).")
    port = _free_port()
    home = tmp_path_factory.mktemp("e2e-home")
    # Two small self-written tables stand in for fetched corpora, so the Train page has datasets to choose.
    subprocess.run([sys.executable, "-c", FAKE_DATASETS], check=True, cwd=ROOT, env={**os.environ, "RNNCLF_HOME": str(home)})
    log = open(home / "streamlit.log", "wb")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "RNNCLF_HOME": str(home)},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url, started
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


def _classify(page, text: str, word: str) -> float:
    """Type ``text``; return seconds until the attribution plot shows its ``word`` (and the label is up)."""
    box = page.get_by_role("textbox", name="Text", exact=True)
    box.fill(text)
    clicked = time.perf_counter()
    box.press("Control+Enter")
    # The previous text's plots stay on screen while the app reruns, so wait for
    # a plot whose data holds a word of the new text, not just for "a plot".
    page.wait_for_function(
        """word => document.querySelectorAll('[data-testid="stMetricValue"]').length > 0
                 && [...document.querySelectorAll('.js-plotly-plot')].some(
                        plot => JSON.stringify(plot.data || []).includes(word))""",
        arg=word, timeout=60_000,
    )
    return time.perf_counter() - clicked


def _analysis_ms(page) -> float:
    """Server-side analysis time the page reports in its caption ("… · 42 ms")."""
    caption = page.get_by_text(re.compile(r" · \d+ ms$")).first.inner_text()
    return float(caption.rsplit("·", 1)[1].split()[0])


def _combobox_value(page, label: str) -> str:
    return page.get_by_role("combobox", name=label, exact=True).input_value()


def _wait_for_input(page, label: str, value: str) -> None:
    """Wait until the input labelled ``label`` shows ``value`` (a widget can show a passing value while it mounts)."""
    page.wait_for_function("([label, value]) => document.querySelector(`input[aria-label=\"${label}\"]`)?.value === value",
                           arg=[label, value], timeout=60_000)


def test_a_bookmarked_train_link_opens_its_form_and_survives_a_reload(server, browser):
    """Runs first, on a server no one has visited: a page URL as the very first request still goes through app.py."""
    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/train?dataset=amazon-snippets&preset=quick&units=48")
    page.get_by_text("Active model").first.wait_for(timeout=90_000)  # the sidebar: app.py ran
    _wait_for_input(page, "Dataset", "amazon-snippets")
    _wait_for_input(page, "Units", "48")
    assert _combobox_value(page, "Cell type") == "GRU"  # the quick preset's
    page.get_by_role("combobox", name="Dataset", exact=True).click()
    page.get_by_role("option", name="movie-snippets").click()
    page.wait_for_function("() => location.search.includes('dataset=movie-snippets')", timeout=30_000)
    page.reload()
    _wait_for_input(page, "Dataset", "movie-snippets")
    _wait_for_input(page, "Units", "48")
    assert "preset=quick" in page.url and "units=48" in page.url
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "train-after-reload.png"), full_page=True)
    # Another page keeps the shared choices (model, dataset) in its URL but not the Train form.
    page.get_by_role("link", name="Datasets").click()
    # The new page writes its query once its script has run: wait for that, not just for the path to change.
    page.wait_for_function("() => location.pathname.endsWith('/datasets') && location.search.includes('dataset=movie-snippets')",
                           timeout=30_000)
    assert "preset=" not in page.url
    page.close()


def test_classify_in_a_real_browser_and_screenshot_every_page(server, browser):
    url, started = server
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_role("textbox", name="Text", exact=True).wait_for(timeout=90_000)
    first = _classify(page, SENTENCE, "pasta")
    cold_start = time.perf_counter() - started
    label = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    assert label in ("positive", "negative")
    assert label == "positive", "the default model should find this sentence positive"
    assert page.locator(".js-plotly-plot").count() >= 4
    clicks, server = [], []
    for text, word in (
        ("My new phone keeps freezing and support never answered my emails.", "freezing"),
        ("What a beautiful morning for a walk by the river!", "river"),
        ("The film started well, but the ending was a boring mess.", "mess"),
        ("Our neighbours brought soup when we were ill, so kind.", "neighbours"),
        ("The train was cancelled twice and nobody told us why.", "cancelled"),
    ):
        clicks.append(_classify(page, text, word))
        server.append(_analysis_ms(page))
    page.wait_for_timeout(500)
    page.screenshot(path=str(shots / "classify.png"), full_page=True)
    # Inside the RNN: the default model's GRU gates for the last text, with the units that track its prediction.
    page.get_by_text("Inside the RNN: gates and states per word").first.click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.js-plotly-plot')].some(
                     plot => (plot.layout?.title?.text || '').includes('GRU update · layer 1 · forward'))""",
        timeout=60_000)
    page.get_by_text(re.compile(r"follows P\((positive|negative)\) with correlation")).first.wait_for(timeout=30_000)
    page.get_by_text("Inside the RNN: gates and states per word").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(shots / "classify-inside-the-rnn.png"), full_page=True)
    # What if: replace the word the explanation ranks first and read the new probabilities.
    page.get_by_text("What if… remove or replace one word").first.click()
    replacement = page.get_by_role("textbox", name="Replace it with (leave empty to remove it)", exact=True)
    replacement.fill("delightful")
    replacement.press("Enter")
    page.get_by_text(re.compile(r"→ ‘delightful’")).first.wait_for(timeout=30_000)
    page.screenshot(path=str(shots / "classify-what-if.png"), full_page=True)
    # A text of words the model has never seen is flagged as a guess, not shown as a normal prediction.
    _classify(page, "qwzx plorf blarg", "qwzx")
    page.get_by_text("The model knows none of these words: this answer is a guess.").first.wait_for(timeout=30_000)
    assert page.get_by_text("A guess, not a prediction").count() >= 1
    page.screenshot(path=str(shots / "classify-guess.png"), full_page=True)
    # Chinese typed while the English default model is active: the bundled Chinese model answers, and says so.
    _classify(page, "用了两天就坏了，客服一直不回消息，太失望了。", "失望")
    page.get_by_text(re.compile(r"This text looks Chinese, so the bundled Chinese model \('default-zh'\) answered it")).first.wait_for(
        timeout=60_000)
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text() == "negative"
    page.screenshot(path=str(shots / "classify-chinese.png"), full_page=True)
    for name in PAGES[1:]:
        page.goto(f"{url}/{name}")
        page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        assert not page.locator('[data-testid="stException"]').count(), f"exception on {name}"
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    timings = {"cold_start_to_first_classification_s": cold_start, "first_classification_s": first,
               "click_to_result_s": clicks, "click_to_result_median_s": sorted(clicks)[len(clicks) // 2],
               "server_analysis_ms": server}
    (ARTIFACTS / "e2e_timings.json").write_text(json.dumps(timings, indent=2))
    expected = [f"{name}.png" for name in PAGES] + ["classify-guess.png", "classify-chinese.png",
                                                    "classify-inside-the-rnn.png", "classify-what-if.png"]
    assert set(expected) <= {path.name for path in shots.glob("*.png")}
