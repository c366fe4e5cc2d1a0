//! [`MetricsServerBuilder`]: the endpoint's limits, when the defaults do not fit.

use super::MetricsServer;
use super::errors::ExporterError;
use prometheus::Registry;
use std::net::ToSocketAddrs;
use std::time::Duration;

/// The longest timeout accepted. Far beyond any useful value, and short enough that adding it
/// to the current time can never overflow the clock.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The limits one endpoint enforces, checked by [`Limits::validate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Limits {
    pub(super) header_read_timeout: Duration,
    pub(super) write_timeout: Duration,
    pub(super) max_connections: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: MetricsServer::DEFAULT_HEADER_READ_TIMEOUT,
            write_timeout: MetricsServer::DEFAULT_WRITE_TIMEOUT,
            max_connections: MetricsServer::DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl Limits {
    pub(super) fn validate(self) -> Result<Self, ExporterError> {
        for (name, timeout) in [
            ("header_read_timeout", self.header_read_timeout),
            ("write_timeout", self.write_timeout),
        ] {
            if timeout.is_zero() || timeout > MAX_TIMEOUT {
                return Err(ExporterError::Limit {
                    name,
                    value: format!("{timeout:?}"),
                    accepted: "above zero and at most 24 hours",
                });
            }
        }
        // The connection slots are semaphore permits, of which a 32-bit target has fewer than
        // `u32::MAX`.
        let permits = usize::try_from(self.max_connections).unwrap_or(usize::MAX);
        if self.max_connections == 0 || permits > tokio::sync::Semaphore::MAX_PERMITS {
            return Err(ExporterError::Limit {
                name: "max_connections",
                value: self.max_connections.to_string(),
                accepted: "at least 1 (and below 2^29 on 32-bit targets)",
            });
        }
        Ok(self)
    }
}

/// Builds a [`MetricsServer`] with limits other than the defaults listed there.
///
/// ```
/// use gort_metrics::{MetricsServer, PrometheusCollector};
/// use std::time::Duration;
///
/// let collector = PrometheusCollector::new();
/// let server = MetricsServer::builder()
///     .header_read_timeout(Duration::from_secs(5))
///     .write_timeout(Duration::from_secs(30))
///     .max_connections(64)
///     .bind("127.0.0.1:0", collector.registry())?;
/// # drop(server);
/// # Ok::<(), gort_metrics::ExporterError>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `bind` is called"]
pub struct MetricsServerBuilder {
    limits: Limits,
}

impl MetricsServerBuilder {
    /// The defaults: [`MetricsServer::DEFAULT_HEADER_READ_TIMEOUT`],
    /// [`MetricsServer::DEFAULT_WRITE_TIMEOUT`], [`MetricsServer::DEFAULT_MAX_CONNECTIONS`].
    ///
    /// ```
    /// use gort_metrics::{MetricsServerBuilder, PrometheusCollector};
    ///
    /// let server = MetricsServerBuilder::new()
    ///     .bind("127.0.0.1:0", PrometheusCollector::new().registry())?;
    /// # drop(server);
    /// # Ok::<(), gort_metrics::ExporterError>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// How long a connection may take to send a complete request head, counted from when it
    /// is accepted and again from the end of each response; a kept-alive connection that
    /// sends nothing is closed after this long too. Must be above zero and at most a day.
    ///
    /// ```
    /// use gort_metrics::{MetricsServer, PrometheusCollector};
    /// use std::io::Read;
    /// use std::net::TcpStream;
    /// use std::time::Duration;
    ///
    /// let server = MetricsServer::builder()
    ///     .header_read_timeout(Duration::from_millis(100))
    ///     .bind("127.0.0.1:0", PrometheusCollector::new().registry())?;
    /// let mut idle = TcpStream::connect(server.local_addr()).unwrap();
    /// idle.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    /// // The endpoint closes the connection that never sent a request: end of stream.
    /// assert_eq!(idle.read(&mut [0; 16]).ok(), Some(0));
    /// # Ok::<(), gort_metrics::ExporterError>(())
    /// ```
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// How long writing a response's head, and then its body, may take before the connection
    /// is dropped: the bound on a client that asks and does not read. Must be above zero and
    /// at most a day.
    ///
    /// ```
    /// use gort_metrics::{MetricsServer, PrometheusCollector};
    /// use std::time::Duration;
    ///
    /// let server = MetricsServer::builder()
    ///     .write_timeout(Duration::from_secs(30))
    ///     .bind("127.0.0.1:0", PrometheusCollector::new().registry())?;
    /// # drop(server);
    /// # Ok::<(), gort_metrics::ExporterError>(())
    /// ```
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.limits.write_timeout = timeout;
        self
    }

    /// How many connections are served at once. Further ones wait in the listen backlog until
    /// one closes, which the timeouts guarantee. Must be at least 1 (and below 2^29 on 32-bit
    /// targets).
    ///
    /// ```
    /// use gort_metrics::{ExporterError, MetricsServer, PrometheusCollector};
    ///
    /// let registry = PrometheusCollector::new().registry().clone();
    /// let refused = MetricsServer::builder().max_connections(0).bind("127.0.0.1:0", &registry);
    /// assert!(matches!(refused, Err(ExporterError::Limit { name: "max_connections", .. })));
    /// ```
    pub fn max_connections(mut self, connections: u32) -> Self {
        self.limits.max_connections = connections;
        self
    }

    /// Binds `address` and serves `registry` there with these limits, as
    /// [`MetricsServer::bind`] does with the defaults.
    ///
    /// # Errors
    ///
    /// [`ExporterError::Limit`] when a limit is out of range, and the errors of
    /// [`MetricsServer::bind`].
    ///
    /// ```
    /// use gort_metrics::{ExporterError, MetricsServer, PrometheusCollector};
    /// use std::time::Duration;
    ///
    /// let registry = PrometheusCollector::new().registry().clone();
    /// let error = MetricsServer::builder()
    ///     .write_timeout(Duration::ZERO)
    ///     .bind("127.0.0.1:0", &registry)
    ///     .unwrap_err();
    /// assert!(error.to_string().contains("write_timeout"), "{error}");
    /// ```
    pub fn bind(
        self,
        address: impl ToSocketAddrs,
        registry: &Registry,
    ) -> Result<MetricsServer, ExporterError> {
        MetricsServer::start(address, registry, self.limits.validate()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        assert_eq!(Limits::default().validate().ok(), Some(Limits::default()));
    }

    #[test]
    fn out_of_range_limits_are_named_with_their_value() {
        let cases = [
            (
                Limits {
                    header_read_timeout: Duration::ZERO,
                    ..Limits::default()
                },
                "header_read_timeout",
                "0ns",
            ),
            (
                Limits {
                    write_timeout: MAX_TIMEOUT + Duration::from_nanos(1),
                    ..Limits::default()
                },
                "write_timeout",
                "86400.000000001s",
            ),
            (
                Limits {
                    max_connections: 0,
                    ..Limits::default()
                },
                "max_connections",
                "0",
            ),
        ];
        for (limits, expected_name, expected_value) in cases {
            match limits.validate() {
                Err(ExporterError::Limit { name, value, .. }) => {
                    assert_eq!((name, value.as_str()), (expected_name, expected_value));
                }
                other => panic!("{limits:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn the_extremes_of_each_range_are_accepted() {
        for limits in [
            Limits {
                header_read_timeout: MAX_TIMEOUT,
                write_timeout: MAX_TIMEOUT,
                max_connections: 1,
            },
            Limits {
                header_read_timeout: Duration::from_nanos(1),
                write_timeout: Duration::from_nanos(1),
                max_connections: u32::try_from(tokio::sync::Semaphore::MAX_PERMITS)
                    .unwrap_or(u32::MAX),
            },
        ] {
            assert_eq!(limits.validate().ok(), Some(limits));
        }
    }
}
