//! `StatsdCollector` delivery over real loopback UDP: dropping the collector sends what it
//! still buffers and stops its thread at once; `flush` returns promptly while other threads
//! record, and every record made before it arrives.

use gort_metrics::{Collector, StatsdCollector};
use socket2::{Domain, Protocol, Socket, Type};
use std::collections::BTreeMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// What the listener asks for: enough for seconds of the heaviest load here if its thread is
/// not scheduled for a while.
const RECEIVE_BUFFER_BYTES: usize = 4 << 20;

/// Long enough that a test sees only what `flush`, full datagrams and dropping send.
const AN_HOUR: Duration = Duration::from_secs(3600);

/// A UDP socket on the loopback counting the lines it receives by their `channel` tag.
///
/// Its thread only copies datagrams out of the socket, so that it keeps up with a busy
/// sender; the lines are counted by whoever asks.
struct Listener {
    address: SocketAddr,
    datagrams: Arc<Mutex<Vec<Vec<u8>>>>,
    counted: Mutex<BTreeMap<String, u64>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Listener {
    fn start() -> Listener {
        let socket =
            Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).expect("a UDP socket");
        // Best effort: the kernel caps it at `net.core.rmem_max`, and says so in the
        // receive-buffer drops the assertions report.
        let _ = socket.set_recv_buffer_size(RECEIVE_BUFFER_BYTES);
        let loopback: SocketAddr = ([127, 0, 0, 1], 0).into();
        socket.bind(&loopback.into()).expect("a loopback address");
        let socket = UdpSocket::from(socket);
        socket
            .set_read_timeout(Some(Duration::from_millis(20)))
            .expect("a read timeout");
        let address = socket.local_addr().expect("its address");
        let datagrams = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = thread::spawn({
            let (datagrams, stop) = (Arc::clone(&datagrams), Arc::clone(&stop));
            move || {
                let mut datagram = vec![0; 65_536];
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(length) = socket.recv(&mut datagram) {
                        let received = datagram[..length].to_vec();
                        lock(&datagrams).push(received);
                    }
                }
            }
        });
        Listener {
            address,
            datagrams,
            counted: Mutex::default(),
            stop,
            thread: Some(thread),
        }
    }

    /// Lines per channel so far.
    fn counts(&self) -> BTreeMap<String, u64> {
        let datagrams = std::mem::take(&mut *lock(&self.datagrams));
        let mut counted = lock(&self.counted);
        for datagram in datagrams {
            for line in String::from_utf8_lossy(&datagram).lines() {
                *counted.entry(channel_of(line)).or_default() += 1;
            }
        }
        counted.clone()
    }

    fn received(&self, channel: &str) -> u64 {
        self.counts().get(channel).copied().unwrap_or(0)
    }

    fn total(&self) -> u64 {
        self.counts().values().sum()
    }

    /// Waits (at most 5 s) until `channel` has at least `count` lines; returns how many.
    fn wait_for(&self, channel: &str, count: u64) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.received(channel) < count && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(2));
        }
        self.received(channel)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The `channel` tag of a line, or the whole line when it has none.
fn channel_of(line: &str) -> String {
    line.split_once("#channel:")
        .map(|(_, tags)| tags.split(',').next().unwrap_or_default())
        .unwrap_or(line)
        .to_owned()
}

/// Datagrams the kernel dropped for lack of room in a receive buffer, from `/proc/net/snmp`:
/// what to blame when a loopback test misses lines.
fn receive_buffer_drops() -> u64 {
    let snmp = std::fs::read_to_string("/proc/net/snmp").unwrap_or_default();
    let mut udp = snmp.lines().filter(|line| line.starts_with("Udp: "));
    let (Some(names), Some(values)) = (udp.next(), udp.next()) else {
        return 0;
    };
    names
        .split_whitespace()
        .zip(values.split_whitespace())
        .find(|(name, _)| *name == "RcvbufErrors")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0)
}

#[test]
fn dropping_the_last_clone_sends_what_the_buffer_still_holds() {
    let listener = Listener::start();
    let statsd = StatsdCollector::builder()
        .flush_interval(AN_HOUR)
        .build(listener.address)
        .expect("a UDP socket");
    let clone = statsd.clone();
    // Five short lines fill less than one datagram: only a flush can send them.
    for _ in 0..3 {
        statsd.record_message_received("dropped", "inbound", "text");
    }
    for _ in 0..2 {
        clone.record_message_received("dropped", "inbound", "text");
    }
    drop(statsd);
    thread::sleep(Duration::from_millis(100));
    assert_eq!(
        listener.received("dropped"),
        0,
        "dropping a clone must not flush the shared buffer"
    );
    let started = Instant::now();
    drop(clone);
    let took = started.elapsed();
    assert_eq!(listener.wait_for("dropped", 5), 5);
    assert!(
        took < Duration::from_millis(500),
        "dropping took {took:?}: it must not wait for the flush interval"
    );
    thread::sleep(Duration::from_millis(50));
    assert_eq!(listener.total(), 5, "nothing is sent twice");
}

#[test]
fn dropping_loses_nothing_of_many_records() {
    const RECORDS: u64 = 3_000;
    let listener = Listener::start();
    let drops_before = receive_buffer_drops();
    let statsd = StatsdCollector::builder()
        .flush_interval(AN_HOUR)
        .build(listener.address)
        .expect("a UDP socket");
    for i in 0..RECORDS {
        statsd.record_message_received("many", "inbound", "text");
        // A gentle pace, so that the listener's receive buffer is never what loses lines.
        if i % 100 == 99 {
            thread::sleep(Duration::from_millis(1));
        }
    }
    assert_eq!(statsd.send_errors(), 0);
    let started = Instant::now();
    drop(statsd);
    let took = started.elapsed();
    let received = listener.wait_for("many", RECORDS);
    assert_eq!(
        received,
        RECORDS,
        "lines lost; receive-buffer drops meanwhile: {}",
        receive_buffer_drops() - drops_before
    );
    eprintln!("dropping with {RECORDS} records sent took {took:?}");
    assert!(took < Duration::from_millis(500), "dropping took {took:?}");
}

/// How fast each recording thread records: busy, yet within what the sending thread keeps up
/// with on a shared 2-core machine in a debug build. A flood would fill the queue, whose new
/// lines are then dropped by design (and counted in `send_errors`).
const RECORDS_PER_SECOND_PER_THREAD: u64 = 25_000;

/// Records into `statsd` on its own thread, tagged `channel`, at
/// [`RECORDS_PER_SECOND_PER_THREAD`] until `stop`; counts each record once it has returned.
fn recorder(
    statsd: StatsdCollector,
    channel: String,
    stop: Arc<AtomicBool>,
    recorded: Arc<AtomicU64>,
) -> JoinHandle<()> {
    thread::spawn(move || {
        let started = Instant::now();
        let mut count = 0_u64;
        while !stop.load(Ordering::Relaxed) {
            for _ in 0..25 {
                statsd.record_message_received(&channel, "inbound", "text");
                recorded.fetch_add(1, Ordering::Release);
            }
            count += 25;
            let due =
                started + Duration::from_micros(count * 1_000_000 / RECORDS_PER_SECOND_PER_THREAD);
            thread::sleep(due.saturating_duration_since(Instant::now()));
        }
    })
}

#[test]
fn flush_returns_promptly_under_load_and_everything_recorded_before_it_arrives() {
    const RECORDERS: usize = 3;
    const FLUSHES: usize = 12;
    let listener = Listener::start();
    let drops_before = receive_buffer_drops();
    let statsd = StatsdCollector::builder()
        .flush_interval(AN_HOUR)
        .build(listener.address)
        .expect("a UDP socket");
    let stop = Arc::new(AtomicBool::new(false));
    let counts: Vec<Arc<AtomicU64>> = (0..RECORDERS).map(|_| Arc::default()).collect();
    let channels: Vec<String> = (0..RECORDERS).map(|i| format!("load-{i}")).collect();
    let recorders: Vec<JoinHandle<()>> = (0..RECORDERS)
        .map(|i| {
            let (stop, count) = (Arc::clone(&stop), Arc::clone(&counts[i]));
            recorder(statsd.clone(), channels[i].clone(), stop, count)
        })
        .collect();

    let mut latencies = Vec::with_capacity(FLUSHES);
    let test_started = Instant::now();
    for _ in 0..FLUSHES {
        thread::sleep(Duration::from_millis(30));
        let before: Vec<u64> = counts.iter().map(|c| c.load(Ordering::Acquire)).collect();
        let started = Instant::now();
        statsd.flush();
        latencies.push(started.elapsed());
        for (channel, recorded) in channels.iter().zip(before) {
            let received = listener.wait_for(channel, recorded);
            assert!(
                received >= recorded,
                "{channel}: {received} lines arrived of {recorded} recorded before flush; \
                 receive-buffer drops: {}",
                receive_buffer_drops() - drops_before
            );
        }
    }
    stop.store(true, Ordering::Relaxed);
    for recorder in recorders {
        recorder.join().expect("a recorder");
    }
    statsd.flush();
    let recorded: u64 = counts.iter().map(|c| c.load(Ordering::Acquire)).sum();
    for (channel, count) in channels.iter().zip(&counts) {
        let count = count.load(Ordering::Acquire);
        assert_eq!(
            listener.wait_for(channel, count),
            count,
            "{channel}: send errors {}, receive-buffer drops {}",
            statsd.send_errors(),
            receive_buffer_drops() - drops_before
        );
    }
    assert_eq!(statsd.send_errors(), 0);
    let max = latencies.iter().max().copied().unwrap_or_default();
    let mut sorted = latencies.clone();
    sorted.sort();
    eprintln!(
        "{recorded} records from {RECORDERS} threads in {:.2?}; flush latency median {:?}, \
         max {max:?} over {FLUSHES} flushes",
        test_started.elapsed(),
        sorted[FLUSHES / 2],
    );
    assert!(
        max < Duration::from_millis(100),
        "a flush took {max:?}: {latencies:?}"
    );
}

#[test]
fn a_collector_replaced_as_the_global_sends_what_it_buffered_and_is_released() {
    let _lock = tests::lock_global();
    let listener = Listener::start();
    let statsd = StatsdCollector::builder()
        .flush_interval(AN_HOUR)
        .build(listener.address)
        .expect("a UDP socket");
    gort_metrics::set_global_collector(statsd);
    // A recording thread that ends, and this thread: both hold the collector until they let go.
    thread::spawn(|| {
        for _ in 0..2 {
            gort_metrics::record_message_received("swapped", "inbound", "text");
        }
    })
    .join()
    .expect("recording thread");
    for _ in 0..3 {
        gort_metrics::record_message_received("swapped", "inbound", "text");
    }
    thread::sleep(Duration::from_millis(100));
    assert_eq!(
        listener.received("swapped"),
        0,
        "buffered, the interval is an hour"
    );
    gort_metrics::set_global_collector(gort_metrics::NoopCollector);
    assert_eq!(listener.wait_for("swapped", 5), 5, "flushed when replaced");
    thread::sleep(Duration::from_millis(50));
    assert_eq!(listener.total(), 5, "nothing is sent twice");
}
