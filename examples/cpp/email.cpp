// Open an e-mail conversation with a recipient, a cc and an attachment.
#include "example.hpp"

int run(const commbox::Client &client) {
    const std::string invoice = "Invoice 2024-09: 120.00 EUR\n";
    auto email = commbox::Conversation::email("customer@example.com", "Your invoice",
                                              "Please find your invoice attached.");
    email.recipient("customer@example.com", "John Doe")
        .cc("accounts@example.com")
        .attachment(std::vector<uint8_t>(invoice.begin(), invoice.end()), "invoice.txt");
    std::cout << "e-mail conversation " << client.create_conversation(stream_id(), email) << "\n";
    return 0;
}
