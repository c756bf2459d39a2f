//! Static files and response compression: what a phone downloads before a
//! page is live, and what a second visit does not download again.
//!
//! - `/pkg/*` (the WebAssembly chunks, their JavaScript loaders and the
//!   stylesheet) is served from `<site_root>/pkg`. A release build made with
//!   `cargo leptos build --release --precompress --split` (see
//!   `scripts/build.sh`) writes each file under a name carrying its content
//!   hash, with `.br` and `.gz` copies beside it; the brotli or gzip copy is
//!   sent to a browser that accepts it (`Accept-Encoding`, `ServeDir`'s
//!   precompressed options), never compressed per request. Hashed names
//!   never change content, so they are cached for a year and never asked
//!   for again ([`IMMUTABLE`]).
//! - Anything else static (`public/`, e.g. `/favicon.svg`) is served with
//!   `Last-Modified` and [`REVALIDATE`], so a browser asks again with
//!   `If-Modified-Since` and gets `304 Not Modified` with no body when
//!   nothing changed. A path that is no file falls through to the app's
//!   404 page.
//! - Pages and server-function answers are compressed on the fly
//!   ([`compression`]); files already compressed (precompressed assets,
//!   images, audio, partial content) are left as they are.
//!
//! Sources: RFC 9111 §5.2.2 (`max-age`, `no-cache`), RFC 8246
//! (`immutable`), RFC 9110 §13.1.3 (`If-Modified-Since`).

use std::path::Path;

use axum::http::{header, HeaderValue};
use tower::Layer;
use tower_http::{
    compression::{
        predicate::{NotForContentType, Predicate, SizeAbove},
        CompressionLayer,
    },
    services::ServeDir,
    set_header::{SetResponseHeader, SetResponseHeaderLayer},
};

/// `Cache-Control` of a file whose name carries its content hash: kept a
/// year (the most RFC 9111 advises) and never revalidated while fresh.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `Cache-Control` of every other static file: the browser keeps it but asks
/// before each use, and a `304` answer costs a round trip and no body.
pub const REVALIDATE: &str = "no-cache";

/// The service for `/pkg/*`: files from `pkg_dir`, their `.br` or `.gz`
/// copy when the browser accepts it and the build wrote one, with
/// [`IMMUTABLE`] when `hashed` (the build names files by content) and
/// [`REVALIDATE`] otherwise (a debug build's fixed names). A missing file is
/// a plain 404.
pub fn pkg_files(pkg_dir: &Path, hashed: bool) -> SetResponseHeader<ServeDir, HeaderValue> {
    let cache = HeaderValue::from_static(if hashed { IMMUTABLE } else { REVALIDATE });
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, cache).layer(precompressed(ServeDir::new(pkg_dir)))
}

/// The service for other static files under `site_root` (`public/` is
/// copied there), with [`REVALIDATE`]; paths that are no file go to
/// `not_found` (the app's 404 page).
pub fn site_files<F>(site_root: &Path, not_found: F) -> SetResponseHeader<ServeDir<F>, HeaderValue> {
    let files = precompressed(ServeDir::new(site_root)).append_index_html_on_directories(false).fallback(not_found);
    SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE)).layer(files)
}

fn precompressed<F>(dir: ServeDir<F>) -> ServeDir<F> {
    dir.precompressed_br().precompressed_gzip()
}

/// On-the-fly brotli or gzip for pages and server-function answers,
/// whichever the request's `Accept-Encoding` prefers. Skipped for bodies of
/// 256 bytes or less (not worth a header), for anything already compressed
/// (tower-http leaves a response with `Content-Encoding` alone), images,
/// audio, video and WebAssembly, and for partial content (`Content-Range`:
/// a compressed range is no range of the file).
pub fn compression() -> CompressionLayer<impl Predicate> {
    let predicate = SizeAbove::new(256)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::const_new("audio/"))
        .and(NotForContentType::const_new("video/"))
        .and(NotForContentType::const_new("application/wasm"))
        .and(NotForContentType::GRPC)
        .and(NotForContentType::SSE)
        .and(|status: axum::http::StatusCode, _: axum::http::Version, headers: &axum::http::HeaderMap, _: &axum::http::Extensions| {
            status != axum::http::StatusCode::PARTIAL_CONTENT && !headers.contains_key(header::CONTENT_RANGE)
        });
    CompressionLayer::new().br(true).gzip(true).no_deflate().no_zstd().compress_when(predicate)
}

#[cfg(test)]
mod tests {
    use axum::{
        body::{to_bytes, Body},
        http::{header, Request, StatusCode},
    };
    use tower::ServiceExt;

    use super::*;

    /// A pkg folder with `app.wasm` and, when `copies`, a brotli and a gzip
    /// copy of it (their bytes differ, so the test sees which one came).
    fn pkg(copies: bool) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.wasm"), b"raw wasm bytes").unwrap();
        if copies {
            std::fs::write(dir.path().join("app.wasm.br"), b"brotli bytes").unwrap();
            std::fs::write(dir.path().join("app.wasm.gz"), b"gzip bytes").unwrap();
        }
        dir
    }

    fn get(path: &str, accept_encoding: Option<&str>) -> Request<Body> {
        let mut request = Request::get(path);
        if let Some(encodings) = accept_encoding {
            request = request.header(header::ACCEPT_ENCODING, encodings);
        }
        request.body(Body::empty()).unwrap()
    }

    async fn body<B>(response: axum::http::Response<B>) -> Vec<u8>
    where
        B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        to_bytes(Body::new(response.into_body()), 1 << 20).await.unwrap().to_vec()
    }

    #[tokio::test]
    async fn hashed_assets_go_out_precompressed_as_asked_and_immutable() {
        let dir = pkg(true);
        let files = pkg_files(dir.path(), true);
        for (accept, encoding, bytes) in [
            (Some("gzip, deflate, br, zstd"), Some("br"), &b"brotli bytes"[..]),
            (Some("gzip"), Some("gzip"), b"gzip bytes"),
            (None, None, b"raw wasm bytes"),
        ] {
            let response = files.clone().oneshot(get("/app.wasm", accept)).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{accept:?}");
            let headers = response.headers().clone();
            assert_eq!(headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), encoding, "{accept:?}");
            assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
            assert_eq!(headers[header::CACHE_CONTROL], IMMUTABLE);
            assert_eq!(body(response).await, bytes, "{accept:?}");
        }
        let missing = files.oneshot(get("/other.wasm", Some("br"))).await.unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn unhashed_assets_are_revalidated_and_answer_304_when_unchanged() {
        let dir = pkg(false);
        let files = pkg_files(dir.path(), false);
        let first = files.clone().oneshot(get("/app.wasm", Some("br"))).await.unwrap();
        assert_eq!(first.headers()[header::CACHE_CONTROL], REVALIDATE);
        assert!(first.headers().get(header::CONTENT_ENCODING).is_none(), "no copy, so the file as it is");
        let modified = first.headers()[header::LAST_MODIFIED].clone();
        let again = Request::get("/app.wasm").header(header::IF_MODIFIED_SINCE, modified).body(Body::empty()).unwrap();
        let second = files.oneshot(again).await.unwrap();
        assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
        assert!(body(second).await.is_empty());
    }

    #[tokio::test]
    async fn other_static_files_revalidate_and_unknown_paths_fall_through() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("favicon.svg"), b"<svg/>").unwrap();
        let fallback = tower::service_fn(|_: Request<Body>| async {
            Ok::<_, std::convert::Infallible>(
                axum::response::Response::builder().status(StatusCode::NOT_FOUND).body(Body::from("the app's 404")).unwrap(),
            )
        });
        let files = site_files(dir.path(), fallback);
        let icon = files.clone().oneshot(get("/favicon.svg", None)).await.unwrap();
        assert_eq!(icon.status(), StatusCode::OK);
        assert_eq!(icon.headers()[header::CACHE_CONTROL], REVALIDATE);
        let modified = icon.headers()[header::LAST_MODIFIED].clone();
        let again = Request::get("/favicon.svg").header(header::IF_MODIFIED_SINCE, modified).body(Body::empty()).unwrap();
        assert_eq!(files.clone().oneshot(again).await.unwrap().status(), StatusCode::NOT_MODIFIED);
        let unknown = files.oneshot(get("/no-such-page", None)).await.unwrap();
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        assert_eq!(body(unknown).await, b"the app's 404");
    }
}
