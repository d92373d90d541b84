//! The credential server of `exec --server` (SPEC §3): the container-credentials protocol that
//! every AWS SDK and the AWS CLI read (`AWS_CONTAINER_CREDENTIALS_FULL_URI` and
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`), on 127.0.0.1 and a free port, with hyper's server.
//!
//! A request must carry the run's random token as its `Authorization` header (compared in
//! constant time), else it is answered 403. The server knows nothing of sessions: it answers
//! from the [`Shelf`] while the session there is fresh, and otherwise asks the session side
//! (the `want` callback) for a new one, waiting at most the bound before it answers 503 with an
//! error JSON, so that a program's SDK never waits on a question in a terminal.

use std::convert::Infallible;
use std::net::TcpListener as StdListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use tokio::sync::oneshot;

use crate::error::Error;
use crate::output::Output;
use crate::secret::Secret;

/// How long a credential request waits for a session being made before it is answered 503:
/// under the AWS CLI's own 2-second wait, so that it gets the answer and retries.
pub(crate) const ANSWER_BOUND: Duration = Duration::from_millis(1500);

/// The path of the one resource.
const PATH: &str = "/stsmfa/credentials";

/// The session the server hands out: the JSON answer, and until when it is handed out without
/// asking for a new one (its expiration less the refresh margin).
pub(crate) struct Served {
    pub body: Secret,
    pub expiration: DateTime<Utc>,
    pub fresh_until: DateTime<Utc>,
}

impl Served {
    /// The answer for a session: the JSON the SDKs' container provider reads.
    pub(crate) fn new(
        access_key_id: &str,
        secret: &Secret,
        token: &Secret,
        expiration: DateTime<Utc>,
        margin: Duration,
    ) -> Served {
        let json = serde_json::json!({
            "AccessKeyId": access_key_id,
            "SecretAccessKey": secret.expose(),
            "Token": token.expose(),
            "Expiration": crate::credentials::format_expiration(expiration),
        });
        let margin = chrono::Duration::from_std(margin).unwrap_or(chrono::Duration::zero());
        Served {
            body: Secret::new(json.to_string()),
            expiration,
            fresh_until: expiration - margin,
        }
    }
}

/// The session being handed out, shared by the server and the side that makes sessions.
#[derive(Default)]
pub(crate) struct Shelf(Mutex<Option<Served>>);

impl Shelf {
    /// Puts a new session on the shelf.
    pub(crate) fn put(&self, served: Served) {
        if let Ok(mut s) = self.0.lock() {
            *s = Some(served);
        }
    }

    /// Whether the session on the shelf is fresh at `now` (outside the refresh margin).
    pub(crate) fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        self.0
            .lock()
            .is_ok_and(|s| s.as_ref().is_some_and(|s| now < s.fresh_until))
    }

    /// The answer while the session is fresh, or, with `fresh` false, while it has not
    /// expired (just made, with less left than the margin).
    fn answer(&self, now: DateTime<Utc>, fresh: bool) -> Option<Bytes> {
        let s = self.0.lock().ok()?;
        let s = s.as_ref()?;
        let until = if fresh { s.fresh_until } else { s.expiration };
        (now < until).then(|| Bytes::copy_from_slice(s.body.expose().as_bytes()))
    }
}

/// A request for a new session, answered once the shelf holds one, or with the sentence that
/// says why there is none.
pub(crate) type Wanted = oneshot::Sender<Result<(), String>>;

/// What every request handler shares.
struct Shared {
    shelf: Arc<Shelf>,
    token: Secret,
    want: Box<dyn Fn(Wanted) -> bool + Send + Sync>,
    out: Output,
    profile: String,
}

/// A running server; [`Server::stop`] ends it.
pub(crate) struct Server {
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub url: String,
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    pub token: Secret,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Listens on a free port of 127.0.0.1 and serves on a thread of its own. `want` hands a
    /// request for a new session to the side that makes them (false when it is gone).
    pub(crate) fn start(
        shelf: Arc<Shelf>,
        want: impl Fn(Wanted) -> bool + Send + Sync + 'static,
        out: Output,
        profile: &str,
    ) -> Result<Server, Error> {
        let failed = |action: &'static str| move |source| Error::Stdio { action, source };
        let listener =
            StdListener::bind(("127.0.0.1", 0)).map_err(failed("listen on 127.0.0.1"))?;
        listener
            .set_nonblocking(true)
            .map_err(failed("listen on 127.0.0.1"))?;
        let port = listener
            .local_addr()
            .map_err(failed("listen on 127.0.0.1"))?
            .port();
        let token = random_token().map_err(failed("make a random token"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(failed("start the async runtime"))?;
        let shared = Arc::new(Shared {
            shelf,
            token: token.clone(),
            want: Box::new(want),
            out,
            profile: profile.to_owned(),
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                tokio::spawn(accept(listener, shared));
                let _ = stopped.await;
            });
        });
        Ok(Server {
            url: format!("http://127.0.0.1:{port}{PATH}"),
            token,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Stops serving: open connections are dropped with the runtime.
    pub(crate) fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accepts connections until the runtime ends, each served on a task of its own.
async fn accept(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors, most likely: let some connections end first.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(answer(&req, &shared).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The answer to one request.
async fn answer<B>(req: &Request<B>, shared: &Shared) -> Response<Full<Bytes>> {
    if !authorized(req, &shared.token) {
        return error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "the Authorization header is not this server's token",
        );
    }
    if req.uri().path() != PATH {
        return error(StatusCode::NOT_FOUND, "NotFound", "no such resource");
    }
    if req.method() != hyper::Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "only GET is served",
        );
    }
    if let Some(body) = shared.shelf.answer(Utc::now(), true) {
        return json(StatusCode::OK, body);
    }
    let (tx, rx) = oneshot::channel();
    if !(shared.want)(tx) {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Unavailable",
            "stsmfa is stopping",
        );
    }
    match tokio::time::timeout(ANSWER_BOUND, rx).await {
        Ok(Ok(Ok(()))) => match shared.shelf.answer(Utc::now(), false) {
            Some(body) => json(StatusCode::OK, body),
            None => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Expired",
                "the new session has already expired",
            ),
        },
        Ok(Ok(Err(why))) => error(StatusCode::INTERNAL_SERVER_ERROR, "NoSession", &why),
        Ok(Err(_)) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Unavailable",
            "stsmfa is stopping",
        ),
        Err(_) => {
            let why = format!(
                "the new session for {} is not ready yet (asked for {} s); the program's SDK \
                 asks again",
                shared.profile,
                ANSWER_BOUND.as_secs_f32()
            );
            shared.out.warn(&format!(
                "{}: a credential request was answered 503: {why}",
                shared.profile
            ));
            error(StatusCode::SERVICE_UNAVAILABLE, "NotReady", &why)
        }
    }
}

/// Whether the request carries the token, compared in constant time.
fn authorized<B>(req: &Request<B>, token: &Secret) -> bool {
    use subtle::ConstantTimeEq as _;
    let Some(given) = req.headers().get(hyper::header::AUTHORIZATION) else {
        return false;
    };
    given.as_bytes().ct_eq(token.expose().as_bytes()).into()
}

fn json(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

/// An error answer: `{"Code": ..., "Message": ...}`.
fn error(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({ "Code": code, "Message": message }).to_string();
    json(status, Bytes::from(body))
}

/// 32 random bytes from the OS, in hex.
fn random_token() -> std::io::Result<Secret> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(std::io::Error::other)?;
    let mut hex = String::with_capacity(64);
    for b in bytes.iter() {
        hex.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(b & 0xf)]));
    }
    Ok(Secret::new(hex))
}
