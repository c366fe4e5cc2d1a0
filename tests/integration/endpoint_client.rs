//! A raw HTTP/1.1 client for the endpoint-limit tests: connections that misbehave on purpose
//! (never send, never read, never end a header), responses read by `Content-Length` so that a
//! connection can be kept alive, and the process-wide readings (threads, resident memory) the
//! limits are judged by.

use gort_metrics::prometheus::{IntCounterVec, Opts, Registry, TextEncoder};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::time::Duration;

/// A registry whose text exposition is at least `bytes` long: one counter family with as many
/// 1000-character label values as it takes (long values keep the series, and so the time to
/// build and render them, few).
pub fn registry_of_size(bytes: usize) -> Registry {
    let registry = Registry::new();
    let padding = IntCounterVec::new(
        Opts::new("padding_total", "Series that make the exposition large."),
        &["name"],
    )
    .expect("valid family");
    registry
        .register(Box::new(padding.clone()))
        .expect("register");
    // `padding_total{name="<1000 chars>"} 1` and a newline: 1025 bytes a series.
    for index in 0..bytes / 1025 + 1 {
        padding
            .with_label_values(&[&format!("{index:0>1000}")])
            .inc();
    }
    assert!(exposition(&registry).len() >= bytes);
    registry
}

/// What the endpoint serves for `registry`.
pub fn exposition(registry: &Registry) -> String {
    let mut text = String::new();
    TextEncoder::new()
        .encode_utf8(&registry.gather(), &mut text)
        .expect("encode");
    text
}

/// A loopback connection with a read timeout, so that no test can hang on it.
pub fn connect(address: SocketAddr) -> TcpStream {
    assert!(
        address.ip().is_loopback(),
        "tests talk to the loopback only"
    );
    let stream =
        TcpStream::connect_timeout(&address, Duration::from_secs(5)).expect("connect to endpoint");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    stream
}

/// A connection that has sent `GET /metrics` and keeps its receive buffer at the minimum, so
/// that a response it never reads stalls the endpoint's writes almost at once.
pub fn non_reading_client(address: SocketAddr) -> TcpStream {
    let mut stream = connect(address);
    set_receive_buffer(&stream, 4096);
    send(
        &mut stream,
        "GET /metrics HTTP/1.1\r\nHost: endpoint\r\n\r\n",
    );
    stream
}

/// Sets the socket's receive buffer. The window it allows stays that small for the life of the
/// connection, which makes reading anything later very slow: for clients that never read.
fn set_receive_buffer(stream: &TcpStream, bytes: usize) {
    let size = libc::c_int::try_from(bytes).expect("a buffer size that fits a c_int");
    // SAFETY: the descriptor is open for the whole call (`stream` owns it), and the option
    // value points at a live `c_int` whose size is the length passed.
    let result = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(result, 0, "SO_RCVBUF: {}", io::Error::last_os_error());
}

pub fn send(stream: &mut TcpStream, request: &str) {
    stream.write_all(request.as_bytes()).expect("send request");
}

/// One response as read off a kept-alive connection.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

/// Reads one response: the head up to the blank line, then `Content-Length` bytes of body.
pub fn read_response(stream: &mut TcpStream) -> io::Result<Response> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("closed after {:?}", String::from_utf8_lossy(&head)),
            ));
        }
        head.push(byte[0]);
        if head.len() > 64 * 1024 {
            return Err(io::Error::other("response head without an end"));
        }
    }
    let head = String::from_utf8(head).map_err(io::Error::other)?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| io::Error::other(format!("no status in {head:?}")))?;
    let length: usize = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body)?;
    Ok(Response { status, head, body })
}

/// `GET /metrics` on a fresh connection that closes after the answer.
pub fn scrape(address: SocketAddr) -> io::Result<Response> {
    let mut stream = connect(address);
    send(
        &mut stream,
        "GET /metrics HTTP/1.1\r\nHost: endpoint\r\nConnection: close\r\n\r\n",
    );
    read_response(&mut stream)
}

/// How the server ended a connection once the client stopped waiting for more: the bytes
/// that were still delivered, and whether it ended in an orderly close rather than a reset.
pub fn read_until_closed(stream: &mut TcpStream) -> io::Result<(usize, bool)> {
    let mut received = 0;
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return Ok((received, true)),
            Ok(read) => received += read,
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => {
                return Ok((received, false));
            }
            Err(error) => return Err(error),
        }
    }
}
