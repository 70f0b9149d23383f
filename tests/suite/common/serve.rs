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
        let mut command = Command::new(env!("CARGO_BIN_EXE_communique"));
        command.args(["serve", "--port", "0"]).args(args);
        Server::launch(site, command)
    }

    /// Like [`Server::start`], with the process limited to `descriptors` open files (sockets
    /// included), as `ulimit -n` sets it: how a small limit is met, on macOS by default.
    #[cfg(unix)]
    pub fn start_with_descriptor_limit(site: &SiteTest, args: &[&str], descriptors: u32) -> Server {
        let mut command = Command::new("sh");
        // `exec` so that the signals the tests send reach serve, not the shell.
        command
            .arg("-c")
            .arg(format!(r#"ulimit -n {descriptors} && exec "$0" "$@""#))
            .arg(env!("CARGO_BIN_EXE_communique"))
            .args(["serve", "--port", "0"])
            .args(args);
        Server::launch(site, command)
    }

    fn launch(site: &SiteTest, mut command: Command) -> Server {
        let mut child = command
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

    /// Every line the server has printed so far, added to `seen` without waiting.
    pub fn read_lines(&mut self) -> &[String] {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
        &self.seen
    }

    /// Where the server listens, for client threads (a `Server` stays with its test).
    pub fn address(&self) -> Address {
        Address { port: self.port }
    }

    /// A TCP connection to the server that has sent nothing yet.
    pub fn connect(&self) -> std::io::Result<TcpStream> {
        self.address().connect()
    }

    /// Send `method path` exactly as written and read the whole response.
    pub fn request(&self, method: &str, path: &str) -> Response {
        self.address()
            .request_within(method, path, Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Like [`Server::request`], failing when the response has not come within `timeout`.
    pub fn request_within(
        &self,
        method: &str,
        path: &str,
        timeout: Duration,
    ) -> std::io::Result<Response> {
        self.address().request_within(method, path, timeout)
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
                // Keep what it printed last: the reader thread may not have passed it on yet,
                // and ends when it has read everything.
                while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
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

/// The server's address on 127.0.0.1: what client threads need of it.
#[derive(Debug, Clone, Copy)]
pub struct Address {
    pub port: u16,
}

impl Address {
    /// A TCP connection to the server that has sent nothing yet.
    pub fn connect(&self) -> std::io::Result<TcpStream> {
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        TcpStream::connect_timeout(&address, Duration::from_secs(10))
    }

    /// A connection for many requests in turn, as a browser keeps one.
    pub fn keep_alive(&self) -> std::io::Result<Connection> {
        let stream = self.connect()?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Connection {
            reader: BufReader::new(stream),
            port: self.port,
        })
    }

    /// Like `Server::request`, failing when the response has not come within `timeout`.
    pub fn request_within(
        &self,
        method: &str,
        path: &str,
        timeout: Duration,
    ) -> std::io::Result<Response> {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        self.send(head.as_bytes(), timeout)
    }

    /// Send `request` as it is on a new connection and read the response until the server
    /// closes the connection, or fail when that takes longer than `timeout`.
    pub fn send(&self, request: &[u8], timeout: Duration) -> std::io::Result<Response> {
        let deadline = Instant::now() + timeout;
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        let mut stream = TcpStream::connect_timeout(&address, timeout)?;
        stream.write_all(request)?;
        let mut raw = Vec::new();
        let mut buffer = [0; 16 * 1024];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(std::io::ErrorKind::TimedOut.into());
            }
            stream.set_read_timeout(Some(left))?;
            match stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => raw.extend_from_slice(&buffer[..read]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    let message = format!("no whole response within {timeout:?}");
                    return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, message));
                }
                Err(e) => return Err(e),
            }
        }
        if !raw.windows(4).any(|w| w == b"\r\n\r\n") {
            return Err(std::io::Error::other("closed before a whole response head"));
        }
        Ok(parse_response(&raw))
    }
}

/// One HTTP/1.1 connection kept open between requests.
pub struct Connection {
    reader: BufReader<TcpStream>,
    port: u16,
}

impl Connection {
    /// Send `GET path` and read its response (its body by `Content-Length`). An error when the
    /// connection is closed or fails before the whole response came.
    pub fn get(&mut self, path: &str) -> std::io::Result<Response> {
        write!(
            self.reader.get_mut(),
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            self.port
        )?;
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            if self.reader.read_until(b'\n', &mut head)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
        let mut response = parse_response(&head);
        let length: usize = response
            .header("content-length")
            .and_then(|l| l.parse().ok())
            .ok_or_else(|| std::io::Error::other("no content-length"))?;
        response.body = vec![0; length];
        self.reader.read_exact(&mut response.body)?;
        Ok(response)
    }
}

/// Whether the server closes `stream` before `deadline`, reading and dropping whatever it
/// sends first (a 408 response, say).
pub fn closed_by_server(mut stream: &TcpStream, deadline: Instant) -> bool {
    let mut buffer = [0; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false;
            }
            // Reset: closed too.
            Err(_) => return true,
        }
    }
}

/// A server-sent event stream (chunked; chunk-size lines are skipped as noise).
pub struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    /// Whether the server ends the stream within `timeout`, skipping the events before.
    pub fn ends_within(&mut self, timeout: Duration) -> bool {
        closed_by_server(self.reader.get_ref(), Instant::now() + timeout)
    }

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
