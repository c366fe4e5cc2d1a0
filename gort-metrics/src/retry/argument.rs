//! How `#[retried]` hands an owned argument to each try: a clone for every try but the last,
//! which gets the original.

/// An owned argument of a `#[retried]` function: it must be `Clone`, because each try but the
/// last gets a clone of it.
#[diagnostic::on_unimplemented(
    message = "`#[retried]` needs `{Self}` to be `Clone`: each try but the last gets a clone of this argument",
    label = "`{Self}` is not `Clone`",
    note = "pass this argument by reference (`&{Self}` or `&mut {Self}`), or make it `Clone`"
)]
pub trait RetryArgument: Clone {}

impl<T: Clone> RetryArgument for T {}

/// Holds an owned argument between tries.
///
/// The `Clone` requirement is checked once, in [`new`](Self::new), which keeps the function that
/// clones; [`for_try`](Self::for_try) has no bounds, so a non-`Clone` argument is one error, not
/// two.
#[derive(Debug)]
pub struct ArgumentSlot<T> {
    argument: Option<T>,
    clone: fn(&T) -> T,
}

impl<T: RetryArgument> ArgumentSlot<T> {
    /// Takes the argument as the caller passed it.
    #[inline]
    pub fn new(argument: T) -> Self {
        ArgumentSlot {
            argument: Some(argument),
            clone: T::clone,
        }
    }
}

impl<T> ArgumentSlot<T> {
    /// The value for the next try: a clone, or on the last try the original.
    ///
    /// # Panics
    ///
    /// If called again after a last try, which the retry driver never allows.
    #[inline]
    pub fn for_try(&mut self, is_last: bool) -> T {
        let original = if is_last {
            self.argument.take()
        } else {
            self.argument.as_ref().map(self.clone)
        };
        original.expect("the retry driver makes no try after the last")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn every_try_but_the_last_gets_a_clone() {
        let original = Rc::new(5);
        let mut slot = ArgumentSlot::new(Rc::clone(&original));
        let first = slot.for_try(false);
        let second = slot.for_try(false);
        assert_eq!(Rc::strong_count(&original), 4);
        drop((first, second));
        let last = slot.for_try(true);
        assert_eq!(Rc::strong_count(&original), 2);
        assert!(Rc::ptr_eq(&last, &original));
    }
}
