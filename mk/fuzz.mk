# Fuzzing with cargo-fuzz (libFuzzer): not part of `make test`, whose replay of the seed
# corpus (crates/commbox/src/fuzzing.rs) keeps the seeds and the decoder harnesses honest.
#
#   make fuzz                                     every target, FUZZ_SECONDS (600) each
#   make fuzz FUZZ_TARGETS=ffi_entry_points FUZZ_SECONDS=60
#   make fuzz-build                               build the targets only
#
# cargo-fuzz passes nightly -Z flags (sanitizers, coverage); only the stable toolchain is
# installed, and RUSTC_BOOTSTRAP=1 lets it accept them. The targets are optimised (the
# cargo-fuzz default; fuzz/Cargo.toml keeps debug assertions and overflow checks on) and
# run one after another in one process each, since the machine has two shared cores.
#
# Seeds are committed in fuzz/corpus/<target>/; what a run discovers goes to fuzz/work/<target>/
# (ignored), its log to fuzz/work/<target>.log. A crash stops the run and leaves its input in
# fuzz/artifacts/<target>/: fix it, and replay the input from a unit test in its crate.

CARGO_FUZZ_VERSION := 0.13.2
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= commbox_envelope chatwoot_response ffi_entry_points commbox_delivery chatwoot_webhook
FUZZ_FLAGS   ?= -timeout=30 -print_final_stats=1
FUZZ         := RUSTC_BOOTSTRAP=1 $(CARGO) fuzz

.PHONY: fuzz fuzz-build fuzz-tools

fuzz-tools:
	@$(CARGO) fuzz --version 2>/dev/null | grep -q ' $(CARGO_FUZZ_VERSION)$$' || \
	  $(CARGO) install --locked cargo-fuzz --version $(CARGO_FUZZ_VERSION)

fuzz-build: fuzz-tools
	@set -e; for t in $(FUZZ_TARGETS); do $(FUZZ) build --fuzz-dir fuzz $$t; done

# The summary counts what the run left: libFuzzer's final stats and the inputs it wrote to
# fuzz/artifacts/<target>/ during the run (crash-, leak-, timeout-, oom-); any such input, or
# a failed run, stops `make fuzz` with the log's tail.
fuzz: fuzz-build
	@set -e; mkdir -p fuzz/work; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/work/$$t fuzz/artifacts/$$t; touch fuzz/work/$$t.start; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s (log: fuzz/work/$$t.log)"; \
	  status=0; \
	  $(FUZZ) run --fuzz-dir fuzz $$t fuzz/work/$$t fuzz/corpus/$$t -- \
	      -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) > fuzz/work/$$t.log 2>&1 || status=$$?; \
	  found=$$(find fuzz/artifacts/$$t -type f -newer fuzz/work/$$t.start \
	      \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort); \
	  crashes=$$(printf '%s' "$$found" | grep -c . || true); \
	  runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' fuzz/work/$$t.log | tail -n1); \
	  secs=$$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' fuzz/work/$$t.log | tail -n1); \
	  corpus=$$(ls fuzz/work/$$t | wc -l); seeds=$$(ls fuzz/corpus/$$t | wc -l); \
	  echo "fuzz $$t: $${secs:-?} s, $${runs:-?} executions, corpus $$corpus (from $$seeds seeds), $$crashes crashes"; \
	  if [ "$$crashes" -gt 0 ] || [ "$$status" -ne 0 ]; then \
	    tail -n 40 fuzz/work/$$t.log; \
	    for f in $$found; do echo "fuzz $$t: input in $$f"; done; \
	    [ "$$crashes" -gt 0 ] || echo "fuzz $$t: cargo fuzz failed (status $$status) and left no input"; \
	    exit 1; \
	  fi; \
	done
