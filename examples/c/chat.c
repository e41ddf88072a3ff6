/* Open a chat conversation, with the customer's record. */
#include "example.h"

int main(void) {
    commbox_client *client = client_from_env();
    commbox_conversation *chat = NULL;
    commbox_error *err = NULL;
    check(commbox_conversation_new_chat("972544444444", "Hello from the website", &chat, &err), err);
    check(commbox_conversation_set_user(chat, "CUST-12345", "John", "Doe", NULL, "john@example.com", NULL, &err),
          err);
    int64_t id = 0;
    check(commbox_create_conversation(client, stream_id(), chat, &id, &err), err);
    printf("chat conversation %lld\n", (long long)id);
    commbox_conversation_free(chat);
    commbox_client_free(client);
    return 0;
}
