/* Add a message on behalf of the customer to a new chat conversation. */
#include "example.h"

int main(void) {
    commbox_client *client = client_from_env();
    commbox_error *err = NULL;
    commbox_conversation *chat = NULL;
    int64_t conversation = 0, message_id = 0;
    check(commbox_conversation_new_chat("MrDoe@gmail.com", "Hello", &chat, &err), err);
    check(commbox_create_conversation(client, stream_id(), chat, &conversation, &err), err);

    commbox_message *message = NULL;
    check(commbox_message_new_customer("MrDoe@gmail.com", "Where is my order?", &message, &err), err);
    check(commbox_create_message(client, stream_id(), conversation, message, &message_id, &err), err);
    printf("customer message %lld in conversation %lld\n", (long long)message_id, (long long)conversation);

    commbox_message_free(message);
    commbox_conversation_free(chat);
    commbox_client_free(client);
    return 0;
}
