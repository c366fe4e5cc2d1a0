//! `StatsdCollector` against the real Etsy statsd 0.9.0: the daemon parses our DogStatsD lines
//! (tags included, rewritten ones too), sub-millisecond timers and the per-outcome call
//! counters, and the totals it flushes are exactly what was recorded, cardinality guard
//! included. Send failures never reach the caller.

use crate::servers::{free_udp_port, poll};
use crate::statsd_daemon::{Statsd, Totals, statsd_install};
use gort_metrics::cadence::SpyMetricSink;
use gort_metrics::{Collector, Outcome, StatsdCollector, with_collector};
use std::collections::BTreeMap;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// The series statsd makes of one line we send, read off a spy sink: how a rewritten tag value
/// looks is the tag rules' business, and this test only checks that the daemon takes it.
fn series_of_sent(record: impl FnOnce(&StatsdCollector)) -> String {
    let (lines, spy) = SpyMetricSink::new();
    record(&StatsdCollector::builder().build_with_sink(spy));
    let line = String::from_utf8(lines.try_recv().expect("one line")).expect("UTF-8");
    let (name, _) = line.split_once(':').expect("name:value");
    let tags = line.split_once("|#").map_or("", |(_, tags)| tags);
    let tags: Vec<(&str, &str)> = tags
        .split(',')
        .filter_map(|tag| tag.split_once(':'))
        .collect();
    series(name, &tags)
}

fn series(name: &str, tags: &[(&str, &str)]) -> String {
    let tags: String = tags
        .iter()
        .map(|(key, value)| format!(";{key}={value}"))
        .collect();
    format!("{name}{tags}")
}

#[test]
fn a_real_statsd_receives_exactly_what_was_recorded() {
    let Some((node, stats_js)) = statsd_install("a_real_statsd_receives_exactly_what_was_recorded")
    else {
        return;
    };
    let started = Instant::now();
    let mut daemon = Statsd::start(&node, &stats_js);

    // The UDP side may come up a moment after the management port: probe until a flush has
    // seen a line, so that no recorded metric is lost to a socket that is not bound yet.
    let probe = UdpSocket::bind("127.0.0.1:0").expect("a probe socket");
    poll("statsd flushes a probe", Duration::from_secs(15), || {
        daemon.process.assert_running();
        probe
            .send_to(b"probe.ready:1|c", daemon.udp)
            .map_err(|error| error.to_string())?;
        let seen = daemon.totals("probe.").counters.contains_key("probe.ready");
        if seen {
            Ok(())
        } else {
            Err("no flush with the probe yet".into())
        }
    });

    let statsd = StatsdCollector::new(daemon.udp).expect("a UDP socket");
    let guarded = StatsdCollector::builder()
        .prefix("guarded")
        .max_tag_sets(1)
        .build(daemon.udp)
        .expect("a UDP socket");
    with_collector(statsd.clone(), tests::record_gateway_traffic);
    // Calls by outcome, with sub-millisecond timers.
    statsd.record_middleware_call("auth", Outcome::Error, Duration::from_micros(125));
    statsd.record_message_call("dingtalk", Outcome::Ok, Duration::from_micros(2_500));
    statsd.record_message_call("dingtalk", Outcome::Cancelled, Duration::from_micros(750));
    // Tag values that are rewritten: one that would break the line, and an empty one.
    let record_odd_error = |collector: &StatsdCollector| {
        collector.record_channel_error("tenant|a", "dingtalk", "");
    };
    record_odd_error(&statsd);
    let odd_error = series_of_sent(record_odd_error);
    assert!(
        odd_error.starts_with("gort.channel_errors;channel=tenant_a-")
            && odd_error.ends_with(";type=dingtalk;error_type=__empty__"),
        "{odd_error}"
    );
    for channel in ["a", "b", "c", "a"] {
        guarded.record_message_received(channel, "inbound", "text");
    }
    statsd.flush();
    guarded.flush();

    let received = series(
        "gort.messages_received",
        &[
            ("channel", "dingtalk"),
            ("direction", "inbound"),
            ("type", "text"),
        ],
    );
    let overflow = "__overflow__";
    let expected = Totals {
        counters: BTreeMap::from([
            (received, 3.0),
            (
                series(
                    "gort.messages_sent",
                    &[
                        ("channel", "feishu"),
                        ("direction", "outbound"),
                        ("type", "image"),
                    ],
                ),
                2.0,
            ),
            (
                series(
                    "gort.channel_errors",
                    &[
                        ("channel", "my-dingtalk"),
                        ("type", "dingtalk"),
                        ("error_type", "connection"),
                    ],
                ),
                1.0,
            ),
            (
                series(
                    "gort.retry_attempts",
                    &[("operation", "api-call"), ("success", "true")],
                ),
                3.0,
            ),
            (
                series(
                    "gort.retry_calls",
                    &[
                        ("operation", "api-call"),
                        ("outcome", "successful_with_retry"),
                    ],
                ),
                1.0,
            ),
            (
                series(
                    "gort.middleware_calls",
                    &[("middleware", "auth"), ("outcome", "error")],
                ),
                1.0,
            ),
            (
                series(
                    "gort.message_calls",
                    &[("channel", "dingtalk"), ("outcome", "ok")],
                ),
                1.0,
            ),
            (
                series(
                    "gort.message_calls",
                    &[("channel", "dingtalk"), ("outcome", "cancelled")],
                ),
                1.0,
            ),
            (odd_error, 1.0),
            (
                series(
                    "guarded.messages_received",
                    &[("channel", "a"), ("direction", "inbound"), ("type", "text")],
                ),
                2.0,
            ),
            (
                series(
                    "guarded.messages_received",
                    &[
                        ("channel", overflow),
                        ("direction", overflow),
                        ("type", overflow),
                    ],
                ),
                2.0,
            ),
            (
                series(
                    "guarded.metrics_overflow",
                    &[("family", "messages_received")],
                ),
                2.0,
            ),
        ]),
        gauges: BTreeMap::from([
            (
                series(
                    "gort.channel_status",
                    &[("channel", "my-dingtalk"), ("type", "dingtalk")],
                ),
                1.0,
            ),
            ("gort.sessions_active".to_owned(), 4.0),
        ]),
        timers: BTreeMap::from([
            (
                series("gort.message_duration", &[("channel", "dingtalk")]),
                vec![0.75, 2.5, 30.0],
            ),
            ("gort.session_duration".to_owned(), vec![2000.0]),
            (
                series("gort.middleware_duration", &[("middleware", "auth")]),
                vec![0.125, 7.0],
            ),
        ]),
    };
    let ours = |daemon: &Statsd| {
        let mut totals = daemon.totals("gort.");
        let guarded = daemon.totals("guarded.");
        totals.counters.extend(guarded.counters);
        totals.gauges.extend(guarded.gauges);
        totals.timers.extend(guarded.timers);
        totals
    };
    let flushes_when_complete = poll(
        "statsd flushes every record",
        Duration::from_secs(15),
        || {
            daemon.process.assert_running();
            let totals = ours(&daemon);
            if totals == expected {
                Ok(daemon.flushes().len())
            } else {
                Err(format!("{totals:#?}"))
            }
        },
    );
    // One more flush must not add anything: nothing was sent twice.
    poll("statsd flushes once more", Duration::from_secs(5), || {
        let flushes = daemon.flushes().len();
        if flushes > flushes_when_complete {
            Ok(())
        } else {
            Err(format!("{flushes} flushes"))
        }
    });
    assert_eq!(ours(&daemon), expected);
    assert_eq!(statsd.send_errors(), 0);
    assert_eq!(guarded.overflowed_records(), 2);
    eprintln!(
        "real statsd received everything in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn recording_to_a_server_that_is_not_there_never_fails_or_blocks() {
    // A free port that nothing listens on: the ICMP errors it provokes must stay inside.
    let nobody: SocketAddr = ([127, 0, 0, 1], free_udp_port()).into();
    let statsd = StatsdCollector::builder()
        .flush_interval(Duration::from_millis(5))
        .build(nobody)
        .expect("a UDP socket");
    let started = Instant::now();
    for i in 0..20_000_i64 {
        statsd.record_message_received("dingtalk", "inbound", "text");
        statsd.record_session_active(i);
    }
    statsd.flush();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "recording blocked"
    );
    // Still usable afterwards.
    statsd.record_retry("op", 1, true);
    statsd.flush();
}

#[test]
fn the_first_folded_record_of_each_metric_warns_once() {
    use crate::tracing_backend::{FieldValue, capture_events};
    use gort_metrics::cadence::NopMetricSink;

    let statsd = StatsdCollector::builder()
        .max_tag_sets(1)
        .build_with_sink(NopMetricSink);
    let events = capture_events(|| {
        for channel in ["a", "b", "c"] {
            statsd.record_message_received(channel, "inbound", "text");
            statsd.record_message_sent(channel, "outbound", "text");
        }
    });
    let warned: Vec<&FieldValue> = events
        .iter()
        .filter(|event| event.level == tracing::Level::WARN && event.target == "gort_metrics")
        .map(|event| event.field("family"))
        .collect();
    assert_eq!(
        warned,
        [
            &FieldValue::Str("messages_received".into()),
            &FieldValue::Str("messages_sent".into())
        ]
    );
    assert_eq!(statsd.overflowed_records(), 4);
}

#[test]
fn retry_calls_are_tagged_with_the_prometheus_backends_outcomes() {
    let prometheus = gort_metrics::PrometheusCollector::new();
    let (lines, spy) = SpyMetricSink::new();
    let statsd = StatsdCollector::builder().build_with_sink(spy);
    let retries = [(1, true), (4, true), (2, false), (1, false)];
    for (i, (attempts, success)) in retries.into_iter().enumerate() {
        let operation = format!("op-{i}");
        prometheus.record_retry(&operation, attempts, success);
        statsd.record_retry(&operation, attempts, success);
    }
    let exposition = prometheus.render();
    let calls: Vec<String> = lines
        .try_iter()
        .map(|line| String::from_utf8(line).expect("UTF-8"))
        .filter_map(|line| {
            let tags = line.strip_prefix("gort.retry_calls:1|c|#")?;
            let (operation, outcome) = tags.split_once(',')?;
            let operation = operation.strip_prefix("operation:")?;
            let outcome = outcome.strip_prefix("outcome:")?;
            Some(format!(
                "gort_retry_calls_total{{operation=\"{operation}\",outcome=\"{outcome}\"}} 1"
            ))
        })
        .collect();
    assert_eq!(calls.len(), retries.len(), "one retry_calls line per call");
    for call in calls {
        assert!(exposition.contains(&call), "{call} not in:\n{exposition}");
    }
}

#[test]
fn timed_calls_send_their_timer_and_count_the_call() {
    #[gort_metrics::timed(middleware = "auth")]
    fn authenticate() -> u32 {
        7
    }

    let (lines, spy) = SpyMetricSink::new();
    let statsd = StatsdCollector::builder().build_with_sink(spy);
    with_collector(statsd, || {
        authenticate();
        authenticate();
    });
    let lines: Vec<String> = lines
        .try_iter()
        .map(|line| String::from_utf8(line).expect("UTF-8"))
        .collect();
    let kinds: Vec<&str> = lines
        .iter()
        .map(|line| {
            if line.starts_with("gort.middleware_duration:") {
                line.split_once("|ms")
                    .map_or(line.as_str(), |(_, tags)| tags)
            } else {
                line.as_str()
            }
        })
        .collect();
    let call = [
        "|#middleware:auth",
        "gort.middleware_calls:1|c|#middleware:auth,outcome:ok",
    ];
    assert_eq!(kinds, [call, call].concat(), "{lines:?}");
}
