//! [`MetricsServer`]: a `/metrics` endpoint on a background thread, for services without an
//! async runtime (or that would rather not route metrics through it).
//!
//! The HTTP side is `tiny_http`: synchronous, no runtime, a handful of small dependencies, and
//! it owns the parsing of requests, which is where a hand-rolled server would go wrong.

mod errors;
#[cfg(feature = "http")]
mod handler;

pub use errors::ExporterError;
#[cfg(feature = "http")]
pub use handler::metrics_response;

use crate::prometheus_backend::render_registry;
use prometheus::{Encoder, Registry, TextEncoder};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

/// The path the exposition is served on.
const METRICS_PATH: &str = "/metrics";

/// Serves the text exposition of a [`Registry`] at `GET /metrics` from a background thread, with
/// `Content-Type: text/plain; version=0.0.4` (`TextEncoder::format_type()`).
///
/// Other paths answer `404`, other methods on `/metrics` answer `405`. Each scrape renders the
/// registry afresh, so it always shows what was recorded up to that moment.
///
/// Dropping the handle (or calling [`shutdown`](Self::shutdown)) stops the endpoint: requests
/// already received are answered, then the thread ends and is joined, and the port is released.
/// A scraper that kept its connection open gets no answer to a request sent after that; its
/// own scrape timeout closes the connection. Keep the handle alive for as long as the endpoint
/// should run.
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
    server: Arc<tiny_http::Server>,
    stopping: Arc<AtomicBool>,
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
    /// Binds `address` and serves `registry` there until the handle is dropped.
    ///
    /// The registry is shared, not copied: metrics registered in it later show up too.
    /// Use `"0.0.0.0:9184"` to be scraped from elsewhere, `"127.0.0.1:0"` for a free local port.
    ///
    /// # Errors
    ///
    /// [`ExporterError::Resolve`] when `address` does not resolve, [`ExporterError::Bind`] (with
    /// the address in its message) when it is in use or cannot be bound, and
    /// [`ExporterError::Start`] when the thread cannot be started. Nothing is left running then.
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
        let server = tiny_http::Server::from_listener(listener, None)
            .map_err(|source| ExporterError::Start { address, source })?;
        let server = Arc::new(server);
        let stopping = Arc::new(AtomicBool::new(false));
        let worker = std::thread::Builder::new()
            .name("gort-metrics-exporter".into())
            .spawn({
                let server = Arc::clone(&server);
                let stopping = Arc::clone(&stopping);
                let registry = registry.clone();
                move || serve(&server, &stopping, &registry)
            })
            .map_err(|source| ExporterError::Start {
                address,
                source: Box::new(source),
            })?;
        Ok(MetricsServer {
            address,
            server,
            stopping,
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
    /// but reads as intended.
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
        let Some(worker) = self.worker.take() else {
            return;
        };
        self.stopping.store(true, Ordering::Release);
        // Wakes the worker out of `recv`; requests queued before this are answered first.
        self.server.unblock();
        // The worker only renders and writes responses, neither of which panics; should it
        // have panicked anyway, there is nothing left to stop.
        let _ = worker.join();
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

/// The worker: answers requests until [`MetricsServer::stop`] unblocks it.
fn serve(server: &tiny_http::Server, stopping: &AtomicBool, registry: &Registry) {
    loop {
        match server.recv() {
            Ok(request) => answer(request, registry),
            Err(_) if stopping.load(Ordering::Acquire) => return,
            // A failed accept concerns one client; the endpoint keeps serving the others.
            Err(_) => continue,
        }
    }
}

/// What a request gets, decided from its method and URL alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Metrics,
    MethodNotAllowed,
    NotFound,
}

fn route(method: &tiny_http::Method, url: &str) -> Route {
    let path = url.split_once('?').map_or(url, |(path, _query)| path);
    if path != METRICS_PATH {
        return Route::NotFound;
    }
    match method {
        tiny_http::Method::Get | tiny_http::Method::Head => Route::Metrics,
        _ => Route::MethodNotAllowed,
    }
}

fn header(name: &str, value: &str) -> Option<tiny_http::Header> {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn answer(request: tiny_http::Request, registry: &Registry) {
    let response = match route(request.method(), request.url()) {
        Route::Metrics => {
            let response = tiny_http::Response::from_string(render_registry(registry));
            match header("Content-Type", TextEncoder::new().format_type()) {
                Some(content_type) => response.with_header(content_type),
                None => response,
            }
        }
        Route::MethodNotAllowed => {
            let response = tiny_http::Response::from_string("only GET and HEAD are allowed\n")
                .with_status_code(405);
            match header("Allow", "GET, HEAD") {
                Some(allow) => response.with_header(allow),
                None => response,
            }
        }
        Route::NotFound => tiny_http::Response::from_string("not found: metrics are at /metrics\n")
            .with_status_code(404),
    };
    // A client that hung up before reading its answer is no concern of the endpoint's.
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiny_http::Method;

    #[test]
    fn metrics_is_served_to_get_and_head_with_or_without_a_query() {
        assert_eq!(route(&Method::Get, "/metrics"), Route::Metrics);
        assert_eq!(route(&Method::Head, "/metrics"), Route::Metrics);
        assert_eq!(route(&Method::Get, "/metrics?name[]=x"), Route::Metrics);
    }

    #[test]
    fn other_methods_and_paths_are_refused() {
        assert_eq!(route(&Method::Post, "/metrics"), Route::MethodNotAllowed);
        assert_eq!(route(&Method::Get, "/"), Route::NotFound);
        assert_eq!(route(&Method::Get, "/metrics/"), Route::NotFound);
        assert_eq!(route(&Method::Get, "/metricsx"), Route::NotFound);
    }

    #[test]
    fn the_content_type_is_a_valid_header() {
        assert!(header("Content-Type", TextEncoder::new().format_type()).is_some());
    }
}
