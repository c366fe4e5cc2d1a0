//! The path from a record to the network: a bounded queue in front of a buffered,
//! non-blocking UDP socket, with just enough bookkeeping to flush on demand.
//!
//! Recording threads only push a line onto the queue (a failed push is a dropped metric, never
//! a blocked caller); cadence's worker thread writes lines into a datagram buffer; a flusher
//! thread sends a partly filled buffer every interval, so that a quiet service's metrics
//! still arrive.

use cadence::{BufferedUdpMetricSink, MetricSink, QueuingMetricSink};
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Counts shared by the recording side and the worker.
#[derive(Debug, Default)]
pub(super) struct Progress {
    /// Lines the queue accepted.
    accepted: AtomicU64,
    /// Lines the worker has handed to the UDP buffer (sent or not).
    written: AtomicU64,
    /// Lines lost: queue full, socket errors, failed flushes.
    pub(super) errors: AtomicU64,
}

impl Progress {
    pub(super) fn count_error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Waits (at most `limit`) until the worker has written every accepted line.
    fn wait_for_worker(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.written.load(Ordering::Acquire) < self.accepted.load(Ordering::Acquire)
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

/// The worker's end: the UDP buffer, counting what passes through.
struct Written {
    udp: BufferedUdpMetricSink,
    progress: Arc<Progress>,
}

impl MetricSink for Written {
    fn emit(&self, line: &str) -> io::Result<usize> {
        let result = self.udp.emit(line);
        self.progress.written.fetch_add(1, Ordering::Release);
        result
    }

    fn flush(&self) -> io::Result<()> {
        self.udp.flush()
    }
}

/// The recording end: the queue, counting what it accepts.
pub(super) struct Queued {
    queue: QueuingMetricSink,
    progress: Arc<Progress>,
}

impl MetricSink for Queued {
    fn emit(&self, line: &str) -> io::Result<usize> {
        let result = self.queue.emit(line);
        if result.is_ok() {
            self.progress.accepted.fetch_add(1, Ordering::Release);
        }
        result
    }

    fn flush(&self) -> io::Result<()> {
        // Lines still queued would miss this flush; the worker drains a full queue in far
        // less than this, and a stuck socket must not hold the caller for long.
        self.progress.wait_for_worker(Duration::from_secs(1));
        self.queue.flush()
    }
}

/// A non-blocking UDP socket on the wildcard address of `server`'s family, wrapped in the
/// buffer and the queue.
pub(super) fn udp(
    server: SocketAddr,
    queue_capacity: usize,
    progress: &Arc<Progress>,
) -> io::Result<Queued> {
    let local: SocketAddr = if server.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let socket = UdpSocket::bind(local)?;
    socket.set_nonblocking(true)?;
    let udp = BufferedUdpMetricSink::from(server, socket).map_err(io::Error::other)?;
    let written = Written {
        udp,
        progress: Arc::clone(progress),
    };
    let worker_progress = Arc::clone(progress);
    let queue = QueuingMetricSink::builder()
        .with_capacity(queue_capacity)
        .with_error_handler(move |_| worker_progress.count_error())
        .build(written);
    Ok(Queued {
        queue,
        progress: Arc::clone(progress),
    })
}

/// The thread that flushes every interval; stops and is joined on drop.
#[derive(Debug)]
pub(super) struct Flusher {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Flusher {
    /// Calls `flush` every `interval` until dropped. No thread when it cannot be spawned: the
    /// buffer then still goes out whenever it fills, and on [`StatsdCollector::flush`].
    ///
    /// [`StatsdCollector::flush`]: crate::StatsdCollector::flush
    pub(super) fn start(interval: Duration, flush: impl Fn() + Send + 'static) -> Self {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("gort-metrics-statsd-flush".into())
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
