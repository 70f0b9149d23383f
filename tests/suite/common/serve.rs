//! `communique serve` in tests: start it on a free port against a fixture site, talk HTTP to
//! it over a raw TcpStream (so odd paths reach the server as written), read its event stream,
//! wait for what it prints; the process is killed when the guard is dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use super::SiteTest;

pub struct Server {
    child: Child,
    pub port: u16,
    /// Lines of the server's stderr, as it prints them.
    lines: Receiver<String>,
    /// Every line read so far, for failure messages.
    pub seen: Vec<String>,
}

/// One HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Header names in lowercase.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Server {
    /// `communique serve --port 0 <args>` at the site's root, once it says where it listens.
    pub fn start(site: &SiteTest, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_communique"))
            .args(["serve", "--port", "0"])
            .args(args)
            .current_dir(site.root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start communique serve");
        let stderr = child.stderr.take().unwrap();
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            port: 0,
            lines,
            seen: Vec::new(),
        };
        let line = server.wait_for_line("serving at ", Duration::from_secs(30));
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("a URL");
        server.port = url
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .expect("a port");
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    /// Wait until the server prints a line containing `needle`; return it.
    pub fn wait_for_line(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "waited {timeout:?} for {needle:?}; the server said:\n{}",
                    self.seen.join("\n")
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the server stopped before saying {needle:?}; it said:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Assert the server prints no line containing `needle` within `period`.
    pub fn says_nothing_like(&mut self, needle: &str, period: Duration) {
        let deadline = Instant::now() + period;
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.seen.push(line.clone());
            assert!(
                !line.contains(needle),
                "unexpected {needle:?}; the server said:\n{}",
                self.seen.join("\n")
            );
        }
    }

    /// Send `method path` exactly as written and read the whole response.
    pub fn request(&self, method: &str, path: &str) -> Response {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read the response");
        parse_response(&raw)
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path)
    }

    /// Open the live-reload event stream; returns once it has said hello.
    pub fn events(&self) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        write!(
            stream,
            "GET /__communique/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut events = Events {
            reader: BufReader::new(stream),
        };
        let (name, _) = events.next(Duration::from_secs(10));
        assert_eq!(name, "hello");
        events
    }

    /// Send Ctrl-C (SIGINT) and wait for the process to end; its exit code.
    pub fn interrupt(&mut self, timeout: Duration) -> Option<i32> {
        self.signal("INT", timeout)
    }

    /// Send the signal `name` (`INT`, `TERM`) and wait for the process to end; its exit code.
    pub fn signal(&mut self, name: &str, timeout: Duration) -> Option<i32> {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Keep what it printed last.
                while let Ok(line) = self.lines.try_recv() {
                    self.seen.push(line);
                }
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("serve did not stop within {timeout:?} of SIG{name}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server-sent event stream (chunked; chunk-size lines are skipped as noise).
pub struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    /// The next event's name and data, or a panic after `timeout`.
    pub fn next(&mut self, timeout: Duration) -> (String, String) {
        self.reader
            .get_ref()
            .set_read_timeout(Some(timeout))
            .unwrap();
        let deadline = Instant::now() + timeout;
        let (mut name, mut data) = (String::new(), Vec::new());
        loop {
            assert!(Instant::now() < deadline, "no event within {timeout:?}");
            let mut line = String::new();
            let read = self
                .reader
                .read_line(&mut line)
                .unwrap_or_else(|e| panic!("no event within {timeout:?}: {e}"));
            assert!(read > 0, "the event stream ended");
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(value) = line.strip_prefix("event: ") {
                name = value.to_string();
            } else if let Some(value) = line.strip_prefix("data: ") {
                data.push(value.to_string());
            } else if line.is_empty() && !name.is_empty() {
                return (name, data.join("\n"));
            }
        }
    }

    /// Skip events until one named `name` arrives; its data.
    pub fn wait_for(&mut self, name: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (event, data) = self.next(left.max(Duration::from_millis(1)));
            if event == name {
                return data;
            }
        }
    }
}

fn parse_response(raw: &[u8]) -> Response {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    Response {
        status,
        headers,
        body: if chunked { dechunk(&body) } else { body },
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&body[..line_end]).trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&body[start..start + size]);
        body = &body[start + size + 2..];
    }
    out
}
