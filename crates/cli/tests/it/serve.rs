//! `vigie serve` as a person runs it: it says where it listens, answers over TCP, and stops
//! cleanly on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use crate::helpers::*;

#[test]
fn the_server_answers_on_its_address_and_stops_on_sigterm() {
    let scratch = Scratch::new();
    let mut child = Command::new(vigie_bin())
        .current_dir(scratch.path())
        .env_remove("VIGIE_DB")
        .arg("--db")
        .arg(format!("sqlite://{}", scratch.db().display()))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    let address = first.split("http://").nth(1).and_then(|a| a.split('/').next()).expect("the address").to_owned();

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
