/* Open a WhatsApp conversation with an approved template. */
#include "example.h"

int main(void) {
    commbox_client *client = client_from_env();
    commbox_conversation *wa = NULL;
    commbox_error *err = NULL;
    check(commbox_conversation_new_whatsapp_template("972544444444", "order_ready", "Your order is ready",
                                                     &wa, &err), err);
    check(commbox_conversation_add_template_param(wa, "A-1001", &err), err);
    check(commbox_conversation_set_template_language(wa, "en", &err), err);
    int64_t id = 0;
    check(commbox_create_conversation(client, stream_id(), wa, &id, &err), err);
    printf("WhatsApp conversation %lld\n", (long long)id);
    commbox_conversation_free(wa);
    commbox_client_free(client);
    return 0;
}
