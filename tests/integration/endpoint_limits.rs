//! The endpoint's limits, client by client: idle and slow connections time out, a client that
//! never reads is dropped, an endless or crowded head gets `431`, connections beyond the limit
//! wait their turn, and request targets in absolute form are served.

use crate::endpoint_client::{
    connect, exposition, read_response, read_until_closed, registry_of_size, scrape, send,
};
use gort_metrics::prometheus::{IntGauge, Registry};
use gort_metrics::{MetricsServer, PrometheusCollector};
use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Reads until the server closes `stream`; how long that took.
fn time_until_closed(stream: &mut TcpStream) -> Duration {
    let started = Instant::now();
    let (received, _orderly) = read_until_closed(stream).expect("the server closes in time");
    assert_eq!(
        received, 0,
        "nothing is sent to a connection that timed out"
    );
    started.elapsed()
}

#[test]
fn a_connection_that_sends_nothing_is_closed_after_the_header_read_timeout() {
    let timeout = Duration::from_millis(300);
    let collector = PrometheusCollector::new();
    let server = MetricsServer::builder()
        .header_read_timeout(timeout)
        .bind("127.0.0.1:0", collector.registry())
        .expect("bind");
    let mut idle = connect(server.local_addr());
    let waited = time_until_closed(&mut idle);
    assert!(
        waited >= timeout - Duration::from_millis(50) && waited < Duration::from_secs(3),
        "closed after {waited:?}"
    );
}

#[test]
fn a_head_sent_too_slowly_is_cut_off_at_the_header_read_timeout() {
    let timeout = Duration::from_millis(400);
    let collector = PrometheusCollector::new();
    let server = MetricsServer::builder()
        .header_read_timeout(timeout)
        .bind("127.0.0.1:0", collector.registry())
        .expect("bind");
    let mut slow = connect(server.local_addr());
    let started = Instant::now();
    // A byte every 100 ms: steady traffic, but the head never completes in time.
    let mut cut_off = false;
    for byte in "GET /metrics HTTP/1.1\r\nHost: endpoint\r\nX-Slow: "
        .bytes()
        .cycle()
        .take(60)
    {
        if std::io::Write::write_all(&mut slow, &[byte]).is_err() {
            cut_off = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        let mut probe = [0u8; 1];
        slow.set_nonblocking(true).expect("nonblocking");
        // Anything but "nothing yet" means the server has given up on the request.
        let closed = !matches!(
            slow.read(&mut probe),
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock
        );
        slow.set_nonblocking(false).expect("blocking");
        if closed {
            cut_off = true;
            break;
        }
    }
    let elapsed = started.elapsed();
    assert!(cut_off, "a head trickled for {elapsed:?} was never cut off");
    assert!(
        elapsed < Duration::from_secs(3),
        "cut off after {elapsed:?}"
    );
}

#[test]
fn a_kept_alive_connection_serves_fresh_renderings_then_times_out_when_idle() {
    let timeout = Duration::from_millis(500);
    let registry = Registry::new();
    let gauge = IntGauge::new("scrape_number", "Which scrape this is.").expect("gauge");
    registry
        .register(Box::new(gauge.clone()))
        .expect("register");
    let server = MetricsServer::builder()
        .header_read_timeout(timeout)
        .bind("127.0.0.1:0", &registry)
        .expect("bind");
    let mut stream = connect(server.local_addr());
    for number in 1..=3 {
        gauge.set(number);
        send(
            &mut stream,
            "GET /metrics HTTP/1.1\r\nHost: endpoint\r\n\r\n",
        );
        let response = read_response(&mut stream).expect("a response on the same connection");
        assert_eq!(response.status, 200);
        let body = String::from_utf8(response.body).expect("utf-8");
        assert!(
            body.contains(&format!("\nscrape_number {number}\n")),
            "{body}"
        );
    }
    let waited = time_until_closed(&mut stream);
    assert!(
        waited >= timeout - Duration::from_millis(100) && waited < Duration::from_secs(3),
        "idle kept-alive connection closed after {waited:?}"
    );
}

#[test]
fn a_client_that_never_reads_is_dropped_after_the_write_timeout() {
    let registry = registry_of_size(8 << 20);
    let full = exposition(&registry).len();
    let server = MetricsServer::builder()
        .write_timeout(Duration::from_millis(500))
        .bind("127.0.0.1:0", &registry)
        .expect("bind");
    // A default receive buffer, so that reading what is left later is quick: the socket
    // buffers of both ends together hold well under the 8 MB response.
    let mut stalled = connect(server.local_addr());
    send(
        &mut stalled,
        "GET /metrics HTTP/1.1\r\nHost: endpoint\r\n\r\n",
    );
    // Meanwhile the endpoint serves others.
    let response = scrape(server.local_addr()).expect("scrape beside a stalled client");
    assert_eq!((response.status, response.body.len()), (200, full));

    std::thread::sleep(Duration::from_secs(2));
    // What the kernel had already taken is still delivered; the rest was abandoned.
    let (received, _orderly) = read_until_closed(&mut stalled).expect("the connection ends");
    assert!(
        received < full,
        "the whole {full}-byte response was kept for a client that did not read for 2 s"
    );
    assert_eq!(scrape(server.local_addr()).expect("scrape").status, 200);
}

#[test]
fn a_head_with_too_many_fields_gets_431() {
    let collector = PrometheusCollector::new();
    let server = MetricsServer::bind("127.0.0.1:0", collector.registry()).expect("bind");
    let fields: String = (0..=MetricsServer::MAX_HEADERS)
        .map(|index| format!("X-Field-{index}: v\r\n"))
        .collect();
    let mut stream = connect(server.local_addr());
    send(
        &mut stream,
        &format!("GET /metrics HTTP/1.1\r\nHost: endpoint\r\n{fields}\r\n"),
    );
    let response = read_response(&mut stream).expect("an answer");
    assert_eq!(response.status, 431, "{}", response.head);

    // Just under both limits is fine.
    let fields: String = (0..MetricsServer::MAX_HEADERS - 1)
        .map(|index| format!("X-Field-{index}: v\r\n"))
        .collect();
    let mut stream = connect(server.local_addr());
    send(
        &mut stream,
        &format!("GET /metrics HTTP/1.1\r\nHost: endpoint\r\n{fields}\r\n"),
    );
    assert_eq!(read_response(&mut stream).expect("an answer").status, 200);
}

#[test]
fn a_head_just_over_the_byte_limit_gets_431_and_one_under_it_is_served() {
    let collector = PrometheusCollector::new();
    let server = MetricsServer::bind("127.0.0.1:0", collector.registry()).expect("bind");
    let request_with_value = |length: usize| {
        format!(
            "GET /metrics HTTP/1.1\r\nHost: endpoint\r\nX-Pad: {}\r\n\r\n",
            "p".repeat(length)
        )
    };
    let overhead = request_with_value(0).len();
    for (head_bytes, status) in [
        (MetricsServer::MAX_HEADER_BYTES - 64, 200),
        (MetricsServer::MAX_HEADER_BYTES + 64, 431),
    ] {
        let mut stream = connect(server.local_addr());
        send(&mut stream, &request_with_value(head_bytes - overhead));
        let response = read_response(&mut stream).expect("an answer");
        assert_eq!(response.status, status, "a {head_bytes}-byte head");
    }
}

#[test]
fn connections_beyond_the_limit_wait_until_one_closes() {
    let timeout = Duration::from_millis(800);
    let collector = PrometheusCollector::new();
    let server = MetricsServer::builder()
        .max_connections(2)
        .header_read_timeout(timeout)
        .bind("127.0.0.1:0", collector.registry())
        .expect("bind");
    let _idle: Vec<TcpStream> = (0..2).map(|_| connect(server.local_addr())).collect();
    // Let the endpoint take both before the scrape queues behind them.
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    let response = scrape(server.local_addr()).expect("served once a slot is free");
    let waited = started.elapsed();
    assert_eq!(response.status, 200);
    assert!(
        waited >= timeout / 2 && waited < Duration::from_secs(5),
        "the third connection was served after {waited:?} with two slots held"
    );
}

#[test]
fn a_request_target_in_absolute_form_gets_the_exposition() {
    let collector = PrometheusCollector::new();
    gort_metrics::Collector::record_session_active(&collector, 5);
    let server = MetricsServer::bind("127.0.0.1:0", collector.registry()).expect("bind");
    let address = server.local_addr();
    for target in [
        format!("http://{address}/metrics"),
        format!("http://{address}/metrics?debug=1"),
        "http://gateway.example/metrics".to_owned(),
    ] {
        let mut stream = connect(address);
        send(
            &mut stream,
            &format!("GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"),
        );
        let response = read_response(&mut stream).expect("an answer");
        assert_eq!(response.status, 200, "{target}: {}", response.head);
        assert_eq!(response.body, collector.render().into_bytes(), "{target}");
    }
    let mut stream = connect(address);
    send(
        &mut stream,
        &format!("GET http://{address}/other HTTP/1.1\r\nHost: {address}\r\n\r\n"),
    );
    assert_eq!(read_response(&mut stream).expect("an answer").status, 404);
}
