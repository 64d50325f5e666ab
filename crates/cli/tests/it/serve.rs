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
