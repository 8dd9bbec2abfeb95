//! The folder store's tests: create-only writes, listing, deleting, and the order and overlap
//! of its flushes — recorded by replacing the file-system calls ([`Ops`]) — for single writes
//! and for a submission written by the protocol.

use std::sync::Mutex as StdMutex;
use std::sync::mpsc;

use super::group::Group;
use std::time::{Duration, Instant};

use serde_json::json;
use time::macros::datetime;
use uuid::Uuid;

use super::known::{DURABLE_REMEMBERED, KnownDurable};
use super::write::{new_dir, sync_dir};
use super::*;
use crate::protocol::{self, Submission, Upload, WriteError};

#[tokio::test]
async fn writes_once_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FolderStore::new(tmp.path().join("data"));
    let key = "m/f/v1/2026/11/28/id/submission.json";
    let first = store
        .put_new(key, Bytes::from_static(b"one"), "application/json")
        .await
        .unwrap();
    let second = store
        .put_new(key, Bytes::from_static(b"two"), "application/json")
        .await
        .unwrap();
    assert_eq!((first, second), (PutOutcome::Created, PutOutcome::Exists));
    assert_eq!(store.get(key).await.unwrap().unwrap(), "one");
    assert_eq!(store.get("m/none.json").await.unwrap(), None);
    // No staged or temporary files are left behind.
    let dir = tmp.path().join("data/m/f/v1/2026/11/28/id");
    let names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec!["submission.json"]);
    assert_eq!(staged(&tmp.path().join("data")), 0);
}

#[cfg(unix)]
#[tokio::test]
async fn objects_are_private_to_the_service_user() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let store = FolderStore::new(tmp.path());
    store
        .put_new("a/b.json", Bytes::from_static(b"{}"), "application/json")
        .await
        .unwrap();
    let mode = |p: &str| {
        fs::metadata(tmp.path().join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("a/b.json"), 0o600);
    assert_eq!(mode("a"), 0o700);
    assert_eq!(mode(STAGING), 0o700);
}

#[tokio::test]
async fn thirty_two_concurrent_writers_of_one_key_give_exactly_one_winner() {
    let tmp = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(FolderStore::new(tmp.path()));
    let mut tasks = Vec::new();
    for i in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let body = Bytes::from(format!("writer {i}"));
            (
                i,
                store.put_new("k/x.json", body, "text/plain").await.unwrap(),
            )
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        let (i, outcome) = t.await.unwrap();
        if outcome == PutOutcome::Created {
            winners.push(i);
        }
    }
    assert_eq!(winners.len(), 1);
    let stored = store.get("k/x.json").await.unwrap().unwrap();
    assert_eq!(stored, format!("writer {}", winners[0]));
}

#[tokio::test]
async fn lists_keys_by_prefix_without_temporary_files_and_deletes() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FolderStore::new(tmp.path());
    for key in ["a/b/1.json", "a/b/2.json", "a/c/3.json", "ab/4.json"] {
        store
            .put_new(key, Bytes::from_static(b"x"), "text/plain")
            .await
            .unwrap();
    }
    fs::write(tmp.path().join("a/b/.x.tmp"), "partial").unwrap();
    fs::write(tmp.path().join(STAGING).join("y.tmp"), "partial").unwrap();
    assert_eq!(
        store.list("a/").await.unwrap(),
        vec!["a/b/1.json", "a/b/2.json", "a/c/3.json"]
    );
    assert_eq!(store.list("a/b/2").await.unwrap(), vec!["a/b/2.json"]);
    assert_eq!(store.list("").await.unwrap().len(), 4);
    assert!(store.list("none/").await.unwrap().is_empty());
    assert!(store.delete("a/c/3.json").await.unwrap());
    assert!(!store.delete("a/c/3.json").await.unwrap());
    assert!(!tmp.path().join("a/c").exists(), "empty folders go too");
    assert!(store.list("../").await.is_err());
    assert!(store.list(".staging/").await.is_err());
}

/// Every recorded file-system call of every test (tests run in parallel on many threads; each
/// takes the calls below its own folder).
static CALLS: StdMutex<Vec<String>> = StdMutex::new(Vec::new());

fn record(what: &str, p: &Path) {
    CALLS
        .lock()
        .unwrap()
        .push(format!("{what} {}", p.display()));
}

/// The calls recorded below `dir`, a staged file's name shown as `*`.
fn calls(dir: &Path) -> Vec<String> {
    let dir = dir.display().to_string();
    let staging = format!("/{STAGING}/");
    CALLS
        .lock()
        .unwrap()
        .iter()
        .filter(|c| c.contains(&dir))
        .map(|c| match c.find(&staging) {
            Some(i) => format!("{}*", &c[..i + staging.len()]),
            None => c.clone(),
        })
        .collect()
}

fn forget_calls(dir: &Path) {
    let dir = dir.display().to_string();
    CALLS.lock().unwrap().retain(|c| !c.contains(&dir));
}

/// Records each flush and link, and does them.
const RECORDING: Ops = Ops {
    sync_files: |files| {
        for (_, p) in files {
            record("file", p);
        }
        super::write::sync_files(files)
    },
    sync_dir: |p| {
        record("dir", p);
        sync_dir(p)
    },
    link: |from, to| {
        fs::hard_link(from, to)?;
        record("link", to);
        Ok(())
    },
    ..SYSTEM
};

/// How long a flush takes under [`SLOW`]: long enough that flushes started together overlap
/// on a loaded machine, and flushes one after another do not.
const FLUSH: Duration = Duration::from_millis(150);

/// Records the start and the end of each flush, each taking [`FLUSH`].
const SLOW: Ops = Ops {
    // Files flushed together take one wait (see `write::sync_files`).
    sync_files: |files| {
        for (_, p) in files {
            record("file+", p);
        }
        std::thread::sleep(FLUSH);
        for (_, p) in files {
            record("file-", p);
        }
        super::write::sync_files(files)
    },
    sync_dir: |p| {
        record("dir+", p);
        std::thread::sleep(FLUSH);
        record("dir-", p);
        sync_dir(p)
    },
    ..RECORDING
};

/// The flushes one after another: each a set of flushes that ran at the same time (a new one
/// starts when none is running), as `file …`/`dir …`, sorted.
fn waits(calls: &[String]) -> Vec<Vec<String>> {
    let mut waits: Vec<Vec<String>> = Vec::new();
    let mut running = 0;
    for c in calls {
        let (what, path) = c.split_once(' ').unwrap();
        match what {
            "file+" | "dir+" => {
                if running == 0 {
                    waits.push(Vec::new());
                }
                running += 1;
                let what = what.trim_end_matches('+');
                waits.last_mut().unwrap().push(format!("{what} {path}"));
            }
            "file-" | "dir-" => running -= 1,
            _ => {}
        }
    }
    for w in &mut waits {
        w.sort();
    }
    waits
}

fn position(calls: &[String], call: &str) -> usize {
    calls
        .iter()
        .position(|c| c == call)
        .unwrap_or_else(|| panic!("no {call:?} in {calls:#?}"))
}

/// Staged files in the store's staging folder.
fn staged(root: &Path) -> usize {
    fs::read_dir(root.join(STAGING)).map_or(0, |d| d.count())
}

/// Issue 16: an object that exists already (written by another request) and directories
/// another request created were acknowledged without being flushed by this request.
#[test]
fn an_existing_object_and_every_directory_up_to_the_root_are_flushed_before_put_returns() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    let key = root.join("m/f/v1/x.json");
    // Another writer made the object and its directories.
    fs::create_dir_all(key.parent().unwrap()).unwrap();
    fs::write(&key, "theirs").unwrap();
    let store = FolderStore::with_ops(&root, &RECORDING);
    let outcome = store.write_new(&key, b"mine").unwrap();
    assert_eq!(outcome, PutOutcome::Exists);
    let mut made = calls(tmp.path());
    let r = root.display();
    assert_eq!(made[0], format!("file {r}/m/f/v1/x.json"));
    // The directories at once, in any order.
    made[1..].sort();
    assert_eq!(
        made[1..],
        [
            format!("dir {}", tmp.path().display()),
            format!("dir {r}"),
            format!("dir {r}/m"),
            format!("dir {r}/m/f"),
            format!("dir {r}/m/f/v1"),
        ]
    );
    // Known-durable directories are not flushed again; the object's own directory is.
    forget_calls(tmp.path());
    store.write_new(&root.join("m/f/v1/y.json"), b"y").unwrap();
    assert_eq!(
        calls(tmp.path()),
        [
            format!("file {r}/{STAGING}/*"),
            format!("link {r}/m/f/v1/y.json"),
            format!("dir {r}/m/f/v1"),
        ]
    );
}

/// Issue 16: a failure to remove the temporary file after a successful link was a 503.
#[test]
fn a_staged_file_that_cannot_be_removed_does_not_fail_the_write() {
    const FAILING: Ops = Ops {
        remove_file: |_| Err(io::Error::other("read-only file system")),
        ..SYSTEM
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let store = FolderStore::with_ops(&root, &FAILING);
    let outcome = store.write_new(&root.join("a/b.json"), b"{}").unwrap();
    assert_eq!(outcome, PutOutcome::Created);
    assert_eq!(fs::read(root.join("a/b.json")).unwrap(), b"{}");
}

/// Objects put one call each (leases, acknowledgements, payments): the new folder's entry in
/// its parent is flushed once, by the first object in it, at the same time as the folder;
/// each object's own folder after each object.
#[test]
fn objects_put_one_by_one_flush_each_object_folder_and_the_new_folder_s_parent_once() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let store = FolderStore::with_ops(&root, &SLOW);
    // An earlier submission made the claims and day folders durable.
    for key in ["_claims/m/0.json", "m/f/v1/2026/12/03/0/metadata.json"] {
        store.write_new(&root.join(key), b"{}").unwrap();
    }
    forget_calls(tmp.path());
    for key in [
        "_claims/m/1.json",
        "m/f/v1/2026/12/03/1/metadata.json",
        "m/f/v1/2026/12/03/1/submission.json",
    ] {
        let outcome = store.write_new(&root.join(key), b"{}").unwrap();
        assert_eq!(outcome, PutOutcome::Created);
    }
    let r = root.display();
    let file = format!("file {r}/{STAGING}/*");
    assert_eq!(
        waits(&calls(tmp.path())),
        [
            vec![file.clone()],
            vec![format!("dir {r}/_claims/m")],
            vec![file.clone()],
            vec![
                format!("dir {r}/m/f/v1/2026/12/03"),
                format!("dir {r}/m/f/v1/2026/12/03/1"),
            ],
            vec![file],
            vec![format!("dir {r}/m/f/v1/2026/12/03/1")],
        ]
    );
}

/// The minimal fixture's form (Musterstadt's dog tax), for writing submissions.
fn form() -> form_model::ResolvedForm {
    let forms = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/valid/minimal/forms");
    let report = form_model::check(&forms);
    let registry = form_model::registry::Registry::build(&report, |m| m.site_origin.clone());
    registry
        .forms
        .into_iter()
        .next()
        .expect("the fixture's form")
}

const NOW: time::OffsetDateTime = datetime!(2026-12-03 10:15:00 UTC);

fn submission<'a>(form: &'a form_model::ResolvedForm, id: Uuid, name: &str) -> Submission<'a> {
    let pdf = Bytes::from(format!("%PDF-1.7 {name}"));
    let sha256 = protocol::sha256_hex(&pdf);
    let mut data = serde_json::Map::new();
    data.insert("name".into(), json!(name));
    data.insert(
        "erlaubnis".into(),
        json!({"name": "e.pdf", "type": "application/pdf", "size": pdf.len(), "sha256": sha256}),
    );
    Submission {
        form,
        id,
        language: "de",
        data,
        uploads: vec![Upload {
            field: "erlaubnis".into(),
            bytes: pdf,
            media_type: "application/pdf".into(),
            sha256,
        }],
        encryption: None,
        amount_due: None,
        awaiting_payment: false,
        payment_declined: false,
        identity: None,
        store_refuses_overwrite: true,
    }
}

/// What a first attempt did on a folder store whose every flush takes [`FLUSH`], after an
/// earlier submission made the claims and day folders durable.
struct Watched {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    id: Uuid,
    took: Duration,
    calls: Vec<String>,
    /// `root` as the calls show it, the day folder and the submission's folder.
    r: String,
    day: String,
    dir: String,
    /// A staged file's flush, as [`waits`] shows it.
    file: String,
}

/// Writes two submissions (with `submission`'s file, or without any) and watches the second.
async fn watch_a_first_attempt(with_file: bool) -> Watched {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    let store = FolderStore::with_ops(&root, &SLOW);
    let form = form();
    let make = |id, name| {
        let mut s = submission(&form, id, name);
        if !with_file {
            s.uploads.clear();
            s.data.remove("erlaubnis");
        }
        s
    };
    protocol::write(&store, make(Uuid::new_v4(), "A"), NOW)
        .await
        .unwrap();
    forget_calls(tmp.path());
    let id = Uuid::new_v4();
    let started = Instant::now();
    let stored = protocol::write(&store, make(id, "B"), NOW).await.unwrap();
    let took = started.elapsed();
    assert!(stored.first);
    let r = root.display().to_string();
    let day = format!("{r}/musterstadt/hundesteuer-anmeldung/v1/2026/12/03");
    let dir = format!("{day}/{id}");
    let calls = calls(tmp.path());
    let file = format!("file {r}/{STAGING}/*");
    Watched {
        _tmp: tmp,
        root,
        id,
        took,
        calls,
        r,
        day,
        dir,
        file,
    }
}

/// Issue 17: a first attempt with a file waits for 4 flushes one after another, not one per
/// file and folder: every file at once; the claims folder; the new submission folder and the
/// day folder at once, after the attachment is linked; the submission folder after the
/// envelope (record and metadata) is linked. The envelope is linked only once the attachment's
/// name is durable.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_submission_with_a_file_waits_for_four_flushes_one_after_another_and_links_the_envelope_last()
 {
    let Watched {
        root,
        id,
        took,
        calls,
        r,
        day,
        dir,
        file,
        ..
    } = watch_a_first_attempt(true).await;
    assert_eq!(
        waits(&calls),
        [
            vec![file.clone(), file.clone(), file],
            vec![format!("dir {r}/_claims/musterstadt")],
            vec![format!("dir {day}"), format!("dir {dir}")],
            vec![format!("dir {dir}")],
        ],
        "{calls:#?}"
    );
    assert!(took < FLUSH * 6, "{took:?} for 4 flushes of {FLUSH:?}");
    // Linked in the protocol's order, each after the flushes before it ended.
    let claim = position(&calls, &format!("link {r}/_claims/musterstadt/{id}.json"));
    let attachment = position(&calls, &format!("link {dir}/erlaubnis-1.pdf"));
    let envelope = position(&calls, &format!("link {dir}/submission.json"));
    let last_file = calls.iter().rposition(|c| c.starts_with("file-")).unwrap();
    let claims_flushed = position(&calls, &format!("dir- {r}/_claims/musterstadt"));
    let day_flushed = position(&calls, &format!("dir- {day}"));
    let dir_flushed = position(&calls, &format!("dir- {dir}"));
    assert!(last_file < claim && claim < claims_flushed && claims_flushed < attachment);
    assert!(attachment < day_flushed && attachment < dir_flushed);
    assert!(
        day_flushed < envelope && dir_flushed < envelope,
        "{calls:#?}"
    );
    assert_eq!(
        calls.last().unwrap(),
        &format!("dir- {dir}"),
        "the envelope's name flushed before the answer"
    );
    assert_eq!(staged(&root), 0);
}

/// Issue 17: without files a first attempt is two objects, the claim and the envelope, and
/// waits for 3 flushes one after another: both files at once; the claims folder; the new
/// submission folder (the envelope linked in it) and the day folder at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_submission_without_files_waits_for_three_flushes_one_after_another() {
    let Watched {
        root,
        calls,
        r,
        day,
        dir,
        file,
        ..
    } = watch_a_first_attempt(false).await;
    assert_eq!(
        waits(&calls),
        [
            vec![file.clone(), file],
            vec![format!("dir {r}/_claims/musterstadt")],
            vec![format!("dir {day}"), format!("dir {dir}")],
        ],
        "{calls:#?}"
    );
    let claims_flushed = position(&calls, &format!("dir- {r}/_claims/musterstadt"));
    let envelope = position(&calls, &format!("link {dir}/submission.json"));
    assert!(claims_flushed < envelope, "{calls:#?}");
    assert_eq!(staged(&root), 0);
}

/// Group commit (`group`): requests that ask for a flush of a shared folder while one runs may
/// have changed it after that flush started, so they wait for the next one — which serves
/// them all. Here a first flush runs, two requests ask meanwhile: two flushes in all, and
/// neither request is answered before the second ended.
#[test]
fn requests_asking_while_a_flush_runs_share_the_next_one_and_wait_for_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("_claims");
    fs::create_dir(&dir).unwrap();
    let group = Arc::new(Group::default());
    let first = group.ask(&dir, SLOW.sync_dir).unwrap();
    assert_eq!(first.flush, 1);
    let started = format!("dir+ {}", dir.display());
    while !calls(tmp.path()).contains(&started) {
        std::thread::sleep(Duration::from_millis(1));
    }
    let (a, b) = (
        group.ask(&dir, SLOW.sync_dir).unwrap(),
        group.ask(&dir, SLOW.sync_dir).unwrap(),
    );
    assert_eq!((a.flush, b.flush), (2, 2));
    std::thread::scope(|scope| {
        for (name, ticket) in [("served-a", a), ("served-b", b)] {
            let dir = &dir;
            scope.spawn(move || {
                Group::wait(ticket).unwrap();
                record(name, dir);
            });
        }
        Group::wait(first).unwrap();
    });
    let d = dir.display();
    let made = calls(tmp.path());
    let flushes: Vec<_> = made.iter().filter(|c| c.starts_with("dir")).collect();
    assert_eq!(
        flushes,
        [
            &format!("dir+ {d}"),
            &format!("dir- {d}"),
            &format!("dir+ {d}"),
            &format!("dir- {d}"),
        ],
        "{made:#?}"
    );
    let second_ended = made.iter().rposition(|c| c.starts_with("dir- ")).unwrap();
    assert!(position(&made, &format!("served-a {d}")) > second_ended);
    assert!(position(&made, &format!("served-b {d}")) > second_ended);
}

/// Eight submissions at once share the flushes of the claims folder and of the day folder
/// (after a first one made both known to be durable): fewer than one each, and every
/// submission still waits for 3 flushes one after another at most.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_share_the_flushes_of_the_claims_and_day_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    let store = Arc::new(FolderStore::with_ops(&root, &SLOW));
    let form = Arc::new(form());
    fn plain<'a>(form: &'a form_model::ResolvedForm, name: &str) -> Submission<'a> {
        let mut s = submission(form, Uuid::new_v4(), name);
        s.uploads.clear();
        s.data.remove("erlaubnis");
        s
    }
    protocol::write(store.as_ref(), plain(&form, "A"), NOW)
        .await
        .unwrap();
    forget_calls(tmp.path());
    let started = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (store, form) = (store.clone(), form.clone());
            tokio::spawn(async move {
                protocol::write(store.as_ref(), plain(&form, "B"), NOW)
                    .await
                    .unwrap()
            })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().first);
    }
    let took = started.elapsed();
    let r = root.display();
    let made = calls(tmp.path());
    let count = |call: String| made.iter().filter(|c| **c == call).count();
    let claims = count(format!("dir+ {r}/_claims/musterstadt"));
    let day = count(format!(
        "dir+ {r}/musterstadt/hundesteuer-anmeldung/v1/2026/12/03"
    ));
    assert!((1..8).contains(&claims), "{claims} claims-folder flushes");
    assert!((1..8).contains(&day), "{day} day-folder flushes");
    // 3 waits; a request that asked while a shared flush ran waits for one more at each.
    assert!(took < FLUSH * 8, "{took:?}");
}

/// Prepared files of an attempt that is refused (another submission has the id) or fails are
/// removed; the refused one leaves the first submission as it was, the failed one nothing but
/// what a retry completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_or_failed_attempt_leaves_no_staged_file() {
    const LINK_FAILS_AT_ENVELOPE: Ops = Ops {
        link: |from, to| match to.ends_with("submission.json") {
            true => Err(io::Error::other("no space left on device")),
            false => fs::hard_link(from, to),
        },
        ..SYSTEM
    };
    let tmp = tempfile::tempdir().unwrap();
    let form = form();
    let id = Uuid::new_v4();
    let failing = FolderStore::with_ops(tmp.path(), &LINK_FAILS_AT_ENVELOPE);
    let failed = protocol::write(&failing, submission(&form, id, "A"), NOW).await;
    assert!(matches!(failed, Err(WriteError::Store(_))), "{failed:?}");
    wait_for_no_staged(tmp.path()).await;
    let store = FolderStore::new(tmp.path());
    let keys = store.list("").await.unwrap();
    assert!(
        keys.iter().all(|k| !k.ends_with("submission.json")),
        "{keys:?}"
    );

    // The retry, a day later, completes the first attempt in its folder.
    let later = NOW + time::Duration::days(1);
    let retried = protocol::write(&store, submission(&form, id, "A"), later)
        .await
        .unwrap();
    assert!(!retried.first);
    assert_eq!(retried.received_at, NOW);
    let dir = format!("musterstadt/hundesteuer-anmeldung/v1/2026/12/03/{id}/");
    assert_eq!(
        store.list(&dir).await.unwrap(),
        [
            format!("{dir}erlaubnis-1.pdf"),
            format!("{dir}submission.json")
        ]
    );
    // Another submission under the same id is refused; nothing of it stays.
    let before = store.list("").await.unwrap();
    let refused = protocol::write(&store, submission(&form, id, "Mallory"), NOW).await;
    assert!(
        matches!(refused, Err(WriteError::Conflict(_))),
        "{refused:?}"
    );
    wait_for_no_staged(tmp.path()).await;
    assert_eq!(store.list("").await.unwrap(), before);
}

/// A dropped staged file is removed on the blocking pool: wait a little for it.
async fn wait_for_no_staged(root: &Path) {
    for _ in 0..100 {
        if staged(root) == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("staged files left: {}", staged(root));
}

/// What a crash leaves in the staging folder is never an object, and the next process's first
/// write removes it once it is older than any request; a younger one (another process's
/// request in flight) stays.
#[tokio::test]
async fn staged_files_a_crash_left_are_never_listed_and_swept_by_the_next_process() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fs::create_dir_all(root.join(STAGING)).unwrap();
    let old = root.join(STAGING).join("0f3a.tmp");
    let young = root.join(STAGING).join("9b1c.tmp");
    fs::write(&old, "{\"crashed\": true}").unwrap();
    fs::write(&young, "{\"in flight\": true}").unwrap();
    let long_ago = SystemTime::now() - STAGED_MAX_AGE - Duration::from_secs(60);
    File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    // A crash after the link: the object has a second name in the staging folder.
    fs::create_dir_all(root.join("a")).unwrap();
    fs::write(root.join("a/b.json"), "{}").unwrap();
    let linked = root.join(STAGING).join("77aa.tmp");
    fs::hard_link(root.join("a/b.json"), &linked).unwrap();
    File::options()
        .write(true)
        .open(&linked)
        .unwrap()
        .set_modified(long_ago)
        .unwrap();

    let store = FolderStore::new(root);
    assert_eq!(store.list("").await.unwrap(), ["a/b.json"]);
    assert_eq!(store.get(".staging/0f3a.tmp").await.ok().flatten(), None);
    store
        .put_new("a/c.json", Bytes::from_static(b"{}"), "application/json")
        .await
        .unwrap();
    assert!(!old.exists() && !linked.exists());
    assert!(young.exists());
    assert_eq!(store.list("").await.unwrap(), ["a/b.json", "a/c.json"]);
    assert_eq!(fs::read(root.join("a/b.json")).unwrap(), b"{}");
}

/// Sixteen requests at once on worker threads, through the protocol: for one id exactly one
/// is first and all are answered alike with one record; for sixteen ids, sixteen records. No
/// staged file stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_submissions_of_one_id_and_of_sixteen_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let form = Arc::new(form());
    let same = Uuid::new_v4();
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let (store, form) = (store.clone(), form.clone());
            tokio::spawn(async move {
                let id = if i < 16 { same } else { Uuid::new_v4() };
                let stored = protocol::write(store.as_ref(), submission(&form, id, "A"), NOW)
                    .await
                    .unwrap();
                (id, stored.first, stored.reference)
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let of_same: Vec<_> = results.iter().filter(|r| r.0 == same).collect();
    assert_eq!(of_same.iter().filter(|r| r.1).count(), 1, "{of_same:?}");
    assert!(of_same.iter().all(|r| r.2 == of_same[0].2));
    assert!(results.iter().filter(|r| r.0 != same).all(|r| r.1));
    let records = store.list("musterstadt/").await.unwrap();
    assert_eq!(
        records
            .iter()
            .filter(|k| k.ends_with("/submission.json"))
            .count(),
        17
    );
    wait_for_no_staged(tmp.path()).await;
}

/// Concurrent writers of one key through the store, on worker threads: one winner,
/// whose bytes are stored; every loser is told `Exists`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_writers_of_one_key_on_worker_threads_give_one_winner() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let key = "_claims/m/same.json";
                (
                    i,
                    store
                        .put_new(key, Bytes::from(format!("{i}")), "application/json")
                        .await,
                )
            })
        })
        .collect();
    let mut winners = Vec::new();
    for t in tasks {
        let (i, outcome) = t.await.unwrap();
        if outcome.unwrap() == PutOutcome::Created {
            winners.push(i);
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let stored = store.get("_claims/m/same.json").await.unwrap().unwrap();
    assert_eq!(stored, format!("{}", winners[0]));
}

#[tokio::test]
async fn keys_that_would_leave_the_folder_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FolderStore::new(tmp.path().join("data"));
    let err = store
        .put_new("../escape.json", Bytes::from_static(b"x"), "text/plain")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidKey(_)));
    let err = store
        .prepare("../escape.json", Bytes::from_static(b"x"), "text/plain")
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::InvalidKey(_)));
    assert!(!tmp.path().join("escape.json").exists());
}

/// A folder whose making a test holds up: right after its `mkdir` succeeded, before the store
/// records it, [`MAKING`] says so on `made` and waits for `go_on`.
struct Pause {
    dir: PathBuf,
    made: mpsc::Sender<()>,
    go_on: mpsc::Receiver<()>,
}

/// The folders whose making [`MAKING`] holds up (each once).
static PAUSES: StdMutex<Vec<Pause>> = StdMutex::new(Vec::new());

/// Holds up the making of `dir` once; returns the receiver of "made" and the sender of "go on".
fn pause_after_making(dir: &Path) -> (mpsc::Receiver<()>, mpsc::Sender<()>) {
    let (made, made_rx) = mpsc::channel();
    let (go_on_tx, go_on) = mpsc::channel();
    let dir = dir.to_path_buf();
    PAUSES.lock().unwrap().push(Pause { dir, made, go_on });
    (made_rx, go_on_tx)
}

/// [`RECORDING`], and records each `mkdir` (`mkdir`, or `mkdir-failed`), holding up those in
/// [`PAUSES`] that made their folder.
const MAKING: Ops = Ops {
    mkdir: |p| {
        let made = new_dir(p);
        record(
            if made.is_ok() {
                "mkdir"
            } else {
                "mkdir-failed"
            },
            p,
        );
        made?;
        let pause = {
            let mut pauses = PAUSES.lock().unwrap();
            let at = pauses.iter().position(|pause| pause.dir == p);
            at.map(|i| pauses.remove(i))
        };
        if let Some(pause) = pause {
            pause.made.send(()).unwrap();
            pause.go_on.recv().unwrap();
        }
        Ok(())
    },
    ..RECORDING
};

/// The calls of `made` from `from` on (inclusive) up to `to` (exclusive).
fn between<'a>(made: &'a [String], from: &str, to: &str) -> &'a [String] {
    &made[position(made, from)..position(made, to)]
}

/// A day folder the store knows durable is removed (the back office purged its submissions, in
/// another process) and made again by the next submission: the new day folder's entry in the
/// month folder is new, so the month folder is flushed before that submission is answered.
/// The submission after it flushes the day folder only again.
#[tokio::test]
async fn a_day_folder_removed_and_made_again_has_its_month_folder_flushed_before_the_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    let store = FolderStore::with_ops(&root, &MAKING);
    let form = form();
    let plain = |name| {
        let mut s = submission(&form, Uuid::new_v4(), name);
        s.uploads.clear();
        s.data.remove("erlaubnis");
        s
    };
    protocol::write(&store, plain("A"), NOW).await.unwrap();
    let month = root.join("musterstadt/hundesteuer-anmeldung/v1/2026/12");
    let day = month.join("03");
    fs::remove_dir_all(&day).unwrap();
    forget_calls(tmp.path());

    assert!(
        protocol::write(&store, plain("B"), NOW)
            .await
            .unwrap()
            .first
    );
    record("answered", &day);
    let (m, d) = (month.display(), day.display());
    let made = calls(tmp.path());
    let making = position(&made, &format!("mkdir {d}"));
    let flushed = position(&made, &format!("dir {m}"));
    let answered = position(&made, &format!("answered {d}"));
    assert!(making < flushed && flushed < answered, "{made:#?}");

    // Known durable again: the next submission of the day does not flush the month folder.
    forget_calls(tmp.path());
    protocol::write(&store, plain("C"), NOW).await.unwrap();
    let made = calls(tmp.path());
    assert!(!made.contains(&format!("dir {m}")), "{made:#?}");
    assert!(made.contains(&format!("dir {d}")), "{made:#?}");
}

/// Request A makes a day folder again; before the store has recorded that, request B finds
/// the folder (its `mkdir` of it fails: it exists) and puts an object in it, and request C
/// makes a folder in it. Neither may take the day folder for the durable one it knew: each
/// flushes the month folder itself, after A made the day folder and before it is answered.
/// Once A is done the day folder is known durable again.
#[test]
fn requests_finding_a_day_folder_another_one_just_made_again_flush_its_month_folder_too() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    let store = FolderStore::with_ops(&root, &MAKING);
    let month = root.join("f/2026/12");
    let day = month.join("03");
    store.write_new(&day.join("0/x.json"), b"{}").unwrap();
    fs::remove_dir_all(&day).unwrap();
    forget_calls(tmp.path());

    let (made_rx, go_on) = pause_after_making(&day);
    std::thread::scope(|scope| {
        let a = scope.spawn(|| store.write_new(&day.join("a/x.json"), b"{}").unwrap());
        made_rx.recv_timeout(Duration::from_secs(30)).unwrap();
        // A made the day folder and is held up before the store recorded it.
        let b = day.join("b.json");
        assert_eq!(store.write_new(&b, b"{}").unwrap(), PutOutcome::Created);
        record("answered", &b);
        let c = day.join("c/x.json");
        assert_eq!(store.write_new(&c, b"{}").unwrap(), PutOutcome::Created);
        record("answered", &c);
        go_on.send(()).unwrap();
        assert_eq!(a.join().unwrap(), PutOutcome::Created);
    });
    let (m, d) = (month.display(), day.display());
    let made = calls(tmp.path());
    let month_flush = format!("dir {m}");
    let of_b = between(
        &made,
        &format!("mkdir {d}"),
        &format!("answered {d}/b.json"),
    );
    assert!(of_b.contains(&month_flush), "{made:#?}");
    let of_c = between(
        &made,
        &format!("answered {d}/b.json"),
        &format!("answered {d}/c/x.json"),
    );
    assert!(of_c.contains(&format!("mkdir {d}/c")), "{made:#?}");
    assert!(of_c.contains(&month_flush), "{made:#?}");
    let of_a = &made[position(&made, &format!("answered {d}/c/x.json"))..];
    assert!(of_a.contains(&month_flush), "{made:#?}");

    forget_calls(tmp.path());
    store.write_new(&day.join("d/x.json"), b"{}").unwrap();
    let made = calls(tmp.path());
    assert!(!made.contains(&month_flush), "{made:#?}");
}

/// A folder the store removes (its last object deleted) is no longer known durable: made again
/// — here by another process, so that this one's `mkdir` of a folder in it just succeeds — its
/// entry in its parent is flushed before the next object in it is acknowledged.
#[tokio::test]
async fn a_folder_the_store_removes_is_no_longer_known_durable() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    let store = FolderStore::with_ops(&root, &MAKING);
    for key in ["f/2026/12/03/0/x.json", "f/2026/12/04/0/x.json"] {
        store.write_new(&root.join(key), b"{}").unwrap();
    }
    assert!(store.delete("f/2026/12/03/0/x.json").await.unwrap());
    let month = root.join("f/2026/12");
    let day = month.join("03");
    assert!(!day.exists() && month.exists());
    fs::create_dir(&day).unwrap();
    forget_calls(tmp.path());
    store.write_new(&day.join("1/x.json"), b"{}").unwrap();
    let made = calls(tmp.path());
    assert!(
        made.contains(&format!("dir {}", month.display())),
        "{made:#?}"
    );
}

/// What is known follows the order of changes: a folder made or removed after a request's
/// flushes started is not recorded durable when they end (they may have missed its new entry),
/// also when the store forgot in between; while a `mkdir` of a folder is under way the folder
/// is not durable, and a `mkdir` that fails (the folder exists) changes nothing.
#[test]
fn a_folder_made_again_after_its_parent_s_flush_started_is_not_recorded_durable() {
    let known = KnownDurable::default();
    let day = Path::new("/data/f/2026/12/03");
    known.learn(known.now(), vec![day.to_path_buf()]);
    assert!(known.is_durable(day));

    let since = known.now();
    known.change(day, |_| Ok(())).unwrap(); // removed
    known.change(day, |_| Ok(())).unwrap(); // made again
    assert!(!known.is_durable(day));
    known.learn(since, vec![day.to_path_buf()]);
    assert!(!known.is_durable(day), "a flush from before the change");
    known.learn(known.now(), vec![day.to_path_buf()]);
    assert!(known.is_durable(day));

    let exists = known.change(day, |d| {
        assert!(!known.is_durable(d), "being made");
        Err(io::ErrorKind::AlreadyExists.into())
    });
    assert_eq!(exists.unwrap_err().kind(), io::ErrorKind::AlreadyExists);
    assert!(known.is_durable(day));

    let since = known.now();
    known.change(day, |_| Ok(())).unwrap();
    for i in 0..DURABLE_REMEMBERED {
        let submission = day.join(i.to_string());
        known.change(&submission, |_| Ok(())).unwrap();
    }
    known.learn(since, vec![day.to_path_buf()]);
    assert!(
        !known.is_durable(day),
        "forgotten, but changed after the flush started"
    );
}

/// An object goes into a folder known durable without a `mkdir` of it; when another process
/// removed the folder, the link tells, the folder is made again and its parent flushed before
/// the object is acknowledged.
#[test]
fn an_object_in_a_known_durable_folder_another_process_removed_makes_it_again_and_flushes_its_parent()
 {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    let store = FolderStore::with_ops(&root, &MAKING);
    let claims = root.join("_claims/m");
    store.write_new(&claims.join("0.json"), b"{}").unwrap();
    forget_calls(tmp.path());
    store.write_new(&claims.join("1.json"), b"{}").unwrap();
    let c = claims.display();
    let made = calls(tmp.path());
    let makes_claims = |call: &String| call.starts_with("mkdir") && call.contains("/_claims");
    assert!(!made.iter().any(makes_claims), "{made:#?}");

    fs::remove_dir_all(&claims).unwrap();
    forget_calls(tmp.path());
    let outcome = store.write_new(&claims.join("2.json"), b"{}").unwrap();
    assert_eq!(outcome, PutOutcome::Created);
    let made = calls(tmp.path());
    let making = position(&made, &format!("mkdir {c}"));
    let flushed = position(&made, &format!("dir {}", root.join("_claims").display()));
    assert!(making < flushed, "{made:#?}");
}
