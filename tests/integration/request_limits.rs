//! Limits on requests: the size of a server function call's body, and the
//! time a client may take to send its headers or its body.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::TestServer;
use roomlink::{
    error::AppError,
    limits::{HEADERS_TIME_LIMIT_SECS, SERVER_FN_BODY_MAX_BYTES, SERVER_FN_TIME_LIMIT_SECS},
};

#[tokio::test]
async fn a_call_larger_than_the_limit_is_refused_with_413_and_a_reason() {
    let s = TestServer::start().await;
    let c = s.client();
    let huge = "x".repeat(SERVER_FN_BODY_MAX_BYTES + 1);
    let r = c.call("sign_up", &[("username", "ana"), ("password", &huge)]).await;
    assert_eq!(r.status(), 413);
    match serde_json::from_str::<AppError>(&r.text().await.unwrap()).unwrap() {
        AppError::TooLarge(msg) => assert!(msg.to_string().contains("64 KiB"), "{msg}"),
        other => panic!("{other:?}"),
    }
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(users, 0);
    // Just under the limit is read (and refused for what it says).
    let long = "x".repeat(200);
    let r = c.call("sign_up", &[("username", "ana"), ("password", &long)]).await;
    assert_eq!(r.status(), 400);
}

/// Reads from `tcp` until it closes; returns what it read, or `None` when
/// it is still open after `limit`.
async fn read_to_close(tcp: &mut tokio::net::TcpStream, limit: Duration) -> Option<String> {
    let mut got = Vec::new();
    tokio::time::timeout(limit, tcp.read_to_end(&mut got)).await.ok()?.ok()?;
    Some(String::from_utf8_lossy(&got).into_owned())
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_cut_off() {
    let s = TestServer::start().await;
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: roomlink\r\n").await.unwrap();
    // ... and never the blank line that ends the headers.
    let started = std::time::Instant::now();
    let answer = read_to_close(&mut tcp, Duration::from_secs(HEADERS_TIME_LIMIT_SECS * 4)).await;
    assert!(answer.is_some(), "the connection is still open after {:?}", started.elapsed());
    assert!(started.elapsed() >= Duration::from_secs(HEADERS_TIME_LIMIT_SECS - 1), "cut off before the limit");
}

#[tokio::test]
async fn a_call_whose_body_trickles_is_answered_408_with_a_reason() {
    let s = TestServer::start().await;
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let head = format!(
        "POST /api/log_in HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=",
        addr = s.addr
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    // The other 91 bytes never come.
    let answer = read_to_close(&mut tcp, Duration::from_secs(SERVER_FN_TIME_LIMIT_SECS * 3)).await.expect("no answer");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // The reason travels as a code the page words in its reader's language.
    assert!(answer.contains(r#"{"Unavailable":{"took_too_long":{"seconds":30}}}"#), "{answer}");
}

/// Signs up `name` from `client`; the answer's status.
async fn sign_up(client: &crate::support::Client, name: &str, forwarded_for: Option<&str>) -> reqwest::StatusCode {
    let mut request = client.http.post(client.url("/api/sign_up")).form(&[("username", name), ("password", "correct horse")]);
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn one_address_makes_only_so_many_accounts_an_hour() {
    let s = TestServer::start().await;
    let per_hour = roomlink::limits::SIGN_UPS_PER_ADDRESS_PER_HOUR;
    let one = s.client().from_ip(std::net::IpAddr::from([127, 0, 4, 1]));
    for i in 0..per_hour {
        assert!(sign_up(&one, &format!("maker{i}"), None).await.is_success(), "sign-up {i}");
    }
    let r = one.call("sign_up", &[("username", "maker_extra"), ("password", "correct horse")]).await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()[reqwest::header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    // A forwarded address from a peer that is no proxy of ours changes nothing.
    assert_eq!(sign_up(&one, "maker_forged", Some("203.0.113.50")).await, 429);
    // Someone else, elsewhere, is not held up.
    let other = s.client().from_ip(std::net::IpAddr::from([127, 0, 4, 2]));
    assert!(sign_up(&other, "elsewhere", None).await.is_success());
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_budget() {
    let s = TestServer::start_with(|s| s.trusted_proxies = vec!["127.0.5.0/24".into()]).await;
    let per_hour = roomlink::limits::SIGN_UPS_PER_ADDRESS_PER_HOUR;
    let proxy = s.client().from_ip(std::net::IpAddr::from([127, 0, 5, 1]));
    // Many people behind the proxy, each from their own address (IPv4 and IPv6).
    for i in 0..per_hour + 5 {
        let address = if i % 2 == 0 { format!("198.51.100.{i}") } else { format!("2001:db8:{i}::1") };
        assert!(sign_up(&proxy, &format!("viaproxy{i}"), Some(&address)).await.is_success(), "{address}");
    }
    // One of them making account after account hits the wall, also when
    // cycling through the addresses of their own IPv6 /64.
    for i in 0..per_hour {
        let address = format!("2001:db8:aaaa:1::{:x}", i + 1);
        assert!(sign_up(&proxy, &format!("cycler{i}"), Some(&address)).await.is_success());
    }
    assert_eq!(sign_up(&proxy, "cycler_extra", Some("2001:db8:aaaa:1::ffff")).await, 429);
    // Addresses a client puts in front of the proxy's own are its claim, not its address.
    assert_eq!(sign_up(&proxy, "cycler_claim", Some("192.0.2.1, 2001:db8:aaaa:1::1")).await, 429);
}
