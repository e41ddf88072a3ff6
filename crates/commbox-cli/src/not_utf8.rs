//! clap refuses an argument or a variable that is not UTF-8 without saying which one, as a
//! usage error. This finds it, so that the error names it like any other bad value: a
//! validation error (exit code 3, nothing sent) in the error format asked for.

use crate::args::{Cli, ErrorFormat};
use clap::CommandFactory;
use commbox::Error;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

/// The validation error naming the first argument, else the first variable, that is not
/// UTF-8.
pub fn error() -> Error {
    let why = "is not valid UTF-8";
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a.to_str().is_none()) {
        let bytes = args[i].as_bytes();
        let name = if bytes.starts_with(b"--") {
            // `--flag=value`: the flag is before the '='.
            let flag = bytes.split(|&b| b == b'=').next().unwrap_or(bytes);
            String::from_utf8_lossy(flag).into_owned()
        } else {
            match i.checked_sub(1).and_then(|p| args[p].to_str()) {
                Some(flag) if flag.starts_with('-') => flag.to_owned(),
                _ => format!("argument {}", i + 1),
            }
        };
        return Error::validation(name, why);
    }
    let variable = env_names(&Cli::command())
        .into_iter()
        .find(|name| std::env::var_os(name).is_some_and(|v| v.to_str().is_none()));
    Error::validation(variable.unwrap_or_else(|| "arguments".into()), why)
}

/// The variables clap reads, in every subcommand.
fn env_names(command: &clap::Command) -> Vec<String> {
    let mut names: Vec<String> = command
        .get_arguments()
        .filter_map(|a| a.get_env())
        .map(|e| e.to_string_lossy().into_owned())
        .collect();
    for sub in command.get_subcommands() {
        names.extend(env_names(sub));
    }
    names
}

/// The `--error-format` asked for, read from the raw arguments since clap could not parse
/// them.
pub fn error_format() -> ErrorFormat {
    let args: Vec<OsString> = std::env::args_os().collect();
    let json = args.iter().any(|a| a == "--error-format=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--error-format" && w[1] == "json");
    if json {
        ErrorFormat::Json
    } else {
        ErrorFormat::Text
    }
}
