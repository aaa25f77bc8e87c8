# The two commands: `make build` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: build test check bench clean

build: $(VENV)/.stamp-run
	$(BIN)/cumthidua-site build

check: $(VENV)/.stamp-run
	$(BIN)/cumthidua-site check

test: $(VENV)/.stamp-test
	$(BIN)/python -m pytest

bench: $(VENV)/.stamp-test
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf build $(VENV)

# A stamp is older than pyproject.toml when the dependencies may have changed:
# then the venv is (re)created if missing and the project reinstalled.
$(VENV)/.stamp-run: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[test]'
	touch $@ $(VENV)/.stamp-run
