//! Images and voice messages in instant chats over real HTTP: guests upload,
//! the chat gets them live, only people in the chat can fetch them, chats
//! without history keep them in memory only, and ending a chat deletes them.

use crate::fixtures;
use reqwest::{header, StatusCode};

use crate::{
    instant::{ana_and_bruno, count, join, page, start},
    support::{Client, TestServer},
};
use roomlink::{
    attachments::{chat_file_url, upload_url, AttachmentKind},
    error::AppError,
    live::{ChatMessage, Topic},
};

/// Uploads `bytes` to chat `id` as `client` would from the page.
async fn upload(s: &TestServer, client: &Client, id: &str, client_id: &str, bytes: Vec<u8>) -> reqwest::Response {
    let url = upload_url(&Topic::Chat(id.to_string()), client_id);
    client.http.post(s.url(&url)).body(bytes).send().await.unwrap()
}

async fn refusal(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let err: AppError = response.json().await.unwrap();
    (status, err.to_string())
}

/// Files in the uploads folder.
fn files_on_disk(s: &TestServer) -> usize {
    std::fs::read_dir(s.settings.data_dir.join("uploads")).map(|d| d.count()).unwrap_or(0)
}

/// Waits (up to 4 s) for the sweeper to delete chat `id`.
async fn swept(s: &TestServer, id: &str) {
    for _ in 0..40 {
        if s.store.instant_chats().get(id).await.unwrap().is_none() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the sweeper left chat {id}");
}

#[tokio::test]
async fn without_history_files_stay_in_memory_for_those_who_were_there() {
    let (s, host, bruno, id) = ana_and_bruno(false).await;
    let topic = Topic::Chat(id.clone());
    let mut b = bruno.live().await;
    b.subscribe(&topic, page(&bruno, &id).await.lines.last().unwrap().id).await;
    b.quiet_for(200).await;

    // A guest's image reaches the chat live, exactly as answered.
    let image = fixtures::png(320, 200);
    let response = upload(&s, &bruno, &id, "img-1", image.clone()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let posted: ChatMessage = response.json().await.unwrap();
    let file = posted.attachment.clone().unwrap();
    assert_eq!((file.kind, file.width, file.height), (AttachmentKind::Image, Some(320), Some(200)));
    assert_eq!(file.url, chat_file_url(&id, file.id));
    assert_eq!((posted.author_name.as_str(), posted.body.as_str()), ("Bruno", ""));
    assert_eq!(b.message().await, posted);

    // The host fetches it with its true type; a retry is the same line.
    let fetched = host.http.get(s.url(&file.url)).send().await.unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(fetched.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), image);
    let again = upload(&s, &bruno, &id, "img-1", image.clone()).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<ChatMessage>().await.unwrap().id, posted.id);
    assert!(b.quiet_for(300).await.is_none(), "a retry was shown twice");

    // Strangers can neither fetch nor post; a newcomer cannot fetch what was sent before they came.
    let stranger = s.client();
    assert_eq!(stranger.http.get(s.url(&file.url)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let (status, reason) = refusal(upload(&s, &stranger, &id, "x-1", image.clone()).await).await;
    assert_eq!((status, reason.as_str()), (StatusCode::FORBIDDEN, "Join the chat with a name first."));
    let carla = s.client();
    assert!(join(&carla, &id, "Carla").await.0.is_success());
    assert_eq!(carla.http.get(s.url(&file.url)).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // What is not an image or voice message is refused, and nothing is kept.
    let (status, reason) = refusal(upload(&s, &carla, &id, "txt-1", b"just some text".to_vec()).await).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{reason}");
    assert!(carla.http.get(s.url(&file.url)).send().await.unwrap().status() == StatusCode::NOT_FOUND);

    // Never on disk: no file, no row.
    assert_eq!(files_on_disk(&s), 0);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM instant_attachments").await, 0);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM instant_messages").await, 0);

    // Once the host ends the chat, the file is gone.
    assert!(host.call("end_instant_chat", &[("id", &id)]).await.status().is_success());
    assert_eq!(host.http.get(s.url(&file.url)).send().await.unwrap().status(), StatusCode::GONE);
}

#[tokio::test]
async fn with_history_files_are_kept_on_disk_until_the_chat_is_swept() {
    let s = TestServer::start_with(|s| s.instant_chat_sweep_secs = 1).await;
    let host = s.client();
    let id = start(&host, "", "Ana", true).await;
    let bruno = s.client();
    assert!(join(&bruno, &id, "Bruno").await.0.is_success());

    let voice = fixtures::ogg_opus(4);
    let response = upload(&s, &bruno, &id, "voice-1", voice.clone()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let file = response.json::<ChatMessage>().await.unwrap().attachment.unwrap();
    assert_eq!((file.kind, file.content_type.as_str()), (AttachmentKind::Voice, "audio/ogg"));
    assert_eq!(files_on_disk(&s), 1);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM instant_attachments").await, 1);

    // A newcomer sees the earlier line with its file, and can play it, seeking included.
    let carla = s.client();
    assert!(join(&carla, &id, "Carla").await.0.is_success());
    let lines = page(&carla, &id).await.lines;
    assert!(lines.iter().any(|l| l.attachment.as_ref() == Some(&file)), "{lines:?}");
    let ranged = carla.http.get(s.url(&file.url)).header(header::RANGE, "bytes=0-3").send().await.unwrap();
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(ranged.bytes().await.unwrap().to_vec(), voice[..4].to_vec());
    // The id of another chat's file, or of none, is not found.
    let other = start(&host, "", "Ana", true).await;
    let wrong = chat_file_url(&other, file.id);
    assert_eq!(host.http.get(s.url(&wrong)).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // A restart's clean-up of stray files keeps it.
    let uploads = s.settings.data_dir.join("uploads");
    assert_eq!(roomlink::attachments::sweep::sweep_stray_files(&s.store, &uploads, std::time::Duration::ZERO).await.unwrap(), 0);
    assert_eq!(files_on_disk(&s), 1);

    // Ending the chat deletes the rows and the file.
    assert!(host.call("end_instant_chat", &[("id", &id)]).await.status().is_success());
    swept(&s, &id).await;
    assert_eq!(count(&s, "SELECT COUNT(*) FROM instant_attachments").await, 0);
    assert_eq!(files_on_disk(&s), 0);
}

#[tokio::test]
async fn uploads_to_chats_are_rate_limited_per_guest() {
    let (s, _host, bruno, id) = ana_and_bruno(false).await;
    let image = fixtures::gif(2, 2);
    for i in 0..roomlink::limits::UPLOADS_BURST {
        let r = upload(&s, &bruno, &id, &format!("g-{i}"), image.clone()).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let r = upload(&s, &bruno, &id, "g-over", image).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key(header::RETRY_AFTER));
}
