//! Methods: `&self`, `&mut self`, associated fns naming `Self`, generic impls, and `impl Trait`
//! in the return type. Trait implementations are in `trait_impls`.

use gort_metrics::retried;
use tests::recording;

#[derive(Debug, Default)]
struct Client {
    failures_left: u32,
    calls: u32,
}

impl Client {
    #[retried(attempts = 5, delay = "1ms")]
    fn fetch(&mut self, path: String) -> Result<String, String> {
        self.calls += 1;
        if self.failures_left > 0 {
            self.failures_left -= 1;
            return Err(format!("{path}: busy"));
        }
        Ok(format!("{path}: ok after {}", self.calls))
    }

    #[retried(op = "peek", attempts = 2, delay = "1ms")]
    fn peek(&self) -> Result<u32, u32> {
        Err(self.calls)
    }

    #[retried(attempts = 2, delay = "1ms")]
    fn with_failures(failures_left: u32) -> Result<Self, String> {
        Ok(Self {
            failures_left,
            ..Self::default()
        })
    }

    #[retried(attempts = 2, delay = "1ms")]
    fn unrelated(value: u32) -> Result<u32, u32> {
        Ok(value)
    }
}

#[test]
fn mut_self_methods_keep_their_state_across_tries() {
    let mut client = Client::with_failures(2).unwrap();
    let (result, collector) = recording(|| client.fetch("/users".into()));
    assert_eq!(result, Ok("/users: ok after 3".to_owned()));
    assert_eq!(client.calls, 3);
    assert_eq!(collector.retries(), [("fetch".to_owned(), 3, true)]);
}

#[test]
fn shared_self_methods_and_associated_fns_are_retried() {
    let client = Client::default();
    let (result, collector) = recording(|| client.peek());
    assert_eq!(result, Err(0));
    assert_eq!(collector.retries(), [("peek".to_owned(), 2, false)]);
    let (result, collector) = recording(|| Client::with_failures(1).map(|c| c.failures_left));
    assert_eq!(result, Ok(1));
    assert_eq!(collector.retries(), [("with_failures".to_owned(), 1, true)]);
    let (result, _) = recording(|| Client::unrelated(4));
    assert_eq!(result, Ok(4));
}

struct Stack<T> {
    items: Vec<T>,
}

impl<T: Clone> Stack<T> {
    #[retried(attempts = 3, delay = "1ms")]
    fn pop_until<P: Fn(&T) -> bool>(&mut self, wanted: &P) -> Result<T, usize> {
        match self.items.pop() {
            Some(item) if wanted(&item) => Ok(item),
            _ => Err(self.items.len()),
        }
    }
}

#[test]
fn methods_of_generic_impls_with_generic_parameters() {
    let mut stack = Stack {
        items: vec![10, 3, 1, 2],
    };
    let (result, collector) = recording(|| stack.pop_until(&|item: &i32| *item > 2));
    assert_eq!(result, Ok(3));
    assert_eq!(stack.items, [10]);
    assert_eq!(collector.retries(), [("pop_until".to_owned(), 3, true)]);
}

impl Stack<u32> {
    /// The closure a try runs in cannot name `impl Trait`; the wrapper still returns it.
    #[retried(attempts = 2, delay = "1ms")]
    fn evens(&self) -> Result<impl Iterator<Item = &u32> + '_, usize> {
        if self.items.is_empty() {
            return Err(0);
        }
        Ok(self.items.iter().filter(|item| *item % 2 == 0))
    }
}

#[test]
fn impl_trait_in_the_return_type() {
    let stack = Stack {
        items: vec![1, 2, 3, 4],
    };
    let (result, collector) = recording(|| stack.evens().map(|evens| evens.sum::<u32>()));
    assert_eq!(result, Ok(6));
    assert_eq!(collector.retries(), [("evens".to_owned(), 1, true)]);
    let empty = Stack { items: Vec::new() };
    let (result, collector) = recording(|| empty.evens().map(Iterator::count));
    assert_eq!(result, Err(0));
    assert_eq!(collector.retries(), [("evens".to_owned(), 2, false)]);
}
