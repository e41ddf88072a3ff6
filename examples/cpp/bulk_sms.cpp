// Send one SMS to several recipients.
#include "example.hpp"

int run(const commbox::Client &client) {
    auto sms = commbox::Conversation::bulk_sms("972544444444", "The store closes at 6 today");
    sms.recipient("972522222222").recipient("+972533333333");
    std::cout << "bulk SMS conversation " << client.create_conversation(stream_id(), sms) << "\n";
    return 0;
}
