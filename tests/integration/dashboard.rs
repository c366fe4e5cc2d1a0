//! `dashboards/gort.json`: it parses, its panels are well formed, and every PromQL expression
//! names only series we export, checked against a real exposition rather than a list kept by
//! hand. (The `exporter` tests also run every expression through a real Prometheus.)

use crate::servers::workspace_root;
use gort_metrics::{Collector, Outcome, PrometheusCollector};
use serde_json::Value;
use std::collections::BTreeSet;

fn dashboard() -> Value {
    let path = workspace_root().join("dashboards/gort.json");
    let text = std::fs::read_to_string(&path).expect("dashboards/gort.json exists");
    serde_json::from_str(&text).expect("dashboards/gort.json is valid JSON")
}

/// Every `expr` of every panel target, as written.
fn exprs(dashboard: &Value) -> Vec<String> {
    dashboard["panels"]
        .as_array()
        .expect("a panels array")
        .iter()
        .flat_map(|panel| panel["targets"].as_array().cloned().unwrap_or_default())
        .map(|target| {
            target["expr"]
                .as_str()
                .expect("every target has an expr")
                .to_owned()
        })
        .collect()
}

/// The dashboard's queries with Grafana's variables replaced by what they mean when nothing
/// is selected, so that Prometheus can run them.
pub fn dashboard_queries() -> Vec<String> {
    exprs(&dashboard())
        .into_iter()
        .map(|expr| {
            expr.replace("$__rate_interval", "1m")
                .replace("$channel", ".*")
        })
        .collect()
}

/// The `gort_*` names in a PromQL expression or Grafana query, skipping quoted label values.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut chars = expr.chars().peekable();
    let mut token = String::new();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            // A quoted string: skip it, escapes included.
            while let Some(inner) = chars.next() {
                match inner {
                    '\\' => {
                        chars.next();
                    }
                    _ if inner == c => break,
                    _ => {}
                }
            }
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
            token.push(c);
            continue;
        }
        if token.starts_with("gort_") {
            names.insert(token.clone());
        }
        token.clear();
    }
    if token.starts_with("gort_") {
        names.insert(token);
    }
    names
}

/// What a collector that recorded one of each, and a call of each kind, exports: series names
/// (with `_bucket`, `_sum`, `_count`) and family names (from `# TYPE`).
fn exported() -> (BTreeSet<String>, BTreeSet<String>) {
    let collector = PrometheusCollector::new();
    tests::record_one_of_each(&collector);
    let took = std::time::Duration::from_millis(4);
    collector.record_middleware_call("auth", Outcome::Error, took);
    collector.record_message_call("dingtalk", Outcome::Ok, took);
    let text = collector.render();
    let series = text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| line.split(['{', ' ']).next().unwrap_or_default().to_owned())
        .collect();
    let families = text
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|line| line.split(' ').next())
        .map(str::to_owned)
        .collect();
    (series, families)
}

#[test]
fn the_metric_name_scanner_skips_label_values() {
    let names = metric_names(
        r#"sum(rate(gort_a_total{x="gort_not_a_name"}[5m])) / gort_b + on() gort_c{y='gort_d\'e'}"#,
    );
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(names, ["gort_a_total", "gort_b", "gort_c"]);
}

#[test]
fn every_expression_names_only_series_we_export() {
    let (series, _) = exported();
    let dashboard = dashboard();
    let mut queries = exprs(&dashboard);
    // The channel picker's `label_values(..)` query names a family too.
    for variable in dashboard["templating"]["list"]
        .as_array()
        .expect("templating")
    {
        if variable["type"] == "query" {
            queries.push(
                variable["query"]
                    .as_str()
                    .expect("a query string")
                    .to_owned(),
            );
        }
    }
    assert!(queries.len() >= 10, "{queries:?}");
    for query in &queries {
        let names = metric_names(query);
        assert!(!names.is_empty(), "{query} names no gort_ series");
        for name in names {
            assert!(
                series.contains(&name),
                "{query} names {name}, which we do not export; we export {series:?}"
            );
        }
    }
}

#[test]
fn every_exported_family_has_a_panel() {
    let (_, families) = exported();
    let used: BTreeSet<String> = exprs(&dashboard())
        .iter()
        .flat_map(|e| metric_names(e))
        .collect();
    for family in &families {
        let histogram_series =
            ["_bucket", "_sum", "_count"].map(|suffix| format!("{family}{suffix}"));
        assert!(
            used.contains(family) || histogram_series.iter().any(|name| used.contains(name)),
            "no panel shows {family}"
        );
    }
    assert!(
        families.len() >= 12,
        "the nine Go families, retry calls and the two call-outcome families: {families:?}"
    );
}

#[test]
fn latency_panels_show_p50_p95_and_p99() {
    let exprs = exprs(&dashboard());
    for bucket in [
        "gort_message_duration_seconds_bucket",
        "gort_middleware_duration_seconds_bucket",
    ] {
        for quantile in ["0.5", "0.95", "0.99"] {
            assert!(
                exprs
                    .iter()
                    .any(|e| e.contains(&format!("histogram_quantile({quantile},"))
                        && e.contains(bucket)),
                "no p{quantile} of {bucket}"
            );
        }
    }
    assert!(
        exprs
            .iter()
            .any(|e| e.contains("rate(gort_retry_attempts_total")
                && e.contains("/ sum by (operation) (rate(gort_retry_calls_total"))
    );
}

#[test]
fn error_ratio_panels_divide_failed_calls_by_all_calls() {
    let exprs = exprs(&dashboard());
    for (family, by) in [
        ("gort_middleware_calls_total", "middleware"),
        ("gort_message_calls_total", "channel"),
    ] {
        let ratio = exprs
            .iter()
            .find(|expr| {
                let Some((failed, all)) = expr.split_once(" / ") else {
                    return false;
                };
                failed.starts_with(&format!("sum by ({by}) (rate({family}{{"))
                    && failed.contains(r#"outcome!="ok""#)
                    && all.starts_with(&format!("sum by ({by}) (rate({family}"))
                    && !all.contains("outcome")
            })
            .unwrap_or_else(|| panic!("no error ratio of {family} by {by}"));
        assert_eq!(metric_names(ratio).len(), 1, "{ratio}");
        let per_outcome = format!("sum by ({by}, outcome) (rate({family}");
        assert!(
            exprs.iter().any(|expr| expr.starts_with(&per_outcome)),
            "no calls per second of {family} by outcome"
        );
    }
}

#[test]
fn panels_are_well_formed() {
    let dashboard = dashboard();
    assert_eq!(dashboard["title"], "gort gateway");
    let panels = dashboard["panels"].as_array().expect("panels");
    let ids: BTreeSet<u64> = panels.iter().filter_map(|p| p["id"].as_u64()).collect();
    assert_eq!(ids.len(), panels.len(), "panel ids are unique");
    for panel in panels {
        let title = panel["title"].as_str().expect("every panel has a title");
        for key in ["h", "w", "x", "y"] {
            assert!(panel["gridPos"][key].is_u64(), "{title}: gridPos.{key}");
        }
        if panel["type"] != "row" {
            assert_eq!(panel["datasource"]["uid"], "${datasource}", "{title}");
            assert!(
                !panel["targets"].as_array().expect("targets").is_empty(),
                "{title}"
            );
        }
    }
}
