//! Label sets as keys of the cardinality guard's map: owned when stored, borrowed when looked
//! up, hashing alike so that a record finds its series without allocating.

use hashbrown::Equivalent;
use std::hash::{Hash, Hasher};

/// An owned label set, as stored in the map.
#[derive(PartialEq, Eq)]
pub(super) struct LabelSet(Box<[Box<str>]>);

impl LabelSet {
    pub(super) fn new(values: &[&str]) -> Self {
        LabelSet(values.iter().map(|value| Box::from(*value)).collect())
    }
}

impl Hash for LabelSet {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_labels(self.0.iter().map(|value| &**value), state);
    }
}

/// A borrowed label set, as a record call passes it; hashes exactly as its [`LabelSet`].
pub(super) struct LabelRef<'a>(pub(super) &'a [&'a str]);

impl Hash for LabelRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_labels(self.0.iter().copied(), state);
    }
}

impl Equivalent<LabelSet> for LabelRef<'_> {
    fn equivalent(&self, key: &LabelSet) -> bool {
        self.0.len() == key.0.len() && self.0.iter().zip(key.0.iter()).all(|(a, b)| *a == &**b)
    }
}

/// One hashing routine for both forms, so that equal label sets always hash equal. `str`'s own
/// `Hash` appends a terminator, so `["ab", "c"]` and `["a", "bc"]` hash apart.
fn hash_labels<'a, H: Hasher>(values: impl Iterator<Item = &'a str>, state: &mut H) {
    for value in values {
        value.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn borrowed_and_owned_label_sets_hash_alike() {
        let state = hashbrown::DefaultHashBuilder::default();
        let owned = LabelSet::new(&["x", ""]);
        assert_eq!(state.hash_one(&owned), state.hash_one(LabelRef(&["x", ""])));
        assert!(LabelRef(&["x", ""]).equivalent(&owned));
        assert!(!LabelRef(&["x"]).equivalent(&owned));
        assert_ne!(
            state.hash_one(LabelRef(&["ab", "c"])),
            state.hash_one(LabelRef(&["a", "bc"]))
        );
    }
}
