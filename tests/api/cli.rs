//! The real `contato` binary, as an administrator or an orchestrator runs it.

use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::helpers::TestDb;

fn contato(db: &TestDb) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_contato"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("CONTATO_CONFIG")
        .env("CONTATO_DATABASE__URL", &db.url)
        // Messages go to the test's own folder, never to data/mail of the checkout.
        .env("CONTATO_EMAIL__OUTBOX_DIR", db.scratch().join("mail"))
        .env("CONTATO_LOG__FILTER", "warn");
    command
}

fn run(command: &mut Command, stdin: &str) -> (bool, String, String) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child
        .stdin
        .take()
        .expect("a stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin is written");
    let output = child.wait_with_output().expect("the binary ends");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn migrate_can_run_twice() {
    let db = TestDb::new().await;

    let first = run(contato(&db).arg("migrate"), "");
    let second = run(contato(&db).arg("migrate"), "");

    assert!(first.0, "{first:?}");
    assert!(second.0, "{second:?}");
    assert!(second.1.contains("Migrações aplicadas"));
}

#[tokio::test]
async fn staff_add_reads_the_password_from_standard_input() {
    let db = TestDb::new().await;

    let created = run(
        contato(&db).args([
            "staff",
            "add",
            "--email",
            "Ana@tre-pa.jus.br",
            "--name",
            "Ana Lima",
            "--role",
            "clerk",
            "--zone",
            "1",
            "--zone",
            "28",
        ]),
        "uma senha bem comprida\n",
    );
    let again = run(
        contato(&db).args([
            "staff",
            "add",
            "--email",
            "ana@tre-pa.jus.br",
            "--name",
            "Ana Lima",
            "--role",
            "clerk",
            "--zone",
            "1",
        ]),
        "uma senha bem comprida\n",
    );
    let short = run(
        contato(&db).args([
            "staff",
            "add",
            "--email",
            "bia@tre-pa.jus.br",
            "--name",
            "Bia",
            "--role",
            "admin",
        ]),
        "curta\n",
    );
    let no_zone = run(
        contato(&db).args([
            "staff",
            "add",
            "--email",
            "caio@tre-pa.jus.br",
            "--name",
            "Caio",
            "--role",
            "clerk",
            "--zone",
            "999",
        ]),
        "uma senha bem comprida\n",
    );

    assert!(created.0, "{created:?}");
    assert!(
        created.1.contains("ana@tre-pa.jus.br (clerk), zonas 1, 28"),
        "{created:?}"
    );
    assert!(
        !again.0 && again.2.contains("Já existe uma conta"),
        "{again:?}"
    );
    assert!(!short.0 && short.2.contains("12 caracteres"), "{short:?}");
    assert!(!no_zone.0 && no_zone.2.contains("999"), "{no_zone:?}");
}

#[tokio::test]
async fn zones_and_holidays_import_are_safe_to_repeat() {
    let db = TestDb::new().await;
    let zones = || {
        run(
            contato(&db).args(["zones", "import", "config/zones.toml"]),
            "",
        )
    };
    let holidays = || {
        run(
            contato(&db).args(["holidays", "import", "config/holidays.csv"]),
            "",
        )
    };

    let (first_zones, second_zones) = (zones(), zones());
    let (first_holidays, second_holidays) = (holidays(), holidays());

    assert!(
        first_zones.1.contains("101 novas, 0 atualizadas"),
        "{first_zones:?}"
    );
    assert!(
        second_zones.1.contains("0 novas, 101 atualizadas"),
        "{second_zones:?}"
    );
    assert!(
        first_holidays.1.contains("74 novos, 0 atualizados"),
        "{first_holidays:?}"
    );
    assert!(
        second_holidays.1.contains("0 novos, 74 atualizados"),
        "{second_holidays:?}"
    );
}

#[tokio::test]
async fn a_bad_zones_file_is_refused_with_its_problem() {
    let db = TestDb::new().await;
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("zones.toml");
    std::fs::write(
        &file,
        "[[zone]]\nnumber = 0\nname = \"x\"\nmunicipalities = [\"Belém\"]\n",
    )
    .unwrap();

    let (ok, _, stderr) = run(contato(&db).args(["zones", "import"]).arg(&file), "");

    assert!(!ok);
    assert!(
        stderr.contains("zone 0") && stderr.contains("between 1 and 999"),
        "{stderr}"
    );
}

#[tokio::test]
async fn every_command_has_help() {
    let db = TestDb::new().await;
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["staff", "add", "--help"],
        vec!["zones", "import", "--help"],
        vec!["holidays", "import", "--help"],
        vec!["retention", "run", "--help"],
        vec!["indicators", "check", "--help"],
        vec!["indicators", "recount", "--help"],
    ] {
        let (ok, stdout, _) = run(contato(&db).args(&args), "");
        assert!(
            ok && stdout.contains("Usage: contato"),
            "{args:?}: {stdout}"
        );
    }
}

#[tokio::test]
async fn a_bad_setting_stops_the_start_and_names_its_key() {
    let db = TestDb::new().await;

    let (ok, _, stderr) = run(
        contato(&db)
            .arg("migrate")
            .env("CONTATO_WORKER__POLL_MS", "soon"),
        "",
    );

    assert!(!ok);
    assert!(stderr.to_lowercase().contains("poll_ms"), "{stderr}");
}

#[tokio::test]
async fn serve_answers_and_stops_cleanly_on_sigterm() {
    let db = TestDb::new().await;
    let mut child = contato(&db)
        .arg("serve")
        .env("CONTATO_SERVER__BIND", "127.0.0.1:0")
        .env("CONTATO_LOG__FILTER", "info")
        .env("CONTATO_LOG__FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut lines = BufReader::new(child.stderr.take().expect("a stderr")).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let address = loop {
        assert!(
            Instant::now() < deadline,
            "serve did not report its address"
        );
        let line = lines
            .next()
            .expect("serve keeps running")
            .expect("a log line");
        let entry: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if entry["fields"]["message"] == "listening" {
            break entry["fields"]["address"]
                .as_str()
                .expect("an address")
                .to_string();
        }
    };

    let health = reqwest::get(format!("http://{address}/healthz"))
        .await
        .unwrap();
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();

    assert_eq!(health.status(), 200);
    assert!(stopped.success());
    assert!(status.success(), "a clean exit after SIGTERM: {status:?}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("\"stopped\"")), "{rest:?}");
}

#[tokio::test]
async fn staff_add_marks_a_libras_interpreter() {
    let db = TestDb::new().await;
    let created = run(
        contato(&db).args([
            "staff",
            "add",
            "--email",
            "interprete@tre-pa.jus.br",
            "--name",
            "Iara Santos",
            "--role",
            "clerk",
            "--zone",
            "1",
            "--interpreter",
        ]),
        "uma senha bem comprida\n",
    );
    assert!(created.0, "{created:?}");
    assert!(created.1.contains("intérprete de Libras"), "{created:?}");
}

#[tokio::test]
async fn retention_and_the_indicators_run_from_the_command_line() {
    let db = TestDb::new().await;
    assert!(run(contato(&db).arg("migrate"), "").0);

    // Nothing is due on a new database: the dry run says so and changes nothing, and so
    // does the run; each says what it did in Portuguese.
    let (ok, stdout, stderr) = run(contato(&db).args(["retention", "run", "--dry-run"]), "");
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("simulação, nada foi alterado") && stdout.contains("0 pedidos seriam"),
        "{stdout}"
    );
    let (ok, stdout, stderr) = run(contato(&db).args(["retention", "run"]), "");
    assert!(ok, "{stderr}");
    assert!(stdout.contains("0 pedidos foram anonimizados"), "{stdout}");

    let (ok, stdout, stderr) = run(contato(&db).args(["indicators", "recount"]), "");
    assert!(
        ok && stdout.contains("Indicadores recontados: 0 pedidos"),
        "{stdout}{stderr}"
    );
    let (ok, stdout, stderr) = run(contato(&db).args(["indicators", "check"]), "");
    assert!(
        ok && stdout.contains("iguais à recontagem"),
        "{stdout}{stderr}"
    );
}
