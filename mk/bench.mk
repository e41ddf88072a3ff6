# Benchmarks against peers (issue 6): not part of `make test`, nothing here asserts a time.
#
#   make bench          tools, release builds, the bench venv, then bench/run.py:
#                       prints the tables and writes bench/RESULTS.md
#   make bench-profile  where one blocking create's time goes (C ABI, pinned): perf stat, strace -c,
#                       callgrind by component, perf record (bench/.run/profile.txt, perf.data)
#
# Everything it needs is installed here: nginx, libcurl's headers, GNU time and perf from
# apt; requests/httpx/urllib3/pycurl/aiohttp and the release-built `commbox` wheel in
# bench/.venv. BENCH_N, BENCH_SECONDS, BENCH_REPEAT, BENCH_FANOUT, BENCH_BATCH_LINES, ... tune
# the run, and BENCH_SECTIONS runs only some tables (e.g. BENCH_SECTIONS=fanout,batch; the
# others keep their last figures): see bench/run.py.

BENCH_VENV   := bench/.venv
BENCH_PY     := $(BENCH_VENV)/bin/python
BENCH_RUN    := bench/.run
BENCH_PREFIX := $(CURDIR)/$(BENCH_RUN)/prefix
BENCH_PIP    := $(BENCH_PY) -m pip --disable-pip-version-check --no-input
BENCH_PEERS  := requests==2.34.2 httpx==0.28.1 urllib3==2.8.0 pycurl==7.49.0 aiohttp==3.14.5

.PHONY: bench bench-tools bench-venv bench-build bench-profile

bench-tools:
	@missing=""; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v curl-config >/dev/null || missing="$$missing libcurl4-openssl-dev"; \
	[ -x /usr/bin/time ] || missing="$$missing time"; \
	command -v perf >/dev/null || missing="$$missing linux-perf"; \
	command -v valgrind >/dev/null || missing="$$missing valgrind"; \
	command -v cc >/dev/null || missing="$$missing gcc"; \
	command -v pkg-config >/dev/null || missing="$$missing pkg-config"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BENCH_VENV)/.peers: mk/bench.mk | bench-tools
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PIP) install -q $(BENCH_PEERS)
	touch $@

# The wheel as users get it: `pip install .` (maturin's default, the release profile).
bench-venv: $(BENCH_VENV)/.peers
	$(BENCH_PIP) install -q --force-reinstall --no-deps .

bench-build: bench-tools
	$(CARGO) build --release -p commbox-cli
	$(CARGO) build --release -p commbox-mock --bin commbox-mock
	$(MAKE) --no-print-directory -s install PROFILE=release PREFIX=$(BENCH_PREFIX) INSTALL_CLI=0 >/dev/null
	cp Cargo.lock bench/rust-upload/Cargo.lock
	CARGO_TARGET_DIR=$(CURDIR)/target $(CARGO) build --release --manifest-path bench/rust-upload/Cargo.toml
	cp Cargo.lock bench/rust-fanout/Cargo.lock
	CARGO_TARGET_DIR=$(CURDIR)/target $(CARGO) build --release --manifest-path bench/rust-fanout/Cargo.toml
	$(CC) -O2 -Wall -Wextra -o $(BENCH_RUN)/c_bench bench/c_bench.c -I$(BENCH_PREFIX)/include \
	    -L$(BENCH_PREFIX)/lib -lcommbox -Wl,-rpath,$(BENCH_PREFIX)/lib $$(curl-config --libs)

bench: bench-build bench-venv
	$(BENCH_PY) bench/run.py

# Where one blocking create's time goes (C ABI, client and nginx on CPU 0): see bench/profile.py.
bench-profile: bench-build bench-venv
	$(BENCH_PY) bench/profile.py
