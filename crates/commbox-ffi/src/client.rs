//! Client configuration and the client handle.

use crate::boundary::{mut_arg, out_arg, ref_arg, run, run_or, str_arg};
use crate::error::{commbox_error, commbox_status};
use core_api::blocking::{Client, ClientBuilder};
use core_api::ClientOptions;
use std::ffi::c_char;
use std::time::Duration;

/// Settings for a client, filled by the `commbox_client_config_set_*` calls. Owned by the
/// caller: release it with `commbox_client_config_free` (it can be freed as soon as the
/// client is made). Not thread-safe: do not change one config from two threads at once.
pub struct commbox_client_config {
    builder: ClientBuilder,
}

/// A CommBox API client. Made by `commbox_client_new`, released by `commbox_client_free`.
///
/// Thread-safe: one client may be used by any number of threads at once (every call takes
/// `const commbox_client *`), and it reuses connections between calls. Free it only after
/// every call using it has returned.
///
/// Fork-safe: a client made before fork() may be used and freed in the child (prefork
/// daemons); the library notices the new process and builds the child its own connection
/// pool. No call may be running in another thread at the moment of the fork.
pub struct commbox_client {
    pub(crate) inner: Client,
}

impl commbox_client_config {
    pub(crate) fn builder(&self) -> &ClientBuilder {
        &self.builder
    }

    pub(crate) fn update(&mut self, f: impl FnOnce(ClientBuilder) -> ClientBuilder) {
        let b = std::mem::take(&mut self.builder);
        self.builder = f(b);
    }
}

/// A config with the defaults: base URL `https://api.commbox.io`, 10 s connect timeout, 60 s
/// total timeout, 2 retries, no key. Returns NULL only if memory is exhausted.
#[no_mangle]
pub extern "C" fn commbox_client_config_new() -> *mut commbox_client_config {
    run_or(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(commbox_client_config {
            builder: ClientBuilder::default(),
        }))
    })
}

/// A config read from the environment: COMMBOX_API_KEY, COMMBOX_BASE_URL, COMMBOX_TIMEOUT,
/// COMMBOX_CONNECT_TIMEOUT (seconds), COMMBOX_MAX_RETRIES, COMMBOX_CA_FILE, COMMBOX_PROXY,
/// COMMBOX_ALLOW_INSECURE_HTTP. A malformed variable is reported by `commbox_client_new`.
#[no_mangle]
pub extern "C" fn commbox_client_config_from_env() -> *mut commbox_client_config {
    run_or(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(commbox_client_config {
            builder: ClientBuilder::from_env(),
        }))
    })
}

/// Releases a config. NULL is ignored.
#[no_mangle]
pub extern "C" fn commbox_client_config_free(config: *mut commbox_client_config) {
    run_or((), || {
        if !config.is_null() {
            // SAFETY: made by Box::into_raw above; the caller frees it once.
            drop(unsafe { Box::from_raw(config) });
        }
    })
}

/// Sets the API key (required). The key is copied; it is never logged or put in errors.
#[no_mangle]
pub extern "C" fn commbox_client_config_set_api_key(
    config: *mut commbox_client_config,
    api_key: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_client_config_set_api_key", err, || {
        let config = mut_arg(config, "config")?;
        let key = str_arg(api_key, "api_key")?;
        config.update(|b| b.api_key(key));
        Ok(())
    })
}

/// Sets the base URL (default `https://api.commbox.io`). `http://` is accepted only for
/// loopback hosts unless `commbox_client_config_set_allow_insecure_http` is set. Checked by
/// `commbox_client_new`.
#[no_mangle]
pub extern "C" fn commbox_client_config_set_base_url(
    config: *mut commbox_client_config,
    base_url: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_client_config_set_base_url", err, || {
        let config = mut_arg(config, "config")?;
        let url = str_arg(base_url, "base_url")?;
        config.update(|b| b.base_url(url));
        Ok(())
    })
}

/// Sets the time allowed for each attempt as a whole, in milliseconds (default 60000).
#[no_mangle]
pub extern "C" fn commbox_client_config_set_timeout_ms(
    config: *mut commbox_client_config,
    timeout_ms: u64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_client_config_set_timeout_ms", err, || {
        let config = mut_arg(config, "config")?;
        config.update(|b| b.timeout(Duration::from_millis(timeout_ms)));
        Ok(())
    })
}

/// Sets the time allowed to connect, in milliseconds (default 10000).
#[no_mangle]
pub extern "C" fn commbox_client_config_set_connect_timeout_ms(
    config: *mut commbox_client_config,
    timeout_ms: u64,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_client_config_set_connect_timeout_ms", err, || {
        let config = mut_arg(config, "config")?;
        config.update(|b| b.connect_timeout(Duration::from_millis(timeout_ms)));
        Ok(())
    })
}

/// Sets how many times a failed call is retried (default 2). Creates are only re-sent when
/// the server said it did not process them (429, 503) or nothing was sent.
#[no_mangle]
pub extern "C" fn commbox_client_config_set_max_retries(
    config: *mut commbox_client_config,
    max_retries: u32,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_client_config_set_max_retries", err, || {
        let config = mut_arg(config, "config")?;
        config.update(|b| b.max_retries(max_retries));
        Ok(())
    })
}

/// Appends `suffix` to the User-Agent to identify your application (`myapp/1.2`).
#[no_mangle]
pub extern "C" fn commbox_client_config_set_user_agent_suffix(
    config: *mut commbox_client_config,
    suffix: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_client_config_set_user_agent_suffix", err, || {
        let config = mut_arg(config, "config")?;
        let suffix = str_arg(suffix, "suffix")?;
        config.update(|b| b.user_agent_suffix(suffix));
        Ok(())
    })
}

/// Trusts the CA certificates in this PEM file in addition to the built-in roots.
#[no_mangle]
pub extern "C" fn commbox_client_config_set_ca_file(
    config: *mut commbox_client_config,
    path: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_client_config_set_ca_file", err, || {
        let config = mut_arg(config, "config")?;
        let path = str_arg(path, "path")?;
        config.update(|b| b.ca_file(path));
        Ok(())
    })
}

/// Sends every request through this proxy URL. Without it, HTTPS_PROXY / HTTP_PROXY /
/// NO_PROXY from the environment apply.
#[no_mangle]
pub extern "C" fn commbox_client_config_set_proxy(
    config: *mut commbox_client_config,
    proxy_url: *const c_char,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_client_config_set_proxy", err, || {
        let config = mut_arg(config, "config")?;
        let proxy = str_arg(proxy_url, "proxy_url")?;
        config.update(|b| b.proxy(proxy));
        Ok(())
    })
}

/// Allows (true) http:// base URLs for non-loopback hosts; the key then travels in clear.
#[no_mangle]
pub extern "C" fn commbox_client_config_set_allow_insecure_http(
    config: *mut commbox_client_config,
    allow: bool,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_client_config_set_allow_insecure_http", err, || {
        let config = mut_arg(config, "config")?;
        config.update(|b| b.allow_insecure_http(allow));
        Ok(())
    })
}

/// Checks the config and makes a client into `*out` (written only on success). Fails with
/// `COMMBOX_STATUS_VALIDATION` naming the setting at fault (`api_key`, `base_url`, …).
/// The config is not consumed.
#[no_mangle]
pub extern "C" fn commbox_client_new(
    config: *const commbox_client_config,
    out: *mut *mut commbox_client,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_client_new", err, || {
        let config = ref_arg(config, "config")?;
        let out = out_arg(out, "out")?;
        let client = config.builder.clone().build()?;
        out.write(Box::into_raw(Box::new(commbox_client { inner: client })));
        Ok(())
    })
}

/// Makes a client into `*out` (written only on success) from its options in their JSON form
/// (docs/schemas/ClientOptions.json), an object whose members are all optional but the key:
/// `api_key`, `base_url`, `timeout` and `connect_timeout` (positive seconds, e.g. 2.5),
/// `max_retries`, `user_agent_suffix`, `ca_file`, `proxy`, `allow_insecure_http`, e.g.
/// `{"api_key": "...", "base_url": "http://127.0.0.1:8080", "timeout": 30}`. Members left out
/// (or null) take the defaults; the environment is not read (use
/// `commbox_client_config_from_env` for that). Fails with `COMMBOX_STATUS_VALIDATION` naming
/// the member at fault by its JSON path (`timeout`, an unknown member, or `options` for text
/// that is not a JSON object). Thread-safe.
#[no_mangle]
pub extern "C" fn commbox_client_new_from_json(
    options_json: *const c_char,
    out: *mut *mut commbox_client,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_client_new_from_json", err, || {
        let json = str_arg(options_json, "options_json")?;
        let out = out_arg(out, "out")?;
        let client = ClientBuilder::from_options(ClientOptions::from_json(json)?).build()?;
        out.write(Box::into_raw(Box::new(commbox_client { inner: client })));
        Ok(())
    })
}

/// Releases a client. NULL is ignored. No call may be using it.
#[no_mangle]
pub extern "C" fn commbox_client_free(client: *mut commbox_client) {
    run_or((), || {
        if !client.is_null() {
            // SAFETY: made by Box::into_raw in commbox_client_new; freed once by the caller.
            drop(unsafe { Box::from_raw(client) });
        }
    })
}
