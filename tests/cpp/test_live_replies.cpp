// The C++ wrapper's live replies against the mock (tests/with-mock.sh): the agent's reply
// arrives, an echo comes back, close() from another thread ends a waiting next(), and a
// rejected token throws COMMBOX_STATUS_AUTHENTICATION once, then COMMBOX_STATUS_CONNECTION.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "check.hpp"
#include "commbox.hpp"

namespace {

using check::failed;
using check::passed;

using check::has;

commbox_status status_of(const commbox::LiveReplies &live, std::chrono::milliseconds timeout) {
    try {
        live.next(timeout);
    } catch (const commbox::Error &e) {
        return e.status();
    }
    return COMMBOX_STATUS_OK;
}

std::string json_string(const std::string &json, const std::string &key) {
    auto at = json.find("\"" + key + "\":\"");
    if (at == std::string::npos) return "";
    at += key.size() + 4;
    return json.substr(at, json.find('"', at) - at);
}

}  // namespace

int main() {
    using namespace std::chrono_literals;
    const char *base = std::getenv("CHATWOOT_BASE_URL");
    const char *key = std::getenv("COMMBOX_API_KEY");
    if (!base || !key) {
        std::cerr << "run me through tests/with-mock.sh\n";
        return 2;
    }
    commbox::ClientConfig config;
    config.base_url(base);
    commbox::Inbox inbox(config, "mock-inbox");
    commbox::ClientConfig mock_config;
    mock_config.api_key(key).base_url(base);
    commbox::Client mock(mock_config);

    commbox::ContactFields fields;
    fields.source_id = "live-cpp";
    const std::string sid = inbox.create_contact(fields);
    const std::string token = json_string(inbox.get_contact(sid), "pubsub_token");
    CHECK(!token.empty());
    const int64_t conv = inbox.create_conversation(sid);

    {
        commbox::LiveReplies live = inbox.live(token);
        bool subscribed = false;
        for (int n = 0; n < 40 && !subscribed; n++) {
            const std::string echo = "cpp-" + std::to_string(n);
            inbox.create_message(sid, conv, commbox::InboxMessage("ping").echo_id(echo));
            try {
                subscribed = has(live.wait_for_echo(echo, 500ms), echo);
            } catch (const commbox::Error &e) {
                CHECK(e.status() == COMMBOX_STATUS_TIMEOUT);
            }
        }
        CHECK(subscribed);

        mock.raw_request("POST", "/__mock/chatwoot/agent_reply",
                         "{\"conversation_id\":" + std::to_string(conv) + ",\"content\":\"From C++\"}");
        bool replied = false;
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!replied && std::chrono::steady_clock::now() < deadline) {
            auto event = live.next(1s);
            replied = event && has(*event, "From C++") && has(*event, "\"message_type\":1");
        }
        CHECK(replied);
        CHECK(!live.next(100ms).has_value());

        auto started = std::chrono::steady_clock::now();
        std::thread closer([&live] {
            std::this_thread::sleep_for(300ms);
            live.close();
        });
        CHECK(status_of(live, 10s) == COMMBOX_STATUS_CONNECTION);
        closer.join();
        CHECK(std::chrono::steady_clock::now() - started < 5s);
    }

    commbox::LiveReplies rejected = inbox.live("not-a-token");
    CHECK(status_of(rejected, 10s) == COMMBOX_STATUS_AUTHENTICATION);
    CHECK(status_of(rejected, 100ms) == COMMBOX_STATUS_CONNECTION);

    return check::finish();
}
