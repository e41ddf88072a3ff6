/* Send one SMS to several recipients. */
#include "example.h"

int main(void) {
    commbox_client *client = client_from_env();
    commbox_conversation *sms = NULL;
    commbox_error *err = NULL;
    check(commbox_conversation_new_bulk_sms("972544444444", "The store closes at 6 today", &sms, &err), err);
    check(commbox_conversation_add_recipient(sms, "972522222222", NULL, &err), err);
    check(commbox_conversation_add_recipient(sms, "+972533333333", NULL, &err), err);
    int64_t id = 0;
    check(commbox_create_conversation(client, stream_id(), sms, &id, &err), err);
    printf("bulk SMS conversation %lld\n", (long long)id);
    commbox_conversation_free(sms);
    commbox_client_free(client);
    return 0;
}
