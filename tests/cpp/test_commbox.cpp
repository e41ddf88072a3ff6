// The C++ wrapper's suite, against the mock (run through tests/with-mock.sh): every
// channel and message kind, the exception's fields per status, RAII and moves.
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "check.hpp"
#include "commbox.hpp"

namespace {

using check::failed;
using check::passed;

// Runs `f`, expecting commbox::Error with `status`; returns the error for more checks.
template <typename F>
commbox::Error expect_error(int line, commbox_status status, F &&f) {
    try {
        f();
    } catch (const commbox::Error &e) {
        if (e.status() == status) {
            ++passed;
        } else {
            ++failed;
            std::cerr << "line " << line << ": got " << e.status_name() << ": " << e.what() << "\n";
        }
        return e;
    }
    ++failed;
    std::cerr << "line " << line << ": no exception\n";
    return commbox::Error::take(status, nullptr);
}
#define EXPECT_ERROR(status, body) expect_error(__LINE__, status, [&] { body; })

std::string base_url, api_key;

commbox::Client make_client(const std::string &key = api_key) {
    return commbox::Client(commbox::ClientConfig().api_key(key).base_url(base_url).max_retries(0));
}

bool contains(const std::string &hay, const std::string &needle) {
    if (hay.find(needle) != std::string::npos) return true;
    std::cerr << "  missing: " << needle << "\n";
    return false;
}

void test_types() {
    static_assert(!std::is_copy_constructible_v<commbox::Client>, "handles are move-only");
    static_assert(std::is_nothrow_move_constructible_v<commbox::Conversation>, "cheap moves");
    static_assert(std::is_base_of_v<std::runtime_error, commbox::Error>, "catchable as std::exception");
    CHECK(commbox::version() == COMMBOX_VERSION_STRING);
}

void test_channels_and_messages(const commbox::Client &client, const commbox::Client &inspector) {
    inspector.raw_request("POST", "/__mock/reset");
    commbox::User user;
    user.first_name = "John";
    user.email = "john@example.com";
    auto email = commbox::Conversation::email("john@example.com", "Invoice", "Attached.");
    email.recipient("john@example.com", "John Doe").cc("team@example.com").status(13).user(user);
    const std::vector<uint8_t> pdf = {'%', 'P', 'D', 'F'};
    email.attachment(pdf, "invoice.pdf");
    auto e_id = client.create_conversation("s", email);

    auto sms_id = client.create_conversation("s", commbox::Conversation::sms("+972544444444", "code"));
    auto bulk = commbox::Conversation::bulk_sms("972544444444", "closing");
    bulk.recipient("972522222222").send_to_client(false);
    auto bulk_id = client.create_conversation("s", bulk);
    auto wa = commbox::Conversation::whatsapp_template("972544444444", "order_ready", "ready");
    wa.template_param("A-1").template_language("he");
    auto wa_id = client.create_conversation("s", wa);
    auto chat_id = client.create_conversation("s", commbox::Conversation::chat("972544444444", "hi").user_identity(7));
    CHECK(e_id > 0 && sms_id > e_id && bulk_id > sms_id && wa_id > bulk_id && chat_id > wa_id);
    CHECK(wa.to_json().find("\"whatsapp_language_code\":\"he\"") != std::string::npos);

    auto customer = client.create_message("s", chat_id, commbox::Message::customer("MrDoe@gmail.com", "hello"));
    auto agent_msg = commbox::Message::agent(36574658, "best.agent@commbox.com", "reply");
    agent_msg.attachment(pdf, "reply.pdf").attachments_base64(true);
    auto agent = client.create_message("s", chat_id, agent_msg);
    CHECK(agent > customer);

    const std::string requests = inspector.raw_request("GET", "/__mock/requests");
    CHECK(contains(requests, "{\"content_type\":\"application/pdf\",\"filename\":\"invoice.pdf\",\"name\":\"file\""));
    CHECK(contains(requests, "\"sendToClient\":false"));
    CHECK(contains(requests, "\"IsManager\":true"));
    CHECK(contains(inspector.raw_request("GET", "/__mock/objects"), "\"name\":\"reply.pdf\""));
    CHECK(contains(client.get_conversation("s", chat_id), "\"id\":" + std::to_string(agent)));
    client.set_conversation_status(chat_id, 2);
    CHECK(contains(client.managers(), "\"id\":36574658"));
    CHECK(contains(client.system_status(), "System is operational"));
    CHECK(client.create_conversation_json("s", R"({"Type":4,"Message":"json"})") > chat_id);
}

void test_errors(const commbox::Client &client, const commbox::Client &inspector) {
    auto sms = commbox::Conversation::sms("972544444444", "hi");
    auto auth = EXPECT_ERROR(COMMBOX_STATUS_AUTHENTICATION, make_client("wrong").create_conversation("s", sms));
    CHECK(auth.http_status() == 401);
    CHECK(auth.description() == "Unauthorized access");
    CHECK(auth.request_id().size() == 36);
    CHECK(std::string(auth.what()).find("wrong") == std::string::npos);

    EXPECT_ERROR(COMMBOX_STATUS_NOT_FOUND, client.get_conversation("s", 987654));
    inspector.raw_request("POST", "/__mock/faults", R"({"status":429,"retry_after":"90"})");
    auto limited = EXPECT_ERROR(COMMBOX_STATUS_RATE_LIMITED, client.create_conversation("s", sms));
    CHECK(limited.retry_after() && *limited.retry_after() == 90.0);
    CHECK(limited.retry_safety() == COMMBOX_RETRY_SAFETY_SAFE && !limited.may_duplicate());
    inspector.raw_request("POST", "/__mock/faults", R"({"status":503})");
    EXPECT_ERROR(COMMBOX_STATUS_SERVER, client.create_conversation("s", sms));
    inspector.raw_request("POST", "/__mock/faults", R"({"status":500})");
    auto server = EXPECT_ERROR(COMMBOX_STATUS_SERVER, client.create_conversation("s", sms));
    CHECK(server.may_duplicate()); // a 500 may come after the work was done
    inspector.raw_request("POST", "/__mock/faults", R"({"status":422,"body":{"description":"bad thing"}})");
    auto bad = EXPECT_ERROR(COMMBOX_STATUS_BAD_REQUEST, client.create_conversation("s", sms));
    CHECK(bad.description() == "bad thing");

    inspector.raw_request("POST", "/__mock/reset");
    auto v = EXPECT_ERROR(COMMBOX_STATUS_VALIDATION, client.create_conversation("s", commbox::Conversation::sms("05-4", "m")));
    CHECK(v.field() == "UserStreamProviderId");
    auto wrong_channel = EXPECT_ERROR(COMMBOX_STATUS_VALIDATION, commbox::Conversation::sms("1", "m").cc("a@b.co"));
    CHECK(wrong_channel.field() == "cc");
    CHECK(contains(wrong_channel.what(), "cc: applies to email conversations, not sms"));
    EXPECT_ERROR(COMMBOX_STATUS_VALIDATION, client.create_message("s", 0, commbox::Message::customer("a@b.co", "m")));
    EXPECT_ERROR(COMMBOX_STATUS_VALIDATION, commbox::Client c(commbox::ClientConfig().api_key("k").base_url("http://example.com")));
    CHECK(contains(inspector.raw_request("GET", "/__mock/requests"), "\"data\":[]"));
}

void test_threads(const commbox::Client &client, const commbox::Client &inspector) {
    inspector.raw_request("POST", "/__mock/reset");
    std::vector<std::thread> threads;
    std::vector<int> errors(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            auto c = commbox::Conversation::sms("972544444444", "threaded");
            for (int i = 0; i < 25; ++i) {
                try {
                    client.create_conversation("cpp-threads", c);
                } catch (const commbox::Error &) {
                    ++errors[t];
                }
            }
        });
    }
    for (auto &t : threads) t.join();
    CHECK(errors == std::vector<int>(4, 0));
    const std::string objects = inspector.raw_request("GET", "/__mock/objects");
    size_t n = 0;
    for (size_t at = 0; (at = objects.find("\"stream_id\":\"cpp-threads\"", at)) != std::string::npos; ++at) ++n;
    CHECK(n == 2 * 100);  // the envelope's JSON form holds the answer twice: `data` and `raw`
}

void test_chatwoot(const commbox::Client &inspector) {
    inspector.raw_request("POST", "/__mock/reset");
    commbox::Inbox inbox(commbox::ClientConfig().base_url(base_url).max_retries(0), "mock-inbox");
    CHECK(contains(inbox.inbox(), "\"identifier\":\"mock-inbox\""));
    commbox::ContactFields f;
    f.source_id = "cpp-1";
    f.name = "Ada";
    f.custom_attributes_json = R"({"tier":2})";
    const std::string contact = inbox.create_contact(f);
    CHECK(contact == "cpp-1");
    commbox::ContactFields change;
    change.email = "ada@example.com";
    CHECK(contains(inbox.update_contact(contact, change), "\"email\":\"ada@example.com\""));
    const auto conv = inbox.create_conversation(contact, R"({"channel":"cpp"})");
    const std::vector<uint8_t> png = {0x89, 'P', 'N', 'G'};
    commbox::InboxMessage m("two files");
    m.attachment(png, "a.png").attachment(std::vector<uint8_t>{'h', 'i'}, "b.txt").echo_id("e-1");
    const auto with_files = inbox.create_message(contact, conv, m);
    for (int i = 0; i < 21; ++i) inbox.create_message(contact, conv, commbox::InboxMessage("n" + std::to_string(i)));
    const std::string page = inbox.list_messages(contact, conv);
    // The latest 20, oldest first: the first message's JSON form is n1's.
    CHECK(page.find("[{\"id\":") == 0 && page.find("\"content\":") == page.find("\"content\":\"n1\""));
    CHECK(contains(inbox.list_messages(contact, conv, with_files + 1), "\"file_type\":\"image\""));
    inbox.set_typing(contact, conv, true);
    inbox.update_last_seen(contact, conv);
    CHECK(contains(inbox.resolve_conversation(contact, conv), "\"status\":\"resolved\""));
    CHECK(contains(inbox.list_conversations(contact), "\"status\":\"resolved\""));
    CHECK(commbox::chatwoot_identifier_hash("what do ya want for nothing?", "Jefe") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    commbox::Inbox hmac(commbox::ClientConfig().base_url(base_url).max_retries(0), "hmac-inbox");
    const std::string hash = commbox::chatwoot_identifier_hash("user-9", "mock-hmac-token");
    commbox::ContactFields verified;
    verified.identifier = "user-9";
    verified.identifier_hash = hash;
    const std::string vsid = hmac.create_contact(verified);
    CHECK(contains(hmac.get_contact(vsid, "user-9", hash), "\"source_id\":\"" + vsid + "\""));
    EXPECT_ERROR(COMMBOX_STATUS_SERVER, hmac.get_contact(vsid));
    auto missing = EXPECT_ERROR(COMMBOX_STATUS_NOT_FOUND, inbox.get_contact("nobody"));
    CHECK(missing.http_status() == 404);
    auto too_long = EXPECT_ERROR(COMMBOX_STATUS_VALIDATION,
                                 inbox.create_message(contact, conv, commbox::InboxMessage(std::string(150001, 'x'))));
    CHECK(too_long.field() == "content");
}

}  // namespace

int main() {
    const char *url = std::getenv("COMMBOX_BASE_URL");
    const char *key = std::getenv("COMMBOX_API_KEY");
    if (!url || !key) {
        std::cerr << "run me through tests/with-mock.sh\n";
        return 2;
    }
    base_url = url;
    api_key = key;
    try {
        auto client = make_client();
        auto inspector = make_client();
        test_types();
        test_channels_and_messages(client, inspector);
        test_errors(client, inspector);
        test_threads(client, inspector);
        test_chatwoot(inspector);
    } catch (const commbox::Error &e) {
        ++failed;
        std::cerr << "unexpected commbox::Error: " << e.status_name() << ": " << e.what() << "\n";
    }
    return check::finish();
}
