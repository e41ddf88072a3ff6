// libcommbox C++17 wrapper: header-only, RAII, over the C ABI in commbox.h.
//
// Handles are move-only and release themselves; strings go in and out as std::string;
// every failure throws commbox::Error carrying the status and the error's fields.
//
//   commbox::Client client(commbox::ClientConfig::from_env());
//   auto id = client.create_conversation("STREAM",
//       commbox::Conversation::sms("+972544444444", "Your code is 1234"));
//
// Thread safety is the C library's: one Client may be used from many threads at once;
// a Conversation or Message must not be changed from two threads at once.
// Strings are passed to C as NUL-terminated: an embedded NUL ends them early.
#ifndef COMMBOX_HPP
#define COMMBOX_HPP

// C++17 or newer, or one #error and nothing else of the header. MSVC reports the standard
// in _MSVC_LANG (__cplusplus stays 199711L without /Zc:__cplusplus).
#if !defined(__cplusplus)
#error "commbox.hpp is C++17; C programs include commbox.h"
#elif (defined(_MSVC_LANG) && _MSVC_LANG < 201703L) || (!defined(_MSVC_LANG) && __cplusplus < 201703L)
#error "commbox.hpp requires C++17 or newer (-std=c++17, or /std:c++17 with MSVC)"
#else

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commbox.h"

namespace commbox {

/// A failed call: what() is the library's message; the accessors give the rest.
class Error : public std::runtime_error {
public:
    /// Takes ownership of `err` (may be NULL), copies its fields and frees it.
    static Error take(commbox_status status, commbox_error *err) {
        Error e(status, err ? commbox_error_message(err) : commbox_status_name(status));
        if (err) {
            e.field_ = str(commbox_error_field(err));
            e.http_status_ = commbox_error_http_status(err);
            e.description_ = str(commbox_error_description(err));
            e.body_ = str(commbox_error_body(err));
            e.request_id_ = str(commbox_error_request_id(err));
            double ra = commbox_error_retry_after(err);
            if (ra >= 0) e.retry_after_ = ra;
            e.retry_safety_ = commbox_error_retry_safety(err);
            commbox_error_free(err);
        }
        return e;
    }

    /// The C status (never COMMBOX_STATUS_OK).
    commbox_status status() const noexcept { return status_; }
    /// Short name of the status: "validation", "rate_limited", ...
    std::string status_name() const { return commbox_status_name(status_); }
    /// For validation errors, the field at fault; empty otherwise.
    const std::string &field() const noexcept { return field_; }
    /// HTTP status of the server's answer, 0 if none.
    int http_status() const noexcept { return http_status_; }
    /// The API's own explanation, empty if none.
    const std::string &description() const noexcept { return description_; }
    /// The raw response body (at most 64 KiB), empty if none.
    const std::string &body() const noexcept { return body_; }
    /// The X-Request-Id that was sent, empty if no request was made.
    const std::string &request_id() const noexcept { return request_id_; }
    /// Seconds the server asked to wait (Retry-After), if it said.
    std::optional<double> retry_after() const noexcept { return retry_after_; }
    /// Whether sending the same request again can duplicate it: COMMBOX_RETRY_SAFETY_SAFE
    /// when nothing reached the server or it said it did not process it (429, 503, other
    /// 4xx), COMMBOX_RETRY_SAFETY_MAY_DUPLICATE when it may have been processed (a timeout
    /// or broken connection after sending, other 5xx, a 2xx whose answer was unusable).
    commbox_retry_safety retry_safety() const noexcept { return retry_safety_; }
    /// True when the request may have been processed: check before sending it again.
    bool may_duplicate() const noexcept {
        return retry_safety_ == COMMBOX_RETRY_SAFETY_MAY_DUPLICATE;
    }

private:
    Error(commbox_status status, const char *message)
        : std::runtime_error(message ? message : "commbox error"), status_(status) {}
    static std::string str(const char *s) { return s ? std::string(s) : std::string(); }

    commbox_status status_;
    std::string field_;
    int http_status_ = 0;
    std::string description_;
    std::string body_;
    std::string request_id_;
    std::optional<double> retry_after_;
    // Without an error object nothing says what happened: the cautious answer.
    commbox_retry_safety retry_safety_ = COMMBOX_RETRY_SAFETY_MAY_DUPLICATE;
};

namespace detail {

/// Runs a C call that takes a trailing `commbox_error **` and throws on failure.
template <typename F>
void call(F &&f) {
    commbox_error *err = nullptr;
    commbox_status status = f(&err);
    if (status != COMMBOX_STATUS_OK) throw Error::take(status, err);
}

/// Owns a string returned by the library.
inline std::string take_string(char *s) {
    std::unique_ptr<char, void (*)(char *)> owned(s, commbox_string_free);
    return s ? std::string(s) : std::string();
}

inline const char *opt(const std::optional<std::string> &s) { return s ? s->c_str() : nullptr; }

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *p) const noexcept { Free(p); }
};

}  // namespace detail

/// The library's version at run time ("0.1.0").
inline std::string version() { return commbox_version(); }

/// How far the upload of one attachment has gone (commbox_upload_progress): the strings are
/// valid only during the callback.
struct UploadProgress {
    std::string_view request_id;  ///< the call's X-Request-Id
    uint32_t attempt;             ///< 1, then 2 for the first retry, ...: a retry starts again at 0
    size_t index;                 ///< the attachment's position, from 0
    size_t count;                 ///< how many attachments the request carries
    std::string_view attachment;  ///< the file name, as sent
    uint64_t bytes_sent;          ///< 0 first, then after each 64 KiB chunk, lastly total_bytes
    uint64_t total_bytes;         ///< the file's size
};

namespace detail {

using ProgressFn = std::function<void(const UploadProgress &)>;

/// The C callback of ClientConfig::on_upload_progress: no exception crosses into C.
inline void progress_trampoline(const commbox_upload_progress *p, void *user_data) noexcept {
    try {
        (*static_cast<const ProgressFn *>(user_data))(UploadProgress{
            p->request_id, p->attempt, p->index, p->count, p->attachment, p->bytes_sent, p->total_bytes});
    } catch (...) {
        // Swallowed: the upload goes on (nothing could carry it out of the C library).
    }
}

}  // namespace detail

/// Client settings (see commbox_client_config_*).
class ClientConfig {
public:
    /// Defaults: https://api.commbox.io, 10 s connect, 60 s total, 2 retries.
    ClientConfig() : p_(commbox_client_config_new()) {
        if (!p_) throw std::bad_alloc();
    }
    /// From COMMBOX_API_KEY, COMMBOX_BASE_URL, ... (see commbox.h).
    static ClientConfig from_env() { return ClientConfig(commbox_client_config_from_env()); }

    ClientConfig &api_key(const std::string &v) {
        detail::call([&](commbox_error **e) { return commbox_client_config_set_api_key(p_.get(), v.c_str(), e); });
        return *this;
    }
    ClientConfig &base_url(const std::string &v) {
        detail::call([&](commbox_error **e) { return commbox_client_config_set_base_url(p_.get(), v.c_str(), e); });
        return *this;
    }
    ClientConfig &timeout(std::chrono::milliseconds v) {
        detail::call([&](commbox_error **e) {
            return commbox_client_config_set_timeout_ms(p_.get(), static_cast<uint64_t>(v.count()), e);
        });
        return *this;
    }
    ClientConfig &connect_timeout(std::chrono::milliseconds v) {
        detail::call([&](commbox_error **e) {
            return commbox_client_config_set_connect_timeout_ms(p_.get(), static_cast<uint64_t>(v.count()), e);
        });
        return *this;
    }
    ClientConfig &max_retries(uint32_t v) {
        detail::call([&](commbox_error **e) { return commbox_client_config_set_max_retries(p_.get(), v, e); });
        return *this;
    }
    ClientConfig &user_agent_suffix(const std::string &v) {
        detail::call([&](commbox_error **e) {
            return commbox_client_config_set_user_agent_suffix(p_.get(), v.c_str(), e);
        });
        return *this;
    }
    ClientConfig &ca_file(const std::string &v) {
        detail::call([&](commbox_error **e) { return commbox_client_config_set_ca_file(p_.get(), v.c_str(), e); });
        return *this;
    }
    ClientConfig &proxy(const std::string &v) {
        detail::call([&](commbox_error **e) { return commbox_client_config_set_proxy(p_.get(), v.c_str(), e); });
        return *this;
    }
    ClientConfig &allow_insecure_http(bool v) {
        detail::call([&](commbox_error **e) { return commbox_client_config_set_allow_insecure_http(p_.get(), v, e); });
        return *this;
    }
    /// Calls `f` as each chunk of each attachment is handed to the connection (see
    /// commbox_client_config_set_upload_progress): on the thread making the call, so with a
    /// Client shared between threads `f` runs in each of them. An exception thrown by `f` is
    /// swallowed and the upload goes on. Clients made from this config keep `f` alive.
    ///
    ///   config.on_upload_progress([](const commbox::UploadProgress &p) {
    ///       std::cerr << p.attachment << ": " << p.bytes_sent << "/" << p.total_bytes << "\n";
    ///   });
    ClientConfig &on_upload_progress(std::function<void(const UploadProgress &)> f) {
        auto fn = f ? std::make_shared<detail::ProgressFn>(std::move(f)) : nullptr;
        detail::call([&](commbox_error **e) {
            return commbox_client_config_set_upload_progress(p_.get(), fn ? detail::progress_trampoline : nullptr,
                                                             fn.get(), e);
        });
        progress_ = std::move(fn);
        return *this;
    }
    /// The C handle, still owned by this object.
    const commbox_client_config *get() const noexcept { return p_.get(); }

private:
    friend class Client;
    friend class Inbox;
    explicit ClientConfig(commbox_client_config *p) : p_(p) {
        if (!p_) throw std::bad_alloc();
    }
    std::unique_ptr<commbox_client_config, detail::Deleter<commbox_client_config, commbox_client_config_free>> p_;
    /// The upload progress callback, shared with the clients made from this config.
    std::shared_ptr<const detail::ProgressFn> progress_;
};

/// The customer record; unset fields are not sent.
struct User {
    std::optional<std::string> unique_id, first_name, last_name, phone1, email, remarks;
};

/// A new conversation; build it with a channel constructor and the chained setters.
class Conversation {
public:
    static Conversation email(const std::string &identity, const std::string &subject, const std::string &message) {
        return make([&](commbox_conversation **out, commbox_error **e) {
            return commbox_conversation_new_email(identity.c_str(), subject.c_str(), message.c_str(), out, e);
        });
    }
    static Conversation sms(const std::string &phone, const std::string &message) {
        return make([&](commbox_conversation **out, commbox_error **e) {
            return commbox_conversation_new_sms(phone.c_str(), message.c_str(), out, e);
        });
    }
    static Conversation bulk_sms(const std::string &phone, const std::string &message) {
        return make([&](commbox_conversation **out, commbox_error **e) {
            return commbox_conversation_new_bulk_sms(phone.c_str(), message.c_str(), out, e);
        });
    }
    static Conversation whatsapp_template(const std::string &phone, const std::string &template_name,
                                          const std::string &message) {
        return make([&](commbox_conversation **out, commbox_error **e) {
            return commbox_conversation_new_whatsapp_template(phone.c_str(), template_name.c_str(), message.c_str(),
                                                              out, e);
        });
    }
    static Conversation chat(const std::string &identity, const std::string &message) {
        return make([&](commbox_conversation **out, commbox_error **e) {
            return commbox_conversation_new_chat(identity.c_str(), message.c_str(), out, e);
        });
    }

    Conversation &status(int64_t v) { return set(commbox_conversation_set_status, v); }
    Conversation &manager_id(int64_t v) { return set(commbox_conversation_set_manager_id, v); }
    Conversation &user_identity(int64_t v) { return set(commbox_conversation_set_user_identity, v); }
    Conversation &sub_stream_id(int64_t v) { return set(commbox_conversation_set_sub_stream_id, v); }
    Conversation &object_type(int64_t v) { return set(commbox_conversation_set_object_type, v); }
    Conversation &stream_provider_type(int64_t v) { return set(commbox_conversation_set_stream_provider_type, v); }
    Conversation &identity_type(int64_t v) { return set(commbox_conversation_set_identity_type, v); }
    Conversation &stream_provider_id(const std::string &v) {
        detail::call([&](commbox_error **e) { return commbox_conversation_set_stream_provider_id(p_.get(), v.c_str(), e); });
        return *this;
    }
    Conversation &user(const User &u) {
        detail::call([&](commbox_error **e) {
            return commbox_conversation_set_user(p_.get(), detail::opt(u.unique_id), detail::opt(u.first_name),
                                                 detail::opt(u.last_name), detail::opt(u.phone1),
                                                 detail::opt(u.email), detail::opt(u.remarks), e);
        });
        return *this;
    }
    /// Attaches a file from disk (streamed when sent).
    Conversation &attachment(const std::string &path) {
        detail::call([&](commbox_error **e) { return commbox_conversation_add_attachment_path(p_.get(), path.c_str(), e); });
        return *this;
    }
    /// Attaches bytes under a file name.
    Conversation &attachment(const std::vector<uint8_t> &data, const std::string &name) {
        detail::call([&](commbox_error **e) {
            return commbox_conversation_add_attachment_bytes(p_.get(), data.data(), data.size(), name.c_str(), e);
        });
        return *this;
    }
    Conversation &field_json(const std::string &name, const std::string &json) {
        detail::call([&](commbox_error **e) {
            return commbox_conversation_set_field_json(p_.get(), name.c_str(), json.c_str(), e);
        });
        return *this;
    }
    /// E-mail `to` (with optional display name), bulk SMS and WhatsApp recipients.
    Conversation &recipient(const std::string &address, const std::optional<std::string> &name = std::nullopt) {
        detail::call([&](commbox_error **e) {
            return commbox_conversation_add_recipient(p_.get(), address.c_str(), detail::opt(name), e);
        });
        return *this;
    }
    Conversation &cc(const std::string &address, const std::optional<std::string> &name = std::nullopt) {
        detail::call([&](commbox_error **e) {
            return commbox_conversation_add_cc(p_.get(), address.c_str(), detail::opt(name), e);
        });
        return *this;
    }
    Conversation &bcc(const std::string &address, const std::optional<std::string> &name = std::nullopt) {
        detail::call([&](commbox_error **e) {
            return commbox_conversation_add_bcc(p_.get(), address.c_str(), detail::opt(name), e);
        });
        return *this;
    }
    Conversation &attachment_url(const std::string &url, const std::string &name) {
        detail::call([&](commbox_error **e) {
            return commbox_conversation_add_attachment_url(p_.get(), url.c_str(), name.c_str(), e);
        });
        return *this;
    }
    Conversation &template_param(const std::string &v) {
        detail::call([&](commbox_error **e) { return commbox_conversation_add_template_param(p_.get(), v.c_str(), e); });
        return *this;
    }
    Conversation &template_language(const std::string &v) {
        detail::call([&](commbox_error **e) {
            return commbox_conversation_set_template_language(p_.get(), v.c_str(), e);
        });
        return *this;
    }
    Conversation &send_to_client(bool v) {
        detail::call([&](commbox_error **e) { return commbox_conversation_set_send_to_client(p_.get(), v, e); });
        return *this;
    }
    Conversation &create_child_object(bool v) {
        detail::call([&](commbox_error **e) { return commbox_conversation_set_create_child_object(p_.get(), v, e); });
        return *this;
    }
    /// Validates and returns the JSON that would be sent; sends nothing.
    std::string to_json() const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) { return commbox_conversation_to_json(p_.get(), &out, e); });
        return detail::take_string(out);
    }
    /// The C handle, still owned by this object.
    const commbox_conversation *get() const noexcept { return p_.get(); }

private:
    template <typename F>
    static Conversation make(F &&f) {
        commbox_conversation *out = nullptr;
        detail::call([&](commbox_error **e) { return f(&out, e); });
        return Conversation(out);
    }
    Conversation &set(commbox_status (*fn)(commbox_conversation *, int64_t, commbox_error **), int64_t v) {
        detail::call([&](commbox_error **e) { return fn(p_.get(), v, e); });
        return *this;
    }
    explicit Conversation(commbox_conversation *p) : p_(p) {}
    std::unique_ptr<commbox_conversation, detail::Deleter<commbox_conversation, commbox_conversation_free>> p_;
};

/// A new message in a conversation, from the customer or from an agent.
class Message {
public:
    static Message customer(const std::string &identity, const std::string &message) {
        return make([&](commbox_message **out, commbox_error **e) {
            return commbox_message_new_customer(identity.c_str(), message.c_str(), out, e);
        });
    }
    static Message agent(int64_t user_identity, const std::string &identity, const std::string &message) {
        return make([&](commbox_message **out, commbox_error **e) {
            return commbox_message_new_agent(user_identity, identity.c_str(), message.c_str(), out, e);
        });
    }
    Message &identity_type(int64_t v) {
        detail::call([&](commbox_error **e) { return commbox_message_set_identity_type(p_.get(), v, e); });
        return *this;
    }
    Message &object_type(int64_t v) {
        detail::call([&](commbox_error **e) { return commbox_message_set_object_type(p_.get(), v, e); });
        return *this;
    }
    Message &attachment(const std::string &path) {
        detail::call([&](commbox_error **e) { return commbox_message_add_attachment_path(p_.get(), path.c_str(), e); });
        return *this;
    }
    Message &attachment(const std::vector<uint8_t> &data, const std::string &name) {
        detail::call([&](commbox_error **e) {
            return commbox_message_add_attachment_bytes(p_.get(), data.data(), data.size(), name.c_str(), e);
        });
        return *this;
    }
    /// Sends attachments as `filename:{name};base64:{data}`.
    Message &attachments_base64(bool v) {
        detail::call([&](commbox_error **e) { return commbox_message_set_attachments_base64(p_.get(), v, e); });
        return *this;
    }
    Message &field_json(const std::string &name, const std::string &json) {
        detail::call([&](commbox_error **e) {
            return commbox_message_set_field_json(p_.get(), name.c_str(), json.c_str(), e);
        });
        return *this;
    }
    std::string to_json() const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) { return commbox_message_to_json(p_.get(), &out, e); });
        return detail::take_string(out);
    }
    const commbox_message *get() const noexcept { return p_.get(); }

private:
    template <typename F>
    static Message make(F &&f) {
        commbox_message *out = nullptr;
        detail::call([&](commbox_error **e) { return f(&out, e); });
        return Message(out);
    }
    explicit Message(commbox_message *p) : p_(p) {}
    std::unique_ptr<commbox_message, detail::Deleter<commbox_message, commbox_message_free>> p_;
};

/// A CommBox API client; safe to share between threads.
class Client {
public:
    explicit Client(const ClientConfig &config) : progress_(config.progress_) {
        commbox_client *out = nullptr;
        detail::call([&](commbox_error **e) { return commbox_client_new(config.get(), &out, e); });
        p_.reset(out);
    }

    /// Opens a conversation; returns its id.
    int64_t create_conversation(const std::string &stream_id, const Conversation &c) const {
        int64_t id = 0;
        detail::call([&](commbox_error **e) { return commbox_create_conversation(p_.get(), stream_id.c_str(), c.get(), &id, e); });
        return id;
    }
    /// Opens a conversation from JSON you already hold.
    int64_t create_conversation_json(const std::string &stream_id, const std::string &json) const {
        int64_t id = 0;
        detail::call([&](commbox_error **e) {
            return commbox_create_conversation_json(p_.get(), stream_id.c_str(), json.c_str(), &id, e);
        });
        return id;
    }
    /// Adds a message; returns its id.
    int64_t create_message(const std::string &stream_id, int64_t object_id, const Message &m) const {
        int64_t id = 0;
        detail::call([&](commbox_error **e) {
            return commbox_create_message(p_.get(), stream_id.c_str(), object_id, m.get(), &id, e);
        });
        return id;
    }
    /// Adds a message from JSON you already hold.
    int64_t create_message_json(const std::string &stream_id, int64_t object_id, const std::string &json) const {
        int64_t id = 0;
        detail::call([&](commbox_error **e) {
            return commbox_create_message_json(p_.get(), stream_id.c_str(), object_id, json.c_str(), &id, e);
        });
        return id;
    }
    /// The conversation with its messages, in its JSON form (docs/json-forms.md; the server's
    /// object is in `raw`).
    std::string get_conversation(const std::string &stream_id, int64_t object_id) const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) {
            return commbox_get_conversation(p_.get(), stream_id.c_str(), object_id, &out, e);
        });
        return detail::take_string(out);
    }
    void set_conversation_status(int64_t object_id, int64_t status) const {
        detail::call([&](commbox_error **e) { return commbox_set_conversation_status(p_.get(), object_id, status, e); });
    }
    /// Agents and admins, as a JSON array of their JSON form (docs/json-forms.md).
    std::string managers() const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) { return commbox_list_managers(p_.get(), &out, e); });
        return detail::take_string(out);
    }
    /// The system status in its JSON form (`http_status`, `description`, `response_time`, `raw`).
    std::string system_status() const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) { return commbox_system_status(p_.get(), &out, e); });
        return detail::take_string(out);
    }
    /// Any request; returns the decoded envelope in its JSON form (`data`, and the whole answer
    /// in `raw`).
    std::string raw_request(const std::string &method, const std::string &path,
                            const std::optional<std::string> &json_body = std::nullopt) const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) {
            return commbox_raw_request(p_.get(), method.c_str(), path.c_str(), detail::opt(json_body), &out, e);
        });
        return detail::take_string(out);
    }
    const commbox_client *get() const noexcept { return p_.get(); }

private:
    friend class Inbox;
    // Declared before p_, so destroyed after it: the C client may call it until freed.
    std::shared_ptr<const detail::ProgressFn> progress_;
    std::unique_ptr<commbox_client, detail::Deleter<commbox_client, commbox_client_free>> p_;
};

/// Contact fields for Inbox::create_contact / update_contact; unset fields are not sent.
struct ContactFields {
    std::optional<std::string> source_id;  ///< create only
    std::optional<std::string> identifier, identifier_hash, email, name, phone_number, avatar_url;
    std::optional<std::string> custom_attributes_json;  ///< a JSON object
};

/// A message from the contact, with optional attachments.
class InboxMessage {
public:
    explicit InboxMessage(const std::string &content) {
        commbox_inbox_message *out = nullptr;
        detail::call([&](commbox_error **e) { return commbox_inbox_message_new(content.c_str(), &out, e); });
        p_.reset(out);
    }
    InboxMessage &echo_id(const std::string &v) {
        detail::call([&](commbox_error **e) { return commbox_inbox_message_set_echo_id(p_.get(), v.c_str(), e); });
        return *this;
    }
    InboxMessage &attachment(const std::string &path) {
        detail::call([&](commbox_error **e) {
            return commbox_inbox_message_add_attachment_path(p_.get(), path.c_str(), e);
        });
        return *this;
    }
    InboxMessage &attachment(const std::vector<uint8_t> &data, const std::string &name) {
        detail::call([&](commbox_error **e) {
            return commbox_inbox_message_add_attachment_bytes(p_.get(), data.data(), data.size(), name.c_str(), e);
        });
        return *this;
    }
    const commbox_inbox_message *get() const noexcept { return p_.get(); }

private:
    std::unique_ptr<commbox_inbox_message, detail::Deleter<commbox_inbox_message, commbox_inbox_message_free>> p_;
};

/// A client of one Chatwoot inbox (the public client API); safe to share between threads.
/// Results are JSON strings in the records' JSON form (docs/json-forms.md), the server's
/// answer in each one's `raw`.
/// A contact's live subscription (commbox_live_*), made by Inbox::live: the agents' replies
/// and the contact's own messages (with their echo_id) as they are sent, each in its JSON form
/// (docs/schemas/ChatwootLiveEvent.json). The connection reconnects by itself. Movable, not
/// copyable; releasing it closes the socket.
class LiveReplies {
public:
    /// The next event within `timeout`, or std::nullopt when none came. Throws Error once the
    /// subscription ended: its final error once (COMMBOX_STATUS_AUTHENTICATION for a rejected
    /// token), then COMMBOX_STATUS_CONNECTION (also after close()).
    std::optional<std::string> next(std::chrono::milliseconds timeout) const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) { return commbox_live_next(p_.get(), ms(timeout), &out, e); });
        if (out == nullptr) return std::nullopt;
        return detail::take_string(out);
    }
    /// Waits for the message sent with `echo_id` to come back; throws Error with
    /// COMMBOX_STATUS_TIMEOUT when it does not come within `timeout`.
    std::string wait_for_echo(const std::string &echo_id, std::chrono::milliseconds timeout) const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) {
            return commbox_live_wait_for_echo(p_.get(), echo_id.c_str(), ms(timeout), &out, e);
        });
        return detail::take_string(out);
    }
    /// Closes the socket; thread-safe: ends a next() waiting in another thread.
    void close() const noexcept { commbox_live_close(p_.get()); }

private:
    friend class Inbox;
    explicit LiveReplies(commbox_live *p) : p_(p) {}
    static uint32_t ms(std::chrono::milliseconds t) {
        auto n = t.count();
        return n <= 0 ? 0u : n >= 0xFFFFFFFF ? 0xFFFFFFFFu : static_cast<uint32_t>(n);
    }
    std::unique_ptr<commbox_live, detail::Deleter<commbox_live, commbox_live_free>> p_;
};

class Inbox {
public:
    /// For the installation set as `config`'s base URL; no API key needed.
    Inbox(const ClientConfig &config, const std::string &inbox_identifier) : progress_(config.progress_) {
        commbox_inbox *out = nullptr;
        detail::call([&](commbox_error **e) { return commbox_inbox_new(config.get(), inbox_identifier.c_str(), &out, e); });
        p_.reset(out);
    }
    /// Sharing `client`'s connection pool and settings.
    Inbox(const Client &client, const std::string &base_url, const std::string &inbox_identifier)
        : progress_(client.progress_) {
        commbox_inbox *out = nullptr;
        detail::call([&](commbox_error **e) {
            return commbox_client_inbox(client.get(), base_url.c_str(), inbox_identifier.c_str(), &out, e);
        });
        p_.reset(out);
    }

    std::string inbox() const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) { return commbox_inbox_get(p_.get(), &out, e); });
        return detail::take_string(out);
    }
    /// Creates (or finds) a contact; returns its source_id.
    std::string create_contact(const ContactFields &f = {}) const {
        char *sid = nullptr;
        detail::call([&](commbox_error **e) {
            return commbox_inbox_create_contact(p_.get(), detail::opt(f.source_id), detail::opt(f.identifier),
                                                detail::opt(f.identifier_hash), detail::opt(f.email),
                                                detail::opt(f.name), detail::opt(f.phone_number),
                                                detail::opt(f.avatar_url), detail::opt(f.custom_attributes_json),
                                                &sid, nullptr, e);
        });
        return detail::take_string(sid);
    }
    std::string get_contact(const std::string &contact) const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) { return commbox_inbox_get_contact(p_.get(), contact.c_str(), &out, e); });
        return detail::take_string(out);
    }
    /// On inboxes with identity validation: sends the identifier and its hash along.
    std::string get_contact(const std::string &contact, const std::string &identifier,
                            const std::string &identifier_hash) const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) {
            return commbox_inbox_get_verified_contact(p_.get(), contact.c_str(), identifier.c_str(),
                                                      identifier_hash.c_str(), &out, e);
        });
        return detail::take_string(out);
    }
    std::string update_contact(const std::string &contact, const ContactFields &f) const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) {
            return commbox_inbox_update_contact(p_.get(), contact.c_str(), detail::opt(f.identifier),
                                                detail::opt(f.identifier_hash), detail::opt(f.email),
                                                detail::opt(f.name), detail::opt(f.phone_number),
                                                detail::opt(f.avatar_url), detail::opt(f.custom_attributes_json),
                                                &out, e);
        });
        return detail::take_string(out);
    }
    /// Opens a conversation; returns its display id.
    int64_t create_conversation(const std::string &contact,
                                const std::optional<std::string> &custom_attributes_json = std::nullopt) const {
        int64_t id = 0;
        detail::call([&](commbox_error **e) {
            return commbox_inbox_create_conversation(p_.get(), contact.c_str(), detail::opt(custom_attributes_json),
                                                     &id, nullptr, e);
        });
        return id;
    }
    std::string list_conversations(const std::string &contact) const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) {
            return commbox_inbox_list_conversations(p_.get(), contact.c_str(), &out, e);
        });
        return detail::take_string(out);
    }
    std::string get_conversation(const std::string &contact, int64_t conversation_id) const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) {
            return commbox_inbox_get_conversation(p_.get(), contact.c_str(), conversation_id, &out, e);
        });
        return detail::take_string(out);
    }
    std::string resolve_conversation(const std::string &contact, int64_t conversation_id) const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) {
            return commbox_inbox_resolve_conversation(p_.get(), contact.c_str(), conversation_id, &out, e);
        });
        return detail::take_string(out);
    }
    void set_typing(const std::string &contact, int64_t conversation_id, bool typing) const {
        detail::call([&](commbox_error **e) {
            return commbox_inbox_set_typing(p_.get(), contact.c_str(), conversation_id, typing, e);
        });
    }
    void update_last_seen(const std::string &contact, int64_t conversation_id) const {
        detail::call([&](commbox_error **e) {
            return commbox_inbox_update_last_seen(p_.get(), contact.c_str(), conversation_id, e);
        });
    }
    /// Posts a message from the contact; returns its id.
    int64_t create_message(const std::string &contact, int64_t conversation_id, const InboxMessage &m) const {
        int64_t id = 0;
        detail::call([&](commbox_error **e) {
            return commbox_inbox_create_message(p_.get(), contact.c_str(), conversation_id, m.get(), &id, nullptr, e);
        });
        return id;
    }
    /// Up to 20 messages, oldest first; `before` = 0 for the latest.
    std::string list_messages(const std::string &contact, int64_t conversation_id, int64_t before = 0) const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) {
            return commbox_inbox_list_messages(p_.get(), contact.c_str(), conversation_id, before, &out, e);
        });
        return detail::take_string(out);
    }
    std::string update_message(const std::string &contact, int64_t conversation_id, int64_t message_id,
                               const std::string &submitted_values_json) const {
        char *out = nullptr;
        detail::call([&](commbox_error **e) {
            return commbox_inbox_update_message(p_.get(), contact.c_str(), conversation_id, message_id,
                                                submitted_values_json.c_str(), &out, e);
        });
        return detail::take_string(out);
    }

    /// Subscribes to the live updates of the contact owning `pubsub_token` (commbox_live_open;
    /// the token is in the contact's JSON form). The subscription may outlive this Inbox.
    LiveReplies live(const std::string &pubsub_token) const {
        commbox_live *out = nullptr;
        detail::call([&](commbox_error **e) { return commbox_live_open(p_.get(), pubsub_token.c_str(), &out, e); });
        return LiveReplies(out);
    }

private:
    std::shared_ptr<const detail::ProgressFn> progress_;  // outlives p_ (see Client)
    std::unique_ptr<commbox_inbox, detail::Deleter<commbox_inbox, commbox_inbox_free>> p_;
};

/// The identifier_hash for `identifier` with the inbox's HMAC token (computed locally).
inline std::string chatwoot_identifier_hash(const std::string &identifier, const std::string &hmac_token) {
    char *out = nullptr;
    detail::call([&](commbox_error **e) {
        return commbox_chatwoot_identifier_hash(identifier.c_str(), hmac_token.c_str(), &out, e);
    });
    return detail::take_string(out);
}

// --- receiving webhooks ------------------------------------------------------------------
//
// Each takes the raw body exactly as received (any bytes, embedded NULs included) and returns
// the event in its JSON form (docs/schemas/CommBoxEvent.json, ChatwootDelivery.json,
// ChatwootEvent.json). A body that cannot be read throws Error with COMMBOX_STATUS_DECODE; a
// Chatwoot delivery not proven authentic, COMMBOX_STATUS_AUTHENTICATION. Thread-safe.

/// A request's headers as (name, value) pairs; names in any case.
using Headers = std::vector<std::pair<std::string, std::string>>;

/// A CommBox webhook delivery's event (commbox_commbox_event_parse): XML or JSON, from the
/// body and the request's Content-Type (none: std::nullopt).
inline std::string parse_commbox_delivery(std::string_view body,
                                          const std::optional<std::string> &content_type = std::nullopt) {
    char *out = nullptr;
    detail::call([&](commbox_error **e) {
        return commbox_commbox_event_parse(reinterpret_cast<const uint8_t *>(body.data()), body.size(),
                                           detail::opt(content_type), &out, e);
    });
    return detail::take_string(out);
}

/// A verified Chatwoot delivery (commbox_chatwoot_webhook_verify): the signature and the
/// timestamp checked with `secret`, within `tolerance` of this machine's clock (default
/// 300 s). Drop a delivery whose "delivery_id" you have seen.
inline std::string verify_chatwoot(const std::string &secret, const Headers &headers, std::string_view body,
                                   std::optional<std::chrono::seconds> tolerance = std::nullopt) {
    std::vector<const char *> names, values;
    for (const auto &h : headers) {
        names.push_back(h.first.c_str());
        values.push_back(h.second.c_str());
    }
    char *out = nullptr;
    const auto *data = reinterpret_cast<const uint8_t *>(body.data());
    detail::call([&](commbox_error **e) {
        if (tolerance) {
            auto secs = tolerance->count() < 0 ? 0 : static_cast<uint64_t>(tolerance->count());
            return commbox_chatwoot_webhook_verify_with_tolerance(secret.c_str(), names.data(), values.data(),
                                                                  names.size(), data, body.size(), secs, &out, e);
        }
        return commbox_chatwoot_webhook_verify(secret.c_str(), names.data(), values.data(), names.size(), data,
                                               body.size(), &out, e);
    });
    return detail::take_string(out);
}

/// A Chatwoot webhook body's event WITHOUT any signature check
/// (commbox_chatwoot_event_parse): for bodies already verified, or installations that sign
/// nothing, by explicit choice.
inline std::string parse_chatwoot_event(std::string_view body) {
    char *out = nullptr;
    detail::call([&](commbox_error **e) {
        return commbox_chatwoot_event_parse(reinterpret_cast<const uint8_t *>(body.data()), body.size(), &out, e);
    });
    return detail::take_string(out);
}

}  // namespace commbox

#endif  // C++17
#endif  // COMMBOX_HPP
