// Open a chat conversation, with the customer's record.
#include "example.hpp"

int run(const commbox::Client &client) {
    commbox::User user;
    user.unique_id = "CUST-12345";
    user.first_name = "John";
    user.email = "john@example.com";
    auto chat = commbox::Conversation::chat("972544444444", "Hello from the website");
    chat.user(user);
    std::cout << "chat conversation " << client.create_conversation(stream_id(), chat) << "\n";
    return 0;
}
