//! [`ExporterError`]: why a `/metrics` endpoint could not start.

use std::net::SocketAddr;
use std::{fmt, io};

/// Why [`MetricsServer::bind`](crate::MetricsServer::bind) could not start the endpoint.
///
/// The message names the address, so that a log line says which port was taken:
///
/// ```
/// use gort_metrics::{MetricsServer, PrometheusCollector};
///
/// let collector = PrometheusCollector::new();
/// let first = MetricsServer::bind("127.0.0.1:0", collector.registry())?;
/// let taken = first.local_addr();
/// let error = MetricsServer::bind(taken, collector.registry()).unwrap_err();
/// assert!(error.to_string().contains(&taken.to_string()));
/// # Ok::<(), gort_metrics::ExporterError>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ExporterError {
    /// The address did not resolve to any socket address.
    Resolve {
        /// What resolving reported.
        source: io::Error,
    },
    /// No resolved address could be bound: in use, not local, or not permitted.
    Bind {
        /// The addresses tried, in order.
        addresses: Vec<SocketAddr>,
        /// What binding the last of them reported.
        source: io::Error,
    },
    /// A limit given to [`MetricsServerBuilder`](crate::MetricsServerBuilder) is out of range.
    Limit {
        /// The builder method's name, such as `"write_timeout"`.
        name: &'static str,
        /// The value given.
        value: String,
        /// What the limit accepts.
        accepted: &'static str,
    },
    /// The endpoint could not start on the bound socket: its runtime, its registration of the
    /// socket, or its thread could not be created.
    Start {
        /// The bound address.
        address: SocketAddr,
        /// What the system reported.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl fmt::Display for ExporterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExporterError::Resolve { source } => {
                write!(f, "cannot resolve the metrics endpoint address: {source}")
            }
            ExporterError::Bind { addresses, source } => {
                let addresses: Vec<String> = addresses.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "cannot bind the metrics endpoint to {}: {source}",
                    addresses.join(", ")
                )
            }
            ExporterError::Limit {
                name,
                value,
                accepted,
            } => {
                write!(
                    f,
                    "the metrics endpoint's {name} of {value} is out of range: it must be {accepted}"
                )
            }
            ExporterError::Start { address, source } => {
                write!(
                    f,
                    "cannot start the metrics endpoint on {address}: {source}"
                )
            }
        }
    }
}

impl std::error::Error for ExporterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExporterError::Resolve { source } | ExporterError::Bind { source, .. } => Some(source),
            ExporterError::Start { source, .. } => Some(source.as_ref()),
            ExporterError::Limit { .. } => None,
        }
    }
}
