# Two commands do everything on a fresh machine:
#   make report   set up .venv, then synthetic returns + HTML reports for the default authorities
#   make test     set up .venv, then the test suite (unit, oracle, notebook and batch tests, doctests)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
YEAR   ?= 2023

.PHONY: install browser report test benchmark lab clean screenshots

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# setuptools prints an "Editable installation" notice for every -e install; it is not a problem.
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

report: $(STAMP)
	$(VENV)/bin/iro-analysis demo --year $(YEAR)

# Headless Chromium: the tests open the shared report in a real browser (and `make screenshots`).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { echo "Installing Chromium (headless browser for the report tests)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

test: $(STAMP) browser
	$(PY) -m pytest --doctest-modules iro_analysis tests

benchmark: $(STAMP)
	$(PY) benchmarks/bench_foundation.py
	$(PY) benchmarks/bench_timeliness.py
	$(PY) benchmarks/bench_audit.py

screenshots: $(STAMP) browser
	$(PY) -m iro_analysis.screenshots outputs/$(YEAR)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf outputs/[0-9]* data/synthetic .pytest_cache
