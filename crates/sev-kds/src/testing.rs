//! FOR TESTS: a fake KDS, an HTTP/1.1 server on 127.0.0.1 that serves given bodies by URL
//! path, counts requests, can act as the clients' HTTPS proxy (CONNECT), and answers with programmed faults (404, 429 with or without
//! `Retry-After`, 500, 503, slow answers, truncated bodies, wrong bodies). It stops when
//! dropped.
//!
//! ```
//! use std::time::Duration;
//! use sev_kds::testing::{Fault, FakeKds};
//! use sev_kds::{FetchError, HttpClient, KdsConfig, RetryPolicy};
//! use sev_verify::kds::{Endorsement, KdsRequest};
//! use sev_types::Product;
//! let server = FakeKds::start();
//! let req = KdsRequest::crl(Product::Milan, Endorsement::Vcek)?;
//! server.serve_request(&req, b"crl bytes".to_vec());
//! server.push_fault(Fault::TooManyRequests { retry_after: Some("0".into()) });
//! let client = HttpClient::new(KdsConfig::with_base_url(server.base_url()));
//! assert_eq!(client.get(&req)?, b"crl bytes");
//! assert_eq!(server.requests(), 2); // one 429, then the body
//! server.push_fault(Fault::Status(404));
//! assert!(client.get(&req).unwrap_err().is_not_found());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, VecDeque};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use sev_verify::kds::KdsRequest;

/// One programmed answer, used for one request instead of the normal answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// This status with an empty body (404, 500, 403, ...).
    Status(u16),
    /// 429, with this `Retry-After` value if given.
    TooManyRequests {
        /// The `Retry-After` header value.
        retry_after: Option<String>,
    },
    /// 503, with this `Retry-After` value if given.
    Unavailable {
        /// The `Retry-After` header value.
        retry_after: Option<String>,
    },
    /// Waits this long before the normal answer.
    Slow(Duration),
    /// Announces the full `Content-Length` but sends only the first half of the body.
    Truncated,
    /// Sends half the body with no `Content-Length` and closes: a short body that looks complete.
    Short,
    /// Serves these bytes with status 200 instead of the normal body.
    Body(Vec<u8>),
}

#[derive(Default)]
struct State {
    objects: HashMap<String, Vec<u8>>,
    faults: VecDeque<Fault>,
    path_faults: HashMap<String, VecDeque<Fault>>,
    log: Vec<String>,
    connects: Vec<String>,
}

struct Shared {
    stop: AtomicBool,
    state: Mutex<State>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The fake KDS server. Listens on `127.0.0.1` on a free port until dropped.
pub struct FakeKds {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FakeKds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeKds").field("addr", &self.addr).finish()
    }
}

impl FakeKds {
    /// Starts a server on a free port of 127.0.0.1.
    ///
    /// # Panics
    /// If no port on 127.0.0.1 can be bound (a test environment failure).
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            state: Mutex::new(State::default()),
        });
        let s = shared.clone();
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = conn {
                    let s = s.clone();
                    std::thread::spawn(move || handle(stream, &s));
                }
            }
        });
        FakeKds {
            addr,
            shared,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves `body` at `path` (path and query, as in `/vcek/v1/Milan/cert_chain`).
    pub fn serve(&self, path: &str, body: Vec<u8>) {
        self.shared.state().objects.insert(normalize(path), body);
    }

    /// Serves `body` for `request`.
    pub fn serve_request(&self, request: &KdsRequest, body: Vec<u8>) {
        self.serve(&request.path(), body);
    }

    /// Stops serving `request`'s object (it then answers 404).
    pub fn forget(&self, request: &KdsRequest) {
        self.shared.state().objects.remove(&request.path());
    }

    /// Uses `fault` for the next request, whatever its path (faults queue up in order).
    pub fn push_fault(&self, fault: Fault) {
        self.shared.state().faults.push_back(fault);
    }

    /// Uses `fault` for the next request for `request` (before any fault for all paths).
    pub fn push_fault_for(&self, request: &KdsRequest, fault: Fault) {
        self.shared
            .state()
            .path_faults
            .entry(request.path())
            .or_default()
            .push_back(fault);
    }

    /// The number of requests received.
    pub fn requests(&self) -> usize {
        self.shared.state().log.len()
    }

    /// The paths requested, in order.
    pub fn request_log(&self) -> Vec<String> {
        self.shared.state().log.clone()
    }

    /// The `CONNECT` targets (`host:port`) of clients that used this server as their proxy.
    pub fn proxy_connects(&self) -> Vec<String> {
        self.shared.state().connects.clone()
    }
}

impl Drop for FakeKds {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The path in the form `KdsRequest::path` writes it, when it is a KDS path; else as is.
fn normalize(path: &str) -> String {
    match KdsRequest::parse(&format!("https://{}{path}", sev_verify::kds::KDS_HOST)) {
        Ok(r) => r.path(),
        Err(_) => path.to_string(),
    }
}

/// Reads one request head and returns its method and target.
fn read_head(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte, so that nothing after the head (a tunnelled request) is consumed.
    while !buf.ends_with(b"\r\n\r\n") && buf.len() < 16 * 1024 {
        match stream.read(&mut byte) {
            Ok(0) | Err(_) => return None,
            Ok(_) => buf.push(byte[0]),
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let mut first = text.lines().next().unwrap_or("").split(' ');
    let method = first.next().filter(|m| !m.is_empty())?.to_string();
    Some((method, first.next().unwrap_or("").to_string()))
}

fn handle(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some((mut method, mut path)) = read_head(&mut stream) else {
        return;
    };
    if method == "CONNECT" {
        // Acting as the HTTPS_PROXY of a client: open the tunnel, then serve the request in it.
        shared.state().connects.push(path);
        let _ = stream.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
        let Some(next) = read_head(&mut stream) else { return };
        (method, path) = next;
    }
    if shared.stop.load(Ordering::SeqCst) || method != "GET" {
        return;
    }
    let key = normalize(&path);
    let (fault, body) = {
        let mut st = shared.state();
        st.log.push(key.clone());
        let fault = st
            .path_faults
            .get_mut(&key)
            .and_then(VecDeque::pop_front)
            .or_else(|| st.faults.pop_front());
        (fault, st.objects.get(&key).cloned())
    };
    let normal = |stream: &mut TcpStream| match &body {
        Some(b) => respond(stream, 200, &[], b),
        None => respond(stream, 404, &[], b""),
    };
    match fault {
        None => normal(&mut stream),
        Some(Fault::Status(code)) => respond(&mut stream, code, &[], b""),
        Some(Fault::TooManyRequests { retry_after }) => respond(&mut stream, 429, &retry_header(retry_after), b""),
        Some(Fault::Unavailable { retry_after }) => respond(&mut stream, 503, &retry_header(retry_after), b""),
        Some(Fault::Slow(d)) => {
            std::thread::sleep(d);
            normal(&mut stream);
        }
        Some(Fault::Truncated) => {
            let b = body.unwrap_or_default();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                b.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&b[..b.len() / 2]);
        }
        Some(Fault::Short) => {
            let b = body.unwrap_or_default();
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            let _ = stream.write_all(&b[..b.len() / 2]);
        }
        Some(Fault::Body(b)) => respond(&mut stream, 200, &[], &b),
    }
    let _ = stream.flush();
}

fn retry_header(v: Option<String>) -> Vec<(&'static str, String)> {
    v.map(|v| vec![("Retry-After", v)]).unwrap_or_default()
}

fn respond(stream: &mut TcpStream, status: u16, headers: &[(&str, String)], body: &[u8]) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}
