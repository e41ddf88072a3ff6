// Open an SMS conversation with one customer.
#include "example.hpp"

int run(const commbox::Client &client) {
    auto id = client.create_conversation(stream_id(), commbox::Conversation::sms("+972544444444", "Your code is 1234"));
    std::cout << "SMS conversation " << id << "\n";
    return 0;
}
