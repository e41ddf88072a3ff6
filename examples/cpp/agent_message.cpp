// Reply as an agent with a file, then show the conversation.
#include "example.hpp"

int run(const commbox::Client &client) {
    auto conversation =
        client.create_conversation(stream_id(), commbox::Conversation::chat("MrDoe@gmail.com", "Where is my order?"));
    // The first agent's id from the managers list ([{"id":N,"identity_id":...,"raw":{...}}, ...]).
    const std::string managers = client.managers();
    const auto at = managers.find("\"id\":");
    const long long agent = at == std::string::npos ? 0 : std::stoll(managers.substr(at + 5));
    const std::string label = "A-1001";
    auto reply = commbox::Message::agent(agent, "best.agent@commbox.com", "It ships today; label attached.");
    reply.attachment(std::vector<uint8_t>(label.begin(), label.end()), "label.txt");
    std::cout << "agent " << agent << " replied with message " << client.create_message(stream_id(), conversation, reply)
              << "\n"
              << client.get_conversation(stream_id(), conversation) << "\n";
    return 0;
}
