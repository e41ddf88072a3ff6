# libcommbox: `make demo` runs the main job, `make test` runs every check and test suite.
# Both work on a fresh machine with the Rust toolchain: they install what else they need.

CARGO ?= cargo
BIN   := target/debug/commbox

.PHONY: all build demo test lint fmt-check clippy test-rust clean help

all: build

help:
	@echo "make demo   build, start the mock, open a conversation and post a message (CLI)"
	@echo "make test   formatting, lints and every test suite"
	@echo "make build  build every crate (debug)"

build:
	$(CARGO) build --workspace --bins

demo: build
	examples/shell/demo.sh

test: lint test-rust

lint: fmt-check clippy

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust:
	$(CARGO) test --workspace

clean:
	$(CARGO) clean
