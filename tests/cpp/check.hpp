// The tally shared by the C++ suites (as tests/c/harness.h is for the C ones): CHECK counts
// a passed or failed condition, printing where it failed; finish() prints the totals and
// gives the exit code. Each suite includes it once.
#ifndef COMMBOX_TEST_CHECK_HPP
#define COMMBOX_TEST_CHECK_HPP

#include <iostream>
#include <string>

namespace check {

inline int passed = 0, failed = 0;

inline void record(bool ok, const char *file, int line, const char *what) {
    if (ok) {
        ++passed;
    } else {
        ++failed;
        std::cerr << file << ":" << line << ": CHECK failed: " << what << "\n";
    }
}

inline bool has(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

inline int finish() {
    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
}

}  // namespace check

#define CHECK(cond) ::check::record(static_cast<bool>(cond), __FILE__, __LINE__, #cond)

#endif
