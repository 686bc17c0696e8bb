# evalkit — run `make help` for the targets.
# Everything runs inside .venv (created on first use from python3).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install demo-data clean report test lab distclean

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

test: $(STAMP) ## Run the whole test suite: pytest + every notebook under nbval
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider

lab: $(STAMP) ## Open JupyterLab on this environment's evalkit kernel
	$(BIN)/jupyter lab notebooks/

distclean: ## Remove .venv and every generated file (data/raw is kept)
	rm -rf $(VENV) data/processed/*.parquet data/processed/manifest.json reports/*.html reports/*.ipynb reports/*.txt
