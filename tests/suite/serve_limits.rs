//! `communique serve` against misbehaving clients and long rebuilds: idle and half-sent
//! connections under a small descriptor limit, a stop while a rebuild runs, and a bounded load
//! of many clients while others misbehave and the site rebuilds. Everything on 127.0.0.1.
#![cfg(unix)]

use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use communique::serve::connections::{HEAD_TIMEOUT, MAX_HEAD_BYTES};

use crate::common::SiteTest;
use crate::common::serve::{Address, Connection, Server, closed_by_server};

const RELEASE: &str = "content/en/press-releases/honolulu.md";
const RELEASE_URL: &str = "/en/press-releases/honolulu/";
/// macOS's default descriptor limit, and the one the security review tried.
const DESCRIPTORS: u32 = 256;
/// How long a well-behaved request may take here: generous, since the machine is shared and
/// the build is a debug one; the point is that it is answered at all.
const ANSWER: Duration = Duration::from_secs(30);
/// serve's time for a request head, and a margin as long.
const HEAD_TIMEOUT_AND_MARGIN: Duration = Duration::from_secs(2 * HEAD_TIMEOUT.as_secs());

/// Addresses of the basic fixture and the status each must get.
const PATHS: [(&str, u16); 7] = [
    ("/", 200),
    ("/ko/", 200),
    ("/en/", 200),
    (RELEASE_URL, 200),
    ("/theme/communique.css", 200),
    ("/__communique/live-reload.js", 200),
    ("/en/no-such-page/", 404),
];

/// `idle` connections that send nothing and `half_sent` ones that send part of a request head
/// and stop; those that could connect at all.
fn hold_connections(server: &Server, idle: usize, half_sent: usize) -> Vec<TcpStream> {
    let mut held = Vec::with_capacity(idle + half_sent);
    for n in 0..idle + half_sent {
        let Ok(mut stream) = server.connect() else {
            continue;
        };
        if n >= idle {
            let _ = write!(
                stream,
                "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slo"
            );
        }
        held.push(stream);
    }
    held
}

#[test]
fn idle_and_half_sent_connections_neither_keep_others_out_nor_stay_open() {
    let site = SiteTest::fixture("basic");
    let mut server = Server::start_with_descriptor_limit(&site, &[], DESCRIPTORS);
    // An open page's event stream: it lasts as long as the page, however long that is.
    let mut events = server.events();
    let opened = Instant::now();
    // More connections than serve has descriptors.
    let held = hold_connections(&server, 300, 20);

    for (path, status) in PATHS {
        let response = server
            .request_within("GET", path, ANSWER)
            .unwrap_or_else(|e| panic!("GET {path} with {} connections held: {e}", held.len()));
        assert_eq!(response.status, status, "{path}");
    }

    let deadline = opened + HEAD_TIMEOUT_AND_MARGIN;
    let still_open = held
        .iter()
        .filter(|stream| !closed_by_server(stream, deadline))
        .count();
    assert_eq!(
        still_open,
        0,
        "of {} idle and half-sent connections, {still_open} were still open after {:?}",
        held.len(),
        HEAD_TIMEOUT_AND_MARGIN
    );

    let text = std::fs::read_to_string(site.path(RELEASE)).unwrap();
    site.write(RELEASE, &text.replace("Outcome of", "Result of"));
    events.wait_for("reload", ANSWER);
    server.wait_for_line("rebuilt in ", ANSWER);
}

#[test]
fn a_request_head_up_to_the_limit_is_read_and_a_larger_one_refused() {
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site, &[]);
    // A head of about `bytes`.
    let with_cookie = |bytes: usize| {
        let head = format!(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: c={}\r\nConnection: close\r\n\r\n",
            "x".repeat(bytes)
        );
        server.address().send(head.as_bytes(), ANSWER)
    };
    let large = with_cookie(MAX_HEAD_BYTES - 1024).expect("an answer");
    assert_eq!(large.status, 200);
    // Refused, with 431 unless the connection is reset before the client reads it.
    match with_cookie(MAX_HEAD_BYTES + 32 * 1024) {
        Ok(response) => assert_eq!(response.status, 431),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
}

/// A release template whose every page takes far longer to render than any test runs: nine
/// nested loops over ten items, which the bound on `range` does not limit.
const SLOW_TEMPLATE: &str = r#"{% extends "base.html" %}{% block main %}{% set ten = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] %}{% for a in ten %}{% for b in ten %}{% for c in ten %}{% for d in ten %}{% for e in ten %}{% for f in ten %}{% for g in ten %}{% for h in ten %}{% for i in ten %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}<h1>{{ release.title }}</h1>{% endblock main %}"#;

#[test]
fn sigterm_stops_it_promptly_while_a_rebuild_runs_and_pages_are_served_meanwhile() {
    let site = SiteTest::fixture("basic");
    let mut server = Server::start(&site, &[]);
    let _open_page = server.events();
    site.write("templates/release.html", SLOW_TEMPLATE);
    // Past the watcher's debounce: the rebuild has begun.
    std::thread::sleep(Duration::from_secs(2));

    for (path, status) in PATHS {
        let response = server
            .request_within("GET", path, ANSWER)
            .unwrap_or_else(|e| panic!("GET {path} during the rebuild: {e}"));
        assert_eq!(response.status, status, "{path}");
    }
    let finished = server
        .read_lines()
        .iter()
        .any(|l| l.contains("rebuilt in ") || l.contains("error"));
    assert!(!finished, "the rebuild should still be running");

    let code = server.signal("TERM", Duration::from_secs(15));
    assert_eq!(code, Some(0), "{}", server.seen.join("\n"));
    assert!(server.seen.iter().any(|l| l == "stopped"));
}

/// A client that sends a request head one byte at a time, slower than serve waits for a head;
/// it stops when serve closes the connection or `stop` is set.
fn trickle(server: &Server, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    let stream = server.connect();
    std::thread::spawn(move || {
        let Ok(mut stream) = stream else { return };
        for byte in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: a very slow client\r\n" {
            if stop.load(Ordering::Relaxed) || stream.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    })
}

/// What one client saw.
#[derive(Default)]
struct Outcome {
    /// Requests answered with the status expected.
    answered: usize,
    /// Each other request, and what went wrong.
    failures: Vec<String>,
}

/// Whether `error` says the server closed the connection: between two requests it may, and a
/// client sends its request again on a new one.
fn closed(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset, UnexpectedEof};
    matches!(
        error.kind(),
        UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe
    )
}

/// `requests` GETs of the fixture's addresses in turn, on one kept-alive connection or on a
/// connection each; those not sent by `deadline` count as failures.
fn client(
    server: Address,
    requests: usize,
    keep_alive: bool,
    offset: usize,
    deadline: Instant,
) -> Outcome {
    let mut outcome = Outcome::default();
    let mut connection: Option<Connection> = None;
    for n in 0..requests {
        if Instant::now() > deadline {
            let unsent = requests - n;
            outcome
                .failures
                .push(format!("{unsent} requests not sent in time"));
            break;
        }
        let (path, status) = PATHS[(n + offset) % PATHS.len()];
        let response = if keep_alive {
            let reused = match connection.as_mut() {
                Some(open) => open.get(path),
                None => Err(std::io::ErrorKind::NotConnected.into()),
            };
            match reused {
                Err(e) if closed(&e) || e.kind() == std::io::ErrorKind::NotConnected => {
                    server.keep_alive().and_then(|mut fresh| {
                        let response = fresh.get(path);
                        connection = Some(fresh);
                        response
                    })
                }
                other => other,
            }
        } else {
            server.request_within("GET", path, ANSWER)
        };
        match response {
            Ok(response) if response.status == status => outcome.answered += 1,
            Ok(response) => {
                let got = response.status;
                outcome
                    .failures
                    .push(format!("GET {path}: {got} not {status}"));
            }
            Err(e) => outcome.failures.push(format!("GET {path}: {e}")),
        }
    }
    outcome
}

#[test]
fn many_clients_are_answered_while_others_idle_or_trickle_and_the_site_rebuilds() {
    const CLIENTS: usize = 24;
    const REQUESTS: usize = 100;
    const SAVE_EVERY: Duration = Duration::from_millis(300);
    /// Bounds the test, not the speed: the load takes seconds.
    const LOAD_TIME: Duration = Duration::from_secs(120);
    let site = SiteTest::fixture("basic");
    let mut server = Server::start_with_descriptor_limit(&site, &[], DESCRIPTORS);
    let address = server.address();
    let held = hold_connections(&server, 280, 20);
    let stop = Arc::new(AtomicBool::new(false));
    let trickling: Vec<_> = (0..4).map(|_| trickle(&server, stop.clone())).collect();
    let original = std::fs::read_to_string(site.path(RELEASE)).unwrap();
    let deadline = Instant::now() + LOAD_TIME;
    let load_done = AtomicBool::new(false);

    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        // An editor saving the release again and again while the clients run.
        let editor = scope.spawn(|| {
            for save in 0.. {
                let title = format!("Ministers Meet, Take {save}");
                site.write(
                    RELEASE,
                    &original.replace("Outcome of ROK-U.S. Foreign Ministers' Meeting", &title),
                );
                std::thread::sleep(SAVE_EVERY);
                if load_done.load(Ordering::Relaxed) {
                    break;
                }
            }
        });
        let clients: Vec<_> = (0..CLIENTS)
            .map(|n| scope.spawn(move || client(address, REQUESTS, n % 2 == 0, n, deadline)))
            .collect();
        let outcomes = clients.into_iter().map(|c| c.join().unwrap()).collect();
        load_done.store(true, Ordering::Relaxed);
        editor.join().unwrap();
        outcomes
    });
    let rebuilds = server
        .read_lines()
        .iter()
        .filter(|l| l.contains("rebuilt in "))
        .count();
    stop.store(true, Ordering::Relaxed);
    for thread in trickling {
        thread.join().unwrap();
    }
    let answered: usize = outcomes.iter().map(|o| o.answered).sum();
    let failures: Vec<&str> = outcomes
        .iter()
        .flat_map(|o| o.failures.iter().map(String::as_str))
        .collect();
    assert_eq!(
        answered,
        CLIENTS * REQUESTS,
        "with {} connections held open, these failed:\n{}",
        held.len(),
        failures.join("\n")
    );
    assert!(
        rebuilds > 0,
        "no save was rebuilt during the load:\n{}",
        server.seen.join("\n")
    );
    drop(held);
}
