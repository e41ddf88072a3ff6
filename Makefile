# libcommbox: `make demo` runs the main job, `make test` runs every check and test suite.
# Both work on a fresh machine with the Rust toolchain: they install what else they need.
#
# Each face owns a fragment in mk/ that adds its steps to DEMO_STEPS and TEST_SUITES,
# so faces can grow without editing one shared recipe.

CARGO ?= cargo
BIN   := target/debug/commbox

DEMO_STEPS  :=
TEST_SUITES :=

.PHONY: all build demo test lint fmt-check clippy test-rust demo-cli clean help

all: build

help:
	@echo "make demo   build, start the mock, open a conversation and post a message in every face"
	@echo "make test   formatting, lints and every test suite"
	@echo "make build  build every crate (debug)"
	@echo "make docs   the documentation site, links checked: build/site/index.html"

build:
	$(CARGO) build --workspace --bins

lint: fmt-check clippy

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p commbox-cli --all-targets --features mock -- -D warnings

# The CLI's `mock` feature (`commbox mock`) is off by default, so the shipped CLI links no
# server stack: test the feature's command, and that the default build has none of it.
test-rust:
	$(CARGO) test --workspace
	$(CARGO) test -p commbox-cli --features mock --test cli commbox_mock
	@! $(CARGO) tree -q -p commbox-cli -e normal --prefix none | grep -E '^(commbox-mock|axum|rcgen) ' \
	    || { echo "the default commbox CLI links the mock server"; exit 1; }

demo-cli: build
	examples/shell/demo.sh

DEMO_STEPS  += demo-cli

# Two-way: a reply over the cable and at `commbox webhooks serve` (issue 13).
demo-receiving: build
	examples/shell/demo_receiving.sh

DEMO_STEPS  += demo-receiving
TEST_SUITES += test-rust

include $(sort $(wildcard mk/*.mk))

# Sequential: each step prints a section of the demo; the suites share 2 cores.
demo:
	@set -e; for step in $(DEMO_STEPS); do $(MAKE) --no-print-directory $$step; done

test: lint
	@set -e; for suite in $(TEST_SUITES); do $(MAKE) --no-print-directory $$suite; done

clean:
	$(CARGO) clean
