# fonder — two commands set up a fresh machine:
#   make demo   sets everything up and runs the demo end to end
#   make test   sets everything up and runs the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench eval-tone eval-dynamics train-tone setup clean browsers

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,train]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/fonder demo

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py

eval-tone: $(STAMP)
	$(BIN)/python -m fonder.tone.evaluate --split test

train-tone: $(STAMP)
	$(BIN)/python -m fonder.tone.train

eval-dynamics: $(STAMP)
	$(BIN)/python -m fonder.analysis.evaluate

clean:
	rm -rf $(VENV) bench/out .pytest_cache .hypothesis
