//! How arguments reach each try, and bodies that use `?` and `return`.

use gort_metrics::retried;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use tests::recording;

/// Remembers whether it is the caller's original or a clone, and counts clones.
#[derive(Debug)]
struct Payload {
    clones: Rc<Cell<u32>>,
    is_clone: bool,
}

impl Clone for Payload {
    fn clone(&self) -> Self {
        self.clones.set(self.clones.get() + 1);
        Payload {
            clones: Rc::clone(&self.clones),
            is_clone: true,
        }
    }
}

thread_local! {
    static SEEN: RefCell<Vec<bool>> = const { RefCell::new(Vec::new()) };
}

#[retried(attempts = 3, delay = "1ms")]
fn send(payload: Payload) -> Result<(), &'static str> {
    SEEN.with(|seen| seen.borrow_mut().push(payload.is_clone));
    Err("refused")
}

#[test]
fn owned_arguments_are_cloned_for_every_try_but_the_last() {
    SEEN.with(|seen| seen.borrow_mut().clear());
    let clones = Rc::new(Cell::new(0));
    let payload = Payload {
        clones: Rc::clone(&clones),
        is_clone: false,
    };
    let (result, _) = recording(|| send(payload));
    assert_eq!(result, Err("refused"));
    assert_eq!(SEEN.with(|seen| seen.borrow().clone()), [true, true, false]);
    assert_eq!(clones.get(), 2);
}

#[retried(attempts = 4, delay = "1ms")]
fn append(log: &mut Vec<u32>, value: u32, label: &str) -> Result<usize, usize> {
    log.push(value);
    if log.len() < 3 {
        return Err(log.len());
    }
    Ok(log.len() + label.len())
}

#[test]
fn mutable_references_are_reborrowed_for_each_try() {
    let mut log = Vec::new();
    let (result, collector) = recording(|| append(&mut log, 7, "ab"));
    assert_eq!(result, Ok(5));
    assert_eq!(log, [7, 7, 7]);
    assert_eq!(collector.retries(), [("append".to_owned(), 3, true)]);
}

fn parse_digit(text: &str) -> Result<u32, String> {
    text.parse::<u32>().map_err(|error| error.to_string())
}

/// `?` and `return` in the body end the try, not the whole call.
#[retried(attempts = 3, delay = "1ms")]
fn first_number(inputs: &RefCell<Vec<&'static str>>) -> Result<u32, String> {
    let next = inputs.borrow_mut().pop();
    let Some(text) = next else {
        return Err("empty".to_owned());
    };
    let number = parse_digit(text)?;
    Ok(number)
}

#[test]
fn question_mark_and_return_end_one_try() {
    let inputs = RefCell::new(vec!["42", "x", "y"]);
    let (result, collector) = recording(|| first_number(&inputs));
    assert_eq!(result, Ok(42));
    assert!(inputs.borrow().is_empty());
    assert_eq!(collector.retries(), [("first_number".to_owned(), 3, true)]);
}

#[retried(attempts = 2, delay = "1ms")]
fn destructure((left, mut right): (u32, u32), mut label: String) -> Result<String, String> {
    right += 1;
    label.push('!');
    Err(format!("{label}{}", left + right))
}

#[test]
fn patterns_and_mut_bindings_work_on_each_try() {
    let (result, collector) = recording(|| destructure((1, 2), "sum".to_owned()));
    assert_eq!(result, Err("sum!4".to_owned()));
    assert_eq!(collector.retries(), [("destructure".to_owned(), 2, false)]);
}

#[retried(attempts = 2, delay = "1ms")]
fn generic<T: Clone + Into<u64>, const N: usize>(value: T, items: [u8; N]) -> Result<u64, u64> {
    Err(value.into() + N as u64 + u64::from(items[0]))
}

#[retried(attempts = 2, delay = "1ms")]
fn with_impl_trait(make: impl Fn() -> u32 + Clone) -> Result<u32, u32> {
    Err(make())
}

/// Explicit lifetimes on purpose: the moved body must keep them.
#[allow(clippy::needless_lifetimes)]
#[retried(attempts = 2, delay = "1ms")]
fn borrowing<'a>(words: &'a [String], index: usize) -> Result<&'a str, usize> {
    words.get(index).map(String::as_str).ok_or(index)
}

#[test]
fn generics_impl_trait_and_lifetimes_pass_through() {
    let (result, _) = recording(|| generic::<u8, 2>(5, [1, 2]));
    assert_eq!(result, Err(8));
    let (result, _) = recording(|| with_impl_trait(|| 9));
    assert_eq!(result, Err(9));
    let words = vec!["zero".to_owned(), "one".to_owned()];
    let (result, collector) = recording(|| borrowing(&words, 1));
    assert_eq!(result, Ok("one"));
    assert_eq!(collector.retries(), [("borrowing".to_owned(), 1, true)]);
}
