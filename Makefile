# One task runner for people and CI. `make reports` and `make test` create the
# virtual environment from the lock file when it is missing or out of date.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Independent JS implementations for the interop tests (pinned by interop/package-lock.json)
INTEROP := interop/node_modules/.installed

.PHONY: install interop browser reports test lint typecheck pytest lock bench bench-verify bench-synth bench-analysis bench-anonymize samples pilot clean

install: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Node peers for tests/interop (needs node >= 20 and npm; exact versions from the lock file).
interop: $(INTEROP)

$(INTEROP): interop/package.json interop/package-lock.json
	cd interop && npm ci --ignore-scripts --no-audit --no-fund
	touch $(INTEROP)

## Headless Chromium for tests/test_browser.py: Debian's packages (CI runs as root on a
## fresh Debian machine). Playwright drives /usr/bin/chromium; `playwright install`
## (a browser download of its own) is never used.
CHROMIUM := /usr/bin/chromium
browser: $(CHROMIUM)

$(CHROMIUM):
	@test "$$(id -u)" = 0 || { echo "make browser: run as root, or: sudo apt-get install chromium chromium-driver" >&2; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver

## Main job: every report notebook on the bundled default data.
reports: $(STAMP)
	$(BIN)/lerkit report all

## Tests: lint, format check, types, unit/property/notebook tests.
test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check lerkit tests benchmarks
	$(BIN)/ruff format --check lerkit tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) $(INTEROP) browser
	$(BIN)/pytest --nbval-lax notebooks tests

## Refresh the lock file after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--override requirements/overrides.txt \
		--generate-hashes -o requirements/lock.txt

bench: $(STAMP)
	$(BIN)/python benchmarks/parse.py

## Verification rates, lerkit and the interop peers on the same credentials (needs node).
bench-verify: $(STAMP) $(INTEROP)
	$(BIN)/python benchmarks/verify.py

## Every analysis on a 1,000,000-learner synthetic pilot: lerkit's engine path against a
## pandas implementation of the same analyses, wall time and peak memory, with ratios.
bench-analysis: $(STAMP)
	$(BIN)/python benchmarks/analysis.py

## k-anonymity with l-diversity on 1,000,000 rows: lerkit against anonypy (Mondrian).
bench-anonymize: $(STAMP)
	$(BIN)/python benchmarks/anonymize.py

## Generation rate and peak memory of synthetic pilots (10k and 100k learners by default).
bench-synth: $(STAMP)
	$(BIN)/python benchmarks/synth.py

## Regenerate the bundled default dataset, datasets/pilot-default (deterministic;
## tests/test_pilot_default.py checks the committed copy equals what this writes).
PILOT_LEARNERS := 5000
PILOT_SEED := 2026
pilot: $(STAMP)
	rm -rf datasets/pilot-default.tmp
	$(BIN)/lerkit datasets synth --learners $(PILOT_LEARNERS) --seed $(PILOT_SEED) \
		--name pilot-default --out datasets/pilot-default.tmp
	rm -rf datasets/pilot-default && mv datasets/pilot-default.tmp datasets/pilot-default

## Regenerate datasets/samples (deterministic).
samples: $(STAMP)
	$(BIN)/python -m lerkit.datasets.samples datasets/samples

clean:
	rm -rf $(VENV) reports/*/ interop/node_modules
