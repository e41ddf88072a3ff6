// Add a message on behalf of the customer to a new chat conversation.
#include "example.hpp"

int run(const commbox::Client &client) {
    auto conversation = client.create_conversation(stream_id(), commbox::Conversation::chat("MrDoe@gmail.com", "Hello"));
    auto id = client.create_message(stream_id(), conversation,
                                    commbox::Message::customer("MrDoe@gmail.com", "Where is my order?"));
    std::cout << "customer message " << id << " in conversation " << conversation << "\n";
    return 0;
}
