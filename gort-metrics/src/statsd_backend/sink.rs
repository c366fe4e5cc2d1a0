//! The path from a record to the network: a non-blocking UDP socket whose datagram buffer is
//! fed by the sending thread of a [`Queue`]; and, for a sink of the caller's own, the thread
//! that flushes it every interval.

use super::errors::StatsdError;
use super::queue::Queue;
use cadence::BufferedUdpMetricSink;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the recording side and the sending thread count together.
#[derive(Debug, Default)]
pub(super) struct Progress {
    /// Lines lost: queue full, socket errors, failed flushes.
    pub(super) errors: AtomicU64,
}

impl Progress {
    pub(super) fn count_error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }
}

/// A non-blocking UDP socket on the wildcard address of `server`'s family, wrapped in the
/// datagram buffer, behind the queue.
///
/// # Errors
///
/// [`StatsdError::Socket`] when the socket could not be opened or set up,
/// [`StatsdError::Thread`] when the sending thread could not be spawned.
pub(super) fn udp(
    server: SocketAddr,
    queue_capacity: usize,
    flush_interval: Duration,
    progress: &Arc<Progress>,
) -> Result<Queue, StatsdError> {
    let socket = || -> io::Result<BufferedUdpMetricSink> {
        let local: SocketAddr = if server.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            ([0u16; 8], 0).into()
        };
        let socket = UdpSocket::bind(local)?;
        socket.set_nonblocking(true)?;
        BufferedUdpMetricSink::from(server, socket).map_err(io::Error::other)
    };
    let udp = socket().map_err(|source| StatsdError::Socket { server, source })?;
    Queue::start(udp, queue_capacity, flush_interval, progress)
        .map_err(|source| StatsdError::Thread { source })
}

/// The thread that flushes a caller's sink every interval; stops and is joined on drop.
#[derive(Debug)]
pub(super) struct Flusher {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Flusher {
    /// Calls `flush` every `interval` until dropped. No thread when it cannot be spawned: the
    /// sink then still gets [`StatsdCollector::flush`] and the flush on drop.
    ///
    /// [`StatsdCollector::flush`]: crate::StatsdCollector::flush
    pub(super) fn start(interval: Duration, flush: impl Fn() + Send + 'static) -> Self {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("gort-statsd-flush".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
                    flush();
                }
            })
            .ok();
        Flusher {
            stop: Some(stop),
            thread,
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        // Dropping the sender disconnects the channel, which ends the wait at once.
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
