/* Open an SMS conversation with one customer. */
#include "example.h"

int main(void) {
    commbox_client *client = client_from_env();
    commbox_conversation *sms = NULL;
    commbox_error *err = NULL;
    check(commbox_conversation_new_sms("+972544444444", "Your code is 1234", &sms, &err), err);
    int64_t id = 0;
    check(commbox_create_conversation(client, stream_id(), sms, &id, &err), err);
    printf("SMS conversation %lld\n", (long long)id);
    commbox_conversation_free(sms);
    commbox_client_free(client);
    return 0;
}
