//! The bounded queue between recording threads and the one thread that sends.
//!
//! Recording threads only push a line (a full queue drops it, counted, never blocks the
//! caller). The sending thread writes lines into the datagram buffer in the order they were
//! pushed, sends a partly filled buffer every flush interval, and answers flush requests,
//! which travel through the same queue: a flush is answered once every line pushed before it
//! is sent, however busy the other threads are, and only those lines are waited for.
//!
//! Flush requests do not count against the bound, so they always get in; the stop signal is
//! the queue's disconnection, seen after every line still queued.

use super::sink::Progress;
use cadence::MetricSink;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest a flush, or dropping the collector, waits for the sending thread. The thread
/// writes to a non-blocking socket and takes microseconds per datagram; this bound only
/// matters for a sink that hangs.
const WAIT_LIMIT: Duration = Duration::from_secs(1);

/// Lines handled in one burst before the sending thread looks at the clock again.
const LINES_PER_CLOCK_READ: u32 = 256;

/// How long the sending thread sleeps between bursts while lines keep coming: what a flush
/// may wait on top of the lines ahead of it.
const LINGER: Duration = Duration::from_millis(1);

/// How long the queue must stay empty before the sending thread blocks on it, so that the
/// next push wakes it: then only the first line after a quiet spell pays for a wake-up.
const IDLE_BEFORE_PARKING: Duration = Duration::from_millis(5);

/// What one burst found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Burst {
    /// The queue is empty now.
    Drained { handled: u32 },
    /// The burst ended with commands still queued.
    Cut,
    /// Every sender is gone: the collector was dropped.
    Disconnected,
}

enum Command {
    Line(String),
    /// Answered once every line before it is handed to the sink and the sink is flushed.
    Flush(Sender<io::Result<()>>),
}

/// The recording end, a cadence sink: what `StatsdClient` writes formatted lines to.
pub(super) struct Queue {
    /// `None` once dropping: disconnecting is the stop signal.
    commands: Option<Sender<Command>>,
    /// Lines pushed and not yet taken by the sending thread.
    queued: Arc<AtomicUsize>,
    capacity: usize,
    /// Behind a lock only so that the queue is `Sync` and unwind-safe, as cadence asks of a
    /// sink; only `Drop` touches it.
    worker: Mutex<Option<Worker>>,
}

/// The sending thread, and a channel that disconnects when it has finished.
struct Worker {
    thread: JoinHandle<()>,
    finished: Receiver<()>,
}

impl Queue {
    /// Starts the sending thread, which owns `sink`.
    ///
    /// # Errors
    ///
    /// The thread could not be spawned.
    pub(super) fn start<S: MetricSink + Send + 'static>(
        sink: S,
        capacity: usize,
        flush_interval: Duration,
        progress: &Arc<Progress>,
    ) -> io::Result<Queue> {
        let (commands, received) = mpsc::channel();
        let (finished_sender, finished) = mpsc::channel::<()>();
        let queued = Arc::new(AtomicUsize::new(0));
        let sending = Sending {
            sink,
            queued: Arc::clone(&queued),
            progress: Arc::clone(progress),
            flush_interval,
        };
        let thread = std::thread::Builder::new()
            .name("gort-statsd".into())
            .spawn(move || {
                // Dropped last, by return or unwinding, so that when `Drop` sees it go the sink
                // has been flushed and dropped too.
                let _finished = finished_sender;
                let (sending, received) = (sending, received);
                sending.run(&received);
            })?;
        Ok(Queue {
            commands: Some(commands),
            queued,
            capacity,
            worker: Mutex::new(Some(Worker { thread, finished })),
        })
    }

    fn send(&self, command: Command) -> io::Result<()> {
        let commands = self.commands.as_ref().ok_or_else(stopped)?;
        commands.send(command).map_err(|_| stopped())
    }
}

fn stopped() -> io::Error {
    io::Error::new(
        io::ErrorKind::BrokenPipe,
        "the StatsD sending thread has stopped",
    )
}

impl MetricSink for Queue {
    fn emit(&self, line: &str) -> io::Result<usize> {
        // Take a place before pushing, so that the bound holds however many threads push.
        if self.queued.fetch_add(1, Ordering::Relaxed) >= self.capacity {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "the StatsD queue is full",
            ));
        }
        let pushed = self.send(Command::Line(line.to_owned()));
        if pushed.is_err() {
            self.queued.fetch_sub(1, Ordering::Relaxed);
        }
        pushed.map(|()| line.len())
    }

    fn flush(&self) -> io::Result<()> {
        let (answer, answered) = mpsc::channel();
        self.send(Command::Flush(answer))?;
        match answered.recv_timeout(WAIT_LIMIT) {
            Ok(flushed) => flushed,
            Err(RecvTimeoutError::Timeout) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the StatsD sending thread did not flush in time",
            )),
            Err(RecvTimeoutError::Disconnected) => Err(stopped()),
        }
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        // The sending thread takes what is still queued, flushes, and ends when it finds the
        // queue disconnected; waiting for it here is what makes dropping the collector lose
        // nothing. It is bounded, so that a hung sink cannot hang the dropping thread: the
        // thread then finishes on its own.
        drop(self.commands.take());
        let worker = self
            .worker
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(worker) = worker.take() else {
            return;
        };
        if let Err(RecvTimeoutError::Disconnected) = worker.finished.recv_timeout(WAIT_LIMIT) {
            let _ = worker.thread.join();
        }
    }
}

/// What the sending thread owns.
struct Sending<S> {
    sink: S,
    queued: Arc<AtomicUsize>,
    progress: Arc<Progress>,
    flush_interval: Duration,
}

impl<S: MetricSink> Sending<S> {
    fn run(&self, commands: &Receiver<Command>) {
        let mut next_flush = Instant::now() + self.flush_interval;
        let mut last_busy = Instant::now();
        loop {
            let burst = self.take_burst(commands);
            let now = Instant::now();
            match burst {
                Burst::Disconnected => break,
                Burst::Drained { handled: 0 } => {}
                Burst::Drained { .. } | Burst::Cut => last_busy = now,
            }
            if now >= next_flush {
                self.flush_counting();
                next_flush = now + self.flush_interval;
            }
            if burst == Burst::Cut {
                continue;
            }
            let until_flush = next_flush.saturating_duration_since(now);
            if now.duration_since(last_busy) < IDLE_BEFORE_PARKING {
                // Busy lately: let lines gather while this thread sleeps. A thread blocked on
                // the queue would have every push wake it, a system call on the recording
                // thread for each line.
                std::thread::sleep(LINGER.min(until_flush));
                continue;
            }
            match commands.recv_timeout(until_flush) {
                Ok(command) => {
                    self.handle(command);
                    last_busy = Instant::now();
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        self.flush_counting();
    }

    /// Handles what is queued, up to [`LINES_PER_CLOCK_READ`] commands, without reading the
    /// clock.
    fn take_burst(&self, commands: &Receiver<Command>) -> Burst {
        for handled in 0..LINES_PER_CLOCK_READ {
            match commands.try_recv() {
                Ok(command) => self.handle(command),
                Err(TryRecvError::Empty) => return Burst::Drained { handled },
                Err(TryRecvError::Disconnected) => return Burst::Disconnected,
            }
        }
        Burst::Cut
    }

    fn handle(&self, command: Command) {
        match command {
            Command::Line(line) => {
                self.queued.fetch_sub(1, Ordering::Relaxed);
                if self.sink.emit(&line).is_err() {
                    self.progress.count_error();
                }
            }
            Command::Flush(answer) => {
                // The caller may have given up waiting; then the answer has nowhere to go.
                let _ = answer.send(self.sink.flush());
            }
        }
    }

    fn flush_counting(&self) {
        if self.sink.flush().is_err() {
            self.progress.count_error();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    /// Keeps what it is given until flushed; says when it is dropped.
    #[derive(Default)]
    struct Buffering {
        buffered: Mutex<Vec<String>>,
        sent: Arc<Mutex<Vec<String>>>,
        dropped: Arc<AtomicBool>,
    }

    impl MetricSink for Buffering {
        fn emit(&self, line: &str) -> io::Result<usize> {
            self.buffered.lock().unwrap().push(line.to_owned());
            Ok(line.len())
        }
        fn flush(&self) -> io::Result<()> {
            let mut buffered = self.buffered.lock().unwrap();
            self.sent.lock().unwrap().append(&mut buffered);
            Ok(())
        }
    }

    impl Drop for Buffering {
        fn drop(&mut self) {
            self.dropped.store(true, Ordering::SeqCst);
        }
    }

    const AN_HOUR: Duration = Duration::from_secs(3600);

    fn start(capacity: usize) -> (Queue, Arc<Mutex<Vec<String>>>, Arc<AtomicBool>) {
        let sink = Buffering::default();
        let (sent, dropped) = (Arc::clone(&sink.sent), Arc::clone(&sink.dropped));
        let queue = Queue::start(sink, capacity, AN_HOUR, &Arc::default()).unwrap();
        (queue, sent, dropped)
    }

    #[test]
    fn a_flush_sends_every_line_pushed_before_it_in_order() {
        let (queue, sent, _) = start(1_000);
        for i in 0..500 {
            queue.emit(&format!("line:{i}|c")).unwrap();
        }
        queue.flush().unwrap();
        let expected: Vec<String> = (0..500).map(|i| format!("line:{i}|c")).collect();
        assert_eq!(*sent.lock().unwrap(), expected);
    }

    #[test]
    fn dropping_sends_what_is_queued_and_ends_the_thread_at_once() {
        let (queue, sent, dropped) = start(10_000);
        for i in 0..5_000 {
            queue.emit(&format!("line:{i}|c")).unwrap();
        }
        let started = Instant::now();
        drop(queue);
        let took = started.elapsed();
        assert!(took < Duration::from_millis(500), "drop took {took:?}");
        // The sink is dropped by the sending thread as it ends, before `drop` returned.
        assert!(
            dropped.load(Ordering::SeqCst),
            "the sending thread still runs"
        );
        assert_eq!(sent.lock().unwrap().len(), 5_000);
    }

    #[test]
    fn a_full_queue_refuses_lines_but_never_flush_requests() {
        let (queue, sent, _) = start(2);
        // The sending thread takes lines as fast as they come, so fill the bound by hand.
        queue.queued.store(2, Ordering::Relaxed);
        let refused = queue.emit("refused:1|c").unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::WouldBlock);
        assert_eq!(queue.queued.load(Ordering::Relaxed), 2);
        queue.queued.store(0, Ordering::Relaxed);
        queue.emit("kept:1|c").unwrap();
        queue.flush().unwrap();
        assert_eq!(*sent.lock().unwrap(), ["kept:1|c"]);
    }

    /// Takes a millisecond per line, like a sink on a slow network.
    struct Slow(Buffering);

    impl MetricSink for Slow {
        fn emit(&self, line: &str) -> io::Result<usize> {
            std::thread::sleep(Duration::from_millis(1));
            self.0.emit(line)
        }
        fn flush(&self) -> io::Result<()> {
            self.0.flush()
        }
    }

    #[test]
    fn a_flush_waits_for_the_lines_before_it_not_for_those_pushed_meanwhile() {
        let sink = Slow(Buffering::default());
        let sent = Arc::clone(&sink.0.sent);
        let queue = Arc::new(Queue::start(sink, 100_000, AN_HOUR, &Arc::default()).unwrap());
        // Pushes twice as fast as the sink takes lines, so that the sending thread never
        // catches up: waiting until it has taken "everything" would never end.
        let stop = Arc::new(AtomicBool::new(false));
        let pushed = Arc::new(AtomicUsize::new(0));
        let pusher = std::thread::spawn({
            let (queue, stop, pushed) =
                (Arc::clone(&queue), Arc::clone(&stop), Arc::clone(&pushed));
            move || {
                let deadline = Instant::now() + Duration::from_secs(5);
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                    queue.emit("load:1|c").unwrap();
                    pushed.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_micros(500));
                }
            }
        });
        std::thread::sleep(Duration::from_millis(20));
        let pushed_before = pushed.load(Ordering::SeqCst);
        let started = Instant::now();
        queue.flush().unwrap();
        let took = started.elapsed();
        let sent_by_then = sent.lock().unwrap().len();
        stop.store(true, Ordering::SeqCst);
        pusher.join().unwrap();
        assert!(
            sent_by_then >= pushed_before,
            "{sent_by_then} of {pushed_before} sent"
        );
        // About one millisecond per line that was ahead; far from the one-second limit.
        let bound = Duration::from_millis(100 + 3 * pushed_before as u64);
        assert!(
            took < bound,
            "flush took {took:?} for {pushed_before} lines ahead"
        );
    }

    #[test]
    fn the_interval_flushes_a_quiet_queue() {
        let sink = Buffering::default();
        let sent = Arc::clone(&sink.sent);
        let queue = Queue::start(sink, 10, Duration::from_millis(10), &Arc::default()).unwrap();
        queue.emit("quiet:1|c").unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while sent.lock().unwrap().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(*sent.lock().unwrap(), ["quiet:1|c"]);
    }
}
