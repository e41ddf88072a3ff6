// Open a WhatsApp conversation with an approved template.
#include "example.hpp"

int run(const commbox::Client &client) {
    auto wa = commbox::Conversation::whatsapp_template("972544444444", "order_ready", "Your order is ready");
    wa.template_param("A-1001").template_language("en");
    std::cout << "WhatsApp conversation " << client.create_conversation(stream_id(), wa) << "\n";
    return 0;
}
