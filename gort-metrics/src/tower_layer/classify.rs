//! How a [`TimedLayer`](super::TimedLayer) reads a result as an [`Outcome`].

use crate::collector::Outcome;

/// Reads a service's result as an [`Outcome`]. Implemented by [`DefaultClassifier`] and by
/// every `Fn(&Result<T, E>) -> Outcome`.
///
/// ```
/// use gort_metrics::Outcome;
/// use gort_metrics::tower::{Classify, DefaultClassifier};
///
/// let failed: Result<(), &str> = Err("down");
/// assert_eq!(DefaultClassifier.classify(&failed), Outcome::Error);
/// let by_hand = |_: &Result<(), &str>| Outcome::Ok;
/// assert_eq!(by_hand.classify(&failed), Outcome::Ok);
/// ```
pub trait Classify<T, E> {
    /// The outcome of one request.
    fn classify(&self, result: &Result<T, E>) -> Outcome;
}

impl<T, E, F: Fn(&Result<T, E>) -> Outcome> Classify<T, E> for F {
    #[inline]
    fn classify(&self, result: &Result<T, E>) -> Outcome {
        self(result)
    }
}

/// The default rule: an `Err` is [`Outcome::Error`]; an `Ok` response is what its
/// [`ClassifyResponse`] impl says.
///
/// ```
/// use gort_metrics::Outcome;
/// use gort_metrics::tower::{Classify, DefaultClassifier};
///
/// let answer = http::Response::builder().status(503).body(()).unwrap();
/// assert_eq!(DefaultClassifier.classify(&Ok::<_, ()>(answer)), Outcome::Error);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultClassifier;

impl<T: ClassifyResponse, E> Classify<T, E> for DefaultClassifier {
    #[inline]
    fn classify(&self, result: &Result<T, E>) -> Outcome {
        match result {
            Ok(response) => response.outcome(),
            Err(_) => Outcome::Error,
        }
    }
}

/// How a successful response reads under the [`DefaultClassifier`]: `http::Response` is an
/// error for a 5xx status; the default method says [`Outcome::Ok`].
///
/// Implement it for your own response type to use [`TimedLayer`](super::TimedLayer) with the
/// default rule (one line when every response is a success), or pass a function to
/// [`classify_with`](super::TimedLayer::classify_with).
///
/// ```
/// use gort_metrics::Outcome;
/// use gort_metrics::tower::ClassifyResponse;
///
/// struct Reply { delivered: bool }
///
/// impl ClassifyResponse for Reply {
///     fn outcome(&self) -> Outcome {
///         if self.delivered { Outcome::Ok } else { Outcome::Error }
///     }
/// }
///
/// assert_eq!(Reply { delivered: false }.outcome(), Outcome::Error);
/// assert_eq!(String::from("pong").outcome(), Outcome::Ok);
/// ```
pub trait ClassifyResponse {
    /// The outcome of a request answered with this response.
    fn outcome(&self) -> Outcome {
        Outcome::Ok
    }
}

impl<B> ClassifyResponse for http::Response<B> {
    #[inline]
    fn outcome(&self) -> Outcome {
        if self.status().is_server_error() {
            Outcome::Error
        } else {
            Outcome::Ok
        }
    }
}

/// Plain responses: every one a success.
macro_rules! successful_responses {
    ($($response:ty),+ $(,)?) => {$(
        impl ClassifyResponse for $response {}
    )+};
}

successful_responses!(
    (),
    bool,
    u8,
    u16,
    u32,
    u64,
    usize,
    i32,
    i64,
    String,
    &'static str,
    Vec<u8>,
    Box<str>,
    std::sync::Arc<str>,
);
