//! Gives libcommbox.so an SONAME that changes with every release that may break the ABI, so a
//! program linked against one series never loads an incompatible one (wasmtime#2996,
//! wasmer#2429). Before 1.0 every minor release may break it: 0.1.x is `libcommbox.so.0.1`,
//! 0.2.x `libcommbox.so.0.2`. From 1.0 on, the major version: `libcommbox.so.1`. The same
//! rule is in mk/c.mk (SOVERSION), which names the installed files after it; the policy is in
//! packaging/README.md.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets it");
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").expect("cargo sets it");
    let soversion = if major == "0" {
        format!("0.{minor}")
    } else {
        major
    };
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcommbox.so.{soversion}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
