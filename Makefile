# Two commands: `make demo` (build and serve the sample newsletter) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SERVE  ?= 1
export NO_MKDOCS_2_WARNING := 1

.PHONY: install demo test lint bench golden lock clean

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

install: $(BIN)/.installed

demo: install
ifeq ($(SERVE),0)
	$(BIN)/newsletter demo
else
	$(BIN)/newsletter demo --serve
endif

lint: install
	$(BIN)/ruff check generator tests bench
	$(BIN)/ruff format --check generator tests bench
	$(BIN)/mypy generator

test: install lint
	$(BIN)/pytest -q

# The blog side of bench_build needs mkdocs-rss-plugin, which pins GitPython<3.2;
# it is installed for the bench only, without its dependencies.
bench: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps mkdocs-rss-plugin==1.17.3 cachecontrol==0.14.4 msgpack==1.2.4
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Re-pin every dependency after changing pyproject.toml (review the diff).
lock: install
	$(BIN)/python -m pip freeze --all --exclude-editable | grep -v -e '^pip==' -e '^-e' > requirements.lock

golden: install
	$(BIN)/python tests/golden.py --refresh

clean:
	rm -rf site .cache sample_sources
