//! Messages people take back (issue 40): edits and deletions, who may make
//! them, how they travel live and in catch-up, and what is left of a
//! deleted message in history, the tables and the uploads folder.

use crate::{
    fixtures,
    moderation::act,
    support::{club, Client, Live, TestServer},
};
use roomlink::{
    attachments::upload_url,
    error::Refusal,
    live::{ChatMessage, ClientEvent, MessageKind, ServerEvent, Topic},
};

async fn edit(live: &mut Live, room: i64, client_id: &str, target_id: i64, body: &str) {
    live.send(&ClientEvent::Edit { topic: Topic::Room(room), client_id: client_id.into(), target_id, body: body.into() }).await;
}

async fn delete(live: &mut Live, room: i64, client_id: &str, target_id: i64) {
    live.send(&ClientEvent::Delete { topic: Topic::Room(room), client_id: client_id.into(), target_id }).await;
}

/// The reason of the next event, which must be a refusal of `client_id`.
pub(crate) async fn refused(live: &mut Live, client_id: &str) -> Refusal {
    match live.next().await {
        ServerEvent::Refused { client_id: Some(id), reason, .. } if id == client_id => reason,
        other => panic!("expected a refusal of {client_id}, got {other:?}"),
    }
}

/// A room's lines as a member's history shows them (the room page's older lines).
async fn history(client: &Client, room: i64) -> Vec<ChatMessage> {
    client.json("older_lines", &[("topic", &format!("room:{room}")), ("before_id", &i64::MAX.to_string())]).await
}

/// Every stored text of the room, change lines included.
async fn stored_texts(s: &TestServer, room: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT body FROM messages WHERE room_id = $1 AND body <> '' ORDER BY id")
        .bind(room)
        .fetch_all(s.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn authors_edit_and_delete_their_messages_live_and_history_shows_them_as_they_are_now() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let mut a = crate::moderation::follow(&ana, room).await;
    let mut b = crate::moderation::follow(&bruno, room).await;

    b.say(room, "b1", "helo everyone").await;
    let said = a.message().await;
    assert_eq!(b.message().await.id, said.id);

    edit(&mut b, room, "b1-edit", said.id, "  hello everyone  ").await;
    for live in [&mut a, &mut b] {
        let line = live.line().await;
        assert_eq!(
            (line.kind, line.target_id, line.body.as_str(), line.author_id),
            (MessageKind::Edit, Some(said.id), "hello everyone", said.author_id)
        );
        assert!(line.id > said.id, "the edit takes its place in the room's order");
        let mut shown = said.clone();
        assert!(shown.apply_change(&line));
        assert_eq!((shown.body.as_str(), shown.edited_at), ("hello everyone", Some(line.created_at)));
    }
    let now = history(&ana, room).await;
    let shown = now.iter().find(|l| l.id == said.id).unwrap();
    assert_eq!((shown.body.as_str(), shown.edited_at.is_some()), ("hello everyone", true));
    assert!(now.iter().all(|l| !l.kind.is_change()), "history shows messages, not their changes");

    // Nobody else edits it, and only a moderator deletes someone else's.
    edit(&mut a, room, "a-edit", said.id, "mine now").await;
    assert_eq!(refused(&mut a, "a-edit").await, Refusal::NotYourMessage);
    a.say(room, "a1", "ana's line").await;
    let anas = b.message().await;
    a.message().await;
    delete(&mut b, room, "b-del-ana", anas.id).await;
    assert_eq!(refused(&mut b, "b-del-ana").await, Refusal::NotYourMessage);
    edit(&mut b, room, "b-edit-ana", anas.id, "bruno was here").await;
    assert_eq!(refused(&mut b, "b-edit-ana").await, Refusal::NotYourMessage);
    edit(&mut b, room, "b-empty", said.id, "   ").await;
    assert_eq!(refused(&mut b, "b-empty").await, Refusal::MessageEmpty);

    // Bruno deletes his own: the owner's tab is told who did it, his is not told more than it was.
    delete(&mut b, room, "b1-del", said.id).await;
    let (for_ana, for_bruno) = (a.line().await, b.line().await);
    assert_eq!((for_ana.kind, for_ana.target_id, for_ana.actor_name.as_deref()), (MessageKind::Delete, Some(said.id), Some("bruno")));
    assert_eq!((for_bruno.id, for_bruno.actor_name), (for_ana.id, None));
    // A retry of the same deletion is the same line, not a second one.
    delete(&mut b, room, "b1-del", said.id).await;
    assert_eq!(b.line().await.id, for_ana.id);
    assert_eq!(a.quiet_for(200).await, None);
    // Deleting it again, or editing it now, is refused: it is gone.
    edit(&mut b, room, "b1-late", said.id, "back?").await;
    assert_eq!(refused(&mut b, "b1-late").await, Refusal::MessageGone);

    let gone = history(&bruno, room).await.into_iter().find(|l| l.id == said.id).unwrap();
    assert_eq!((gone.kind, gone.body.as_str(), gone.actor_name, gone.edited_at), (MessageKind::Deleted, "", None, None));
    let for_owner = history(&ana, room).await.into_iter().find(|l| l.id == said.id).unwrap();
    assert_eq!(for_owner.actor_name.as_deref(), Some("bruno"), "those who moderate see who deleted it");
    let texts = stored_texts(&s, room).await;
    assert!(texts.iter().all(|t| !t.contains("hello") && !t.contains("helo")), "its text is gone from every row: {texts:?}");
    let page = bruno.page(&format!("/rooms/{room}")).await.1;
    assert!(!page.contains("hello everyone") && page.contains("Message deleted"), "the room page shows the marker");
}

#[tokio::test]
async fn a_tab_that_was_away_catches_up_on_edits_and_deletions_in_order() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let mut a = crate::moderation::follow(&ana, room).await;
    a.say(room, "a1", "first").await;
    let first = a.message().await;
    a.say(room, "a2", "second").await;
    let second = a.message().await;

    // Bruno's tab had both lines, then went away.
    edit(&mut a, room, "a1-edit", first.id, "first, edited").await;
    let edited = a.line().await;
    delete(&mut a, room, "a2-del", second.id).await;
    let deleted = a.line().await;

    let mut b = bruno.live().await;
    b.subscribe(room, second.id).await;
    let (one, two) = (b.line().await, b.line().await);
    assert_eq!((one.id, one.kind, one.body.as_str()), (edited.id, MessageKind::Edit, "first, edited"));
    assert_eq!((two.id, two.kind, two.target_id), (deleted.id, MessageKind::Delete, Some(second.id)));
    assert_eq!(b.quiet_for(200).await, None, "nothing twice");

    // A tab that had nothing gets the lines as they are now, then the
    // changes, which change nothing more.
    let mut fresh = bruno.live().await;
    fresh.subscribe(room, first.id - 1).await;
    let mut shown = Vec::new();
    for _ in 0..4 {
        let message = fresh.line().await;
        if !message.kind.is_change() {
            shown.push(message);
            continue;
        }
        for line in shown.iter_mut() {
            let before = line.clone();
            if line.apply_change(&message) {
                assert_eq!(*line, before, "a catch-up repeats a change the line already shows");
            }
        }
    }
    assert_eq!(fresh.quiet_for(200).await, None);
    let kinds: Vec<_> = shown.iter().map(|l| (l.kind, l.body.clone(), l.edited_at.is_some())).collect();
    assert_eq!(
        kinds,
        vec![(MessageKind::Text, "first, edited".into(), true), (MessageKind::Deleted, String::new(), false)]
    );
}

#[tokio::test]
async fn moderators_delete_anyones_message_the_muted_cannot_edit_and_a_deleted_file_is_gone() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let mut a = crate::moderation::follow(&ana, room).await;
    let mut b = crate::moderation::follow(&bruno, room).await;
    b.say(room, "spam", "buy now").await;
    let spam = a.message().await;
    b.message().await;

    // The owner deletes a member's message; the member is not told who.
    delete(&mut a, room, "a-del", spam.id).await;
    assert_eq!(a.line().await.actor_name.as_deref(), Some("ana"));
    let seen = b.line().await;
    assert_eq!((seen.kind, seen.target_id, seen.actor_name), (MessageKind::Delete, Some(spam.id), None));

    // A file: nothing to edit; deleted, its row and its file go.
    let posted: ChatMessage = bruno
        .http
        .post(s.url(&upload_url(&Topic::Room(room), "img-1")))
        .body(fixtures::png(64, 64))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = s.url(&posted.attachment.clone().unwrap().url);
    a.message().await;
    b.message().await;
    edit(&mut b, room, "img-edit", posted.id, "a caption").await;
    assert_eq!(refused(&mut b, "img-edit").await, Refusal::NothingToEdit);
    let uploads = s.settings.data_dir.join("uploads");
    assert_eq!(std::fs::read_dir(&uploads).unwrap().count(), 1);
    delete(&mut b, room, "img-del", posted.id).await;
    b.line().await;
    assert_eq!(a.line().await.kind, MessageKind::Delete);
    assert_eq!(std::fs::read_dir(&uploads).unwrap().count(), 0, "the file is removed from disk");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(rows, 0);
    assert_eq!(ana.http.get(&url).send().await.unwrap().status(), reqwest::StatusCode::NOT_FOUND);

    // Muted, Bruno cannot edit, but may still delete his own.
    b.say(room, "b2", "one more").await;
    let mine = b.message().await;
    a.message().await;
    let bruno_id = s.user_id("bruno").await.to_string();
    act(&ana, "mute_member", &[("room_id", &room.to_string()), ("user_id", &bruno_id), ("muted", "true")]).await.unwrap();
    for live in [&mut a, &mut b] {
        while !matches!(live.next().await, ServerEvent::MemberUpdated { .. }) {}
    }
    edit(&mut b, room, "b2-edit", mine.id, "edited while muted").await;
    assert_eq!(refused(&mut b, "b2-edit").await, Refusal::Muted);
    delete(&mut b, room, "b2-del", mine.id).await;
    assert_eq!(b.line().await.kind, MessageKind::Delete);
    assert_eq!(a.line().await.target_id, Some(mine.id));

    // System lines are not messages to change.
    let joined = history(&ana, room).await.into_iter().find(|l| l.kind == MessageKind::Joined).unwrap();
    delete(&mut a, room, "a-del-joined", joined.id).await;
    assert_eq!(refused(&mut a, "a-del-joined").await, Refusal::NothingToEdit);
}
