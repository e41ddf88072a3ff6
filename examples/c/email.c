/* Open an e-mail conversation with a recipient, a cc and an attachment. */
#include <string.h>

#include "example.h"

int main(void) {
    commbox_client *client = client_from_env();
    commbox_conversation *email = NULL;
    commbox_error *err = NULL;
    const char *invoice = "Invoice 2024-09: 120.00 EUR\n";

    check(commbox_conversation_new_email("customer@example.com", "Your invoice",
                                         "Please find your invoice attached.", &email, &err), err);
    check(commbox_conversation_add_recipient(email, "customer@example.com", "John Doe", &err), err);
    check(commbox_conversation_add_cc(email, "accounts@example.com", NULL, &err), err);
    check(commbox_conversation_add_attachment_bytes(email, (const uint8_t *)invoice, strlen(invoice),
                                                    "invoice.txt", &err), err);
    int64_t id = 0;
    check(commbox_create_conversation(client, stream_id(), email, &id, &err), err);
    printf("e-mail conversation %lld\n", (long long)id);

    commbox_conversation_free(email);
    commbox_client_free(client);
    return 0;
}
