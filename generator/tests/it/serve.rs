//! `formfabrik serve` as a citizen and a process designer use it: pages and the function on
//! one address, submissions in the data folder, rebuild and reload after an edit.

use crate::common;
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use generator::serve::{ServeOptions, serve};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// One HTTP/1.1 exchange; returns (status, headers+body as text).
fn http(addr: SocketAddr, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = stream.read_to_string(&mut out);
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, out)
}

/// Reads server-sent events from `events` until `needle` arrives (30 s at most).
fn read_until(events: &mut TcpStream, needle: &str) -> String {
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    let started = Instant::now();
    while !seen.contains(needle) && started.elapsed() < Duration::from_secs(30) {
        match events.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
    assert!(seen.contains(needle), "no {needle:?} announced: {seen}");
    seen
}

fn wait_until_serving(addr: SocketAddr) {
    let started = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serve did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serves_pages_and_the_function_and_reloads_after_an_edit() {
    let dir = std::env::temp_dir().join(format!("formfabrik-serve-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    common::copy_dir(&repo().join("forms"), &dir.join("forms"));
    common::copy_dir(&repo().join("site-templates"), &dir.join("site-templates"));
    let addr = free_addr();
    let opts = ServeOptions {
        addr,
        forms_dir: dir.join("forms"),
        templates_dir: dir.join("site-templates"),
        out_dir: dir.join("dist"),
        data_dir: dir.join("data"),
        watch: true,
        lang: "de".into(),
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(serve(opts, async {
                let _ = stop_rx.await;
            }))
            .unwrap();
    });
    wait_until_serving(addr);

    let (status, page) = http(
        addr,
        "GET /musterstadt/sperrmuell-anmeldung/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!(
            "action=\"http://{addr}/v1/musterstadt/sperrmuell-anmeldung\""
        )),
        "pages post to the local function"
    );
    assert!(page.contains("/__formfabrik/reload.js"));
    let (status, _) = http(
        addr,
        "GET /musterstadt/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 404);

    let example = fs::read_to_string(
        repo().join("tests/fixtures/submissions/sperrmuell-anmeldung@1/moebel-mit-abstellort.json"),
    )
    .unwrap();
    let mut body: serde_json::Value = serde_json::from_str(&example).unwrap();
    body["id"] = serde_json::json!("0b5e2f4e-0000-4000-8000-000000000001");
    // The function checks the wish date against today (7 to 90 days ahead): the fixture's date
    // is moved into that window, so the test passes on any day.
    let wish = time::OffsetDateTime::now_utc().date() + time::Duration::days(14);
    body["data"]["wunschtermin"] = serde_json::json!(wish.to_string());
    let body = body.to_string();
    let (status, answer) = http(
        addr,
        &format!(
            "POST /v1/musterstadt/sperrmuell-anmeldung HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert_eq!(status, 201, "{answer}");
    let stored: Vec<PathBuf> = walkdir::WalkDir::new(dir.join("data"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.file_name().is_some_and(|n| n == "submission.json"))
        .collect();
    assert_eq!(stored.len(), 1, "one submission in the data folder");

    // The function's confirmation page (where a browser form post is redirected) is below the
    // same /v1 mount.
    let json = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let reference = serde_json::from_str::<serde_json::Value>(json).unwrap()["reference"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, page) = http(
        addr,
        &format!(
            "GET /v1/musterstadt/sperrmuell-anmeldung/danke?ref={reference}&lang=en HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(&format!("<strong dir=\"ltr\">{reference}</strong>")),
        "{page}"
    );
    assert!(page.contains("<html lang=\"en\""), "{page}");
    assert!(
        page.contains(&format!("href=\"http://{addr}/musterstadt/en/\"")),
        "the way on leads to the local site: {page}"
    );

    // Subscribe to reloads, then edit a form: the server rebuilds and announces it.
    let mut events = TcpStream::connect(addr).unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    events
        .write_all(b"GET /__formfabrik/events HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let catalog = dir.join("forms/catalog/sperrmuell-anmeldung.yaml");
    let text = fs::read_to_string(&catalog).unwrap();
    fs::write(
        &catalog,
        text.replacen("retention-days:", "retention-days: 91 #", 1),
    )
    .unwrap();
    read_until(&mut events, "event: reload");
    let (_, page) = http(
        addr,
        "GET /musterstadt/sperrmuell-anmeldung/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(
        page.contains("91 Tagen") || page.contains("91 Tage"),
        "rebuilt page shows the new retention"
    );

    // A mistake: the open pages get the errors as `check` writes them, and so does a page
    // opened now; the terminal's drift report is not part of it.
    let broken = text.replacen("retention-days:", "retention-days: 0 #", 1);
    fs::write(&catalog, &broken).unwrap();
    let seen = read_until(&mut events, "event: problems");
    assert!(
        seen.contains("retention-days muss zwischen 1 und 36500 liegen, nicht bei 0"),
        "the errors reach the page: {seen}"
    );
    assert!(
        seen.contains("sperrmuell-anmeldung.yaml:"),
        "with file, line and column: {seen}"
    );
    let (_, problems) = http(
        addr,
        "GET /__formfabrik/problems HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(problems.contains("Nicht neu gebaut"), "{problems}");
    assert!(
        problems.contains("retention-days muss zwischen"),
        "{problems}"
    );
    assert!(!problems.contains("Abweichungen vom Katalog"), "{problems}");

    // Fixed again: pages reload, and there is nothing left to show.
    fs::write(&catalog, &text).unwrap();
    read_until(&mut events, "event: reload");
    let (_, problems) = http(
        addr,
        "GET /__formfabrik/problems HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(
        problems.ends_with("\r\n\r\n"),
        "no problems after a good build: {problems}"
    );

    let _ = stop_tx.send(());
    server.join().unwrap();
    let _ = fs::remove_dir_all(&dir);
}
