//! `serve`'s connections: each one served by hyper over HTTP/1.1 with a time limit for its
//! request head, and only so many open at once, so that clients that open connections and send
//! nothing, or half a request, neither use up the process's file descriptors nor keep others
//! out.
//!
//! At the limit a new connection makes room: the connection that has waited longest for a
//! request is closed, else the oldest live-reload event stream (its page reconnects by itself);
//! when every other connection is answering a request, the new one is closed instead.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::http::{Request, Response, header};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

/// How long a client has to send a whole request head, counted from when its connection opens
/// or its previous response was sent; so also how long a kept-alive connection may sit idle.
/// A head is a few hundred bytes: even a very slow link sends it in a second or two.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest request head read; a larger one is answered 431. Browsers send a few kilobytes,
/// cookies included.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The most connections open at once, when the descriptor limit allows as many.
pub const MAX_CONNECTIONS: usize = 256;

/// Descriptors kept for everything else `serve` opens: its runtime, the file watcher, and the
/// site's files while it rebuilds.
const SPARE_DESCRIPTORS: u64 = 64;

/// How long the requests being answered have to finish once `serve` is asked to stop.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// The pause before accepting again after the system refused a connection for want of
/// descriptors or memory, which retrying at once would not change.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// Serve `router` on `listener` until `stop` completes; then let the requests being answered
/// finish (for a moment at most) and close every connection, event streams included.
pub async fn serve(listener: TcpListener, router: Router, stop: impl Future<Output = ()>) {
    let http = Arc::new(http1_builder());
    let mut open = Open::new(connection_limit());
    let (stopping, stop_seen) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut stop = pin!(stop);
    loop {
        tokio::select! {
            () = stop.as_mut() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let Some((slot, made_room)) = open.admit() else {
                        continue; // dropping `stream` closes it
                    };
                    let connection = Connection {
                        http: http.clone(),
                        router: router.clone(),
                        slot,
                        stopping: stop_seen.clone(),
                    };
                    tasks.spawn(connection.run(stream));
                    if made_room {
                        // Let the connection told to close do so before the next accept, so
                        // that descriptors are given back as fast as they are taken.
                        tokio::task::yield_now().await;
                    }
                }
                Err(error) if is_connection_error(&error) => {}
                Err(_) => tokio::time::sleep(ACCEPT_PAUSE).await,
            },
            // Reap finished connections as they go.
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    drop(listener);
    stopping.send_replace(true);
    let finished = async { while tasks.join_next().await.is_some() {} };
    // Dropping `tasks` closes whatever did not finish in time.
    let _ = tokio::time::timeout(STOP_GRACE, finished).await;
}

fn http1_builder() -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_header_size(MAX_HEAD_BYTES);
    http
}

/// Errors of one connection that went away while being accepted; the next one is fine.
fn is_connection_error(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    )
}

/// How many connections may be open at once: [`MAX_CONNECTIONS`], or fewer when the process
/// may not open that many descriptors and keep some to spare.
fn connection_limit() -> usize {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit};
        if let Some(descriptors) = getrlimit(Resource::Nofile).current {
            return limit_for(descriptors);
        }
    }
    MAX_CONNECTIONS
}

fn limit_for(descriptors: u64) -> usize {
    let spare = descriptors
        .saturating_sub(SPARE_DESCRIPTORS)
        .max(descriptors / 2);
    usize::try_from(spare)
        .unwrap_or(usize::MAX)
        .clamp(1, MAX_CONNECTIONS)
}

/// What a connection is doing, which decides which one makes room at the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Activity {
    /// For a request head: just opened, between requests, or sent part of a head.
    Waiting,
    /// Answering a request, until its response has been sent.
    Answering,
    /// Sending a live-reload event stream, which lasts as long as its page is open.
    Streaming,
}

/// One open connection, as the accept loop sees it.
#[derive(Debug)]
struct Slot {
    /// What it is doing, and since when.
    activity: Mutex<(Activity, Instant)>,
    close: Notify,
}

impl Slot {
    fn new() -> Slot {
        Slot {
            activity: Mutex::new((Activity::Waiting, Instant::now())),
            close: Notify::new(),
        }
    }

    fn activity_since(&self) -> (Activity, Instant) {
        *self.activity.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn activity(&self) -> Activity {
        self.activity_since().0
    }

    fn set(&self, activity: Activity) {
        self.set_at(activity, Instant::now());
    }

    fn set_at(&self, activity: Activity, since: Instant) {
        *self.activity.lock().unwrap_or_else(PoisonError::into_inner) = (activity, since);
    }

    /// Tell the connection to close (it need not be waiting yet: the notice is kept).
    fn close(&self) {
        self.close.notify_one();
    }

    async fn told_to_close(&self) {
        self.close.notified().await;
    }
}

/// The open connections, oldest first. A connection's task holds its slot; the slot is gone
/// when the connection is.
#[derive(Debug)]
struct Open {
    limit: usize,
    slots: VecDeque<Weak<Slot>>,
}

impl Open {
    fn new(limit: usize) -> Open {
        Open {
            limit,
            slots: VecDeque::with_capacity(limit),
        }
    }

    /// A slot for a new connection, and whether another connection was told to close to make
    /// room for it; `None` when every open connection is answering a request.
    fn admit(&mut self) -> Option<(Arc<Slot>, bool)> {
        self.slots.retain(|slot| slot.strong_count() > 0);
        let made_room = self.slots.len() >= self.limit;
        if made_room && !self.make_room() {
            return None;
        }
        let slot = Arc::new(Slot::new());
        self.slots.push_back(Arc::downgrade(&slot));
        Some((slot, made_room))
    }

    /// Close the connection that has waited longest for a request (what the time limit for a
    /// head would close next), else the oldest event stream; false when there is neither.
    fn make_room(&mut self) -> bool {
        let longest = |activity| {
            let doing = |(index, slot): (usize, &Weak<Slot>)| {
                let (doing, since) = slot.upgrade()?.activity_since();
                (doing == activity).then_some((index, since))
            };
            // The first of equals: the oldest connection.
            let found = self.slots.iter().enumerate().filter_map(doing);
            found
                .min_by_key(|&(_, since)| since)
                .map(|(index, _)| index)
        };
        let Some(index) = longest(Activity::Waiting).or_else(|| longest(Activity::Streaming))
        else {
            return false;
        };
        if let Some(slot) = self.slots.remove(index).and_then(|slot| slot.upgrade()) {
            slot.close();
        }
        true
    }
}

/// What a connection's task needs.
struct Connection {
    http: Arc<http1::Builder>,
    router: Router,
    slot: Arc<Slot>,
    stopping: watch::Receiver<bool>,
}

impl Connection {
    async fn run(self, stream: TcpStream) {
        let Connection {
            http,
            router,
            slot,
            mut stopping,
        } = self;
        let router = TowerToHyperService::new(router);
        let answering_slot = slot.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let answering = Answering::start(answering_slot.clone());
            let response = hyper::service::Service::call(&router, request);
            async move {
                let response: Response<Body> = response.await?;
                Ok::<_, Infallible>(answering.follow(response))
            }
        });
        let mut connection = pin!(http.serve_connection(TokioIo::new(stream), service));
        tokio::select! {
            _ = connection.as_mut() => return,
            () = slot.told_to_close() => return,
            _ = stopping.wait_for(|stop| *stop) => {}
        }
        // Only a request being answered is worth finishing: an event stream never ends by
        // itself, and nothing is lost by closing a connection between requests.
        if slot.activity() != Activity::Answering {
            return;
        }
        connection.as_mut().graceful_shutdown();
        tokio::select! {
            _ = connection => {}
            () = slot.told_to_close() => {}
        }
    }
}

/// A request being answered on a connection; dropped once its response has been sent.
struct Answering(Arc<Slot>);

impl Answering {
    fn start(slot: Arc<Slot>) -> Answering {
        slot.set(Activity::Answering);
        Answering(slot)
    }

    /// `response`, with the connection marked busy until its body has been sent, and as an
    /// event stream while it sends one.
    fn follow(self, response: Response<Body>) -> Response<Body> {
        let streaming = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|value| value.as_bytes().starts_with(b"text/event-stream"));
        if streaming {
            self.0.set(Activity::Streaming);
        }
        response.map(|body| {
            Body::new(Sending {
                body,
                _answering: self,
            })
        })
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.set(Activity::Waiting);
    }
}

/// A response body that keeps its request [`Answering`] until hyper has sent it and dropped it.
struct Sending {
    body: Body,
    _answering: Answering,
}

impl HttpBody for Sending {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_leaves_descriptors_to_spare() {
        assert_eq!(limit_for(256), 192);
        assert_eq!(limit_for(1024), MAX_CONNECTIONS);
        assert_eq!(limit_for(u64::MAX), MAX_CONNECTIONS);
        // A tiny limit still serves, with half the descriptors for connections.
        assert_eq!(limit_for(64), 32);
        assert_eq!(limit_for(0), 1);
    }

    /// Admit `count` connections; their slots, which keep them open.
    fn admit(open: &mut Open, count: usize) -> Vec<Arc<Slot>> {
        (0..count).map(|_| open.admit().expect("room").0).collect()
    }

    /// Whether `slot` was told to close.
    fn told_to_close(slot: &Slot) -> bool {
        let notified = slot.close.notified();
        let mut notified = pin!(notified);
        // A kept notice completes the future at its first poll.
        notified.as_mut().enable()
    }

    #[test]
    fn under_the_limit_nothing_is_closed() {
        let mut open = Open::new(3);
        let slots = admit(&mut open, 3);
        assert!(slots.iter().all(|slot| !told_to_close(slot)));
    }

    #[test]
    fn at_the_limit_the_oldest_waiting_connection_makes_room() {
        let mut open = Open::new(3);
        let slots = admit(&mut open, 3);
        slots[0].set(Activity::Answering);
        let (_, made_room) = open.admit().expect("room");
        assert!(made_room);
        assert!(!told_to_close(&slots[0]), "it is answering a request");
        assert!(told_to_close(&slots[1]), "the oldest waiting one");
        assert!(!told_to_close(&slots[2]));
    }

    #[test]
    fn the_connection_waiting_longest_goes_before_an_older_one_just_answered() {
        let mut open = Open::new(2);
        let slots = admit(&mut open, 2);
        let now = Instant::now();
        // The older connection has just sent a response; the newer one never sent a thing.
        slots[0].set_at(Activity::Waiting, now + Duration::from_secs(5));
        slots[1].set_at(Activity::Waiting, now);
        open.admit().expect("room");
        assert!(!told_to_close(&slots[0]));
        assert!(told_to_close(&slots[1]));
    }

    #[test]
    fn then_the_oldest_event_stream_and_else_the_newcomer_is_turned_away() {
        let mut open = Open::new(3);
        let slots = admit(&mut open, 3);
        slots[0].set(Activity::Answering);
        slots[1].set(Activity::Streaming);
        slots[2].set(Activity::Streaming);
        let (newcomer, _) = open.admit().expect("room");
        assert!(told_to_close(&slots[1]));
        assert!(!told_to_close(&slots[2]));
        newcomer.set(Activity::Answering);
        slots[2].set(Activity::Answering);
        assert!(open.admit().is_none(), "every connection is answering");
    }

    #[test]
    fn closed_connections_give_their_room_back() {
        let mut open = Open::new(2);
        let mut slots = admit(&mut open, 2);
        for slot in &slots {
            slot.set(Activity::Answering);
        }
        assert!(open.admit().is_none());
        slots.pop();
        let (_, made_room) = open.admit().expect("room");
        assert!(!made_room);
    }
}
