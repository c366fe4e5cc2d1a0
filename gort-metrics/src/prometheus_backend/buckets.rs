//! Histogram buckets: one list for every histogram, or one per family by name, checked at
//! `build` so that a mistake is an error there rather than a silently different histogram.

use super::families;

/// The bucket options of a builder, before they are checked.
#[derive(Debug, Clone)]
pub(super) struct BucketChoice {
    /// Every histogram's, unless a more specific choice says otherwise.
    pub(super) default: Vec<f64>,
    /// `session_duration_buckets`: the session histogram's.
    pub(super) session: Option<Vec<f64>>,
    /// `buckets_for`, by full family name, in call order (the last call for a family wins).
    pub(super) per_family: Vec<(String, Vec<f64>)>,
}

/// The checked buckets of each histogram family.
pub(super) struct HistogramBuckets {
    pub(super) message: Vec<f64>,
    pub(super) session: Vec<f64>,
    pub(super) middleware: Vec<f64>,
}

impl BucketChoice {
    /// The buckets of each family under `namespace`, most specific choice first.
    ///
    /// # Errors
    ///
    /// A `buckets_for` name that is not one of the histogram families, or buckets that
    /// [`check`] rejects.
    pub(super) fn resolve(&self, namespace: &str) -> Result<HistogramBuckets, prometheus::Error> {
        let names = families::HISTOGRAMS.map(|name| families::fq_name(namespace, name));
        if let Some((unknown, _)) = self
            .per_family
            .iter()
            .find(|(family, _)| !names.contains(family))
        {
            return Err(prometheus::Error::Msg(format!(
                "`buckets_for(\"{unknown}\", ..)`: no histogram family of that name; \
                 the histogram families are {}",
                names.join(", ")
            )));
        }
        let pick = |name: &str, fallback: &[f64]| {
            let chosen = self
                .per_family
                .iter()
                .rev()
                .find(|(family, _)| family == name);
            let buckets = chosen.map_or(fallback, |(_, buckets)| buckets.as_slice());
            check(name, buckets).map(|()| buckets.to_vec())
        };
        let [message, session, middleware] = &names;
        Ok(HistogramBuckets {
            message: pick(message, &self.default)?,
            session: pick(session, self.session.as_deref().unwrap_or(&self.default))?,
            middleware: pick(middleware, &self.default)?,
        })
    }
}

/// Upper bounds must be finite and strictly increasing, at least one; a trailing `+Inf` is
/// allowed and ignored, the `+Inf` bucket being implicit.
///
/// The prometheus crate itself would replace an empty list with its own defaults and accept
/// `NaN`, which sorts nowhere; both are mistakes worth an error.
fn check(family: &str, buckets: &[f64]) -> Result<(), prometheus::Error> {
    let bounds = match buckets.split_last() {
        Some((last, rest)) if *last == f64::INFINITY => rest,
        _ => buckets,
    };
    let fail = |why: String| {
        Err(prometheus::Error::Msg(format!(
            "buckets of {family}: {why}"
        )))
    };
    if bounds.is_empty() {
        return fail("empty; give at least one finite upper bound, in seconds".to_owned());
    }
    if let Some(bad) = bounds.iter().find(|bound| !bound.is_finite()) {
        return fail(format!("{bad} is not a finite upper bound"));
    }
    if let Some(pair) = bounds.windows(2).find(|pair| pair[0] >= pair[1]) {
        return fail(format!(
            "upper bounds must be strictly increasing, but {} is followed by {}",
            pair[0], pair[1]
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(per_family: &[(&str, &[f64])]) -> BucketChoice {
        BucketChoice {
            default: vec![0.1, 1.0],
            session: Some(vec![60.0]),
            per_family: per_family
                .iter()
                .map(|(family, buckets)| ((*family).to_owned(), buckets.to_vec()))
                .collect(),
        }
    }

    #[test]
    fn the_most_specific_choice_wins_and_the_last_call_for_a_family() {
        let resolved = choice(&[
            ("gort_session_duration_seconds", &[1.0]),
            ("gort_session_duration_seconds", &[2.0, 3.0]),
            ("gort_middleware_duration_seconds", &[0.001]),
        ])
        .resolve("gort")
        .unwrap();
        assert_eq!(resolved.message, [0.1, 1.0]);
        assert_eq!(resolved.session, [2.0, 3.0]);
        assert_eq!(resolved.middleware, [0.001]);
    }

    #[test]
    fn names_are_the_full_family_names_under_the_namespace() {
        let other = choice(&[("gw_message_duration_seconds", &[5.0])]);
        assert_eq!(other.resolve("gw").unwrap().message, [5.0]);
        let error = other.resolve("gort").err().unwrap().to_string();
        assert!(error.contains("gw_message_duration_seconds"), "{error}");
        assert!(
            error.contains("gort_message_duration_seconds"),
            "lists the real names: {error}"
        );
        let bare = choice(&[("message_duration_seconds", &[5.0])]).resolve("");
        assert_eq!(bare.unwrap().message, [5.0]);
    }

    #[test]
    fn bad_buckets_are_errors_that_name_the_family_and_the_value() {
        for (buckets, says) in [
            (&[][..], "empty"),
            (&[f64::INFINITY][..], "empty"),
            (&[0.1, f64::NAN][..], "NaN"),
            (&[f64::NEG_INFINITY, 1.0][..], "-inf"),
            (&[0.5, 0.5][..], "0.5 is followed by 0.5"),
            (&[1.0, 0.1][..], "1 is followed by 0.1"),
        ] {
            let error = check("gort_x_seconds", buckets).err().unwrap().to_string();
            assert!(
                error.contains("gort_x_seconds") && error.contains(says),
                "{error}"
            );
        }
        assert!(
            check("f", &[0.1, 1.0, f64::INFINITY]).is_ok(),
            "+Inf is implicit"
        );
    }
}
