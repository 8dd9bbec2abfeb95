//! The Lambda front door, driven by JSON event fixtures as API Gateway (HTTP API, payload 2.0)
//! and Lambda Function URLs deliver them (tests/fixtures/events/*.json): `lambda_http` turns the
//! event into a request, `submit_fn::lambda::handle` answers it with the same handler.

use std::sync::Arc;

use crate::common::*;
use lambda_http::{Body, Response};
use serde_json::Value;
use store::MemoryStore;

fn event(fixture: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(fixture);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

async fn answer(fixture: &str, store: Arc<MemoryStore>) -> Response<Body> {
    let request = lambda_http::request::from_str(&event(fixture).to_string())
        .unwrap_or_else(|e| panic!("{fixture} is not an event lambda_http reads: {e}"));
    submit_fn::lambda::handle(&handler(store), request).await
}

fn text(response: &Response<Body>) -> String {
    match response.body() {
        Body::Text(t) => t.clone(),
        Body::Empty => String::new(),
        other => panic!("expected a text body, got {other:?}"),
    }
}

fn json_of(response: &Response<Body>) -> Value {
    serde_json::from_str(&text(response)).unwrap()
}

fn header<'a>(response: &'a Response<Body>, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn api_gateway_json_post_is_stored_and_answered_201_with_cors() {
    let store = Arc::new(MemoryStore::new());
    let response = answer("apigw-v2-post-json.json", store.clone()).await;
    assert_eq!(response.status(), 201, "{}", text(&response));
    let body = json_of(&response);
    assert_eq!(body["id"], "2f1e8c9a-4b7d-4e21-9c3a-5d6f7a8b9c01");
    assert_eq!(body["received_at"], "2026-11-28T10:15:00Z");
    assert!(body["reference"].as_str().unwrap().starts_with("MUS-2026-"));
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some("https://formulare.musterstadt.example")
    );
    assert!(store.keys().contains(
        &"musterstadt/sperrmuell-anmeldung/v1/2026/11/28/2f1e8c9a-4b7d-4e21-9c3a-5d6f7a8b9c01/submission.json".to_string()
    ));
}

#[tokio::test]
async fn api_gateway_invalid_json_post_gets_422_in_english_and_nothing_is_stored() {
    let store = Arc::new(MemoryStore::new());
    let response = answer("apigw-v2-post-json-invalid.json", store.clone()).await;
    assert_eq!(response.status(), 422);
    let errors = json_of(&response)["errors"].clone();
    let codes: Vec<(&str, &str)> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        vec![("vorname", "required"), ("email", "invalid-email")]
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("is required")
    );
    assert!(store.keys().is_empty());
}

#[tokio::test]
async fn api_gateway_get_is_refused_with_405_and_an_html_page_for_a_browser() {
    let store = Arc::new(MemoryStore::new());
    let response = answer("apigw-v2-get.json", store.clone()).await;
    assert_eq!(response.status(), 405);
    assert_eq!(header(&response, "allow"), Some("POST, OPTIONS"));
    assert!(text(&response).contains("Formulare werden mit POST gesendet"));
    assert!(store.keys().is_empty());
}

#[tokio::test]
async fn api_gateway_named_stage_in_the_path_still_routes() {
    let store = Arc::new(MemoryStore::new());
    let response = answer("apigw-v2-post-json-named-stage.json", store.clone()).await;
    assert_eq!(response.status(), 201, "{}", text(&response));
}

#[tokio::test]
async fn function_url_browser_form_post_is_answered_with_the_confirmation_page_and_receipt() {
    let store = Arc::new(MemoryStore::new());
    let response = answer("function-url-post-form.json", store.clone()).await;
    assert_eq!(response.status(), 200, "{}", text(&response));
    let reference = form_model::record::reference(
        "musterstadt",
        2026,
        "7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c".parse().unwrap(),
    );
    let page = text(&response);
    assert!(page.contains(&reference));
    // The button that asks for the receipt, posting to `…/<form>/receipt` next to the post.
    let (action, fields) = crate::receipt::receipt_form(&page);
    assert_eq!(action, "./sperrmuell-anmeldung/receipt");
    assert_eq!(fields[0].0, "record");
    assert_eq!(
        store
            .keys()
            .iter()
            .filter(|k| k.ends_with("submission.json"))
            .count(),
        1
    );
}

#[tokio::test]
async fn function_url_invalid_browser_form_post_gets_the_error_page_in_english() {
    let store = Arc::new(MemoryStore::new());
    let response = answer("function-url-post-form-invalid.json", store.clone()).await;
    assert_eq!(response.status(), 422);
    let page = text(&response);
    assert!(page.contains("<html lang=\"en\" dir=\"ltr\">"), "{page}");
    assert!(page.contains("There is a problem"));
    assert!(page.contains(
        "https://formulare.musterstadt.example/en/sperrmuell-anmeldung/#f-anschrift-postcode"
    ));
    assert!(page.contains("Back button"));
    assert!(store.keys().is_empty());
}

#[tokio::test]
async fn function_url_multipart_post_with_files_stores_attachments() {
    let store = Arc::new(MemoryStore::new());
    let response = answer("function-url-post-multipart.json", store.clone()).await;
    assert_eq!(response.status(), 201, "{}", text(&response));
    let dir =
        "musterstadt/hundesteuer-anmeldung/v2/2026/11/28/9b2f4c61-0d3e-4a5b-8c7d-6e5f4a3b2c1d/";
    let keys = store.keys();
    assert!(keys.contains(&format!("{dir}erlaubnis-1.pdf")), "{keys:?}");
    assert!(keys.contains(&format!("{dir}sachkunde-1.png")), "{keys:?}");
    assert!(
        store
            .object(&format!("{dir}erlaubnis-1.pdf"))
            .unwrap()
            .starts_with(b"%PDF-1.4")
    );
}

#[tokio::test]
async fn function_url_preflight_from_the_site_is_allowed() {
    let response = answer(
        "function-url-options-preflight.json",
        Arc::new(MemoryStore::new()),
    )
    .await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some("https://formulare.musterstadt.example")
    );
    assert_eq!(
        header(&response, "access-control-allow-methods"),
        Some("POST")
    );
}

#[tokio::test]
async fn function_url_latin1_form_post_is_refused_as_not_utf8() {
    let store = Arc::new(MemoryStore::new());
    let response = answer("function-url-post-form-latin1.json", store.clone()).await;
    assert_eq!(response.status(), 400);
    assert!(text(&response).contains("kein gültiges UTF-8"));
    assert!(store.keys().is_empty());
}

#[tokio::test]
async fn function_url_unknown_municipality_is_404() {
    let response = answer(
        "function-url-post-unknown-municipality.json",
        Arc::new(MemoryStore::new()),
    )
    .await;
    assert_eq!(response.status(), 404);
    assert_eq!(json_of(&response)["error"]["code"], "unknown-municipality");
}

#[tokio::test]
async fn function_url_get_of_the_confirmation_page_shows_the_reference() {
    let store = Arc::new(MemoryStore::new());
    let response = answer("function-url-get-confirmation.json", store.clone()).await;
    assert_eq!(response.status(), 200, "{}", text(&response));
    assert_eq!(
        header(&response, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(header(&response, "cache-control"), Some("no-store"));
    assert!(
        header(&response, "content-security-policy")
            .unwrap()
            .starts_with("default-src 'none'")
    );
    let page = text(&response);
    assert!(page.contains("<html lang=\"de\" dir=\"ltr\">"), "{page}");
    assert!(
        page.contains("<strong dir=\"ltr\">MUS-2026-WVTMN6</strong>"),
        "{page}"
    );
    assert!(page.contains("<h1>Ihr Antrag ist eingegangen</h1>"));
    assert!(store.keys().is_empty());
}

#[tokio::test]
async fn api_gateway_get_of_the_confirmation_page_below_a_named_stage_is_english() {
    let store = Arc::new(MemoryStore::new());
    let response = answer("apigw-v2-get-confirmation.json", store.clone()).await;
    assert_eq!(response.status(), 200, "{}", text(&response));
    let page = text(&response);
    assert!(page.contains("<html lang=\"en\" dir=\"ltr\">"), "{page}");
    assert!(page.contains("<h1>Your application has been received</h1>"));
    assert!(page.contains("<strong dir=\"ltr\">MUS-2026-WVTMN6</strong>"));
    assert!(store.keys().is_empty());
}
