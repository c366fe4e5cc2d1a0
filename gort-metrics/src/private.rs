//! The API that `#[timed]` and `#[retried]` expand to. Not public: its names and signatures
//! change without notice. Generated code reaches it as `::gort_metrics::__private`.

pub use crate::retry::private::*;
pub use crate::timing::private::*;
