//! The endpoint's one thread: accepting connections within the limits, serving each with
//! hyper, backing off when accepting fails, and stopping when told.

use super::builder::Limits;
use super::io::{ClientStream, TokioTimer};
use super::routes::respond;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use prometheus::Registry;
use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

/// The most bytes a request line and its headers may take; beyond it the answer is `431`.
pub(super) const MAX_HEADER_BYTES: usize = 16 * 1024;

/// The most header fields a request may have; beyond it the answer is `431`.
pub(super) const MAX_HEADERS: usize = 64;

/// How long connections still open at shutdown get to finish their responses.
pub(super) const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// hyper's read buffer never grows past this: room for the largest head allowed plus one read.
const MAX_READ_BUFFER: usize = 2 * MAX_HEADER_BYTES;

/// The first and the longest wait after an `accept` that failed for want of resources.
const FIRST_ACCEPT_BACKOFF: Duration = Duration::from_millis(10);
pub(super) const MAX_ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// Resolves, and stays resolved, once the [`watch::Sender`] held by the `MetricsServer` is
/// dropped. Nothing is ever sent on it: its drop is the signal.
pub(super) struct StopSignal {
    changed: Pin<Box<dyn Future<Output = ()> + Send>>,
    stopped: bool,
}

impl StopSignal {
    pub(super) fn new(mut receiver: watch::Receiver<()>) -> Self {
        StopSignal {
            changed: Box::pin(async move { while receiver.changed().await.is_ok() {} }),
            stopped: false,
        }
    }

    fn poll_stopped(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if !self.stopped && self.changed.as_mut().poll(cx).is_ready() {
            self.stopped = true;
        }
        if self.stopped {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// `work`'s output, or `None` when the stop signal comes first.
    async fn unless_stopped<T>(&mut self, work: impl Future<Output = T>) -> Option<T> {
        let mut work = pin!(work);
        poll_fn(|cx| {
            if self.poll_stopped(cx).is_ready() {
                return Poll::Ready(None);
            }
            work.as_mut().poll(cx).map(Some)
        })
        .await
    }
}

/// Delays between failed accepts: doubling from [`FIRST_ACCEPT_BACKOFF`] up to
/// [`MAX_ACCEPT_BACKOFF`], back to the start after an accept succeeds.
#[derive(Debug, Default)]
struct AcceptBackoff {
    failures: u32,
}

impl AcceptBackoff {
    fn next_delay(&mut self) -> Duration {
        let delay = FIRST_ACCEPT_BACKOFF
            .saturating_mul(1 << self.failures.min(16))
            .min(MAX_ACCEPT_BACKOFF);
        self.failures = self.failures.saturating_add(1);
        delay
    }

    fn reset(&mut self) {
        self.failures = 0;
    }
}

/// Errors that concern only the connection being accepted, which is gone: the next accept can
/// follow at once. Anything else (out of file descriptors, of memory, of buffers) lasts a while.
fn concerns_one_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

fn http_settings(limits: &Limits) -> http1::Builder {
    let mut settings = http1::Builder::new();
    settings
        .timer(TokioTimer)
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(MAX_HEADER_BYTES)
        .max_headers(MAX_HEADERS)
        .max_buf_size(MAX_READ_BUFFER);
    settings
}

/// Accepts and serves until the stop signal, then gives open connections
/// [`SHUTDOWN_GRACE`] to finish.
pub(super) async fn serve(
    listener: TcpListener,
    registry: Registry,
    limits: Limits,
    stop: watch::Receiver<()>,
) {
    let settings = Arc::new(http_settings(&limits));
    let slots = Arc::new(Semaphore::new(limits.max_connections as usize));
    let mut stopped = StopSignal::new(stop.clone());
    let mut backoff = AcceptBackoff::default();
    loop {
        // A slot first: at the limit, new connections wait in the kernel's backlog rather
        // than being accepted and left unserved.
        let Some(Ok(slot)) = stopped
            .unless_stopped(Arc::clone(&slots).acquire_owned())
            .await
        else {
            break;
        };
        match stopped.unless_stopped(listener.accept()).await {
            None => break,
            Some(Ok((stream, _peer))) => {
                backoff.reset();
                tokio::spawn(serve_connection(
                    stream,
                    registry.clone(),
                    Arc::clone(&settings),
                    limits.write_timeout,
                    StopSignal::new(stop.clone()),
                    slot,
                ));
            }
            Some(Err(error)) if concerns_one_connection(&error) => {}
            Some(Err(error)) => {
                // The pending connection stays in the backlog, so accepting again at once would
                // fail again at once: wait, and serve it when resources are back.
                let delay = backoff.next_delay();
                tracing::warn!(%error, ?delay, "metrics endpoint cannot accept; retrying");
                if stopped
                    .unless_stopped(tokio::time::sleep(delay))
                    .await
                    .is_none()
                {
                    break;
                }
            }
        }
    }
    // Releases the port before the grace period, so that it can be bound again at once.
    drop(listener);
    let every_slot = slots.acquire_many(limits.max_connections);
    let _finished_or_not = tokio::time::timeout(SHUTDOWN_GRACE, every_slot).await;
}

async fn serve_connection(
    stream: TcpStream,
    registry: Registry,
    settings: Arc<http1::Builder>,
    write_timeout: Duration,
    mut stopped: StopSignal,
    _slot: OwnedSemaphorePermit,
) {
    // Responses go out in one write; Nagle's algorithm would only hold back their last segment.
    let _best_effort = stream.set_nodelay(true);
    let service = service_fn(move |request: Request<Incoming>| {
        let response = respond(&registry, request.method(), request.uri());
        std::future::ready(Ok::<Response<_>, Infallible>(response))
    });
    let connection = settings.serve_connection(ClientStream::new(stream, write_timeout), service);
    let mut connection = pin!(connection);
    let mut closing = false;
    let outcome = poll_fn(|cx| {
        if !closing && stopped.poll_stopped(cx).is_ready() {
            closing = true;
            // Idle connections close now; one in the middle of a response finishes it.
            connection.as_mut().graceful_shutdown();
        }
        connection.as_mut().poll(cx)
    })
    .await;
    if let Err(error) = outcome {
        // Timeouts, oversized heads and clients that hung up end here; none concerns the
        // application, and each already got what HTTP says it should.
        tracing::debug!(%error, "metrics connection closed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accept_backoff_doubles_to_its_cap_and_restarts() {
        let mut backoff = AcceptBackoff::default();
        let delays: Vec<u64> = (0..10)
            .map(|_| backoff.next_delay().as_millis() as u64)
            .collect();
        assert_eq!(delays, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
        backoff.failures = u32::MAX;
        assert_eq!(backoff.next_delay(), MAX_ACCEPT_BACKOFF);
        backoff.reset();
        assert_eq!(backoff.next_delay(), FIRST_ACCEPT_BACKOFF);
    }

    #[test]
    fn running_out_of_descriptors_backs_off_and_a_vanished_client_does_not() {
        let emfile = io::Error::from_raw_os_error(24);
        assert!(!concerns_one_connection(&emfile));
        assert!(!concerns_one_connection(&io::Error::from(
            io::ErrorKind::OutOfMemory
        )));
        assert!(concerns_one_connection(&io::Error::from(
            io::ErrorKind::ConnectionAborted
        )));
    }

    #[test]
    fn the_stop_signal_fires_on_the_senders_drop_and_stays_fired() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let (sender, receiver) = watch::channel(());
            let mut stopped = StopSignal::new(receiver);
            let quick = stopped.unless_stopped(async { 7 }).await;
            assert_eq!(quick, Some(7));
            drop(sender);
            let slow = stopped
                .unless_stopped(tokio::time::sleep(Duration::from_secs(60)))
                .await;
            assert_eq!(slow, None);
            assert_eq!(stopped.unless_stopped(async { 8 }).await, None);
        });
    }
}
