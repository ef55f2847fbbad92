# Two entry points for newcomers: `make demo` and `make test`. Both create .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PYTEST_ARGS ?=

.PHONY: setup demo demo-eval test test-fast lint bench clean

setup: $(VENV)/.installed

# torch==2.13.0 first: it resolves to the CPU wheel on this machine; a bare `torch` pulls a CUDA build.
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[train,server,dev]'
	touch $@

# Verifier verdicts, then the tiny two-stage pipeline: generate -> curate -> FRE -> MGT -> plots.
demo: setup
	$(VENV)/bin/lmmr1 demo
	$(VENV)/bin/train-two-stage --config recipes/tiny-cpu.yaml
	$(MAKE) demo-eval

# Table 1 of the tiny run: base, FRE and MGT on the held-out sets (128 items each, the recipe's prompt and
# length), and on 128 MATH-V testmini items with their images when ../shared/data is there.
DEMO_RUN ?= runs/tiny-cpu
DEMO_DATA ?= ../shared/data
EVAL := $(PY) -m lmmr1.evaluate.cli --log-level WARNING --torch-threads 1 --workers 1
demo-eval: setup
	benchmarks=tiny_fre_heldout,tiny_mgt_heldout; data=; \
	if [ -f $(DEMO_DATA)/MANIFEST.md ]; then benchmarks=$$benchmarks,mathv_testmini; data="--data-dir $(DEMO_DATA)"; fi; \
	for m in tiny-base:base fre/final:fre mgt/final:mgt; do \
	  $(EVAL) --model $(DEMO_RUN)/$${m%%:*} --benchmarks $$benchmarks --limit 128 --max-new-tokens 6 --system-prompt . \
	    $$data --output-dir $(DEMO_RUN)/eval/$${m##*:} > /dev/null || exit 1; \
	done
	$(EVAL) --compare $(DEMO_RUN)/eval/base $(DEMO_RUN)/eval/fre $(DEMO_RUN)/eval/mgt --output-dir $(DEMO_RUN)/eval

# The full suite, slow tests included: this is what CI runs.
test: setup
	$(VENV)/bin/ruff check lmmr1 tests benchmarks
	$(PY) -m pytest -q --run-slow $(PYTEST_ARGS)

# Everything but the slow tests (seconds, not minutes).
test-fast: setup
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check lmmr1 tests benchmarks

bench: setup
	$(PY) benchmarks/verify_speed.py
	$(PY) benchmarks/verify_accuracy.py

clean:
	rm -rf $(VENV) build *.egg-info
