//! The local server under attack (issue 16): 200 connections that stall in the middle of their
//! bodies and 4 concurrent maximal bad posts (6 MB of unknown names each, the body that once
//! took 883 MB). The real `submit-fn serve` binary keeps answering valid submissions meanwhile,
//! its peak RSS stays under [`RSS_CEILING_MIB`], and every stalled connection is answered 408
//! and closed when the body deadline passes. The figures are printed; `bench/submission` puts
//! them into docs/BENCHMARKS.md.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// The stated ceiling for the server's peak resident memory in this test.
const RSS_CEILING_MIB: u64 = 128;
const STALLED: usize = 200;
const BAD_POSTS: usize = 4;
/// Bytes each stalled client sends of its announced 6 MB before it stops.
const STALLED_SENT: usize = 64 * 1024;
const BODY_TIMEOUT_SECS: u64 = 6;

struct Server {
    child: Child,
    addr: std::net::SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Peak and current resident memory of a process in KiB (`VmHWM`, `VmRSS`).
fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn start(dir: &std::path::Path) -> Server {
    let registry = dir.join("registry.json");
    std::fs::write(&registry, registry_json()).unwrap();
    std::fs::write(dir.join("theme.json"), theme_json()).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_submit-fn"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .arg("--registry")
        .arg(&registry)
        .arg("--store")
        .arg(format!("file:{}", dir.join("data").display()))
        .args(["--body-timeout", &BODY_TIMEOUT_SECS.to_string()])
        .env("FORMFABRIK_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let started = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Server { child, addr }
}

fn registry_json() -> String {
    registry().to_json()
}

/// Sends a whole request and returns the status.
fn post(addr: std::net::SocketAddr, content_type: &str, body: &[u8]) -> u16 {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "POST /v1/musterstadt/sperrmuell-anmeldung HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    let _ = s.write_all(body);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_server_survives_200_stalled_bodies_and_4_maximal_bad_posts_within_its_rss_ceiling() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let pid = server.child.id();
    let addr = server.addr;
    let (_, idle) = rss_kib(pid);

    // 200 clients announce 6 MB and stop after 64 KB.
    let stalled_at = Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..STALLED {
        let mut s = TcpStream::connect(addr).unwrap();
        let head = format!(
            "POST /v1/musterstadt/sperrmuell-anmeldung HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: 6000000\r\n\r\n"
        );
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&vec![b'a'; STALLED_SENT]).unwrap();
        stalled.push(s);
    }

    // Four maximal bad posts at once: 6 MB of unknown names each.
    let mut bad = String::with_capacity(6_000_000);
    let mut n = 0u64;
    while bad.len() < 5_990_000 {
        bad.push_str(&format!("u{n}=&"));
        n += 1;
    }
    let bad = std::sync::Arc::new(bad.into_bytes());
    let bad_posts: Vec<_> = (0..BAD_POSTS)
        .map(|_| {
            let bad = bad.clone();
            std::thread::spawn(move || post(addr, "application/x-www-form-urlencoded", &bad))
        })
        .collect();

    // Valid submissions are answered all the while.
    let mut stored = 0;
    for _ in 0..10 {
        let mut body = serde_json::json!({ "language": "de", "data": sperrmuell().data });
        body["id"] = serde_json::json!(uuid::Uuid::new_v4());
        // The server runs on the system clock: a preferred date two weeks from today is in
        // the allowed window (one week to 90 days) on any day.
        let in_two_weeks = time::OffsetDateTime::now_utc().date() + time::Duration::days(14);
        body["data"]["wunschtermin"] = serde_json::json!(in_two_weeks.to_string());
        let status = post(
            addr,
            "application/json",
            &serde_json::to_vec(&body).unwrap(),
        );
        assert_eq!(status, 201, "a valid submission is stored meanwhile");
        stored += 1;
    }
    for p in bad_posts {
        assert_eq!(
            p.join().unwrap(),
            400,
            "a maximal bad post is refused early"
        );
    }
    let answered_while_stalled = stalled_at.elapsed();
    assert!(
        answered_while_stalled < Duration::from_secs(BODY_TIMEOUT_SECS),
        "the valid submissions were answered while the bodies stalled ({answered_while_stalled:?})"
    );
    let (peak_during, rss_during) = rss_kib(pid);

    // Every stalled connection is answered 408 and closed once the body deadline passes.
    let mut timed_out = 0;
    for mut s in stalled {
        s.set_read_timeout(Some(Duration::from_secs(BODY_TIMEOUT_SECS + 20)))
            .unwrap();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        if String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408") {
            timed_out += 1;
        }
    }
    let (peak, rss_after) = rss_kib(pid);
    eprintln!(
        "resources: idle RSS {} MiB; with {STALLED} stalled bodies ({} KiB each) and {BAD_POSTS} \
         concurrent 6 MB bad posts: RSS {} MiB, peak {} MiB (ceiling {RSS_CEILING_MIB} MiB); \
         {stored} valid submissions answered meanwhile; {timed_out}/{STALLED} stalled connections \
         answered 408 after {BODY_TIMEOUT_SECS} s; RSS afterwards {} MiB",
        idle / 1024,
        STALLED_SENT / 1024,
        rss_during / 1024,
        peak_during.max(peak) / 1024,
        rss_after / 1024,
    );
    assert_eq!(timed_out, STALLED, "every stalled body is answered 408");
    assert!(
        peak / 1024 < RSS_CEILING_MIB,
        "peak RSS {} MiB is over the ceiling of {RSS_CEILING_MIB} MiB",
        peak / 1024
    );
}
