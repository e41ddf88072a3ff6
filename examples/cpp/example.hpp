// Shared by the C++ examples: the stream from COMMBOX_STREAM, and a main() that reports
// commbox::Error with its fields. The client comes from COMMBOX_API_KEY / COMMBOX_BASE_URL.
#ifndef COMMBOX_EXAMPLE_HPP
#define COMMBOX_EXAMPLE_HPP

#include <cstdlib>
#include <iostream>
#include <string>

#include "commbox.hpp"

inline std::string stream_id() {
    const char *s = std::getenv("COMMBOX_STREAM");
    return s ? s : "demo-stream";
}

int run(const commbox::Client &client);

int main() {
    try {
        commbox::Client client(commbox::ClientConfig::from_env());
        return run(client);
    } catch (const commbox::Error &e) {
        std::cerr << "commbox: " << e.status_name() << ": " << e.what();
        if (e.http_status()) std::cerr << " (HTTP " << e.http_status() << ")";
        std::cerr << "\n";
        return 1;
    }
}

#endif
