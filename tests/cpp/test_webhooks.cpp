// The C++ wrapper's webhook functions (no server): each CommBox shape, a valid, a forged
// and a stale Chatwoot signature, a duplicate delivery, and bodies that are bytes (embedded
// NUL, not NUL-terminated). Run under valgrind by `make test-cpp-webhooks`.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>

#include "../c/hmac_sha256.h"
#include "check.hpp"
#include "commbox.hpp"

namespace {

using check::failed;
using check::passed;

using check::has;

// Runs `f`, expecting commbox::Error with `status` and a message starting with `prefix`.
template <typename F>
void expect_error(int line, commbox_status status, const std::string &prefix, F &&f) {
    try {
        f();
    } catch (const commbox::Error &e) {
        if (e.status() == status && std::string(e.what()).rfind(prefix, 0) == 0) {
            ++passed;
        } else {
            ++failed;
            std::cerr << "line " << line << ": got " << e.status_name() << ": " << e.what() << "\n";
        }
        return;
    }
    ++failed;
    std::cerr << "line " << line << ": no error\n";
}
#define EXPECT_ERROR(status, prefix, ...) expect_error(__LINE__, status, prefix, [&] { __VA_ARGS__; })

const std::string SECRET = "whsec_cpp";
const std::string BODY =
    R"({"event": "message_created", "id": 9, "content": "Done", "message_type": "outgoing", "private": false,)"
    R"( "sender": {"id": 1, "type": "user"}, "conversation": {"id": 3}})";

commbox::Headers signed_headers(const std::string &signer, long age, const std::string &delivery) {
    std::string ts = std::to_string(static_cast<long>(std::time(nullptr)) - age);
    char sig[72];
    chatwoot_sign(signer.c_str(), ts.c_str(), BODY.data(), BODY.size(), sig);
    return {{"X-Chatwoot-Signature", sig}, {"x-chatwoot-timestamp", ts}, {"X-Chatwoot-Delivery", delivery}};
}

}  // namespace

int main() {
    // CommBox: the three shapes.
    std::string e = commbox::parse_commbox_delivery(
        R"({"Event": {"Subscription": "Tag", "Name": "OnAdd", "Tag": {"name": "VIP"}}})", "application/json");
    CHECK(has(e, R"("kind":"tag_changed")") && has(e, R"("format":"event_json")"));
    e = commbox::parse_commbox_delivery(R"({"payload": {"Message": "Hello", "User": {"Id": "7"}}})");
    CHECK(has(e, R"("kind":"new_conversation")") && has(e, R"("format":"payload_json")"));
    e = commbox::parse_commbox_delivery(
        R"(<Event Subscription="Object" Name="OnNewChild"><Object Id="5"><Children><Child Id="7">)"
        R"(<Message>Hi</Message></Child></Children></Object></Event>)",
        "text/xml");
    CHECK(has(e, R"("kind":"new_message")") && has(e, R"("id":7)") && has(e, R"("message":"Hi")"));
    // A body is bytes: an embedded NUL is part of it (and not valid JSON there).
    std::string with_nul("{\"Event\": {}}\0tail", 18);
    EXPECT_ERROR(COMMBOX_STATUS_DECODE, "body: ", commbox::parse_commbox_delivery(with_nul));
    EXPECT_ERROR(COMMBOX_STATUS_DECODE, "body: ",
                 commbox::parse_commbox_delivery(
                     R"(<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>)"));
    EXPECT_ERROR(COMMBOX_STATUS_DECODE, "body: ", commbox::parse_commbox_delivery(std::string(1024 * 1024 + 1, ' ')));

    // Chatwoot: valid, forged, stale, and stale within a wider tolerance.
    std::string d = commbox::verify_chatwoot(SECRET, signed_headers(SECRET, 0, "dlv-1"), BODY);
    CHECK(has(d, R"("delivery_id":"dlv-1")") && has(d, R"("verified":true)") && has(d, R"("kind":"message_created")"));
    EXPECT_ERROR(COMMBOX_STATUS_AUTHENTICATION, "X-Chatwoot-Signature: ",
                 commbox::verify_chatwoot(SECRET, signed_headers("forger", 0, "dlv-1"), BODY));
    EXPECT_ERROR(COMMBOX_STATUS_AUTHENTICATION, "X-Chatwoot-Timestamp: ",
                 commbox::verify_chatwoot(SECRET, signed_headers(SECRET, 600, "dlv-1"), BODY));
    d = commbox::verify_chatwoot(SECRET, signed_headers(SECRET, 600, "dlv-1"), BODY, std::chrono::minutes(15));
    CHECK(has(d, R"("verified":true)"));
    EXPECT_ERROR(COMMBOX_STATUS_AUTHENTICATION, "X-Chatwoot-Signature: ", commbox::verify_chatwoot(SECRET, {}, BODY));

    // A retry of the same delivery carries the same id: the receiver drops it.
    std::string first = commbox::verify_chatwoot(SECRET, signed_headers(SECRET, 0, "dlv-2"), BODY);
    std::string again = commbox::verify_chatwoot(SECRET, signed_headers(SECRET, 1, "dlv-2"), BODY);
    CHECK(has(first, R"("delivery_id":"dlv-2")") && has(again, R"("delivery_id":"dlv-2")"));

    std::string ev = commbox::parse_chatwoot_event(R"({"event": "something_new"})");
    CHECK(has(ev, R"("kind":"other")"));
    EXPECT_ERROR(COMMBOX_STATUS_DECODE, "body: ", commbox::parse_chatwoot_event("{"));

    return check::finish();
}
