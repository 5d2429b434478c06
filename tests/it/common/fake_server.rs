//! A programmable HTTP/1.1 server on 127.0.0.1 for the sync fakes: every request (method, path,
//! query, headers, form body) goes to a handler that answers, or waits first.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HashMap<String, String>,
    pub form: Vec<(String, String)>,
    /// The body as sent (JSON APIs read it whole).
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of a query or form parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .chain(&self.form)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn query_has(&self, name: &str) -> bool {
        self.query.iter().any(|(k, _)| k == name)
    }

    pub fn form_all(&self, name: &str) -> Vec<&str> {
        self.form
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn form_value(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering (a hung server).
    pub delay: Option<Duration>,
    /// Send only this many bytes of the body, then close (an interrupted transfer).
    pub cut_after: Option<usize>,
}

impl Response {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: None,
            cut_after: None,
        }
    }

    pub fn json(value: &serde_json::Value) -> Response {
        Response::new(200, value.to_string()).header("content-type", "application/json")
    }

    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

#[derive(Clone)]
pub struct FakeServer {
    pub base: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

impl FakeServer {
    /// Serves `handler` on a free port of 127.0.0.1 until the test process ends.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests: Arc<Mutex<Vec<Request>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let seen = requests.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (handler, seen) = (handler.clone(), seen.clone());
                std::thread::spawn(move || serve(conn, &*handler, &seen));
            }
        });
        FakeServer { base, requests }
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    pub fn clear_requests(&self) {
        self.requests.lock().unwrap().clear();
    }
}

fn decode(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes()).into_owned().collect()
}

fn serve(conn: TcpStream, handler: &Handler, seen: &Mutex<Vec<Request>>) {
    conn.set_read_timeout(Some(Duration::from_secs(10))).ok();
    // Head and body go out in two writes: without this, Nagle holds the body for the client's
    // delayed ACK, 40 ms a request.
    conn.set_nodelay(true).ok();
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut conn = conn;
    // Bounded: a client keeping the connection alive is served at most this many requests.
    for _ in 0..10_000 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("GET").to_string();
        let target = parts.next().unwrap_or("/").to_string();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let Some(headers) = super::read_headers(&mut reader) else {
            return;
        };
        let length: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let request = Request {
            method,
            path: path.to_string(),
            query: decode(query),
            form: decode(&String::from_utf8_lossy(&body)),
            headers,
            body,
        };
        seen.lock().unwrap().push(request.clone());
        let response = handler(&request);
        if let Some(d) = response.delay {
            std::thread::sleep(d);
        }
        let mut head = format!(
            "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
            response.status,
            response.body.len()
        );
        for (k, v) in &response.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let body = match response.cut_after {
            Some(n) => &response.body[..n.min(response.body.len())],
            None => &response.body[..],
        };
        if conn.write_all(head.as_bytes()).is_err() || conn.write_all(body).is_err() || response.cut_after.is_some() {
            return;
        }
    }
}
