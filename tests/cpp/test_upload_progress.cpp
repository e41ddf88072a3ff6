// The C++ wrapper's upload progress (ClientConfig::on_upload_progress), against the mock (run
// through tests/with-mock.sh): reported on the calling thread up to the file's size, kept
// alive by the client after its config is gone, and an exception in it does not stop the
// upload.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "check.hpp"
#include "commbox.hpp"

namespace {

using check::failed;
using check::passed;

constexpr uint64_t kSize = 3u * 1024u * 1024u + 17u;

commbox::Conversation email(const std::string &path) {
    auto c = commbox::Conversation::email("a@b.co", "progress", "see attached");
    c.attachment(path);
    return c;
}

}  // namespace

int main() {
    const char *url = std::getenv("COMMBOX_BASE_URL");
    const char *key = std::getenv("COMMBOX_API_KEY");
    if (!url || !key) {
        std::cerr << "run me through tests/with-mock.sh\n";
        return 2;
    }
    const std::string path = "/tmp/commbox-cpp-progress.bin";
    {
        std::ofstream f(path, std::ios::binary);
        std::string block(4096, 'x');
        for (uint64_t left = kSize; left > 0; left -= std::min<uint64_t>(left, block.size()))
            f.write(block.data(), static_cast<std::streamsize>(std::min<uint64_t>(left, block.size())));
    }
    try {
        std::vector<uint64_t> seen;
        bool same_thread = true, names = true;
        const auto caller = std::this_thread::get_id();
        std::optional<commbox::Client> client;
        {
            commbox::ClientConfig config;
            config.api_key(key).base_url(url).on_upload_progress([&](const commbox::UploadProgress &p) {
                seen.push_back(p.bytes_sent);
                same_thread = same_thread && std::this_thread::get_id() == caller;
                names = names && p.attachment == "commbox-cpp-progress.bin" && p.total_bytes == kSize &&
                        p.request_id.size() == 36 && p.attempt == 1 && p.count == 1;
            });
            client.emplace(config);
        }  // the config is gone; the client keeps the callback alive
        CHECK(client->create_conversation("progress", email(path)) > 0);
        CHECK(!seen.empty() && seen.front() == 0 && seen.back() == kSize);
        bool grows = true;
        for (size_t i = 1; i < seen.size(); ++i) grows = grows && seen[i] > seen[i - 1];
        CHECK(grows);
        CHECK(seen.size() > kSize / (64 * 1024));
        CHECK(same_thread);
        CHECK(names);

        // An exception in the callback is swallowed; the upload goes on.
        int calls = 0;
        commbox::Client throwing(commbox::ClientConfig().api_key(key).base_url(url).on_upload_progress(
            [&](const commbox::UploadProgress &) {
                ++calls;
                throw std::runtime_error("a bug in the progress bar");
            }));
        CHECK(throwing.create_conversation("progress", email(path)) > 0);
        CHECK(calls > 1);
        std::string objects = throwing.raw_request("GET", "/__mock/objects");
        CHECK(objects.find("\"size\":" + std::to_string(kSize)) != std::string::npos);
    } catch (const commbox::Error &e) {
        ++failed;
        std::cerr << "unexpected commbox::Error: " << e.status_name() << ": " << e.what() << "\n";
    }
    std::remove(path.c_str());
    return check::finish();
}
