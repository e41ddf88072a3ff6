# The README's quick starts, run as pasted against a fresh commbox-mock (tests/readme/).
#
#   make test-readme    every block the README marks `<!-- quickstart: LANG -->`
#
# test-prefix builds the debug commbox-mock and commbox and installs the C library under
# build/prefix; python-install puts the package in .venv. The Rust quick start builds in
# target/quickstart (its own target directory, reused between runs).

.PHONY: test-readme readme-tools

# jq: the CLI quick start reads an id with it.
readme-tools:
	@command -v jq >/dev/null || { echo "installing: jq"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null; }

test-readme: python-install c-tools test-prefix readme-tools
	$(CARGO) build -q -p commbox-mock --bin commbox-mock -p commbox-cli --bin commbox
	$(PY) -m mypy --strict tests/readme/run_quickstarts.py
	$(PY) tests/readme/run_quickstarts.py README.md

TEST_SUITES += test-readme
