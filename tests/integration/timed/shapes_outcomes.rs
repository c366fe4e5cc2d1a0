//! Outcome counting on the less common shapes: generics, `where` clauses, `impl Trait`
//! arguments, const generics, `Self` constructors, native `async fn` in traits, `unsafe fn`,
//! `Option` with `?` in an async body, and `Result`s of `impl Trait`.

use gort_metrics::{Outcome, WithCollectorExt, timed, with_collector};
use std::fmt::Debug;
use tests::RecordingCollector;

use Outcome::{Error, Ok as Fine};

#[timed(middleware = "generic")]
fn parse_as<T: std::str::FromStr>(text: impl AsRef<str>) -> Result<T, T::Err>
where
    T::Err: Debug,
{
    text.as_ref().parse()
}

#[timed(middleware = "const_generic")]
fn first<const N: usize>(items: [u8; N]) -> Result<u8, usize> {
    items.first().copied().ok_or(N)
}

#[derive(Debug, PartialEq)]
struct Port(u16);

#[timed(middleware = "port")]
impl Port {
    fn new(value: u32) -> Result<Self, String> {
        u16::try_from(value)
            .map(Port)
            .map_err(|error| error.to_string())
    }

    /// # Safety
    /// None needed: the fn is `unsafe` only to show the shape is accepted.
    unsafe fn unchecked(value: u16) -> Result<Self, String> {
        Ok(Port(value))
    }

    fn evens(limit: u16) -> Result<impl Iterator<Item = u16>, String> {
        if limit == 0 {
            return Err("empty".into());
        }
        Ok((0..limit).filter(|n| n % 2 == 0))
    }
}

trait Lookup {
    async fn lookup(&self, key: u8) -> Option<u8>;
    async fn fetch<T: Default + Send>(&self, ok: bool) -> Result<T, String>;
}

struct Table;

impl Lookup for Table {
    #[timed(middleware = "lookup")]
    async fn lookup(&self, key: u8) -> Option<u8> {
        let half = key.checked_sub(1)?;
        Some(half / 2)
    }

    #[timed(middleware = "fetch")]
    async fn fetch<T: Default + Send>(&self, ok: bool) -> Result<T, String> {
        if ok {
            Ok(T::default())
        } else {
            Err("no".into())
        }
    }
}

#[timed(middleware = "identity")]
async fn identity<T>(value: T) -> T {
    value
}

fn expected(pairs: &[(&str, Outcome)]) -> Vec<(String, Outcome)> {
    pairs
        .iter()
        .map(|(label, outcome)| ((*label).to_owned(), *outcome))
        .collect()
}

#[test]
fn sync_shapes_count_their_results() {
    let collector = RecordingCollector::new();
    with_collector(collector.clone(), || {
        assert_eq!(parse_as::<u8>("7"), Ok(7));
        assert!(parse_as::<u8>(String::from("x")).is_err());
        assert_eq!(first([1, 2]), Ok(1));
        assert_eq!(first::<0>([]), Err(0));
        assert_eq!(Port::new(80), Ok(Port(80)));
        assert!(Port::new(70_000).is_err());
        // SAFETY: `unchecked` has no safety requirement.
        assert_eq!(unsafe { Port::unchecked(1) }, Ok(Port(1)));
        assert_eq!(Port::evens(5).map(Iterator::count), Ok(3));
        assert!(Port::evens(0).is_err());
    });
    assert_eq!(
        collector.outcomes(),
        expected(&[
            ("generic", Fine),
            ("generic", Error),
            ("const_generic", Fine),
            ("const_generic", Error),
            ("port", Fine),
            ("port", Error),
            ("port", Fine),
            ("port", Fine),
            ("port", Error),
        ])
    );
}

#[tokio::test]
async fn async_shapes_count_their_results() {
    let collector = RecordingCollector::new();
    async {
        assert_eq!(Table.lookup(5).await, Some(2));
        assert_eq!(Table.lookup(0).await, None);
        assert_eq!(Table.fetch::<u8>(true).await, Ok(0));
        assert!(Table.fetch::<String>(false).await.is_err());
        assert_eq!(identity(Err::<u8, u8>(3)).await, Err(3));
    }
    .with_collector(collector.clone())
    .await;
    // `None` is not an error, and a generic `T` is not known to be a `Result` where the body
    // is written, even when the caller picks one.
    assert_eq!(
        collector.outcomes(),
        expected(&[
            ("lookup", Fine),
            ("lookup", Fine),
            ("fetch", Fine),
            ("fetch", Error),
            ("identity", Fine),
        ])
    );
}
