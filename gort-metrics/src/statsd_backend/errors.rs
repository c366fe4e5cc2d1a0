//! [`StatsdError`]: why a StatsD collector could not be built.

use std::net::SocketAddr;
use std::{fmt, io};

/// Why [`StatsdBuilder::build`](crate::StatsdBuilder::build) could not set up the UDP sink or
/// its sending thread.
///
/// Only setting up can fail: once built, a collector never reports send failures to its caller
/// (it counts them, see [`StatsdCollector::send_errors`](crate::StatsdCollector::send_errors)).
///
/// ```
/// use gort_metrics::{StatsdCollector, StatsdError};
///
/// let error = StatsdCollector::new("no port here").unwrap_err();
/// assert!(matches!(error, StatsdError::Resolve { .. }));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum StatsdError {
    /// The server address did not resolve to any socket address.
    Resolve {
        /// What resolving reported.
        source: io::Error,
    },
    /// The local UDP socket for sending to `server` could not be set up.
    Socket {
        /// The StatsD server the socket was for.
        server: SocketAddr,
        /// What the socket calls reported.
        source: io::Error,
    },
    /// The thread that sends the queued lines could not be started.
    Thread {
        /// What spawning the thread reported.
        source: io::Error,
    },
}

impl fmt::Display for StatsdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatsdError::Resolve { source } => {
                write!(f, "cannot resolve the StatsD server address: {source}")
            }
            StatsdError::Socket { server, source } => {
                write!(
                    f,
                    "cannot open a UDP socket to the StatsD server {server}: {source}"
                )
            }
            StatsdError::Thread { source } => {
                write!(f, "cannot start the StatsD sending thread: {source}")
            }
        }
    }
}

impl std::error::Error for StatsdError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StatsdError::Resolve { source }
            | StatsdError::Socket { source, .. }
            | StatsdError::Thread { source } => Some(source),
        }
    }
}
