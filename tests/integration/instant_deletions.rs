//! Lines taken back in instant chats (issue 40): a participant deletes their
//! own, the host any line; with history and without, live, in catch-up and
//! on the page, and a deleted file is gone from disk or memory.

use reqwest::StatusCode;

use crate::{
    fixtures,
    instant::{ana_and_bruno, count, join, page},
    message_changes::refused,
    support::{Client, Live, TestServer},
};
use roomlink::{
    attachments::upload_url,
    error::Refusal,
    live::{ChatMessage, ClientEvent, MessageKind, Topic},
};

async fn delete(live: &mut Live, id: &str, client_id: &str, target_id: i64) {
    live.send(&ClientEvent::Delete { topic: Topic::Chat(id.into()), client_id: client_id.into(), target_id }).await;
}

/// Posts an image to chat `id` as `client` and returns its line.
async fn image(s: &TestServer, client: &Client, id: &str, client_id: &str) -> ChatMessage {
    let url = s.url(&upload_url(&Topic::Chat(id.to_string()), client_id));
    let response = client.http.post(url).body(fixtures::png(40, 30)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

/// The next line, which must be the deletion of `target_id`.
async fn deletion_of(live: &mut Live, target_id: i64) {
    let line = live.line().await;
    assert_eq!((line.kind, line.target_id, line.body.as_str()), (MessageKind::Delete, Some(target_id), ""));
}

#[tokio::test]
async fn participants_delete_their_lines_and_the_host_any_line() {
    for keep_history in [false, true] {
        let (s, host, bruno, id) = ana_and_bruno(keep_history).await;
        let topic = Topic::Chat(id.clone());
        let carla = s.client();
        assert!(join(&carla, &id, "Carla").await.0.is_success());
        let start = page(&host, &id).await.lines.last().unwrap().id;
        let mut h = host.live().await;
        h.subscribe(&topic, start).await;
        let mut b = bruno.live().await;
        b.subscribe(&topic, start).await;
        let mut c = carla.live().await;
        c.subscribe(&topic, start).await;

        b.say(&topic, "b1", "typo here").await;
        b.say(&topic, "b2", "spam spam").await;
        let (typo, spam) = (h.message().await, h.message().await);
        for live in [&mut b, &mut c] {
            live.message().await;
            live.message().await;
        }

        // Carla may not delete Bruno's line, nor edit anything here.
        delete(&mut c, &id, "c-del", spam.id).await;
        assert_eq!(refused(&mut c, "c-del").await, Refusal::NotYourMessage);
        c.send(&ClientEvent::Edit { topic: topic.clone(), client_id: "c-edit".into(), target_id: typo.id, body: "x".into() }).await;
        assert_eq!(refused(&mut c, "c-edit").await, Refusal::NothingToEdit);

        // Bruno deletes his own; the host deletes his spam; everyone follows.
        delete(&mut b, &id, "b-del", typo.id).await;
        for live in [&mut h, &mut b, &mut c] {
            deletion_of(live, typo.id).await;
        }
        delete(&mut h, &id, "h-del", spam.id).await;
        for live in [&mut h, &mut b, &mut c] {
            deletion_of(live, spam.id).await;
        }
        // Again: gone. A system line: nothing to delete.
        delete(&mut h, &id, "h-del-again", spam.id).await;
        assert_eq!(refused(&mut h, "h-del-again").await, Refusal::MessageGone);
        let joined = page(&host, &id).await.lines.into_iter().find(|l| l.kind == MessageKind::Joined).unwrap();
        delete(&mut h, &id, "h-del-joined", joined.id).await;
        assert_eq!(refused(&mut h, "h-del-joined").await, Refusal::NothingToEdit);

        // The page shows markers, never the text; a tab that was away
        // catches up on the lines as they are now and on the deletions.
        let shown: Vec<(MessageKind, String)> = page(&carla, &id)
            .await
            .lines
            .into_iter()
            .filter(|l| l.id >= typo.id)
            .map(|l| (l.kind, l.body))
            .collect();
        assert_eq!(shown, [(MessageKind::Deleted, String::new()), (MessageKind::Deleted, String::new())], "history {keep_history}");
        let mut away = carla.live().await;
        away.subscribe(&topic, start).await;
        let caught: Vec<(MessageKind, String, Option<i64>)> = [
            away.line().await,
            away.line().await,
            away.line().await,
            away.line().await,
        ]
        .into_iter()
        .map(|l| (l.kind, l.body, l.target_id))
        .collect();
        assert_eq!(
            caught,
            [
                (MessageKind::Deleted, String::new(), None),
                (MessageKind::Deleted, String::new(), None),
                (MessageKind::Delete, String::new(), Some(typo.id)),
                (MessageKind::Delete, String::new(), Some(spam.id)),
            ]
        );
        if keep_history {
            let texts = count(&s, "SELECT COUNT(*) FROM instant_messages WHERE body LIKE '%spam%' OR body LIKE '%typo%'").await;
            assert_eq!(texts, 0, "the text is removed, not hidden");
        }
    }
}

#[tokio::test]
async fn the_host_deletes_a_file_and_it_is_gone() {
    for keep_history in [false, true] {
        let (s, host, bruno, id) = ana_and_bruno(keep_history).await;
        let topic = Topic::Chat(id.clone());
        let mut h = host.live().await;
        h.subscribe(&topic, page(&host, &id).await.lines.last().unwrap().id).await;
        let posted = image(&s, &bruno, &id, "img-1").await;
        let url = s.url(&posted.attachment.clone().unwrap().url);
        assert_eq!(h.message().await.id, posted.id);
        assert_eq!(host.http.get(&url).send().await.unwrap().status(), StatusCode::OK);

        delete(&mut h, &id, "h-del-img", posted.id).await;
        deletion_of(&mut h, posted.id).await;
        assert_eq!(host.http.get(&url).send().await.unwrap().status(), StatusCode::NOT_FOUND, "history {keep_history}");
        let uploads = std::fs::read_dir(s.settings.data_dir.join("uploads")).map(|d| d.count()).unwrap_or(0);
        assert_eq!(uploads, 0);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM instant_attachments").await, 0);
    }
}
