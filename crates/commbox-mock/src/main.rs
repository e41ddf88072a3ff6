//! `commbox-mock`: runs the in-memory CommBox and Chatwoot mock until interrupted.

use std::process::ExitCode;

use commbox_mock::{run_blocking, MockConfig, DEFAULT_API_KEY};

const USAGE: &str = "\
Usage: commbox-mock [--port N] [--api-key KEY] [--tls-self-signed DIR]

Serves an in-memory mock of the CommBox API and of the Chatwoot public client API
(/public/api/v1/inboxes/mock-inbox/...) on 127.0.0.1 until SIGINT or SIGTERM.
Prints the base URL (http://127.0.0.1:PORT) as a single line on stdout once listening.

Options:
  --port N         Port to listen on (default 0: any free port)
  --api-key KEY    Accepted Bearer key (default: $COMMBOX_MOCK_API_KEY, else \"mock-api-key\")
  --tls-self-signed DIR
                   Serve HTTPS with a new self-signed certificate for 127.0.0.1 and
                   localhost, written to DIR/cert.pem (trust it as a CA file) and
                   DIR/key.pem; the printed URL is then https://127.0.0.1:PORT
  -h, --help       Show this help
";

enum Command {
    Run(MockConfig),
    Help,
}

fn parse_args(
    args: impl IntoIterator<Item = String>,
    env_key: Option<String>,
) -> Result<Command, String> {
    let mut config = MockConfig {
        api_key: env_key.unwrap_or_else(|| DEFAULT_API_KEY.to_owned()),
        ..MockConfig::default()
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--port" => {
                let raw = value("--port")?;
                config.port = raw
                    .parse()
                    .map_err(|_| format!("--port: not a port number: {raw}"))?;
            }
            "--api-key" => {
                config.api_key = value("--api-key")?;
                if config.api_key.is_empty() {
                    return Err("--api-key must not be empty".to_owned());
                }
            }
            "--tls-self-signed" => {
                let dir = value("--tls-self-signed")?;
                if dir.is_empty() {
                    return Err("--tls-self-signed needs a directory".to_owned());
                }
                config.tls_dir = Some(dir.into());
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(Command::Run(config))
}

fn main() -> ExitCode {
    let env_key = std::env::var("COMMBOX_MOCK_API_KEY")
        .ok()
        .filter(|key| !key.is_empty());
    match parse_args(std::env::args().skip(1), env_key) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Command::Run(config)) => match run_blocking(config) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("commbox-mock: {err}");
                ExitCode::FAILURE
            }
        },
        Err(problem) => {
            eprintln!("commbox-mock: {problem}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], env: Option<&str>) -> Result<MockConfig, String> {
        match parse_args(args.iter().map(|s| s.to_string()), env.map(str::to_owned))? {
            Command::Run(config) => Ok(config),
            Command::Help => Err("help".to_owned()),
        }
    }

    #[test]
    fn parses_flags() {
        assert_eq!(run(&[], None).unwrap(), MockConfig::default());
        let config = run(&["--port", "8080", "--api-key=k"], Some("env")).unwrap();
        assert_eq!((config.port, config.api_key.as_str()), (8080, "k"));
        assert_eq!(run(&[], Some("env")).unwrap().api_key, "env");
        let tls = run(&["--tls-self-signed", "/tmp/x"], None).unwrap();
        assert_eq!(tls.tls_dir, Some("/tmp/x".into()));
        assert!(run(&["--tls-self-signed="], None).is_err());
        assert_eq!(run(&["--help"], None).unwrap_err(), "help");
        assert!(run(&["--port"], None).is_err());
        assert!(run(&["--port", "x"], None).is_err());
        assert!(run(&["--bogus"], None).is_err());
    }
}
