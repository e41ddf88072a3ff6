/* The Chatwoot / Omnivibe public client API: a contact opens a conversation and sends a
 * message with a file. Reads CHATWOOT_BASE_URL and CHATWOOT_INBOX_IDENTIFIER. */
#include <string.h>

#include "example.h"

int main(void) {
    const char *url = getenv("CHATWOOT_BASE_URL");
    const char *inbox_id = getenv("CHATWOOT_INBOX_IDENTIFIER");
    if (!url || !inbox_id) {
        fprintf(stderr, "set CHATWOOT_BASE_URL and CHATWOOT_INBOX_IDENTIFIER\n");
        return 2;
    }
    commbox_error *err = NULL;
    commbox_client_config *config = commbox_client_config_new();
    commbox_inbox *inbox = NULL;
    check(commbox_client_config_set_base_url(config, url, &err), err);
    check(commbox_inbox_new(config, inbox_id, &inbox, &err), err);

    char *contact = NULL;
    check(commbox_inbox_create_contact(inbox, NULL, NULL, NULL, "john@example.com", "John Doe", "+972541234567", NULL,
                                       NULL, &contact, NULL, &err), err);
    int64_t conversation = 0, message = 0;
    check(commbox_inbox_create_conversation(inbox, contact, NULL, &conversation, NULL, &err), err);

    const char *receipt = "Order A-1001: paid";
    commbox_inbox_message *m = NULL;
    check(commbox_inbox_message_new("Hi! My receipt is attached.", &m, &err), err);
    check(commbox_inbox_message_add_attachment_bytes(m, (const uint8_t *)receipt, strlen(receipt), "receipt.txt",
                                                     &err), err);
    check(commbox_inbox_create_message(inbox, contact, conversation, m, &message, NULL, &err), err);
    printf("contact %s: conversation %lld, message %lld\n", contact, (long long)conversation, (long long)message);

    commbox_inbox_message_free(m);
    commbox_string_free(contact);
    commbox_inbox_free(inbox);
    commbox_client_config_free(config);
    return 0;
}
