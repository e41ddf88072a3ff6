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
