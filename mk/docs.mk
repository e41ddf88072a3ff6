# The documentation site: one tree under build/site, every relative link in it checked.
#
#   make docs        build/site/index.html, linking:
#                    guides/   README, CONTRIBUTING, SECURITY, CHANGELOG, docs/*.md and
#                              packaging/README.md, rendered (docs/tools/guides.py), with the
#                              files they link to
#                    rust/     rustdoc of commbox and commbox-mock, warnings as errors
#                    python/   pdoc over the `commbox` package installed in .venv (its docstrings)
#                    c/        include/commbox.h's doc comments (docs/tools/c_reference.py)
#                    then docs/tools/check_links.py: fails on a relative link to a missing
#                    file or a missing anchor; external links are listed in
#                    build/site-external-links.txt, not fetched
#   make test-docs   the same (one line per part, then a summary line), and mypy --strict
#                    over docs/tools
#
# Reuses what the other suites build: the Python module of `make python-install` (cargo's
# dev artifacts), and the workspace's target/ as cargo's build directory for rustdoc, whose
# pages go to build/rustdoc/doc. They cannot go to target/doc: commbox-ffi's library is also
# named `commbox`, and test-crates (mk/crates.mk) documents it there after the core.
# The tools are pinned and installed into .venv, as mk/python.mk installs its own.

DOCS_SITE     := build/site
DOCS_RUSTDOC  := build/rustdoc
DOCS_TOOLS    := pdoc==16.0.0 jinja2==3.1.6 markupsafe==3.0.4 markdown2==2.5.5 pygments==2.21.0 \
                 markdown==3.11.3 types-Markdown==3.11.3.20261108
DOCS_GUIDES   := README.md CONTRIBUTING.md SECURITY.md CHANGELOG.md $(sort $(wildcard docs/*.md)) \
                 packaging/README.md
DOCS_CRATES   := commbox commbox-mock
DOCS_REFS     := --reference "Rust: the commbox crate" rust/commbox/index.html "the core, as a Rust library" \
                 --reference "Rust: the commbox-mock crate" rust/commbox_mock/index.html "the mock server, in-process for tests" \
                 --reference "Python: the commbox package" python/commbox.html "the Python face, from its docstrings" \
                 --reference "C: commbox.h" c/index.html "the C library's functions and types, from the header's comments"

.PHONY: docs test-docs docs-tools

# .venv is mk/python.mk's PY_VENV, spelled out: this fragment is read before that one, and a
# rule's prerequisites are expanded as it is read.
.venv/.docs-tools: .venv/.tools mk/docs.mk
	$(PIP) install -q $(DOCS_TOOLS)
	touch $@

docs-tools: .venv/.docs-tools

# $(call docs_step,NAME,COMMAND): one counted step; its last line (what it made) on success,
# its output on failure.
docs_step = if $(2) >$$log 2>&1; then echo "ok $(1): $$(tail -n1 $$log)"; passed=$$((passed + 1)); \
	else sed 's/^/    /' $$log | tail -40; echo "FAILED $(1)"; failed=$$((failed + 1)); fi

docs: docs-tools python-install
	@rm -rf $(DOCS_SITE) && mkdir -p $(DOCS_SITE); \
	passed=0; failed=0; log=$$(mktemp); \
	$(call docs_step,rustdoc -D warnings ($(DOCS_CRATES)),\
	  env RUSTDOCFLAGS="-D warnings" CARGO_TARGET_DIR=$(DOCS_RUSTDOC) \
	    CARGO_BUILD_BUILD_DIR="$${CARGO_BUILD_BUILD_DIR:-$${CARGO_TARGET_DIR:-$(CURDIR)/target}}" \
	    $(CARGO) doc --no-deps --locked $(addprefix -p ,$(DOCS_CRATES))); \
	[ ! -d $(DOCS_RUSTDOC)/doc ] || cp -r $(DOCS_RUSTDOC)/doc $(DOCS_SITE)/rust; \
	$(call docs_step,Python reference (pdoc),\
	  $(PY) -m pdoc -d restructuredtext -t docs/tools/pdoc -o $(DOCS_SITE)/python commbox \
	  && echo "$$(grep -c 'class="attr ' $(DOCS_SITE)/python/commbox.html) entries in $(DOCS_SITE)/python/commbox.html"); \
	$(call docs_step,C reference,$(PY) docs/tools/c_reference.py include/commbox.h $(DOCS_SITE) c/index.html); \
	$(call docs_step,guides and index,$(PY) docs/tools/guides.py --site $(DOCS_SITE) $(DOCS_REFS) --section-index rust $(DOCS_GUIDES)); \
	$(call docs_step,link check,$(PY) docs/tools/check_links.py $(DOCS_SITE) --external-list build/site-external-links.txt); \
	$(if $(DOCS_TYPES),$(call docs_step,mypy --strict docs/tools,$(PY) -m mypy --strict docs/tools);) \
	rm -f $$log; \
	echo "the site: $(DOCS_SITE)/index.html"; \
	echo "docs: $$passed passed, $$failed failed"; \
	[ "$$failed" -eq 0 ]

test-docs: DOCS_TYPES = 1
test-docs: docs

TEST_SUITES += test-docs
