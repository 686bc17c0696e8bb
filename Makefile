# evalkit — run `make help` for the targets.
# Everything runs inside .venv (created on first use from python3).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# pytest as `make test` runs it: tests/, the notebooks under nbval, the doctests of
# src/evalkit (testpaths and --doctest-modules in pyproject.toml)
PYTEST := $(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider
# the packages `make docs` documents: the root (the public API, `from evalkit import ...`)
# and every stage with its modules (pdoc documents only the root's __all__ otherwise)
DOC_MODULES := evalkit evalkit.core evalkit.read evalkit.clean evalkit.measure evalkit.analyse \
               evalkit.present evalkit.run evalkit.demo

.DEFAULT_GOAL := help
.PHONY: help install demo-data clean report pdf test test-fast lint docs browser lab distclean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name evalkit --display-name "Python (evalkit)" >/dev/null
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install evalkit with its dev tools
demo-data: $(STAMP) ## Regenerate the synthetic demo files in data/raw (seeded)
	$(BIN)/evalkit demo-data

clean: $(STAMP) ## Clean data/raw into data/processed (parquet, quarantine, manifest)
	$(BIN)/evalkit clean

report: $(STAMP) ## Clean the data and build every regional report + reports/index.html
	$(BIN)/evalkit clean
	$(BIN)/evalkit run

pdf: $(STAMP) browser ## Build the reports (as make report) and a PDF beside each one (Chromium)
	$(BIN)/evalkit clean
	$(BIN)/evalkit run --pdf

# on two workers (pytest-xdist): the kernel and browser tests wait on kernels and Chromium
# most of the time, so the whole suite takes about half as long as in one process.
# --dist loadfile: each file on one worker, so a notebook's cells (nbval items) run in
# order in one kernel, not shared between two workers' kernels
test: $(STAMP) browser ## Run the whole test suite: pytest + every notebook under nbval + doctests
	$(PYTEST) -n 2 --dist loadfile

test-fast: $(STAMP) ## The inner loop (~2 min on 2 cores): no slow, kernel or browser tests
	$(PYTEST) -m "not slow and not kernel and not browser" -n auto --dist loadfile

lint: $(STAMP) ## ruff on the code and tests, then the import contract (stages are layers)
	$(BIN)/ruff check --no-cache src tests benchmarks conftest.py
	$(BIN)/lint-imports --no-cache

docs: $(STAMP) ## API reference from the numpydoc docstrings: docs/api/index.html (pdoc, offline)
	$(BIN)/pdoc --docformat numpy -o docs/api $(DOC_MODULES)
	@echo "open docs/api/index.html"

browser: ## Install Chromium + ChromeDriver for the browser test (nothing if on PATH)
	.ci/browser

lab: $(STAMP) ## Open JupyterLab on this environment's evalkit kernel
	$(BIN)/jupyter lab notebooks/

distclean: ## Remove .venv and every generated file (data/raw is kept)
	rm -rf $(VENV) data/processed/*.parquet data/processed/manifest.json reports/*.html reports/*.ipynb reports/*.txt reports/*.pdf docs/api
