//! The glue between hyper and tokio: a TCP stream as hyper's `Read`/`Write` with a deadline on
//! every write, and tokio's timer as hyper's `Timer`. Small enough to own rather than pull in
//! `hyper-util` and its dependencies for it.

use hyper::rt::{Read, ReadBufCursor, Sleep, Timer, Write};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The most one read takes from the socket. Requests to the endpoint are a few hundred bytes,
/// and hyper refuses a head beyond the limit anyway.
const READ_CHUNK: usize = 8 * 1024;

/// A client connection whose writes must finish within a deadline.
///
/// The deadline starts with the first write after the connection was last flushed, and a flush
/// that completes ends it. hyper flushes once the head, and again once the whole body, of a
/// response is handed over, so a response has `write_timeout` for each, however slowly the
/// client reads: a client that reads a byte now and then cannot hold the connection forever.
pub(super) struct ClientStream {
    stream: TcpStream,
    write_timeout: Duration,
    /// Allocated once per connection and reset for every response, not made anew.
    deadline: Pin<Box<tokio::time::Sleep>>,
    writing: bool,
}

impl ClientStream {
    /// Must be called within the runtime, whose timer the deadline uses.
    pub(super) fn new(stream: TcpStream, write_timeout: Duration) -> Self {
        ClientStream {
            stream,
            write_timeout,
            deadline: Box::pin(tokio::time::sleep(write_timeout)),
            writing: false,
        }
    }

    /// Starts the write deadline unless a write is already under way.
    fn start_writing(&mut self) {
        if !self.writing {
            self.writing = true;
            let deadline = tokio::time::Instant::now() + self.write_timeout;
            self.deadline.as_mut().reset(deadline);
        }
    }

    /// What a write that could not go ahead returns: still pending, or an error once the
    /// deadline has passed. Polling the deadline registers the waker for it.
    fn pending_write<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not read the response within the write timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Read for ClientStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // hyper's cursor may point at uninitialised memory, which tokio's `ReadBuf` could only
        // take through `unsafe`; reading into a zeroed chunk and copying costs a few hundred
        // nanoseconds per request and needs no invariant kept by hand.
        let mut chunk = [0u8; READ_CHUNK];
        let len = buf.remaining().min(READ_CHUNK);
        let mut read = ReadBuf::new(&mut chunk[..len]);
        ready!(Pin::new(&mut self.get_mut().stream).poll_read(cx, &mut read))?;
        buf.put_slice(read.filled());
        Poll::Ready(Ok(()))
    }
}

impl Write for ClientStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.start_writing();
        match Pin::new(&mut this.stream).poll_write(cx, buf) {
            Poll::Pending => this.pending_write(cx),
            ready => ready,
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.start_writing();
        match Pin::new(&mut this.stream).poll_write_vectored(cx, bufs) {
            Poll::Pending => this.pending_write(cx),
            ready => ready,
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let flushed = ready!(Pin::new(&mut this.stream).poll_flush(cx));
        this.writing = false;
        Poll::Ready(flushed)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// tokio's timer, for hyper's header-read timeout.
#[derive(Debug, Clone, Copy)]
pub(super) struct TokioTimer;

/// A tokio sleep as a hyper one; boxed, since tokio's is not `Unpin`.
struct TokioSleep(Pin<Box<tokio::time::Sleep>>);

impl Future for TokioSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().0.as_mut().poll(cx)
    }
}

impl Sleep for TokioSleep {}

impl Timer for TokioTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        Box::pin(TokioSleep(Box::pin(tokio::time::sleep(duration))))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(TokioSleep(Box::pin(tokio::time::sleep_until(
            deadline.into(),
        ))))
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        // hyper resets the header timer for every request on a kept-alive connection; reusing
        // the timer entry saves two allocations each time.
        match sleep.as_mut().downcast_mut_pin::<TokioSleep>() {
            Some(mut ours) => ours.0.as_mut().reset(new_deadline.into()),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;
    use tokio::net::TcpListener;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime")
    }

    /// A connected pair on the loopback: the server end wrapped, the client end raw.
    async fn pair(write_timeout: Duration) -> (ClientStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let client = TcpStream::connect(listener.local_addr().expect("address"))
            .await
            .expect("connect");
        let (server, _) = listener.accept().await.expect("accept");
        (ClientStream::new(server, write_timeout), client)
    }

    async fn write_all(connection: &mut ClientStream, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let written = poll_fn(|cx| Pin::new(&mut *connection).poll_write(cx, data)).await?;
            data = &data[written..];
        }
        poll_fn(|cx| Pin::new(&mut *connection).poll_flush(cx)).await
    }

    #[test]
    fn a_client_that_never_reads_makes_the_write_time_out() {
        runtime().block_on(async {
            let timeout = Duration::from_millis(200);
            let (mut server, _client) = pair(timeout).await;
            // Far more than the socket buffers of both ends hold.
            let data = vec![b'x'; 64 << 20];
            let started = Instant::now();
            let error = write_all(&mut server, &data)
                .await
                .expect_err("nobody reads 64 MiB");
            assert_eq!(error.kind(), io::ErrorKind::TimedOut);
            let elapsed = started.elapsed();
            assert!(
                elapsed >= timeout && elapsed < timeout * 10,
                "gave up after {elapsed:?}"
            );
        });
    }

    #[test]
    fn a_completed_flush_gives_the_next_response_a_fresh_deadline() {
        runtime().block_on(async {
            let timeout = Duration::from_millis(800);
            let (mut server, mut client) = pair(timeout).await;
            write_all(&mut server, b"first response")
                .await
                .expect("the buffers take it");
            // Past the first response's deadline: were it still running, the next write that
            // has to wait would fail at once.
            tokio::time::sleep(timeout + Duration::from_millis(200)).await;
            let large = vec![b'y'; 16 << 20];
            let expected = b"first response".len() + large.len();
            let reader = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let mut storage = vec![0u8; 1 << 16];
                let mut received = 0;
                while received < expected {
                    let mut read = ReadBuf::new(&mut storage);
                    poll_fn(|cx| Pin::new(&mut client).poll_read(cx, &mut read))
                        .await
                        .expect("read");
                    assert!(!read.filled().is_empty(), "early end of stream");
                    received += read.filled().len();
                }
                received
            });
            write_all(&mut server, &large)
                .await
                .expect("a client that reads within the timeout gets the whole response");
            assert_eq!(reader.await.expect("reader"), expected);
        });
    }

    #[test]
    fn reads_pass_the_bytes_through_in_chunks() {
        runtime().block_on(async {
            let (mut server, mut client) = pair(Duration::from_secs(5)).await;
            let request = vec![b'r'; READ_CHUNK * 2 + 5];
            let mut unsent = &request[..];
            while !unsent.is_empty() {
                let sent = poll_fn(|cx| Pin::new(&mut client).poll_write(cx, unsent))
                    .await
                    .expect("send");
                unsent = &unsent[sent..];
            }
            drop(client);
            let mut received = Vec::new();
            loop {
                let mut storage = [std::mem::MaybeUninit::<u8>::uninit(); READ_CHUNK * 3];
                let mut buf = hyper::rt::ReadBuf::uninit(&mut storage);
                poll_fn(|cx| Pin::new(&mut server).poll_read(cx, buf.unfilled()))
                    .await
                    .expect("read");
                let filled = buf.filled();
                assert!(filled.len() <= READ_CHUNK);
                if filled.is_empty() {
                    break;
                }
                received.extend_from_slice(filled);
            }
            assert_eq!(received, request);
        });
    }

    #[test]
    fn the_timer_sleeps_and_resets() {
        runtime().block_on(async {
            let timer = TokioTimer;
            let started = Instant::now();
            let mut sleep = timer.sleep(Duration::from_secs(60));
            timer.reset(&mut sleep, Instant::now() + Duration::from_millis(50));
            assert!(sleep.as_mut().downcast_mut_pin::<TokioSleep>().is_some());
            sleep.await;
            let elapsed = started.elapsed();
            assert!(
                elapsed >= Duration::from_millis(50) && elapsed < Duration::from_secs(5),
                "{elapsed:?}"
            );
        });
    }
}
