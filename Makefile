# One command from raw export to finished report. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/raw/politie20_survey_2011_synthetic.csv
OUT ?= outputs
LANG_REPORT ?= en
MIN_CELL ?= 5
CODING ?= data/coding

.DEFAULT_GOAL := help
.PHONY: help venv report test validate synth bench lab clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the pinned dependencies

report: $(STAMP) ## Build outputs/report.html from the bundled (synthetic) data and its coding (CODING=)
	$(BIN)/python -m analysis build --data $(DATA) --out $(OUT) --lang $(LANG_REPORT) --min-cell $(MIN_CELL) --coding $(CODING)

validate: $(STAMP) ## Validate an export: make validate DATA=path/to/export.csv
	$(BIN)/python -m analysis validate $(DATA)

synth: $(STAMP) ## Regenerate the bundled synthetic export (seed in src/analysis/paths.py)
	$(BIN)/python -m analysis synth
	$(BIN)/python -m analysis coding simulate

test: $(STAMP) ## Run the whole test suite (pytest, nbval on notebooks/)
	MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 tests
	MPLBACKEND=Agg $(BIN)/python -m pytest -p no:cacheprovider --nbval notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg

bench: $(STAMP) ## Run the benchmarks (speed targets live here, not in tests)
	$(BIN)/python benchmarks/run.py

lab: $(STAMP) ## Open JupyterLab on notebooks/
	$(BIN)/jupyter lab notebooks/

clean: ## Remove build products (keeps .venv)
	rm -rf $(OUT)/* .pytest_cache
