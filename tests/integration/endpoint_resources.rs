//! What hostile clients cost the process: threads, resident memory and file descriptors. Each
//! test runs alone in a process of its own, since it reads or changes process-wide state.

use crate::endpoint_client::{
    connect, exposition, non_reading_client, read_response, registry_of_size, scrape, send,
};
use gort_metrics::{Collector, MetricsServer, PrometheusCollector};
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use tests::{in_own_process, resident_bytes, settled_thread_count, thread_count};

#[test]
fn a_scrape_completes_beside_300_idle_connections_and_4_clients_that_never_read() {
    if in_own_process(
        "endpoint_resources::a_scrape_completes_beside_300_idle_connections_and_4_clients_that_never_read",
    ) {
        return;
    }
    let baseline = thread_count();
    let registry = registry_of_size(2 << 20);
    let full = exposition(&registry).len();
    let server = MetricsServer::bind("127.0.0.1:0", &registry).expect("bind");
    let address = server.local_addr();

    let idle: Vec<TcpStream> = (0..300).map(|_| connect(address)).collect();
    let stalled: Vec<TcpStream> = (0..4).map(|_| non_reading_client(address)).collect();
    // Time for the endpoint to take every connection and start on the stalled responses.
    std::thread::sleep(Duration::from_millis(500));

    let started = Instant::now();
    let response = scrape(address).expect("a normal scrape");
    let took = started.elapsed();
    let threads = thread_count();
    println!(
        "2 MB scrape beside {} idle and {} non-reading connections: {took:?}, \
         threads {baseline} -> {threads}",
        idle.len(),
        stalled.len()
    );
    assert_eq!((response.status, response.body.len()), (200, full));
    assert!(took < Duration::from_secs(3), "the scrape took {took:?}");
    assert!(
        threads <= baseline + 32,
        "{threads} threads with the endpoint under load, {baseline} before it"
    );

    drop((idle, stalled));
    server.shutdown();
    assert_eq!(
        settled_thread_count(baseline),
        baseline,
        "shutdown left threads behind"
    );
}

#[test]
fn an_endless_header_line_gets_431_and_resident_memory_stays_bounded() {
    if in_own_process(
        "endpoint_resources::an_endless_header_line_gets_431_and_resident_memory_stays_bounded",
    ) {
        return;
    }
    const HEADER_LINE_BYTES: usize = 64 << 20;
    const GROWTH_BOUND: u64 = 8 << 20;
    let collector = PrometheusCollector::new();
    let server = MetricsServer::bind("127.0.0.1:0", collector.registry()).expect("bind");
    let before = resident_bytes();

    let mut stream = connect(server.local_addr());
    let mut writer_stream = stream.try_clone().expect("clone the stream");
    let writer = std::thread::spawn(move || -> (usize, Option<io::Error>) {
        let prefix = b"GET /metrics HTTP/1.1\r\nHost: endpoint\r\nX-Endless: ";
        if let Err(error) = writer_stream.write_all(prefix) {
            return (0, Some(error));
        }
        let chunk = vec![b'a'; 64 << 10];
        let mut sent = 0;
        while sent < HEADER_LINE_BYTES {
            if let Err(error) = writer_stream.write_all(&chunk) {
                return (sent, Some(error));
            }
            sent += chunk.len();
        }
        (sent, None)
    });
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    let ended = loop {
        match stream.read(&mut chunk) {
            Ok(0) => break "closed",
            Ok(read) => answer.extend_from_slice(&chunk[..read]),
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => break "reset",
            Err(error) => panic!("no answer to an endless header: {error}"),
        }
    };
    let (sent, write_error) = writer.join().expect("writer thread");
    let growth = resident_bytes().saturating_sub(before);
    let answer = String::from_utf8_lossy(&answer);
    println!(
        "endless header: cut off after {sent} bytes ({ended}), resident memory grew {} KiB",
        growth >> 10
    );
    assert!(
        answer.starts_with("HTTP/1.1 431"),
        "expected 431, got {answer:?} ({ended})"
    );
    assert!(
        write_error.is_some() && sent < HEADER_LINE_BYTES,
        "the endpoint took all {sent} bytes of one header line"
    );
    assert!(growth < GROWTH_BOUND, "resident memory grew {growth} bytes");
    assert_eq!(scrape(server.local_addr()).expect("scrape").status, 200);
}

fn set_descriptor_limit(soft: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `getrlimit` writes one `rlimit` into the live local it is given.
    assert_eq!(
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
        0
    );
    limit.rlim_cur = soft.min(limit.rlim_max);
    // SAFETY: `setrlimit` reads one `rlimit` from the live local it is given.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
}

/// CPU time this process has used, user and system.
fn cpu_time() -> Duration {
    // SAFETY: all-zero is a valid `rusage` (integers and `timeval`s of integers).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `getrusage` writes one `rusage` into the live local it is given.
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) }, 0);
    let seconds = |time: libc::timeval| {
        Duration::from_secs(time.tv_sec as u64) + Duration::from_micros(time.tv_usec as u64)
    };
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

#[test]
fn accept_failures_for_want_of_descriptors_do_not_end_the_endpoint() {
    if in_own_process(
        "endpoint_resources::accept_failures_for_want_of_descriptors_do_not_end_the_endpoint",
    ) {
        return;
    }
    let collector = PrometheusCollector::new();
    collector.record_session_active(9);
    let server = MetricsServer::bind("127.0.0.1:0", collector.registry()).expect("bind");
    let address = server.local_addr();

    let open = std::fs::read_dir("/proc/self/fd")
        .expect("Linux /proc")
        .count() as u64;
    set_descriptor_limit(open + 32);
    let mut hoard = Vec::new();
    let exhausted = loop {
        match File::open("/dev/null") {
            Ok(file) if hoard.len() < 10_000 => hoard.push(file),
            Ok(_) => panic!("the descriptor limit did not take"),
            Err(error) => break error,
        }
    };
    assert_eq!(exhausted.raw_os_error(), Some(libc::EMFILE), "{exhausted}");
    // One descriptor for the client's socket; none left for the endpoint to accept it with.
    hoard.pop();
    let mut client = connect(address);
    send(
        &mut client,
        "GET /metrics HTTP/1.1\r\nHost: endpoint\r\nConnection: close\r\n\r\n",
    );
    let cpu_before = cpu_time();
    client
        .set_read_timeout(Some(Duration::from_millis(1500)))
        .expect("read timeout");
    let mut probe = [0u8; 1];
    let unanswered = client
        .read(&mut probe)
        .expect_err("no answer while accepts fail");
    assert!(
        matches!(
            unanswered.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ),
        "{unanswered}"
    );
    let cpu_spent = cpu_time() - cpu_before;

    drop(hoard);
    let freed = Instant::now();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    let response = read_response(&mut client).expect("answered once descriptors are back");
    let recovered = freed.elapsed();
    println!(
        "accepts failed for 1.5 s using {cpu_spent:?} of CPU; served {recovered:?} after recovery"
    );
    assert_eq!(response.status, 200);
    assert!(
        String::from_utf8_lossy(&response.body).contains("\ngort_sessions_active 9\n"),
        "{response:?}"
    );
    assert!(
        recovered < Duration::from_secs(3),
        "served {recovered:?} after recovery"
    );
    // Backing off, the endpoint tries about eight times in 1.5 s and uses a few milliseconds;
    // retrying at once, even with a yield to the timer between tries, takes a hundred or more.
    assert!(
        cpu_spent < Duration::from_millis(50),
        "failing accepts used {cpu_spent:?} of CPU in 1.5 s"
    );
    assert_eq!(scrape(address).expect("a later scrape").status, 200);
}

#[test]
fn shutdown_with_clients_connected_is_prompt_and_joins_the_thread() {
    if in_own_process(
        "endpoint_resources::shutdown_with_clients_connected_is_prompt_and_joins_the_thread",
    ) {
        return;
    }
    let baseline = thread_count();
    let registry = registry_of_size(8 << 20);
    let server = MetricsServer::bind("127.0.0.1:0", &registry).expect("bind");
    let address: SocketAddr = server.local_addr();
    assert_eq!(thread_count(), baseline + 1, "one thread for the endpoint");

    let mut idle: Vec<TcpStream> = (0..10).map(|_| connect(address)).collect();
    let _stalled = non_reading_client(address);
    let mut partial = connect(address);
    send(&mut partial, "GET /metrics HTTP/1.1\r\nHost: end");
    std::thread::sleep(Duration::from_millis(300));

    let started = Instant::now();
    server.shutdown();
    let took = started.elapsed();
    println!("shutdown with 12 connections open, one mid-response: {took:?}");
    assert!(
        took < MetricsServer::SHUTDOWN_GRACE + Duration::from_secs(1),
        "shutdown took {took:?}"
    );
    assert_eq!(
        settled_thread_count(baseline),
        baseline,
        "shutdown left threads behind"
    );
    for stream in idle.iter_mut().chain([&mut partial]) {
        let mut byte = [0u8; 1];
        let closed = match stream.read(&mut byte) {
            Ok(read) => read == 0,
            Err(error) => error.kind() == io::ErrorKind::ConnectionReset,
        };
        assert!(closed, "a connection outlived the endpoint");
    }
    // The port is free at once, and dropping a handle shuts down just the same.
    let again = MetricsServer::bind(address, &registry).expect("rebind the released port");
    assert_eq!(thread_count(), baseline + 1);
    drop(again);
    assert_eq!(
        settled_thread_count(baseline),
        baseline,
        "drop left the thread behind"
    );
}
