//! `formfabrik serve`: try everything on one machine with nothing else installed. Builds the
//! sites for a local address, serves `dist/site`, mounts the submission function at `/v1` with
//! a folder store, and rebuilds and reloads open pages when `forms/` or `site-templates/`
//! change. The function is the same [`submit_fn::Handler`] that runs on Lambda.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use notify::{RecursiveMode, Watcher};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::site::{BuildError, BuildOptions, build};

/// What `formfabrik serve` needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    pub forms_dir: PathBuf,
    pub templates_dir: PathBuf,
    pub out_dir: PathBuf,
    /// Where the folder store keeps submissions.
    pub data_dir: PathBuf,
    pub watch: bool,
    /// The language of the errors a failed rebuild shows (`de`, the default, or `en`), as
    /// `check --lang` writes them.
    pub lang: String,
}

/// Why serving stopped or could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the built registry or theme is not usable: {0}")]
    Registry(String),
    #[error("cannot watch {path}: {message}")]
    Watch { path: PathBuf, message: String },
}

type Body = BoxBody<Bytes, Infallible>;

struct State {
    site_dir: PathBuf,
    handler: RwLock<Arc<submit_fn::Handler>>,
    /// Counts rebuilds, failed ones too: open pages reload, or show `problems`.
    reloads: watch::Sender<u64>,
    /// The errors of the last rebuild when it failed (as `check` shows them); `None` after a
    /// good one. Open pages show them in a banner until the next good build.
    problems: RwLock<Option<String>>,
    build: BuildOptions,
    data_dir: PathBuf,
    lang: String,
    /// Sign-in at the test provider, when it could be started (`crate::serve_sign_in`).
    sign_in: Option<crate::serve_sign_in::LocalSignIn>,
    /// The local payment platform, when a municipality takes payments (`crate::serve_payment`).
    payment: Option<crate::serve_payment::LocalPayment>,
}

fn build_options(opts: &ServeOptions) -> BuildOptions {
    BuildOptions {
        forms_dir: opts.forms_dir.clone(),
        templates_dir: opts.templates_dir.clone(),
        out_dir: opts.out_dir.clone(),
        local_base: Some(format!("http://{}", opts.addr)),
        progress: false,
        dev_reload: true,
    }
}

/// The registry the build wrote, every form parsed and hashed (a local server: no cold start
/// to save).
fn read_registry(path: &Path) -> Result<form_model::registry::Registry, ServeError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ServeError::Registry(format!("{}: {e}", path.display())))?;
    form_model::registry::Registry::from_json(&text)
        .map_err(|e| ServeError::Registry(e.to_string()))
}

fn load_handler(
    out_dir: &Path,
    data_dir: &Path,
    sign_in: Option<&crate::serve_sign_in::LocalSignIn>,
    payment: Option<&crate::serve_payment::LocalPayment>,
) -> Result<submit_fn::Handler, ServeError> {
    let path = out_dir.join("function/registry.json");
    let registry = read_registry(&path)?;
    // The theme built beside it: an invalid post without JavaScript gets the form page back.
    let theme = submit_fn::config::theme_beside(&path);
    let pages = submit_fn::config::load_pages(&theme, &registry)
        .map_err(|e| ServeError::Registry(e.to_string()))?;
    let mut handler =
        submit_fn::Handler::with_folder_store(registry, data_dir).with_pages(Arc::new(pages));
    if let Some(local) = payment {
        handler = handler.with_payments(local.payments.clone());
    }
    Ok(match sign_in {
        Some(local) => handler.with_sign_in(local.sign_in.clone()),
        None => handler,
    })
}

/// Binds `opts.addr` and builds; returns the listener and a future that serves until
/// `shutdown` resolves. `on_ready` is called with the address once requests are answered.
pub async fn serve(
    opts: ServeOptions,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), ServeError> {
    let listener = TcpListener::bind(opts.addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: opts.addr,
            source,
        })?;
    let build_opts = build_options(&opts);
    let report = build(&build_opts)?;
    println!(
        "built {} pages for {} municipalities ({} forms) in {:.2?}",
        report.pages, report.municipalities, report.forms, report.elapsed
    );
    // The test OpenID provider, so forms with `identity:` can be tried (docs/identity.md).
    let registry = read_registry(&opts.out_dir.join("function/registry.json"))?;
    let sign_in = match crate::serve_sign_in::start(&opts.forms_dir, opts.addr, &registry).await {
        Ok(local) => {
            println!("sign-in with BundID: test provider at {}", local.issuer);
            Some(local)
        }
        Err(why) => {
            println!("sign-in with BundID is not offered: {why}");
            None
        }
    };
    // The local payment platform, so forms that require payment can be paid (docs/payment.md).
    let payment = match crate::serve_payment::start(&registry).await {
        Ok(Some(local)) => {
            println!(
                "payment: local XBezahldienste platform at {} (client secret {})",
                local.platform.base_url(),
                crate::serve_payment::LOCAL_SECRET
            );
            Some(local)
        }
        Ok(None) => None,
        Err(why) => {
            println!("payment is not offered: {why}");
            None
        }
    };
    let handler = load_handler(
        &opts.out_dir,
        &opts.data_dir,
        sign_in.as_ref(),
        payment.as_ref(),
    )?;
    let (reloads, _) = watch::channel(0u64);
    let state = Arc::new(State {
        site_dir: opts.out_dir.join("site"),
        handler: RwLock::new(Arc::new(handler)),
        reloads,
        problems: RwLock::new(None),
        build: build_opts,
        data_dir: opts.data_dir.clone(),
        lang: opts.lang.clone(),
        sign_in,
        payment,
    });
    let _watcher = if opts.watch {
        Some(watch_sources(&opts, state.clone())?)
    } else {
        None
    };
    println!("submissions are stored in {}", opts.data_dir.display());
    println!("serving http://{}/", opts.addr);
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(_) => continue,
            },
            () = &mut shutdown => return Ok(()),
        };
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: Request<Incoming>| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(route(&state, req).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Rebuilds on changes (debounced) and tells open pages to reload.
fn watch_sources(
    opts: &ServeOptions,
    state: Arc<State>,
) -> Result<notify::RecommendedWatcher, ServeError> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(e) = event
            && !matches!(e.kind, notify::EventKind::Access(_))
        {
            let _ = tx.send(());
        }
    })
    .map_err(|e| ServeError::Watch {
        path: opts.forms_dir.clone(),
        message: e.to_string(),
    })?;
    for dir in [&opts.forms_dir, &opts.templates_dir] {
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .map_err(|e| ServeError::Watch {
                path: dir.clone(),
                message: e.to_string(),
            })?;
    }
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Editors write several events per save; wait for them to settle.
            tokio::time::sleep(Duration::from_millis(250)).await;
            while rx.try_recv().is_ok() {}
            let state2 = state.clone();
            let result = tokio::task::spawn_blocking(move || build(&state2.build)).await;
            match result {
                Ok(Ok(report)) => {
                    match load_handler(
                        &state.build.out_dir,
                        &state.data_dir,
                        state.sign_in.as_ref(),
                        state.payment.as_ref(),
                    ) {
                        Ok(h) => *state.handler.write().expect("handler lock") = Arc::new(h),
                        Err(e) => eprintln!("{e}"),
                    }
                    println!(
                        "rebuilt: {} pages rendered, {} files written, {} unchanged ({:.2?})",
                        report.rendered, report.written, report.unchanged, report.elapsed
                    );
                    *state.problems.write().expect("problems lock") = None;
                }
                Ok(Err(BuildError::Check(report))) => {
                    let text = format!(
                        "{}\n\n{}",
                        not_rebuilt(&state.lang),
                        crate::check::render_errors(&report, &state.lang)
                    );
                    print!("{text}");
                    *state.problems.write().expect("problems lock") = Some(text);
                }
                Ok(Err(e)) => {
                    let head = not_rebuilt(&state.lang);
                    println!("{head}: {e}");
                    *state.problems.write().expect("problems lock") =
                        Some(format!("{head}\n\n{e}"));
                }
                Err(e) => {
                    let head = not_rebuilt(&state.lang);
                    println!("{head}: {e}");
                    *state.problems.write().expect("problems lock") =
                        Some(format!("{head}\n\n{e}"));
                }
            }
            state.reloads.send_modify(|n| *n += 1);
        }
    });
    Ok(watcher)
}

fn full(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(Full::new(body.into()).boxed());
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        content_type.parse().expect("static content type"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, "no-cache".parse().expect("static"));
    r
}

async fn route(state: &Arc<State>, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_string();
    if path.starts_with("/v1/") || path == "/v1" {
        let handler = state.handler.read().expect("handler lock").clone();
        return submit_fn::server::answer(&handler, req)
            .await
            .map(|b| b.boxed());
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return full(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            "GET only",
        );
    }
    match path.as_str() {
        "/__formfabrik/reload.js" => {
            full(StatusCode::OK, "text/javascript; charset=utf-8", RELOAD_JS)
        }
        "/__formfabrik/events" => reload_events(state),
        "/__formfabrik/problems" => {
            let problems = state.problems.read().expect("problems lock").clone();
            full(
                StatusCode::OK,
                "text/plain; charset=utf-8",
                problems.unwrap_or_default(),
            )
        }
        "/" => full(
            StatusCode::OK,
            "text/html; charset=utf-8",
            overview(&state.site_dir),
        ),
        _ => static_file(&state.site_dir, &path),
    }
}

/// The first line of what a failed rebuild says, in the terminal and on the page.
fn not_rebuilt(lang: &str) -> String {
    form_model::msg!("serve-not-rebuilt").render(lang)
}

/// On every page of `serve` (never in a published site): reloads the page after a good
/// rebuild; after a failed one shows its errors in a banner, as `check` writes them, until the
/// next good build reloads the page. A page opened while the build is broken asks for them.
/// Styles are set through the DOM (allowed by the pages' CSP), the text as text, never as HTML.
const RELOAD_JS: &str = r##"(function () {
  var box;
  function show(text) {
    if (!text) return;
    if (!box) {
      box = document.createElement("section");
      box.id = "formfabrik-problems";
      box.setAttribute("role", "alert");
      box.setAttribute("aria-label", "formfabrik serve");
      var s = box.style;
      s.position = "fixed"; s.left = "0"; s.right = "0"; s.bottom = "0"; s.zIndex = "2147483647";
      s.maxHeight = "70vh"; s.overflow = "auto"; s.margin = "0"; s.padding = "1em";
      s.background = "#fff"; s.color = "#0b0c0c"; s.borderTop = "6px solid #d4351c";
      var pre = document.createElement("pre");
      pre.style.whiteSpace = "pre-wrap"; pre.style.margin = "0"; pre.style.font = "14px/1.4 monospace";
      box.appendChild(pre);
      document.body.appendChild(box);
    }
    box.firstChild.textContent = text;
  }
  fetch("/__formfabrik/problems").then(function (r) { return r.text(); }).then(show);
  var events = new EventSource("/__formfabrik/events");
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("problems", function (e) { show(JSON.parse(e.data)); });
})();
"##;

fn reload_events(state: &Arc<State>) -> Response<Body> {
    let rx = state.reloads.subscribe();
    let state = state.clone();
    let stream = futures_util::stream::unfold(Some(rx), move |rx| {
        let state = state.clone();
        async move {
            let mut rx = rx?;
            // Every change is a rebuild: a good one reloads the page, a failed one sends its
            // errors (one JSON string, so line breaks stay inside one `data:` line).
            if rx.changed().await.is_err() {
                return None;
            }
            let problems = state.problems.read().expect("problems lock").clone();
            let frame = match problems {
                None => Bytes::from_static(b"event: reload\ndata: 1\n\n"),
                Some(text) => Bytes::from(format!(
                    "event: problems\ndata: {}\n\n",
                    serde_json::Value::String(text)
                )),
            };
            Some((Ok::<_, Infallible>(Frame::data(frame)), Some(rx)))
        }
    });
    let mut r = Response::new(StreamBody::new(stream).boxed());
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        "text/event-stream".parse().expect("static"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, "no-cache".parse().expect("static"));
    r
}

/// The local start page: one link per municipality site.
fn overview(site_dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(site_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let items: String = names
        .iter()
        .map(|n| {
            let n = view::escape_html(n);
            format!("<li><a href=\"/{n}/\">{n}</a></li>")
        })
        .collect();
    format!(
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Formfabrik – lokale Vorschau</title></head><body><main><h1>Formfabrik – lokale Vorschau</h1><p>Die Websites der Kommunen. Anträge werden im Datenordner gespeichert.</p><ul>{items}</ul></main></body></html>"
    )
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        // robots.txt, sitemap.xml, onlinedienste.csv
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// A file below the site folder; never one outside it.
fn static_file(site_dir: &Path, url_path: &str) -> Response<Body> {
    let not_found = || {
        full(
            StatusCode::NOT_FOUND,
            "text/html; charset=utf-8",
            "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Nicht gefunden</title></head><body><main><h1>Seite nicht gefunden</h1><p><a href=\"/\">Zur Übersicht</a></p></main></body></html>",
        )
    };
    let decoded = percent_encoding::percent_decode_str(url_path).decode_utf8_lossy();
    let rel = Path::new(decoded.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return not_found();
    }
    let mut file = site_dir.join(rel);
    if file.is_dir() {
        if !url_path.ends_with('/') {
            let mut r = full(
                StatusCode::MOVED_PERMANENTLY,
                "text/plain; charset=utf-8",
                "",
            );
            r.headers_mut().insert(
                header::LOCATION,
                format!("{url_path}/")
                    .parse()
                    .expect("path is a valid header"),
            );
            return r;
        }
        file = file.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(bytes) => full(StatusCode::OK, content_type(&file), bytes),
        Err(_) => not_found(),
    }
}
