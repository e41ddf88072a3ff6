# The soak: 16 threads x 10 000 mixed calls through one client, in the C and the Python face,
# against the mock faulting 5 % of requests at random (chaos mode). Checks that every success
# is stored exactly once, every failure was reported to its caller, nothing is duplicated,
# and open descriptors and RSS stay flat. Not part of `make test`: it takes minutes.
#
#   make soak                            both faces, then one table (build/soak/<face>/ keeps the data)
#   make soak-c / make soak-python       one face
#   make soak SOAK_ARGS="--calls 1000"   a shorter run (see python3 tests/soak/run.py --help)
#
# Debug builds, like the test suites: the soak looks for leaks and lost calls, not speed.

SOAK_ARGS ?=
SOAK_RUN  := $(PYTHON) tests/soak/run.py --c-binary build/soak/soak_c --python $(PY)

.PHONY: soak soak-c soak-python soak-build-c

soak-build-c: c-tools test-prefix
	@mkdir -p build/soak
	$(CC) $(C_STRICT) $$($(TEST_PC) pkg-config --cflags commbox) -o build/soak/soak_c tests/soak/soak.c \
	    $$($(TEST_PC) pkg-config --libs commbox) -Wl,-rpath,$(TEST_PREFIX)/lib -pthread

soak: soak-build-c python-install
	$(SOAK_RUN) --face all $(SOAK_ARGS)

soak-c: soak-build-c
	$(SOAK_RUN) --face c $(SOAK_ARGS)

soak-python: python-install python-mock
	$(SOAK_RUN) --face python $(SOAK_ARGS)
