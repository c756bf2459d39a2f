//! Images and voice messages over real HTTP: upload, live delivery, catch-up,
//! members-only serving, retries and refusals that leave nothing behind.

use crate::fixtures;
use reqwest::{header, StatusCode};

use crate::support::{club, Client, TestServer};
use roomlink::{
    attachments::{upload_url, AttachmentKind},
    error::AppError,
    live::{ChatMessage, Topic},
};

/// Uploads `bytes` to a room as `client` would from the page.
async fn upload(s: &TestServer, client: &Client, room: i64, client_id: &str, bytes: Vec<u8>) -> reqwest::Response {
    client.http.post(s.url(&upload_url(&Topic::Room(room), client_id))).body(bytes).send().await.unwrap()
}

async fn refusal(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let err: AppError = response.json().await.unwrap();
    (status, err.to_string())
}

async fn counts(s: &TestServer) -> (i64, i64, usize) {
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments").fetch_one(s.store.pool()).await.unwrap();
    let messages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE kind = 'text'")
        .fetch_one(s.store.pool())
        .await
        .unwrap();
    let files = std::fs::read_dir(s.settings.data_dir.join("uploads")).map(|d| d.count()).unwrap_or(0);
    (rows, messages, files)
}

#[tokio::test]
async fn an_image_reaches_the_room_live_and_only_members_can_fetch_it() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let mut b = bruno.live().await;
    b.subscribe(room, 0).await;
    b.quiet_for(200).await;

    let image = fixtures::png(640, 480);
    let response = upload(&s, &ana, room, "img-1", image.clone()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let posted: ChatMessage = response.json().await.unwrap();
    let attachment = posted.attachment.clone().unwrap();
    assert_eq!(attachment.kind, AttachmentKind::Image);
    assert_eq!((attachment.content_type.as_str(), attachment.width, attachment.height), ("image/png", Some(640), Some(480)));
    assert_eq!(attachment.size_bytes, image.len() as i64);

    // Live, to the other member, exactly as stored.
    assert_eq!(b.message().await, posted);
    // And in the catch-up of a tab that was away.
    let mut late = bruno.live().await;
    late.subscribe(room, posted.id - 1).await;
    assert_eq!(late.message().await, posted);

    let url = s.url(&attachment.url);
    let fetched = bruno.http.get(&url).send().await.unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(fetched.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(fetched.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("sandbox"));
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), image);

    let eve = s.user("eve").await;
    assert_eq!(eve.http.get(&url).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let unknown = s.url(&format!("/attachments/{}", attachment.id + 1000));
    assert_eq!(eve.http.get(&unknown).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(s.client().http.get(&url).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn voice_messages_carry_their_measured_length_and_can_be_seeked() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let voice = fixtures::CHROMIUM_WEBM.to_vec();
    let response = upload(&s, &bruno, room, "voice-1", voice.clone()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let posted: ChatMessage = response.json().await.unwrap();
    let attachment = posted.attachment.unwrap();
    assert_eq!((attachment.kind, attachment.content_type.as_str()), (AttachmentKind::Voice, "audio/webm"));
    assert!(attachment.duration_ms.is_some_and(|ms| (1_500..=3_000).contains(&ms)), "{attachment:?}");

    // Asked as a browser asks: a range of audio is never compressed on the way.
    let ranged = ana
        .http
        .get(s.url(&attachment.url))
        .header(header::RANGE, "bytes=0-3")
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(ranged.headers()[header::CONTENT_TYPE], "audio/webm");
    assert!(ranged.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(ranged.bytes().await.unwrap().to_vec(), voice[..4].to_vec());

    let ogg = upload(&s, &ana, room, "voice-2", fixtures::ogg_opus(4)).await;
    let posted: ChatMessage = ogg.json().await.unwrap();
    let attachment = posted.attachment.unwrap();
    assert_eq!(attachment.content_type, "audio/ogg");
    assert!(attachment.duration_ms.is_some_and(|ms| (3_900..=4_100).contains(&ms)), "{attachment:?}");
}

#[tokio::test]
async fn a_retried_upload_is_stored_once() {
    let s = TestServer::start().await;
    let (ana, _bruno, room) = club(&s).await;
    let first = upload(&s, &ana, room, "same-id", fixtures::gif(8, 8)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: ChatMessage = first.json().await.unwrap();
    let again = upload(&s, &ana, room, "same-id", fixtures::gif(8, 8)).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: ChatMessage = again.json().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(counts(&s).await, (1, 1, 1));
}

#[tokio::test]
async fn refused_uploads_say_why_and_store_nothing() {
    let s = TestServer::start().await;
    let (ana, _bruno, room) = club(&s).await;

    let (status, text) = refusal(upload(&s, &ana, room, "pdf", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec()).await).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(text.contains("application/pdf"), "{text}");

    let mut huge = fixtures::ogg_opus(1);
    huge.resize(10 * 1024 * 1024 + 1, 0);
    let (status, text) = refusal(upload(&s, &ana, room, "huge", huge).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(text.contains("at most 10.0 MB"), "{text}");

    let mut big_image = fixtures::png(10, 10);
    big_image.resize(6 * 1024 * 1024, 0);
    let (status, text) = refusal(upload(&s, &ana, room, "big", big_image).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(text.contains("Images can be at most 5.0 MB; this one is 6.0 MB."), "{text}");

    let (status, text) = refusal(upload(&s, &ana, room, "long", fixtures::ogg_opus(302)).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("at most 5:00 long"), "{text}");

    let (status, _) = refusal(upload(&s, &ana, room, "bad id!", fixtures::png(1, 1)).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let eve = s.user("eve").await;
    let (status, _) = refusal(upload(&s, &eve, room, "eve", fixtures::png(1, 1)).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = refusal(upload(&s, &s.client(), room, "anon", fixtures::png(1, 1)).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let cross_site = ana
        .http
        .post(s.url(&upload_url(&Topic::Room(room), "csrf")))
        .header(header::ORIGIN, "http://evil.example")
        .body(fixtures::png(1, 1))
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);

    assert_eq!(counts(&s).await, (0, 0, 0), "nothing stored, no file left behind");
    // The room still works after all that.
    assert_eq!(upload(&s, &ana, room, "ok", fixtures::png(1, 1)).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn uploads_are_rate_limited_per_user() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    for i in 0..roomlink::limits::UPLOADS_BURST {
        assert_eq!(upload(&s, &ana, room, &format!("burst-{i}"), fixtures::png(1, 1)).await.status(), StatusCode::CREATED);
    }
    let refused = upload(&s, &ana, room, "one-too-many", fixtures::png(1, 1)).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=roomlink::limits::UPLOADS_EVERY_SECS).contains(&wait), "{wait}");
    let (_, text) = refusal(refused).await;
    assert!(text.contains("try again in"), "{text}");
    // Someone else in the room is not held back by Ana.
    assert_eq!(upload(&s, &bruno, room, "bruno-1", fixtures::png(1, 1)).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn files_a_crash_left_behind_are_removed_and_real_ones_kept() {
    let s = TestServer::start().await;
    let (ana, _bruno, room) = club(&s).await;
    let posted: ChatMessage = upload(&s, &ana, room, "img-1", fixtures::png(8, 8)).await.json().await.unwrap();
    let dir = roomlink::attachments::http::uploads_dir(&s.settings.data_dir);
    std::fs::write(dir.join("0123456789abcdef0123456789abcdef"), b"no row").unwrap();
    std::fs::write(dir.join("fedcba9876543210fedcba9876543210.part"), b"half").unwrap();
    assert_eq!(counts(&s).await.2, 3);

    let removed = roomlink::attachments::sweep::sweep_stray_files(&s.store, &dir, std::time::Duration::ZERO).await.unwrap();
    assert_eq!((removed, counts(&s).await.2), (2, 1));
    let url = s.url(&posted.attachment.unwrap().url);
    assert_eq!(ana.http.get(&url).send().await.unwrap().status(), StatusCode::OK, "the real file stays");
    std::fs::write(dir.join("00112233445566778899aabbccddeeff"), b"another node's upload").unwrap();
    let kept = roomlink::attachments::sweep::sweep_stray_files(&s.store, &dir, std::time::Duration::from_secs(600)).await;
    assert_eq!(kept.unwrap(), 0, "a file younger than the minimum age may be another node's upload");
    assert_eq!(counts(&s).await.2, 2);
    let none = roomlink::attachments::sweep::sweep_stray_files(&s.store, &s.settings.data_dir.join("nowhere"), std::time::Duration::ZERO).await;
    assert_eq!(none.unwrap(), 0, "no folder, nothing to do");
}
