//! `<service> healthcheck`: the images' Docker `HEALTHCHECK`.
//!
//! The runtime images have no shell and no curl, so the binary checks itself:
//! one HTTP/1.1 GET of `/healthz` on loopback with a short timeout. This is a
//! handful of lines on `std::net`, cheaper than linking an HTTP client into
//! the image.

use std::{
    io::{Read, Write},
    net::{Ipv4Addr, SocketAddr, TcpStream},
    time::Duration,
};

const TIMEOUT: Duration = Duration::from_secs(2);

/// Ok when `GET /healthz` on `127.0.0.1:port` answers 200.
pub fn check(port: u16) -> Result<(), String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream =
        TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|e| format!("cannot send to {addr}: {e}"))?;
    let mut head = [0u8; 32];
    let n = stream.read(&mut head).map_err(|e| format!("no answer from {addr}: {e}"))?;
    let status_line = String::from_utf8_lossy(&head[..n]);
    if status_line.starts_with("HTTP/1.1 200 ") || status_line.starts_with("HTTP/1.0 200 ") {
        Ok(())
    } else {
        Err(format!("unhealthy: {}", status_line.lines().next().unwrap_or("empty answer")))
    }
}
