//! Issue 16, defect 7: against Garage (a production S3-compatible store that ignores
//! `If-None-Match` and overwrites), two concurrent `inbox pull` runs over 30 stored submissions
//! imported 3 of them twice. Both the importer and the function now find out at start that a
//! store overwrites and then run as the single runner (or refuse, naming the one that runs),
//! which stays exactly-once. Garage itself runs on 127.0.0.1, beside moto.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::common::*;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use inbox::import::{self, RunOptions};
use inbox::{Filter, InboxError};
use serde_json::json;
use store::exclusive::{ExclusiveError, WriteMode, function_runner, write_mode};
use store::layout::FUNCTION_PROBE_PREFIX;
use store::{PutOutcome, S3Store, Store};
use submit_fn::{FixedClock, Handler};
use test_support::garage::{garage_bucket, garage_client};
use time::Duration;
use uuid::Uuid;

async fn garage_store() -> Arc<S3Store> {
    let client = garage_client();
    let bucket = garage_bucket(&client).await;
    Arc::new(S3Store::new(client, bucket, "eingang"))
}

fn filter(municipality: &str) -> Filter {
    Filter {
        municipality: municipality.into(),
        ..Filter::default()
    }
}

#[tokio::test]
async fn garage_overwrites_on_a_create_only_write_and_the_start_up_probe_finds_out() {
    let garage = garage_store().await;
    // What the issue found: the second create-only write replaces the first.
    let key = "probe-by-hand.json";
    let first = garage
        .put_new(key, Bytes::from_static(b"1"), "text/plain")
        .await
        .unwrap();
    let second = garage
        .put_new(key, Bytes::from_static(b"2"), "text/plain")
        .await
        .unwrap();
    assert_eq!((first, second), (PutOutcome::Created, PutOutcome::Created));
    assert_eq!(garage.get(key).await.unwrap().unwrap(), "2");
    assert_eq!(
        write_mode(garage.as_ref(), "_probe/").await.unwrap(),
        WriteMode::Overwrites
    );
    let (moto, _, _) = s3_store().await;
    assert_eq!(
        write_mode(moto.as_ref(), "_probe/").await.unwrap(),
        WriteMode::CreateOnly
    );
}

#[tokio::test]
async fn defect_7_two_concurrent_pulls_on_garage_import_every_submission_exactly_once() {
    let store = garage_store().await;
    let sent = store_all(store.as_ref(), true).await;
    assert!(sent.len() >= 20, "{} submissions", sent.len());
    let delivered = Arc::new(Mutex::new(BTreeMap::new()));
    let mut ms: Vec<String> = sent.iter().map(|s| s.municipality.clone()).collect();
    ms.sort();
    ms.dedup();
    let mut refused = 0;
    for round in 0..2 {
        for m in &ms {
            // Round 0: two runs at once; round 1: one run takes what a refusal left.
            let runs: Vec<_> = (1..=(2 - round))
                .map(|run| {
                    let sink = Recorder {
                        run,
                        delivered: delivered.clone(),
                    };
                    spawn_import(store.clone(), m.clone(), format!("run-{round}-{run}"), sink)
                })
                .collect();
            for r in runs {
                match r.await.unwrap() {
                    Ok(report) => {
                        assert!(report.single_runner);
                        assert!(report.failed.is_empty(), "{:?}", report.failed);
                    }
                    Err(InboxError::Exclusive(ExclusiveError::Busy { owner, .. })) => {
                        assert!(owner.starts_with("run-0-"), "{owner}");
                        refused += 1;
                    }
                    Err(e) => panic!("{e}"),
                }
            }
        }
    }
    let delivered = delivered.lock().unwrap().clone();
    assert_eq!(delivered.len(), sent.len(), "every submission imported");
    for (id, runs) in &delivered {
        assert_eq!(runs.len(), 1, "{id} imported by runs {runs:?}");
    }
    assert!(refused >= ms.len(), "each overlapping pair had a refusal");
    eprintln!(
        "garage: {} submissions of {} municipalities imported exactly once; {refused} overlapping runs refused",
        sent.len(),
        ms.len()
    );
}

#[tokio::test]
async fn the_function_on_garage_is_a_single_runner_and_one_id_stores_one_submission() {
    let store = garage_store().await;
    let dyn_store: Arc<dyn Store> = store.clone();
    let lock = function_runner(dyn_store.clone(), "function-a", NOW)
        .await
        .unwrap()
        .expect("Garage needs single-runner mode");
    // A second process is refused, with who runs.
    let err = function_runner(dyn_store.clone(), "function-b", NOW)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("function-a"), "{err}");
    assert!(
        !store.list(FUNCTION_PROBE_PREFIX).await.unwrap().is_empty(),
        "the probe's scratch objects are where the docs say"
    );
    let handler = Arc::new(
        Handler::new(registry(false), dyn_store.clone())
            .with_clock(Arc::new(FixedClock(NOW)))
            .with_single_runner(lock),
    );
    assert!(handler.is_single_runner());
    // Sixteen requests for one id at once, with two different answers: one answer wins,
    // every request with it gets the same 201, the others 409.
    let id = Uuid::new_v4();
    let example = |name: &str| {
        let text = std::fs::read_to_string(repo().join(format!(
            "tests/fixtures/submissions/sperrmuell-anmeldung@1/{name}.json"
        )))
        .unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    };
    let a = example("moebel-mit-abstellort");
    let mut b = a.clone();
    b["data"]["vorname"] = json!("Bettina");
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let handler = handler.clone();
            let body = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move {
                let body = json!({ "id": id, "language": body["language"], "data": body["data"] });
                let request = Request::post("/v1/musterstadt/sperrmuell-anmeldung")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Bytes::from(serde_json::to_vec(&body).unwrap()))
                    .unwrap();
                (i % 2, handler.handle(request).await)
            })
        })
        .collect();
    let mut created = BTreeMap::new();
    let mut conflicts = 0;
    for t in tasks {
        let (which, response) = t.await.unwrap();
        match response.status() {
            StatusCode::CREATED => {
                let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
                created
                    .entry(which)
                    .or_insert_with(Vec::new)
                    .push(body["reference"].clone());
            }
            StatusCode::CONFLICT => conflicts += 1,
            other => panic!("{other}: {:?}", response.body()),
        }
    }
    assert_eq!(created.len(), 1, "one answer wins: {created:?}");
    assert_eq!(created.values().next().unwrap().len(), 8);
    assert_eq!(conflicts, 8);
    // What was acknowledged is imported, once.
    handler.release().await;
    let delivered = Arc::new(Mutex::new(BTreeMap::new()));
    let inbox = inbox(dyn_store);
    let now = || NOW;
    let opts = RunOptions {
        owner: "import".into(),
        lease: Duration::minutes(15),
        now: &now,
    };
    let mut sink = Recorder {
        run: 1,
        delivered: delivered.clone(),
    };
    let report = import::run(&inbox, &filter("musterstadt"), &opts, &mut sink)
        .await
        .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.imported, vec![id]);
}
