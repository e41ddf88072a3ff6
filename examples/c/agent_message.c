/* Reply as an agent (found with commbox_list_managers), with a file, then show the
 * conversation. */
#include <string.h>

#include "example.h"

int main(void) {
    commbox_client *client = client_from_env();
    commbox_error *err = NULL;
    commbox_conversation *chat = NULL;
    int64_t conversation = 0, message_id = 0;
    check(commbox_conversation_new_chat("MrDoe@gmail.com", "Where is my order?", &chat, &err), err);
    check(commbox_create_conversation(client, stream_id(), chat, &conversation, &err), err);

    /* The first agent's id: the JSON form is [{"id":N,"identity_id":...,"raw":{...}}, ...]. */
    char *managers = NULL;
    check(commbox_list_managers(client, &managers, &err), err);
    const char *id_field = strstr(managers, "\"id\":");
    long long agent = id_field ? atoll(id_field + 5) : 0;
    commbox_string_free(managers);

    commbox_message *reply = NULL;
    const char *label = "A-1001";
    check(commbox_message_new_agent(agent, "best.agent@commbox.com", "It ships today; label attached.", &reply,
                                    &err), err);
    check(commbox_message_add_attachment_bytes(reply, (const uint8_t *)label, strlen(label), "label.txt", &err),
          err);
    check(commbox_create_message(client, stream_id(), conversation, reply, &message_id, &err), err);
    printf("agent %lld replied with message %lld\n", agent, (long long)message_id);

    char *json = NULL;
    check(commbox_get_conversation(client, stream_id(), conversation, &json, &err), err);
    printf("%s\n", json);
    commbox_string_free(json);
    commbox_message_free(reply);
    commbox_conversation_free(chat);
    commbox_client_free(client);
    return 0;
}
