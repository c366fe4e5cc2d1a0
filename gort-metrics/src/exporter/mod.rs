//! [`MetricsServer`]: a `/metrics` endpoint on a background thread of its own, for services
//! without an async runtime (or that would rather not route metrics through it).
//!
//! The HTTP side is hyper's HTTP/1 server on a single-threaded tokio runtime that the endpoint
//! owns: requests are parsed by a server built for hostile clients, and idle or slow
//! connections cost a few kilobytes each, not a thread.

mod builder;
mod errors;
#[cfg(feature = "http")]
mod handler;
mod io;
mod routes;
mod serve;

pub use builder::MetricsServerBuilder;
pub use errors::ExporterError;
#[cfg(feature = "http")]
pub use handler::metrics_response;

use builder::Limits;
use prometheus::Registry;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::watch;

/// Serves the text exposition of a [`Registry`] at `GET /metrics` from a background thread, with
/// `Content-Type: text/plain; version=0.0.4` (`TextEncoder::format_type()`).
///
/// Other paths answer `404`, other methods on `/metrics` answer `405`; a request target in
/// absolute form (`GET http://host:9184/metrics`) is served like `/metrics`. Each scrape
/// renders the registry afresh, so it always shows what was recorded up to that moment.
///
/// # Limits
///
/// The endpoint is meant to be reachable by whatever can reach the port, so no client can
/// stall it, exhaust its memory or end it:
///
/// | limit | default | on breach |
/// |---|---|---|
/// | request line and headers | [`MAX_HEADER_BYTES`](Self::MAX_HEADER_BYTES) = 16 KiB, [`MAX_HEADERS`](Self::MAX_HEADERS) = 64 fields | `431 Request Header Fields Too Large`, connection closed |
/// | header-read and keep-alive idle timeout | [`DEFAULT_HEADER_READ_TIMEOUT`](Self::DEFAULT_HEADER_READ_TIMEOUT) = 10 s from accept, and again from the end of each response | connection closed |
/// | write timeout | [`DEFAULT_WRITE_TIMEOUT`](Self::DEFAULT_WRITE_TIMEOUT) = 10 s for a response's head, then again for its body | connection dropped |
/// | connections served at once | [`DEFAULT_MAX_CONNECTIONS`](Self::DEFAULT_MAX_CONNECTIONS) = 512 | further ones wait in the listen backlog |
/// | a failed `accept` (out of file descriptors, memory) | retried after 10 ms, doubling to 1 s | the endpoint keeps serving once resources are back |
/// | threads | one, named `gort-metrics-exporter`, for all connections | |
///
/// [`MetricsServer::builder`] changes the timeouts and the connection limit. Each open
/// connection holds at most a 32 KiB read buffer and, while it is being written, the response.
/// The write timeout matches Prometheus's default scrape timeout: a scraper that has not read
/// its answer by then has given up on it.
///
/// # Shutdown
///
/// Dropping the handle (or calling [`shutdown`](Self::shutdown)) stops the endpoint: it stops
/// accepting and releases the port at once, lets responses under way finish for up to
/// [`SHUTDOWN_GRACE`](Self::SHUTDOWN_GRACE) (500 ms), closes every connection, and joins its
/// thread before returning. Keep the handle alive for as long as the endpoint should run.
///
/// ```
/// use gort_metrics::{Collector, MetricsServer, PrometheusCollector};
/// use std::io::{Read, Write};
/// use std::net::TcpStream;
///
/// let collector = PrometheusCollector::new();
/// collector.record_session_active(3);
///
/// // Port 0: the system picks a free port; `local_addr` says which.
/// let server = MetricsServer::bind("127.0.0.1:0", collector.registry())?;
///
/// let mut stream = TcpStream::connect(server.local_addr()).unwrap();
/// stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
/// let mut response = String::new();
/// stream.read_to_string(&mut response).unwrap();
/// assert!(response.starts_with("HTTP/1.1 200"));
/// assert!(response.contains("\ngort_sessions_active 3\n"));
///
/// server.shutdown();
/// # Ok::<(), gort_metrics::ExporterError>(())
/// ```
#[must_use = "the endpoint stops when the `MetricsServer` is dropped"]
pub struct MetricsServer {
    address: SocketAddr,
    /// Dropping it is the stop signal.
    stop: Option<watch::Sender<()>>,
    worker: Option<JoinHandle<()>>,
}

impl core::fmt::Debug for MetricsServer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MetricsServer")
            .field("local_addr", &self.address)
            .field("running", &self.worker.is_some())
            .finish_non_exhaustive()
    }
}

impl MetricsServer {
    /// The most bytes a request's line and headers may take together; a longer head is
    /// answered `431` and its connection closed, whatever the rest of it would have been.
    ///
    /// ```
    /// assert_eq!(gort_metrics::MetricsServer::MAX_HEADER_BYTES, 16 * 1024);
    /// ```
    pub const MAX_HEADER_BYTES: usize = serve::MAX_HEADER_BYTES;

    /// The most header fields a request may have; more are answered `431`.
    ///
    /// ```
    /// assert_eq!(gort_metrics::MetricsServer::MAX_HEADERS, 64);
    /// ```
    pub const MAX_HEADERS: usize = serve::MAX_HEADERS;

    /// How long a connection may take to send a complete request head after it is accepted
    /// or after its previous response, unless
    /// [`header_read_timeout`](MetricsServerBuilder::header_read_timeout) says otherwise.
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(gort_metrics::MetricsServer::DEFAULT_HEADER_READ_TIMEOUT, Duration::from_secs(10));
    /// ```
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

    /// How long writing a response's head, and then its body, may take, unless
    /// [`write_timeout`](MetricsServerBuilder::write_timeout) says otherwise.
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(gort_metrics::MetricsServer::DEFAULT_WRITE_TIMEOUT, Duration::from_secs(10));
    /// ```
    pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(10);

    /// How many connections are served at once, unless
    /// [`max_connections`](MetricsServerBuilder::max_connections) says otherwise.
    ///
    /// ```
    /// assert_eq!(gort_metrics::MetricsServer::DEFAULT_MAX_CONNECTIONS, 512);
    /// ```
    pub const DEFAULT_MAX_CONNECTIONS: u32 = 512;

    /// How long connections still open at shutdown get to finish their responses.
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(gort_metrics::MetricsServer::SHUTDOWN_GRACE, Duration::from_millis(500));
    /// ```
    pub const SHUTDOWN_GRACE: Duration = serve::SHUTDOWN_GRACE;

    /// Binds `address` and serves `registry` there, with the default limits, until the handle
    /// is dropped.
    ///
    /// The registry is shared, not copied: metrics registered in it later show up too.
    /// Use `"0.0.0.0:9184"` to be scraped from elsewhere, `"127.0.0.1:0"` for a free local port.
    ///
    /// # Errors
    ///
    /// [`ExporterError::Resolve`] when `address` does not resolve, [`ExporterError::Bind`] (with
    /// the address in its message) when it is in use or cannot be bound, and
    /// [`ExporterError::Start`] when the runtime or the thread cannot be started. Nothing is
    /// left running then.
    ///
    /// ```
    /// use gort_metrics::{ExporterError, MetricsServer, PrometheusCollector};
    ///
    /// let registry = PrometheusCollector::new().registry().clone();
    /// let server = MetricsServer::bind("127.0.0.1:0", &registry)?;
    /// let taken = server.local_addr();
    /// assert!(matches!(
    ///     MetricsServer::bind(taken, &registry),
    ///     Err(ExporterError::Bind { .. })
    /// ));
    /// # Ok::<(), ExporterError>(())
    /// ```
    pub fn bind(address: impl ToSocketAddrs, registry: &Registry) -> Result<Self, ExporterError> {
        MetricsServerBuilder::new().bind(address, registry)
    }

    /// A builder for an endpoint with other timeouts or another connection limit.
    ///
    /// ```
    /// use gort_metrics::{MetricsServer, PrometheusCollector};
    ///
    /// let server = MetricsServer::builder()
    ///     .max_connections(16)
    ///     .bind("127.0.0.1:0", PrometheusCollector::new().registry())?;
    /// # drop(server);
    /// # Ok::<(), gort_metrics::ExporterError>(())
    /// ```
    pub fn builder() -> MetricsServerBuilder {
        MetricsServerBuilder::new()
    }

    fn start(
        address: impl ToSocketAddrs,
        registry: &Registry,
        limits: Limits,
    ) -> Result<Self, ExporterError> {
        let addresses: Vec<SocketAddr> = address
            .to_socket_addrs()
            .map_err(|source| ExporterError::Resolve { source })?
            .collect();
        let listener = bind_first(&addresses)?;
        let address = listener
            .local_addr()
            .map_err(|source| ExporterError::Bind {
                addresses: addresses.clone(),
                source,
            })?;
        let start_error = |source: std::io::Error| ExporterError::Start {
            address,
            source: Box::new(source),
        };
        listener.set_nonblocking(true).map_err(start_error)?;
        // No worker threads: the runtime runs on the endpoint's own thread, in `block_on`.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(start_error)?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(start_error)?
        };
        let (stop, stopped) = watch::channel(());
        let registry = registry.clone();
        let worker = std::thread::Builder::new()
            .name("gort-metrics-exporter".into())
            .spawn(move || {
                runtime.block_on(serve::serve(listener, registry, limits, stopped));
                // Dropping the runtime here, on this thread, ends the connections that
                // outlived the grace period before `shutdown` returns.
                drop(runtime);
            })
            .map_err(start_error)?;
        Ok(MetricsServer {
            address,
            stop: Some(stop),
            worker: Some(worker),
        })
    }

    /// The address the endpoint listens on, with the actual port when bound to port 0.
    ///
    /// ```
    /// use gort_metrics::{MetricsServer, PrometheusCollector};
    ///
    /// let server = MetricsServer::bind("127.0.0.1:0", PrometheusCollector::new().registry())?;
    /// assert_ne!(server.local_addr().port(), 0);
    /// println!("scrape http://{}/metrics", server.local_addr());
    /// # Ok::<(), gort_metrics::ExporterError>(())
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Stops the endpoint and waits for its thread to end; the same as dropping the handle,
    /// but reads as intended. Returns within [`SHUTDOWN_GRACE`](Self::SHUTDOWN_GRACE) and a
    /// little more.
    ///
    /// ```
    /// use gort_metrics::{MetricsServer, PrometheusCollector};
    ///
    /// let server = MetricsServer::bind("127.0.0.1:0", PrometheusCollector::new().registry())?;
    /// server.shutdown();
    /// # Ok::<(), gort_metrics::ExporterError>(())
    /// ```
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        drop(self.stop.take());
        if let Some(worker) = self.worker.take() {
            // The worker renders and writes responses, neither of which panics; should it have
            // panicked anyway, there is nothing left to stop.
            let _ = worker.join();
        }
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn bind_first(addresses: &[SocketAddr]) -> Result<TcpListener, ExporterError> {
    let mut last_error = None;
    for address in addresses {
        match TcpListener::bind(address) {
            Ok(listener) => return Ok(listener),
            Err(error) => last_error = Some(error),
        }
    }
    let source = last_error.unwrap_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "no addresses to bind")
    });
    Err(ExporterError::Bind {
        addresses: addresses.to_vec(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handle_can_be_kept_anywhere() {
        fn movable_and_shareable<T: Send + Sync + 'static>() {}
        movable_and_shareable::<MetricsServer>();
        movable_and_shareable::<MetricsServerBuilder>();
        movable_and_shareable::<ExporterError>();
    }
}
