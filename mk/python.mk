# The Python face: the `commbox` package (bindings/python), its suite, its examples, its demo.
#
#   make python-install    .venv with the pinned tools, then `pip install .` into it
#   make test-python       pytest over tests/python, mypy --strict, stubtest, the examples,
#                          and a check that the default build has no test hooks
#   make demo-python       the e-mail example against a fresh mock
#
# The venv lives in .venv (gitignored) and is made with the machine's python3; the tools are
# pinned so CI runs what was tested. `pip install .` is the user's command: it fetches
# maturin into an isolated build environment and builds the wheel in this checkout, reusing
# target/. The suites build the extension with the dev profile (PY_PROFILE), which reuses
# the workspace's debug artifacts instead of a release build of every dependency, and with
# the `test-hooks` feature (PY_FEATURES: functions only the tests call, e.g.
# `_panic_for_tests`); a plain `pip install .` builds the release profile and no features.

PYTHON     ?= python3
PY_VENV    := .venv
PY         := $(PY_VENV)/bin/python
# celery (and its stubs, for mypy --strict): examples/python/celery_task.py and its test.
PY_TOOLS   := maturin==1.16.0 pytest==9.2.0 mypy==2.4.1 celery==5.7.0 celery-types==0.26.0
PY_PROFILE ?= dev
PY_FEATURES ?= test-hooks
PIP        := $(PY) -m pip --disable-pip-version-check --no-input
# flask (typed: it ships py.typed): examples/python/webhook_flask.py and tests/python/test_webhooks.py.
PY_TOOLS   += flask==3.1.3 werkzeug==3.1.9

.PHONY: python-install test-python test-python-unit test-python-types test-python-examples \
        test-python-no-test-hooks demo-python

# uvloop: the async clients are tested on it too (tests/python/test_async_native.py needs it).
PY_TOOLS   += uvloop==0.23.0

$(PY_VENV)/.tools: mk/python.mk
	$(PYTHON) -m venv $(PY_VENV)
	$(PIP) install -q $(PY_TOOLS)
	touch $@

python-install: $(PY_VENV)/.tools
	MATURIN_PEP517_ARGS="--profile $(PY_PROFILE)$(if $(PY_FEATURES), --features $(PY_FEATURES))" \
	    $(PIP) install -q .

.PHONY: python-mock
# The mock, and the CLI that tests/python/test_same_json.py compares the records with.
python-mock:
	$(CARGO) build -q -p commbox-mock --bin commbox-mock -p commbox-cli --bin commbox

# COMMBOX_TEST_HOOKS=1: the module has its test hooks, so a test that needs one fails
# rather than skips when it is missing.
test-python-unit: python-install python-mock
	COMMBOX_TEST_HOOKS=1 $(PY) -m pytest tests/python -q

# Stubs and annotations: the examples and tests as users would write them, the package
# itself, and the native module's stub against the built extension.
test-python-types: python-install
	$(PY) -m mypy --strict examples/python tests/python tests/c/cases_to_c.py bindings/python/python/commbox
	$(PY) -m mypy.stubtest commbox._commbox

test-python-examples: python-install python-mock
	$(PY) tests/python/run_examples.py

# The module as `pip install .` builds it (no features) has none of the suites' test hooks.
test-python-no-test-hooks: $(PY_VENV)/.tools
	$(PY) tests/python/check_no_test_hooks.py --profile $(PY_PROFILE)

test-python: test-python-unit test-python-types test-python-examples test-python-no-test-hooks

demo-python: python-install python-mock
	@echo "== Python: an e-mail conversation with an attachment and an agent's reply (examples/python/send_email.py)"
	@$(PY) tests/python/run_examples.py --show send_email

TEST_SUITES += test-python
DEMO_STEPS  += demo-python
