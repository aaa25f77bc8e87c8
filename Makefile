# The two commands: `make build` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
BYTECODE := $(VENV)/.stamp-bytecode

.PHONY: build test check serve bench clean new-edition golden fonts _build _check

# An editor's command that fails ends with what to do, in Vietnamese, not with make's own
# English "*** Error 1": the command's exit status is kept, and $(error), expanded once the
# command has run, stops make with our sentence.
STATUS = $(VENV)/.last-status
finish = $(if $(filter-out 0,$(file <$(STATUS))),$(error Chưa xong: sửa các lỗi ở trên (tệp:dòng:cột, theo dòng gợi ý) rồi chạy lại $(1)))true

build: _build
	@$(call finish,make build)

_build: $(VENV)/.stamp-run $(BYTECODE)
	@$(BIN)/cumthidua-site build; echo $$? > $(STATUS)

check: _check
	@$(call finish,make check)

_check: $(VENV)/.stamp-run $(BYTECODE)
	@$(BIN)/cumthidua-site check; echo $$? > $(STATUS)

# Live preview on http://127.0.0.1:8000/ (PORT=8001 for another port); Ctrl-C stops it.
serve: $(VENV)/.stamp-run $(BYTECODE)
	@$(BIN)/cumthidua-site serve $(if $(PORT),--port $(PORT))

# Next year's folder: make new-edition YEAR=2024
new-edition: $(VENV)/.stamp-run $(BYTECODE)
	@test -n "$(YEAR)" || { echo "Thiếu năm. Cách dùng: make new-edition YEAR=2024" >&2; exit 2; }
	$(BIN)/cumthidua-site new-edition $(YEAR)

# Rewrite the golden output of the smallest fixture project after an intended change of output.
golden: $(VENV)/.stamp-test
	$(BIN)/python tests/golden.py --refresh

test: $(VENV)/.stamp-test node_modules/.stamp $(BYTECODE)
	$(BIN)/python -m pytest

# Make the shipped font subset again (src/cumthidua_site/fonts/) from Debian's fonts-noto-core.
fonts: $(VENV)/.stamp-test
	$(BIN)/python scripts/subset_fonts.py

bench: $(VENV)/.stamp-test $(BYTECODE)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf build $(VENV) node_modules test-artifacts

# A stamp is older than pyproject.toml when the dependencies may have changed:
# then the venv is (re)created if missing and the project reinstalled.
$(VENV)/.stamp-run: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $@

# Our own modules compiled to bytecode, as pip compiles the dependencies when it installs them:
# this workplace sets PYTHONDONTWRITEBYTECODE=1, under which every command would compile the
# whole package again first (about 90 ms of the real site's 0.55 s build). Made again when a
# module changes; a module changed since is compiled in memory by Python, as before.
$(BYTECODE): $(wildcard src/cumthidua_site/*.py) | $(VENV)/.stamp-run
	@$(BIN)/python -m compileall -q src/cumthidua_site
	@touch $@

$(VENV)/.stamp-test: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[test]'
	touch $@ $(VENV)/.stamp-run

# The browser checks' tools (axe-core, vnu-jar, lighthouse), pinned in package-lock.json.
# --ignore-scripts: vnu-jar's postinstall would try to download a Java runtime.
node_modules/.stamp: package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the browser checks will be skipped (see README, Browser checks)"; \
	fi
