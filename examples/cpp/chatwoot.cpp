// The Chatwoot / Omnivibe public client API: a contact opens a conversation and sends a
// message with a file. Reads CHATWOOT_BASE_URL and CHATWOOT_INBOX_IDENTIFIER.
#include <cstdlib>
#include <iostream>

#include "commbox.hpp"

int main() {
    const char *url = std::getenv("CHATWOOT_BASE_URL");
    const char *inbox_id = std::getenv("CHATWOOT_INBOX_IDENTIFIER");
    if (!url || !inbox_id) {
        std::cerr << "set CHATWOOT_BASE_URL and CHATWOOT_INBOX_IDENTIFIER\n";
        return 2;
    }
    try {
        commbox::Inbox inbox(commbox::ClientConfig().base_url(url), inbox_id);
        commbox::ContactFields john;
        john.name = "John Doe";
        john.email = "john@example.com";
        const std::string contact = inbox.create_contact(john);
        const auto conversation = inbox.create_conversation(contact);
        const std::string receipt = "Order A-1001: paid";
        commbox::InboxMessage message("Hi! My receipt is attached.");
        message.attachment(std::vector<uint8_t>(receipt.begin(), receipt.end()), "receipt.txt");
        const auto id = inbox.create_message(contact, conversation, message);
        std::cout << "contact " << contact << ": conversation " << conversation << ", message " << id << "\n"
                  << inbox.list_messages(contact, conversation) << "\n";
    } catch (const commbox::Error &e) {
        std::cerr << "commbox: " << e.status_name() << ": " << e.what() << "\n";
        return 1;
    }
    return 0;
}
