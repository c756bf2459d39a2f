//! What the server sends a browser before any code runs: pages and
//! server-function answers compressed on the fly, built assets from `/pkg`
//! with their caching headers (the rules themselves are unit-tested in
//! `server::assets`).

use std::io::Read;

use reqwest::{header, StatusCode};

use crate::support::TestServer;

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text).expect("a gzip body");
    text
}

#[tokio::test]
async fn pages_and_answers_are_compressed_for_browsers_that_accept_it() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Ceramics").await;

    let page = |encodings: &'static str| {
        ana.http
            .get(s.url(&format!("/rooms/{room}")))
            .header(header::ACCEPT, "text/html")
            .header(header::ACCEPT_ENCODING, encodings)
            .send()
    };
    let gzip = page("gzip").await.unwrap();
    assert_eq!(gzip.status(), StatusCode::OK);
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    assert!(gzip.headers()[header::VARY].to_str().unwrap().to_ascii_lowercase().contains("accept-encoding"));
    let html = gunzip(&gzip.bytes().await.unwrap());
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Ceramics"), "{html}");

    let brotli = page("gzip, deflate, br").await.unwrap();
    assert_eq!(brotli.headers()[header::CONTENT_ENCODING], "br", "brotli is preferred when offered");

    let plain = page("identity").await.unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert!(plain.text().await.unwrap().contains("Ceramics"));

    // A server function's answer (the room's page data, over 256 bytes).
    let answer = ana
        .http
        .post(s.url("/api/room_page"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .form(&[("room_id", room.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()[header::CONTENT_ENCODING], "gzip");
    assert!(gunzip(&answer.bytes().await.unwrap()).contains("Ceramics"));
}

#[tokio::test]
async fn built_assets_are_served_from_pkg_with_their_caching_header() {
    let s = TestServer::start().await;
    let pkg = s.settings.data_dir.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("roomlink.css"), "body { margin: 0 }").unwrap();
    let css = s.client().http.get(s.url("/pkg/roomlink.css")).send().await.unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()[header::CONTENT_TYPE], "text/css");
    // The tests' server is not a hashed build: its names are revalidated.
    assert_eq!(css.headers()[header::CACHE_CONTROL], roomlink::server::assets::REVALIDATE);
    let missing = s.client().http.get(s.url("/pkg/nothing.wasm")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let (status, page) = s.client().page("/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("<!DOCTYPE html>"), "unknown paths still get the app's 404 page: {page}");
}
