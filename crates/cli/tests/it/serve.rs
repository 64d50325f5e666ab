//! `vigie serve` as a person runs it: it says where it listens, answers over TCP, and stops
//! cleanly on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use crate::helpers::*;

/// `vigie serve` on a free port of the loopback, on the scratch database: the process, the
/// address it said it listens on, and the rest of what it prints.
fn serving(scratch: &Scratch) -> (std::process::Child, String, std::io::Lines<BufReader<std::process::ChildStdout>>) {
    serving_with(scratch, &[])
}

/// [`serving`] with more of `vigie serve`'s options.
fn serving_with(
    scratch: &Scratch,
    options: &[&str],
) -> (std::process::Child, String, std::io::Lines<BufReader<std::process::ChildStdout>>) {
    let mut child = Command::new(vigie_bin())
        .current_dir(scratch.path())
        .env_remove("VIGIE_DB")
        .arg("--db")
        .arg(format!("sqlite://{}", scratch.db().display()))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(options)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    let address = first.split("http://").nth(1).and_then(|a| a.split('/').next()).expect("the address").to_owned();
    (child, address, lines)
}

/// `vigie ARGS` on the scratch database with `input` on its standard input: what it printed
/// (trimmed); it must succeed.
fn vigie_ok(scratch: &Scratch, args: &[&str], input: &str) -> String {
    let out = vigie_with_input(scratch.path(), &scratch.db(), args, input);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn the_server_answers_on_its_address_and_stops_on_sigterm() {
    let scratch = Scratch::new();
    let (mut child, address, mut lines) = serving(&scratch);

    let mut stream = std::net::TcpStream::connect(&address).expect("connect");
    write!(stream, "GET /api/v1/health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("{\"status\":\"ok\"}"), "{response}");
    assert!(response.to_lowercase().contains("content-security-policy:"), "{response}");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert!(status.success(), "a clean stop: {status:?}");
    assert_eq!(lines.next().map(|l| l.expect("utf-8")), Some("stopped".to_owned()));
}

/// Backups while serving: written at once and then every second, the newest two kept, the
/// latest restored whole; the health check names it, and says when backups fail.
#[test]
fn the_server_writes_backups_on_schedule_keeps_the_newest_and_says_when_they_fail() {
    let scratch = Scratch::new();
    let file = scratch.write("v.csv", violations_csv(&VIOLATION_ROWS).as_bytes());
    assert!(scratch.import("violations", &file).status.success());
    let before = count(&scratch.db(), "SELECT COUNT(*) FROM violations");
    let (mut child, address, _) = serving_with(&scratch, &["--backup-dir", "b", "--backup-every", "1s", "--keep", "2"]);
    let dir = scratch.path().join("b");
    let health = |address: &str| {
        let answer =
            http(address, &format!("GET /api/v1/health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"));
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
        serde_json::from_str::<serde_json::Value>(&body).unwrap_or_else(|e| panic!("{e}: {answer}"))
    };
    // Four seconds: at least three backups written, two kept.
    std::thread::sleep(std::time::Duration::from_secs(4));
    let mut kept: Vec<String> = std::fs::read_dir(&dir)
        .expect("the backup folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    assert_eq!(kept.len(), 2, "{kept:?}");
    let state = health(&address);
    assert_eq!(state["status"], "ok", "{state}");
    let last = state["backup"]["last_file"].as_str().expect("the newest backup").to_owned();
    assert!(kept.contains(&last), "{last} in {kept:?}");
    let restored = new_db(&scratch.path().join("restored.db"));
    let out = vigie(scratch.path(), &restored, &["restore", &format!("b/{last}")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(count(&restored, "SELECT COUNT(*) FROM violations"), before);
    assert_eq!(before, 3);
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();

    // A folder that cannot be written: the health check says why.
    let failing = Scratch::new();
    let (mut child, address, _) = serving_with(&failing, &["--backup-dir", "d", "--backup-every", "1s"]);
    std::fs::remove_dir_all(failing.path().join("d")).expect("the folder");
    std::fs::write(failing.path().join("d"), "a file where the folder was").expect("write");
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let state = health(&address);
    assert_eq!(state["status"], "degraded", "{state}");
    assert!(state["backup"]["last_error"].as_str().is_some_and(|e| !e.is_empty()), "{state}");
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
}

/// A self-signed certificate for `localhost` (which is its own CA for curl's `--cacert`), written
/// as `NAME.pem` and `NAME.key` into `dir`.
fn certificate(dir: &std::path::Path, name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("a certificate");
    let (cert, key) = (dir.join(format!("{name}.pem")), dir.join(format!("{name}.key")));
    std::fs::write(&cert, made.cert.pem()).expect("write");
    std::fs::write(&key, made.signing_key.serialize_pem()).expect("write");
    (cert, key)
}

/// curl (a client no one here wrote) on `url` trusting only `ca`: its exit code, the headers
/// it received, and the body.
fn curl(ca: &std::path::Path, url: &str, more: &[&str]) -> (i32, String, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10", "--cacert"])
        .arg(ca)
        .args(["-D", "-"])
        .args(more)
        .arg(url)
        .output()
        .expect("curl (scripts/test.sh installs it)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (out.status.code().unwrap_or(-1), head.to_lowercase(), body.to_owned())
}

/// HTTPS served by Vigie itself, checked by curl: the certificate served is the one given,
/// answers carry HSTS and Secure cookies, plain HTTP is redirected, a new certificate is taken
/// on SIGHUP (and a broken one is not), the log is one JSON line a request, and the metrics
/// port answers without sign-in.
#[test]
fn https_is_served_with_the_given_certificate_reloaded_on_sighup() {
    let scratch = Scratch::new();
    vigie_ok(&scratch, &["user", "add", "ana", "--role", "admin"], "a long enough password\n");
    let (cert, key) = certificate(scratch.path(), "first");
    std::fs::copy(&cert, scratch.path().join("serving.pem")).expect("copy");
    std::fs::copy(&key, scratch.path().join("serving.key")).expect("copy");
    let mut child = Command::new(vigie_bin())
        .current_dir(scratch.path())
        .env_remove("VIGIE_DB")
        .arg("--db")
        .arg(format!("sqlite://{}", scratch.db().display()))
        .args(["serve", "--addr", "127.0.0.1:0", "--redirect-http", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"])
        .args(["--tls-cert", "serving.pem", "--tls-key", "serving.key", "--log-format", "json"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(scratch.path().join("log.jsonl")).expect("log file"))
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines().map_while(Result::ok);
    let port = |line: Option<String>, scheme: &str| -> String {
        let line = line.expect("a line");
        let rest = line.split(scheme).nth(1).unwrap_or_else(|| panic!("{scheme} in {line}"));
        rest.split('/').next().and_then(|a| a.rsplit(':').next()).expect("a port").to_owned()
    };
    let https = port(lines.next(), "https://");
    let plain = port(lines.next(), "http://");
    let metrics = port(lines.next(), "http://");
    let url = |path: &str| format!("https://localhost:{https}{path}");

    let (code, head, body) = curl(&cert, &url("/api/v1/health"), &[]);
    assert_eq!(code, 0, "curl trusts the certificate given: {head}");
    assert!(head.starts_with("http/2 200") || head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("strict-transport-security: max-age=31536000"), "{head}");
    assert_eq!(body, "{\"status\":\"ok\"}");
    // A certificate curl was not told to trust: refused.
    let (other, _) = certificate(scratch.path(), "second");
    assert_ne!(curl(&other, &url("/api/v1/health"), &[]).0, 0);

    let login =
        ["-H", "content-type: application/json", "--data", r#"{"name":"ana","password":"a long enough password"}"#];
    let (code, head, _) = curl(&cert, &url("/api/v1/login"), &login);
    assert_eq!(code, 0);
    let cookie = head.lines().find(|l| l.starts_with("set-cookie:")).expect("a session cookie").to_owned();
    assert!(cookie.contains("; secure") && cookie.contains("httponly"), "{cookie}");

    let (code, head, _) = curl(&cert, &format!("http://localhost:{plain}/dashboard?month=2021-11"), &[]);
    assert_eq!(code, 0);
    assert!(head.starts_with("http/1.1 308"), "{head}");
    let location = format!("location: https://localhost:{https}/dashboard?month=2021-11");
    assert!(head.contains(&location), "{head}");

    // A renewed certificate: copied over the files, then SIGHUP.
    std::fs::copy(&other, scratch.path().join("serving.pem")).expect("copy");
    std::fs::copy(scratch.path().join("second.key"), scratch.path().join("serving.key")).expect("copy");
    let hangup = |child: &std::process::Child| {
        assert!(Command::new("kill").args(["-HUP", &child.id().to_string()]).status().expect("kill").success());
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    hangup(&child);
    assert_eq!(curl(&other, &url("/api/v1/health"), &[]).0, 0, "the new certificate is served");
    assert_ne!(curl(&cert, &url("/api/v1/health"), &[]).0, 0, "the old one no longer");
    // A broken file: the certificate in use stays, and the log says why.
    std::fs::write(scratch.path().join("serving.pem"), "not a certificate").expect("write");
    hangup(&child);
    assert_eq!(curl(&other, &url("/api/v1/health"), &[]).0, 0, "still served");

    let scraped = Command::new("curl")
        .args(["-sS", "--max-time", "10", &format!("http://127.0.0.1:{metrics}/metrics")])
        .output()
        .expect("curl");
    let scraped = String::from_utf8_lossy(&scraped.stdout).into_owned();
    let health = "vigie_requests_total{method=\"GET\",route=\"/api/v1/health\",status=\"200\"} 3";
    assert!(scraped.contains(health), "{scraped}");

    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill").success());
    assert!(child.wait().expect("wait").success());
    let log = std::fs::read_to_string(scratch.path().join("log.jsonl")).expect("the log");
    let entries: Vec<serde_json::Value> =
        log.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let requests = entries.iter().filter(|e| e["message"] == "request" && e["route"] == "/api/v1/health").count();
    assert_eq!(requests, 3, "{log}");
    assert!(entries.iter().any(|e| e["message"] == "certificate reloaded"), "{log}");
    assert!(entries.iter().any(|e| e["level"] == "ERROR" && e["cert"] == "serving.pem"), "{log}");
    assert!(!log.contains("a long enough password"), "no secret in the log");
}

/// A raw HTTP/1.1 exchange on loopback: the status line and the body.
fn http(address: &str, request: &str) -> String {
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream.write_all(request.as_bytes()).expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    response
}

/// `vigie demo --serve`: the demo's reports, then the server on the demo data with an admin
/// whose one-time password is printed, and that signs in with it.
#[test]
fn the_demo_serves_its_data_to_an_admin_with_a_printed_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(vigie_bin())
        .current_dir(dir.path())
        .env_remove("VIGIE_DB")
        .args(["demo", "--out", "demo", "--serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines().map_while(Result::ok);
    let mut password = None;
    let mut address = None;
    for line in lines.by_ref() {
        if let Some(rest) = line.strip_prefix("sign in as admin with the one-time password ") {
            password = rest.split_whitespace().next().map(str::to_owned);
        }
        if let Some(rest) = line.split("http://").nth(1) {
            address = rest.split('/').next().map(str::to_owned);
            break;
        }
    }
    let (password, address) = (password.expect("a password"), address.expect("an address"));
    assert!(dir.path().join("demo/rapport-2021-11.pdf").exists(), "the report is written first");

    let body = format!("{{\"name\":\"admin\",\"password\":\"{password}\"}}");
    let response = http(
        &address,
        &format!(
            "POST /api/v1/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let cookie = response
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let tables = http(
        &address,
        &format!(
            "GET /api/v1/tables?month=2021-11 HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert!(
        tables.starts_with("HTTP/1.1 200") && tables.contains("\"category_by_month\""),
        "{}",
        &tables[..200.min(tables.len())]
    );

    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill").success());
    assert!(child.wait().expect("wait").success());
    assert_eq!(lines.next().as_deref(), Some("stopped"));
}

/// A field of `/proc/PID/status`, in kB.
fn proc_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a field in kB")
}

/// A zip of one CSV entry that inflates to `size` bytes of one letter (deflated to a few MB).
fn zip_bomb(size: u64) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().large_file(true);
    zip.start_file("submissions.csv", options).expect("entry");
    std::io::copy(&mut std::io::repeat(b'a').take(size), &mut zip).expect("write");
    zip.finish().expect("finish").into_inner()
}

/// A zip bomb (4 GiB inflated), a 200 MiB body and 40 MiB of KoBo JSON in tiny submissions,
/// uploaded by a partner to a running `vigie serve`: the bomb gets a 413 said in French and is
/// audited, the body streams to disk, the JSON is refused as it is read, the
/// server's peak memory (VmHWM, reset before) grows by far less than 256 MB, and it answers on.
#[test]
fn an_upload_never_costs_the_server_more_than_its_memory_budget() {
    let scratch = Scratch::new();
    let run = |args: &[&str], input: &str| vigie_ok(&scratch, args, input);
    run(&["user", "add", "awa", "--role", "partner", "--organisation", "DRC"], "a long enough password\n");
    let token = run(&["token", "create", "awa"], "");
    let (mut child, address, _lines) = serving(&scratch);
    let pid = child.id();
    let send = |head: String, body: &[u8]| {
        let mut stream = std::net::TcpStream::connect(&address).expect("connect");
        stream.write_all(head.as_bytes()).expect("head");
        stream.write_all(body).expect("body");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("response");
        response
    };
    // A KoBo export uploaded through the page's form, as a browser sends it.
    let upload_kobo = |lang: &str, file: &str, content_type: &str, bytes: &[u8]| {
        let boundary = "vigieboundary";
        let mut form = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nkobo\r\n--{boundary}\r\n\
             Content-Disposition: form-data; name=\"file\"; filename=\"{file}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .into_bytes();
        form.extend_from_slice(bytes);
        form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        send(
            format!(
                "POST /imports HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nCookie: vigie_lang={lang}\r\n\
                 Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                form.len()
            ),
            &form,
        )
    };
    let bomb = zip_bomb(4 << 30);

    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("reset the peak");
    let before = proc_kb(pid, "VmRSS:");
    let answer = upload_kobo("fr", "odk.zip", "application/zip", &bomb);
    assert!(answer.starts_with("HTTP/1.1 413"), "{}", &answer[..answer.len().min(400)]);
    assert!(answer.contains("Ce fichier est refusé") && answer.contains("zip bomb"), "said in French: {answer}");
    let bomb_peak = proc_kb(pid, "VmHWM:");

    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("reset the peak");
    let body = vec![b'x'; 200 << 20];
    let answer = send(
        format!(
            "POST /api/v1/imports/violations HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ),
        &body,
    );
    assert!(
        answer.starts_with("HTTP/1.1 422"),
        "unreadable, not taken in memory: {}",
        &answer[..answer.len().min(400)]
    );
    let body_peak = proc_kb(pid, "VmHWM:");

    // 40 MiB of KoBo API JSON in tiny submissions: a JSON tree of it would take gigabytes.
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("reset the peak");
    let json = format!("[{}{{}}]", "{},".repeat((40 << 20) / 3));
    let answer = upload_kobo("en", "kobo.json", "application/json", json.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 413"), "{}", &answer[..answer.len().min(400)]);
    assert!(answer.contains("more than 250000 rows"), "{answer}");
    let json_peak = proc_kb(pid, "VmHWM:");
    eprintln!(
        "upload memory: {} MiB zip bomb (4 GiB inflated): peak {} MiB over {} MiB before; 200 MiB body: peak {} MiB; \
         {} MiB of KoBo JSON: peak {} MiB",
        bomb.len() >> 20,
        bomb_peak.saturating_sub(before) >> 10,
        before >> 10,
        body_peak.saturating_sub(before) >> 10,
        json.len() >> 20,
        json_peak.saturating_sub(before) >> 10
    );
    for peak in [bomb_peak, body_peak, json_peak] {
        assert!(peak.saturating_sub(before) < 256 << 10, "grew by {} MiB", peak.saturating_sub(before) >> 10);
    }
    let health = send(format!("GET /api/v1/health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"), &[]);
    assert!(health.starts_with("HTTP/1.1 200"), "it answers on: {health}");
    let audit = run(&["audit", "--limit", "20"], "");
    assert!(audit.contains("upload_refused"), "the bomb is audited: {audit}");
    Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill");
    child.wait().expect("wait");
}

/// Schemathesis (a property-based API tester from PyPI, installed by `scripts/test.sh`) against
/// the served OpenAPI document, as an admin, an IM officer, a partner and a viewer, a bounded
/// time each: no server error, every answer's status code, content type and body as the
/// document says, and what it calls valid accepted (`schemathesis.toml` says where it cannot).
#[test]
fn schemathesis_finds_the_api_as_its_document_says() {
    let scratch = Scratch::new();
    let vigie = |args: &[&str], input: &str| vigie_ok(&scratch, args, input);
    let mut tokens = Vec::new();
    for (name, role, organisation) in [
        ("st-admin", "admin", None),
        ("st-im", "im_officer", None),
        ("st-partner", "partner", Some("DRC")),
        ("st-viewer", "viewer", None),
    ] {
        let mut args = vec!["user", "add", name, "--role", role];
        if let Some(organisation) = organisation {
            args.extend(["--organisation", organisation]);
        }
        vigie(&args, "a long enough password\n");
        tokens.push((role, vigie(&["token", "create", name], "")));
    }
    let (mut child, address, _lines) = serving(&scratch);
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_secs());
    eprintln!("schemathesis seed {seed} (replay: --seed {seed})");
    // The checks, and the operations whose validity JSON Schema cannot state.
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/schemathesis.toml");
    let mut failed = Vec::new();
    for (role, token) in &tokens {
        let out = Command::new("schemathesis")
            // Its cache of found failures goes in the scratch folder, not the repository.
            .current_dir(scratch.path())
            .args(["--config-file", config])
            .args(["run", &format!("http://{address}/api/openapi.json")])
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args(["--phases", "examples,coverage,fuzzing", "--max-time", "30", "-w", "1", "--seed", &seed.to_string()])
            .env("NO_COLOR", "1")
            .output()
            .expect("st runs: scripts/test.sh installs schemathesis");
        if !out.status.success() {
            failed.push(format!("as {role}:\n{}", String::from_utf8_lossy(&out.stdout)));
        }
    }
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    child.wait().expect("wait");
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
