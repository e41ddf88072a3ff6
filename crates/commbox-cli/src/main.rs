//! `commbox`: CommBox conversations and messages from shells and cron jobs.

mod args;
mod arguments;
mod batch;
mod batch_journal;
mod chatwoot;
mod commands;
mod not_utf8;
mod output;
mod upload_progress;
mod webhook_spool;
mod webhooks;

use args::{Cli, Command};
use clap::FromArgMatches;
use std::process::ExitCode;

fn main() -> ExitCode {
    let parsed = args::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) if e.kind() == clap::error::ErrorKind::InvalidUtf8 => {
            let err = not_utf8::error();
            let named = arguments::name(None, &err);
            return output::report(&err, &named, not_utf8::error_format());
        }
        Err(e) => e.exit(),
    };
    init_logging(cli.global.verbose);
    match &cli.command {
        Command::Mock(m) => return run_mock(m, &cli.global),
        Command::Completions(a) => return completions(a.shell),
        Command::Man(a) => return man_pages(&a.dir),
        _ => {}
    }
    let format = cli.global.error_format;
    let result = match cli.command {
        // Prints its results itself, line by line; its exit code says how the lines went.
        Command::Batch(a) => batch::run(&cli.global, &a),
        // Runs until stopped; its exit code says why it stopped.
        Command::Webhooks(a) => webhooks::run(&a),
        Command::Chatwoot(a) => chatwoot::run(&cli.global, a).map(|v| output::print_json(&v)),
        command => commands::client(&cli.global)
            .and_then(|c| commands::run(&c, command))
            .map(|v| output::print_json(&v)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let given = arguments::Given::new(args::command(), &matches);
            output::report(&e, &arguments::name(Some(&given), &e), format)
        }
    }
}

/// The shell's completion script for every command and flag, on stdout.
fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut cmd = args::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "commbox", &mut out);
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> ExitCode {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("commbox: cannot write to stdout: {e}");
            ExitCode::from(1)
        }
    }
}

/// commbox.1 and one page per subcommand (commbox-sms.1, commbox-chatwoot-inbox.1, …), hidden
/// commands left out.
fn man_pages(dir: &std::path::Path) -> ExitCode {
    let result =
        std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(args::command(), dir));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "commbox: cannot write the man pages into {}: {e}",
                dir.display()
            );
            ExitCode::from(13)
        }
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Info,
        2 => log::LevelFilter::Debug,
        _ => log::LevelFilter::Trace,
    };
    // Only our own records: dependencies' traces could print raw headers.
    env_logger::Builder::new()
        .filter_level(log::LevelFilter::Off)
        .filter_module("commbox", level)
        .filter_module("commbox_mock", level)
        .format_timestamp_millis()
        .init();
}

#[cfg(feature = "mock")]
fn run_mock(m: &args::MockArgs, g: &args::Global) -> ExitCode {
    let key = m
        .key
        .clone()
        // --api-key, else COMMBOX_API_KEY, as a client would take it.
        .or_else(|| commands::builder(g).options().api_key.clone())
        .unwrap_or_else(|| commbox_mock::DEFAULT_API_KEY.to_owned());
    let config = commbox_mock::MockConfig {
        api_key: key,
        port: m.port,
        ..commbox_mock::MockConfig::default()
    };
    match commbox_mock::run_blocking(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("commbox: mock server failed: {e}");
            ExitCode::from(10)
        }
    }
}

/// Without the `mock` feature: say where the mock server is instead (a usage error, code 2).
#[cfg(not(feature = "mock"))]
fn run_mock(_: &args::MockArgs, _: &args::Global) -> ExitCode {
    eprintln!(
        "commbox: this build has no mock server: run `commbox-mock --port N --api-key KEY` \
         (crates/commbox-mock), or build the CLI with it: \
         `cargo build -p commbox-cli --features mock`"
    );
    ExitCode::from(2)
}
