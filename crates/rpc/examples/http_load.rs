//! A minimal HTTP/1.1 keep-alive load generator for JSON-RPC servers (ours or anvil):
//! `cargo run --release -p ember-rpc --example http_load -- HOST:PORT [CONNECTIONS] [SECONDS] [BODY]`.
//! Prints requests per second; every response must be `200`.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:18546".into());
    let connections: usize = args.next().map_or(16, |s| s.parse().unwrap());
    let seconds: u64 = args.next().map_or(5, |s| s.parse().unwrap());
    let body = args
        .next()
        .unwrap_or_else(|| r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#.into());
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (addr, request) = (addr.clone(), request.clone());
            tokio::spawn(async move { connection(&addr, request.as_bytes(), deadline).await })
        })
        .collect();
    let mut total = 0u64;
    for task in tasks {
        total += task.await.unwrap();
    }
    println!(
        "{total} requests in {seconds} s over {connections} connections: {} req/s",
        total / seconds
    );
}

async fn connection(addr: &str, request: &[u8], deadline: Instant) -> u64 {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let mut buffer = Vec::with_capacity(4096);
    let mut done = 0;
    while Instant::now() < deadline {
        stream.write_all(request).await.unwrap();
        buffer.clear();
        loop {
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed");
            buffer.extend_from_slice(&chunk[..n]);
            if let Some(end) = complete(&buffer) {
                assert!(
                    buffer.starts_with(b"HTTP/1.1 200"),
                    "{}",
                    String::from_utf8_lossy(&buffer)
                );
                assert_eq!(end, buffer.len(), "pipelined bytes");
                break;
            }
        }
        done += 1;
    }
    done
}

/// The length of the first complete response in `buffer`, if there is one.
fn complete(buffer: &[u8]) -> Option<usize> {
    let head = buffer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let text = std::str::from_utf8(&buffer[..head])
        .ok()?
        .to_ascii_lowercase();
    let length: usize = text
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    (buffer.len() >= head + length).then_some(head + length)
}
