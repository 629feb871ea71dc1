# Two commands do everything on a fresh machine:
#   make report   set up .venv, then synthetic returns + HTML reports for the default authorities
#   make test     set up .venv, then the test suite (unit, oracle, notebook and batch tests, doctests)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
YEAR   ?= 2023

.PHONY: install report test benchmark lab clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# setuptools prints an "Editable installation" notice for every -e install; it is not a problem.
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

report: $(STAMP)
	$(VENV)/bin/iro-analysis demo --year $(YEAR)

test: $(STAMP)
	$(PY) -m pytest --doctest-modules iro_analysis tests

benchmark: $(STAMP)
	$(PY) benchmarks/bench_foundation.py
	$(PY) benchmarks/bench_timeliness.py

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf outputs/[0-9]* data/synthetic .pytest_cache
