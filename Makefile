# Two entry points: `make demo` and `make test`. Both create .venv and install everything first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# LibreOffice and CJK fonts from Debian, for PDFs. Installed when missing and running as root (CI);
# elsewhere `make` says what to install, and the tests that need LibreOffice skip (never when CI=true).
# The GB/T 9704 faces (generators/fonts.py): 黑体 and 宋体 Noto CJK SC; 小标宋 Noto Serif CJK SC Black and
# the 仿宋 stand-in Noto Serif CJK SC Light (both from -extra); 楷体 LXGW WenKai. No open 仿宋 with simplified
# coverage is to be had from Debian or the npm registry here; fontconfig's fc-match finds the faces.
SYSTEM_PACKAGES := libreoffice-writer-nogui fontconfig fonts-noto-cjk fonts-noto-cjk-extra fonts-lxgw-wenkai

.PHONY: demo test faults bench clean sysdeps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

sysdeps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing$$missing"; apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing >/dev/null; \
	  else echo "Missing system packages:$$missing (apt-get install$$missing); PDF tests will be skipped."; fi; \
	fi

demo: $(STAMP) sysdeps
	$(BIN)/xinfang demo ./demo-archive

test: $(STAMP) sysdeps
	$(BIN)/python -m pytest -q

# The crash and concurrency suites four times over: fifty kills in all, a minute of concurrent work.
faults: $(STAMP) sysdeps
	XINFANG_FAULT_SCALE=4 $(BIN)/python -m pytest -q tests/faults tests/test_crash.py tests/test_crash_batches.py

SCALE ?= 100000
bench: $(STAMP) sysdeps
	$(BIN)/python -m benchmarks.bench_audit --entries $(SCALE)
	$(BIN)/python -m benchmarks.bench_filing
	$(BIN)/python -m benchmarks.bench_generation
	$(BIN)/python -m benchmarks.bench_pdf
	$(BIN)/python -m benchmarks.bench_search --records $$(( $(SCALE) / 10 )) $(SCALE)

clean:
	rm -rf $(VENV) demo-archive demo-archive-文书 .pytest_cache .hypothesis *.egg-info
