//! The CLI's surface for users and packagers: shell completions, man pages, `--help`.

use std::process::{Command, Output};

fn commbox(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_commbox"))
        .args(args)
        .env_remove("COMMBOX_API_KEY")
        .env_remove("COMMBOX_BASE_URL")
        .output()
        .expect("run commbox")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout")
}

#[test]
fn completions_for_each_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout(&commbox(&["completions", shell]));
        for word in ["sms", "bulk-sms", "chatwoot", "message-create", "--api-key"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
        assert!(
            !script.contains("commbox__man"),
            "{shell}: the hidden `man` is completed"
        );
    }
    assert!(stdout(&commbox(&["completions", "zsh"])).starts_with("#compdef commbox"));
}

#[test]
fn bash_accepts_the_bash_script() {
    let script = stdout(&commbox(&["completions", "bash"]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("commbox.bash");
    std::fs::write(&path, script).unwrap();
    let check = Command::new("bash").arg("-n").arg(&path).output();
    match check {
        Ok(out) => assert!(
            out.status.success(),
            "bash -n: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("bash is needed for this test: {e}"),
    }
}

#[test]
fn completions_refuses_an_unknown_shell() {
    let out = commbox(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_writes_a_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let mandir = dir.path().join("man");
    stdout(&commbox(&["man", "--dir", mandir.to_str().unwrap()]));
    for page in [
        "commbox.1",
        "commbox-sms.1",
        "commbox-message.1",
        "commbox-completions.1",
        "commbox-chatwoot.1",
        "commbox-chatwoot-message-create.1",
    ] {
        let text =
            std::fs::read_to_string(mandir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        // clap_mangen's pages open with a two-line string definition, then the title.
        let first_macro = text
            .lines()
            .find(|l| !l.starts_with(".ie") && !l.starts_with(".el"))
            .unwrap();
        assert!(first_macro.starts_with(".TH "), "{page}: {first_macro}");
    }
    assert!(
        !mandir.join("commbox-man.1").exists(),
        "the hidden command has a page"
    );
    assert!(!mandir.join("commbox-help.1").exists());
}

#[test]
fn the_man_command_is_hidden_from_help() {
    let help = stdout(&commbox(&["--help"]));
    assert!(help.contains("completions"));
    assert!(
        !help.lines().any(|l| l.trim_start().starts_with("man ")),
        "{help}"
    );
}

/// The long flags listed under `heading` ("Options", "Global options") in a help text.
fn flags_under(help: &str, heading: &str) -> Vec<String> {
    let mut flags = Vec::new();
    let mut inside = false;
    for line in help.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            inside = line.trim_end_matches(':') == heading;
            continue;
        }
        let item = line.trim_start();
        // An option's line: two spaces, then `-x, --long` or `--long`.
        if inside
            && line.starts_with("  ")
            && item.starts_with('-')
            && !line.starts_with("          ")
        {
            let long = item
                .split([' ', ','])
                .find(|w| w.starts_with("--"))
                .unwrap_or(item);
            flags.push(long.trim_end_matches("...").to_owned());
        }
    }
    flags
}

const ALL_GLOBAL: &[&str] = &[
    "--api-key",
    "--base-url",
    "--timeout",
    "--connect-timeout",
    "--max-retries",
    "--ca-file",
    "--proxy",
    "--allow-insecure-http",
    "--error-format",
    "--verbose",
];

#[test]
fn global_options_have_their_own_section() {
    let help = stdout(&commbox(&["--help"]));
    assert_eq!(flags_under(&help, "Options"), ["--help", "--version"]);
    assert_eq!(flags_under(&help, "Global options"), ALL_GLOBAL);
    let sms = stdout(&commbox(&["sms", "--help"]));
    let own = flags_under(&sms, "Options");
    assert_eq!(own[..3], ["--phone", "--stream", "--message"]);
    assert!(
        !own.iter().any(|f| ALL_GLOBAL.contains(&f.as_str())),
        "{own:?}"
    );
    assert_eq!(flags_under(&sms, "Global options"), ALL_GLOBAL);
}

#[test]
fn mock_and_chatwoot_list_only_the_options_that_apply() {
    let mock = stdout(&commbox(&["mock", "--help"]));
    assert_eq!(
        flags_under(&mock, "Options"),
        ["--port", "--mock-api-key", "--help"]
    );
    // The mock's key defaults to --api-key; it makes no request, so no client settings.
    assert_eq!(
        flags_under(&mock, "Global options"),
        ["--api-key", "--error-format", "--verbose"]
    );
    let no_commbox_key = [
        "--timeout",
        "--connect-timeout",
        "--max-retries",
        "--ca-file",
        "--proxy",
        "--allow-insecure-http",
        "--error-format",
        "--verbose",
    ];
    for args in [
        &["chatwoot", "--help"][..],
        &["chatwoot", "inbox", "--help"],
        &["chatwoot", "message-create", "--help"],
    ] {
        let help = stdout(&commbox(args));
        assert_eq!(
            flags_under(&help, "Global options"),
            no_commbox_key,
            "{args:?}"
        );
        assert!(
            flags_under(&help, "Options").contains(&"--inbox".to_owned()),
            "{args:?}"
        );
    }
    let completions = stdout(&commbox(&["completions", "--help"]));
    assert_eq!(
        flags_under(&completions, "Global options"),
        ["--error-format", "--verbose"]
    );
}

#[test]
fn hidden_global_options_are_still_accepted() {
    // A script that passes the key to every command keeps working.
    let out = commbox(&[
        "chatwoot",
        "--api-key",
        "k",
        "--base-url",
        "http://x",
        "hmac",
        "--help",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = commbox(&["mock", "--timeout", "3", "--help"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn usage_lines_do_not_require_the_key_or_the_base_url() {
    let help = stdout(&commbox(&["--help"]));
    assert!(
        help.contains("\nUsage: commbox [OPTIONS] <COMMAND>\n"),
        "{help}"
    );
    for args in [
        &["sms"][..],
        &["managers", "--bogus"],
        &["chatwoot", "contact-get"],
    ] {
        let out = commbox(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let usage = stderr
            .lines()
            .find(|l| l.starts_with("Usage: "))
            .unwrap_or_else(|| panic!("{args:?}: no usage line in {stderr}"));
        assert!(
            !usage.contains("--api-key") && !usage.contains("--base-url"),
            "{usage}"
        );
    }
    let sms = commbox(&["sms"]);
    let stderr = String::from_utf8_lossy(&sms.stderr);
    assert!(
        stderr.contains("Usage: commbox sms --phone <PHONE> --stream <STREAM> --message <MESSAGE>"),
        "{stderr}"
    );
}
