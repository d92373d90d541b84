//! A local STS stand-in on 127.0.0.1 (a free port): answers every request with a canned
//! response in STS's XML format and records what was sent. It stops when dropped.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request as the stub received it.
#[derive(Clone, Debug)]
pub struct Request {
    /// The request line's target (`/federation?Action=...`).
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
}

impl Request {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A canned answer.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// The stub server.
pub struct Stub {
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    port: u16,
    thread: Option<JoinHandle<()>>,
}

/// When the stub's sessions end: 40 minutes after this test process started, as STS would
/// answer (stsmfa refuses an end later than the session asked for, plus an hour for clocks).
pub static EXPIRATION: LazyLock<String> = LazyLock::new(|| minutes_from_start(40));
/// The keys of the role sessions a [`Stub::sts`] hands out (the base session has the
/// `SESSION_*` keys), so that tests can tell which key signed each call.
pub const ROLE_KEY: &str = "ASIAROLEROLEROLEROLE";
pub const ROLE_SECRET: &str = "roleSECRETroleSECRETroleSECRETrole";
pub const ROLE_TOKEN: &str = "roleTOKENroleTOKENroleTOKEN";
pub static ROLE_EXPIRATION: LazyLock<String> = LazyLock::new(|| minutes_from_start(70));

/// A time `minutes` after this test process started, as STS writes it.
fn minutes_from_start(minutes: i64) -> String {
    static START: LazyLock<chrono::DateTime<chrono::Utc>> = LazyLock::new(chrono::Utc::now);
    (*START + chrono::Duration::minutes(minutes))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// An expiration as stsmfa shows it to people (the tests run in UTC): to the minute, the time
/// alone when it is today (`10:40`), else with its date (`2026-12-08 10:40`).
pub fn shown(expiration: &str) -> String {
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    match expiration.strip_prefix(&today) {
        Some(rest) => rest[1..6].to_owned(),
        None => expiration[..16].replace('T', " "),
    }
}
pub const SESSION_KEY: &str = "ASIASTUBSTUBSTUBSTUB";
pub const SESSION_SECRET: &str = "stubSECRETstubSECRETstubSECRETstub";
pub const SESSION_TOKEN: &str = "stubTOKENstubTOKENstubTOKEN";

/// The `<Credentials>` element of an answer.
fn credentials_xml(key: &str, secret: &str, token: &str, expiration: &str) -> String {
    format!(
        "<Credentials><SessionToken>{token}</SessionToken>\
         <SecretAccessKey>{secret}</SecretAccessKey>\
         <Expiration>{expiration}</Expiration>\
         <AccessKeyId>{key}</AccessKeyId></Credentials>"
    )
}

fn session_credentials() -> String {
    credentials_xml(SESSION_KEY, SESSION_SECRET, SESSION_TOKEN, &EXPIRATION)
}

/// An AssumeRole answer holding `credentials`.
fn assume_role_answer(credentials: &str) -> Answer {
    Answer {
        status: 200,
        body: format!(
            "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <AssumeRoleResult><AssumedRoleUser>\
             <Arn>arn:aws:sts::123456789012:assumed-role/admin/alice</Arn>\
             <AssumedRoleId>AROA3XFRBF535PLBIFPI4:alice</AssumedRoleId></AssumedRoleUser>\
             {credentials}</AssumeRoleResult>\
             <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\
             </ResponseMetadata></AssumeRoleResponse>"
        ),
    }
}

/// A successful GetSessionToken answer.
pub fn session_answer() -> Answer {
    Answer {
        status: 200,
        body: format!(
            "<GetSessionTokenResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <GetSessionTokenResult>{}</GetSessionTokenResult>\
             <ResponseMetadata><RequestId>58c5dbae-abef-11e0-8cfe-09039844ac7d</RequestId>\
             </ResponseMetadata></GetSessionTokenResponse>",
            session_credentials()
        ),
    }
}

/// A successful AssumeRole answer (with the `SESSION_*` keys).
pub fn role_answer() -> Answer {
    assume_role_answer(&session_credentials())
}

/// An STS error answer.
pub fn error_answer(status: u16, code: &str, message: &str) -> Answer {
    Answer {
        status,
        body: format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
             <RequestId>4fb2d8e1-1f4c-4e7a-9c5c-7a8e0b6b7c11</RequestId></ErrorResponse>"
        ),
    }
}

/// A role session answer with the `ROLE_*` keys.
pub fn role_session_answer() -> Answer {
    assume_role_answer(&credentials_xml(
        ROLE_KEY,
        ROLE_SECRET,
        ROLE_TOKEN,
        &ROLE_EXPIRATION,
    ))
}

/// The sign-in token of [`Stub::signin`].
pub const SIGNIN_TOKEN: &str = "SIGNINtoken-EXAMPLE_0123456789";

/// The access key of the `n`th role session a [`Stub::short_roles`] made.
pub fn short_role_key(n: u32) -> String {
    format!("ASIAROLE{n:012}")
}

/// A GetCallerIdentity answer.
fn caller_identity_answer() -> Answer {
    Answer {
        status: 200,
        body: "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
               <GetCallerIdentityResult>\
               <Arn>arn:aws:sts::210987654321:assumed-role/admin/alice</Arn>\
               <UserId>AROA3XFRBF535PLBIFPI4:alice</UserId><Account>210987654321</Account>\
               </GetCallerIdentityResult><ResponseMetadata>\
               <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>\
               </ResponseMetadata></GetCallerIdentityResponse>"
            .to_owned(),
    }
}

impl Request {
    /// The access key id that signed this request (from its SigV4 authorization header).
    pub fn signed_by(&self) -> Option<&str> {
        self.header("authorization")?
            .split("Credential=")
            .nth(1)?
            .split('/')
            .next()
    }
}

impl Stub {
    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Starts an STS that answers every request by its action, each connection on a thread of
    /// its own after `latency`: GetSessionToken with the `SESSION_*` keys, AssumeRole with the
    /// `ROLE_*` keys.
    pub fn sts(latency: Duration) -> Stub {
        Stub::listen(move |stream, requests| {
            std::thread::spawn(move || {
                if let Some(req) = serve_by_action(stream, latency)
                    && let Ok(mut r) = requests.lock()
                {
                    r.push(req);
                }
            });
        })
    }

    /// Starts an STS whose role sessions last `seconds` from when they are made, each with keys
    /// of its own (`ASIAROLE000000000001`, then `...02`, ...); GetSessionToken answers as
    /// [`Stub::sts`] does, and GetCallerIdentity names the caller.
    pub fn short_roles(seconds: i64) -> Stub {
        let made = Arc::new(std::sync::atomic::AtomicU32::new(0));
        Stub::listen(move |stream, requests| {
            let made = made.clone();
            std::thread::spawn(move || {
                let Some(req) = read_request(&stream) else {
                    return;
                };
                let answer = match req.param("Action") {
                    Some("AssumeRole") => {
                        let n = made.fetch_add(1, Ordering::SeqCst) + 1;
                        let expiration = (chrono::Utc::now() + chrono::Duration::seconds(seconds))
                            .format("%Y-%m-%dT%H:%M:%SZ")
                            .to_string();
                        assume_role_answer(&credentials_xml(
                            &short_role_key(n),
                            ROLE_SECRET,
                            ROLE_TOKEN,
                            &expiration,
                        ))
                    }
                    Some("GetCallerIdentity") => caller_identity_answer(),
                    _ => session_answer(),
                };
                // Recorded before the answer goes out, so that a test that got the answer
                // sees the request.
                if let Ok(mut r) = requests.lock() {
                    r.push(req);
                }
                respond(stream, &answer);
            });
        })
    }

    /// Starts a stand-in for the console's sign-in endpoint: `GET /federation` with
    /// `Action=getSigninToken` gets [`SIGNIN_TOKEN`], anything else a 400.
    pub fn signin() -> Stub {
        Stub::listen(move |stream, requests| {
            let Some(req) = read_request(&stream) else {
                return;
            };
            let path = req.target.split('?').next().unwrap_or_default();
            let answer = if path == "/federation" && req.param("Action") == Some("getSigninToken") {
                Answer {
                    status: 200,
                    body: format!("{{\"SigninToken\":\"{SIGNIN_TOKEN}\"}}"),
                }
            } else {
                Answer {
                    status: 400,
                    body: String::new(),
                }
            };
            if let Ok(mut r) = requests.lock() {
                r.push(req);
            }
            respond(stream, &answer);
        })
    }

    /// Starts an STS that reads every request, records it at once and never answers (the
    /// connection stays open until the stub is dropped): a request that reached STS and got
    /// no answer.
    pub fn silent() -> Stub {
        let held = Arc::new(Mutex::new(Vec::new()));
        Stub::listen(move |stream, requests| {
            if let Some(req) = read_request(&stream) {
                if let Ok(mut r) = requests.lock() {
                    r.push(req);
                }
                if let Ok(mut h) = held.lock() {
                    h.push(stream);
                }
            }
        })
    }

    /// Starts a stub that gives `answers` in turn (the last one again when they run out).
    pub fn start(answers: Vec<Answer>) -> Stub {
        let mut served = 0;
        Stub::listen(move |stream, requests| {
            let answer = answers
                .get(served)
                .or(answers.last())
                .cloned()
                .unwrap_or(Answer {
                    status: 500,
                    body: String::new(),
                });
            if let Some(req) = serve(stream, &answer) {
                if let Ok(mut r) = requests.lock() {
                    r.push(req);
                }
                served += 1;
            }
        })
    }

    /// Listens on a free port of 127.0.0.1 and hands every connection to `handle` with the
    /// list of requests to record into, until dropped.
    fn listen(
        mut handle: impl FnMut(TcpStream, Arc<Mutex<Vec<Request>>>) + Send + 'static,
    ) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (requests, stop) = (requests.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    handle(stream, requests.clone());
                }
            })
        };
        Stub {
            url: format!("http://127.0.0.1:{port}"),
            requests,
            stop,
            port,
            thread: Some(thread),
        }
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// The MFA codes of the requests received so far, in order.
    pub fn token_codes(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter_map(|r| r.param("TokenCode").map(str::to_owned))
            .collect()
    }

    /// The one request received; fails the test when there were none or several.
    pub fn only_request(&self) -> Request {
        let all = self.requests();
        assert_eq!(
            all.len(),
            1,
            "expected exactly one STS request, got {}",
            all.len()
        );
        all[0].clone()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one request and answers it by its action after `latency`.
fn serve_by_action(stream: TcpStream, latency: Duration) -> Option<Request> {
    let req = read_request(&stream)?;
    std::thread::sleep(latency);
    let answer = match req.param("Action") {
        Some("AssumeRole") => role_session_answer(),
        _ => session_answer(),
    };
    respond(stream, &answer);
    Some(req)
}

/// Reads one HTTP/1.1 request and writes `answer`, closing the connection.
fn serve(stream: TcpStream, answer: &Answer) -> Option<Request> {
    let req = read_request(&stream)?;
    respond(stream, answer);
    Some(req)
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    if line.is_empty() {
        return None;
    }
    let target = line.split(' ').nth(1).unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    // The form of a POST, and the query of a GET.
    let mut form = parse_form(&String::from_utf8_lossy(&body));
    if let Some((_, query)) = target.split_once('?') {
        form.extend(parse_form(query));
    }
    Some(Request {
        target,
        headers,
        form,
    })
}

fn respond(stream: TcpStream, answer: &Answer) {
    let reason = if answer.status == 200 { "OK" } else { "Error" };
    let response = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{}",
        answer.status,
        answer.body.len(),
        answer.body
    );
    let mut stream = stream;
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

fn parse_form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
