# Two entry points: `make demo` and `make test`. Both create .venv and install everything first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/xinfang demo ./demo-archive

test: $(STAMP)
	$(BIN)/python -m pytest -q

SCALE ?= 100000
bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench_audit --entries $(SCALE)

clean:
	rm -rf $(VENV) demo-archive .pytest_cache .hypothesis *.egg-info
