//! Instant chats: ids, names, guest cookies, the participant limit, history
//! on and off, ending, the sweeper and the start rate limit.

use reqwest::{header, StatusCode};

use crate::support::{Client, TestServer};
use roomlink::{
    instant::InstantChatPage,
    live::guest_identity::GuestKeys,
    live::{AuthorTag, MessageKind, ServerEvent, Topic},
    clock::now_ms,
    store::{ChatRow, NewParticipant},
};

/// Starts a chat as `client` and returns its id.
pub(super) async fn start(client: &Client, title: &str, name: &str, keep_history: bool) -> String {
    let mut form = vec![("title", title), ("name", name)];
    if keep_history {
        form.push(("keep_history", "on"));
    }
    let r = client.call("start_instant_chat", &form).await;
    assert!(r.status().is_success(), "start: {} {}", r.status(), r.text().await.unwrap_or_default());
    let location = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    location.strip_prefix("/instant-chat/").unwrap().to_string()
}

pub(super) async fn page(client: &Client, id: &str) -> InstantChatPage {
    client.json("instant_chat_page", &[("id", id)]).await
}

/// Joins as `name`: (status, the error's message or the body).
pub(super) async fn join(client: &Client, id: &str, name: &str) -> (StatusCode, String) {
    let r = client.call("join_instant_chat", &[("id", id), ("name", name)]).await;
    (r.status(), message(r).await)
}

/// The message a person sees for a failed call, or the raw body.
async fn message(r: reqwest::Response) -> String {
    let body = r.text().await.unwrap();
    serde_json::from_str::<roomlink::error::AppError>(&body).map_or(body, |e| e.to_string())
}

/// A server with a chat hosted by "Ana" that the guest "Bruno" joined.
pub(super) async fn ana_and_bruno(keep_history: bool) -> (TestServer, Client, Client, String) {
    let s = TestServer::start().await;
    let host = s.client();
    let id = start(&host, "", "Ana", keep_history).await;
    let bruno = s.client();
    assert!(join(&bruno, &id, "Bruno").await.0.is_success());
    (s, host, bruno, id)
}

pub(super) async fn count(s: &TestServer, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(s.store.pool()).await.unwrap()
}

#[tokio::test]
async fn chat_ids_are_long_random_and_url_safe() {
    let s = TestServer::start().await;
    let host = s.client();
    let mut ids = std::collections::HashSet::new();
    for _ in 0..5 {
        let id = start(&host, "", "", false).await;
        assert_eq!(id.len(), 16, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{id}");
        ids.insert(id);
    }
    assert_eq!(ids.len(), 5);
}

#[tokio::test]
async fn strangers_see_the_chat_and_join_with_a_unique_name() {
    let s = TestServer::start().await;
    let host = s.client();
    let id = start(&host, "Friday <plans>", "Ana", false).await;

    let guest = s.client();
    let (status, html) = guest.page(&format!("/instant-chat/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Friday &lt;plans&gt;") && !html.contains("Friday <plans>"));
    assert!(html.contains("Your name") && html.contains("Ana"));
    let before = page(&guest, &id).await;
    assert!(before.me.is_none() && before.lines.is_empty());
    assert_eq!((before.chat.participants, before.chat.host_name.as_str()), (1, "Ana"));

    let (status, body) = join(&guest, &id, "   ").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Type a name"), "{body}");
    assert!(join(&guest, &id, &"n".repeat(33)).await.1.contains("at most 32"));
    assert!(join(&guest, &id, "Bad\u{0}name").await.1.contains("control characters"));
    let (status, body) = join(&guest, &id, "aNA").await;
    assert_eq!(status, 409);
    assert!(body.contains("That name is taken in this chat"), "{body}");

    assert!(join(&guest, &id, " Bruno ").await.0.is_success());
    // The chat's link is in the page as it comes from the server, before
    // (or without) its code: a phone's "copy" works from the first paint.
    let (_, html) = guest.page(&format!("/instant-chat/{id}")).await;
    assert!(html.contains(&format!("value=\"{}\"", before.chat.url)), "{}", before.chat.url);
    let me = page(&guest, &id).await.me.unwrap();
    assert_eq!((me.name.as_str(), me.tag), ("Bruno", AuthorTag::Guest));
    assert!(join(&s.client(), &id, "BRUNO").await.1.contains("taken"));
    assert_eq!(page(&host, &id).await.me.unwrap().tag, AuthorTag::Host);
    assert_eq!(page(&host, &id).await.chat.participants, 2);
}

#[tokio::test]
async fn the_guest_cookie_is_checked_for_key_chat_and_expiry() {
    let s = TestServer::start().await;
    let host = s.client();
    let id = start(&host, "", "Ana", false).await;
    let other = start(&host, "", "Ana", false).await;
    let guest = s.client();
    assert!(join(&guest, &id, "Bruno").await.0.is_success());
    let cookie = format!("roomlink_chat_{id}");
    let real = guest.cookie(&cookie).expect("guest cookie");
    let me = page(&guest, &id).await.me.unwrap();

    // The same cookie again: the same participant, after a "reload".
    let again = s.client();
    again.set_cookie(&cookie, &real);
    assert_eq!(page(&again, &id).await.me.map(|m| m.id), Some(me.id));

    let server_key = std::fs::read(s.settings.data_dir.join("secret.key")).unwrap();
    let ours = GuestKeys::from_secret(&server_key);
    let theirs = GuestKeys::from_secret(&[7u8; 32]);
    let later = now_ms() + 3_600_000;
    let forged = [
        ("another key", theirs.issue(&id, me.id, later, now_ms()).unwrap()),
        ("another chat", ours.issue(&other, me.id, later, now_ms()).unwrap()),
        ("expired", ours.issue(&id, me.id, now_ms() - 60_000, now_ms() - 120_000).unwrap()),
        ("garbage", "not.a.token".to_string()),
    ];
    for (what, token) in forged {
        let c = s.client();
        c.set_cookie(&cookie, &token);
        assert!(page(&c, &id).await.me.is_none(), "{what} was accepted");
        let answer = c.live().await.subscribe(&Topic::Chat(id.clone()), 0).await;
        assert!(matches!(answer, ServerEvent::Refused { .. }), "{what}: {answer:?}");
    }
    // Signed by us for this chat: accepted (the check above can fail).
    let c = s.client();
    c.set_cookie(&cookie, &ours.issue(&id, me.id, later, now_ms()).unwrap());
    assert_eq!(page(&c, &id).await.me.map(|m| m.id), Some(me.id));
}

#[tokio::test]
async fn logged_in_people_join_under_their_account_name() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let id = start(&ana, "", "ignored", true).await;
    assert_eq!(page(&ana, &id).await.me.map(|m| (m.name, m.tag)), Some(("ana".into(), AuthorTag::Host)));
    let bruno = s.user("bruno").await;
    assert!(join(&bruno, &id, "Someone Else").await.0.is_success());
    assert_eq!(page(&bruno, &id).await.me.map(|m| (m.name, m.tag)), Some(("bruno".into(), AuthorTag::Account)));
    // Joining again changes nothing.
    assert!(join(&bruno, &id, "").await.0.is_success());
    assert_eq!(page(&ana, &id).await.chat.participants, 2);
}

#[tokio::test]
async fn a_chat_holds_its_maximum_even_when_many_join_at_once() {
    let s = TestServer::start_with(|s| s.instant_chat_max_participants = 5).await;
    let id = start(&s.client(), "", "Host", false).await;
    let guests: Vec<Client> = (0..12).map(|_| s.client()).collect();
    let joins = guests.iter().enumerate().map(|(i, g)| {
        let id = id.clone();
        async move { join(g, &id, &format!("guest{i}")).await }
    });
    let results = futures::future::join_all(joins).await;
    let ok = results.iter().filter(|(st, _)| st.is_success()).count();
    assert_eq!(ok, 4, "{results:?}");
    for (status, body) in results.iter().filter(|(st, _)| !st.is_success()) {
        assert_eq!(*status, 409);
        assert!(body.contains("This chat is full: it holds at most 5 people."), "{body}");
    }
    assert_eq!(count(&s, "SELECT COUNT(*) FROM instant_participants").await, 5);
}

#[tokio::test]
async fn without_history_nothing_is_written_and_newcomers_see_only_what_follows() {
    let (s, host, bruno, id) = ana_and_bruno(false).await;
    let topic = Topic::Chat(id.clone());

    let mut a = host.live().await;
    let mut b = bruno.live().await;
    let from = page(&bruno, &id).await.lines.last().unwrap().id;
    assert!(matches!(a.subscribe(&topic, 0).await, ServerEvent::Subscribed { .. }));
    let joined: Vec<_> = [a.line().await, a.line().await].into_iter().map(|m| (m.author_name, m.kind)).collect();
    assert_eq!(joined, [("Ana".to_string(), MessageKind::Joined), ("Bruno".to_string(), MessageKind::Joined)]);
    assert!(matches!(b.subscribe(&topic, from).await, ServerEvent::Subscribed { .. }));
    a.say(&topic, "m1", "the-secret-plan-xyzzy").await;
    for live in [&mut a, &mut b] {
        let m = live.message().await;
        assert_eq!((m.body.as_str(), m.author_tag), ("the-secret-plan-xyzzy", Some(AuthorTag::Host)));
    }
    // Overlong messages are refused with the reason, and go nowhere.
    b.say(&topic, "long", &"x".repeat(roomlink::limits::MESSAGE_MAX_CHARS + 1)).await;
    match b.next().await {
        ServerEvent::Refused { reason, .. } => assert!(reason.to_string().contains("4001"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(a.quiet_for(200).await.is_none());
    // A retry with the same client id is not shown twice.
    a.say(&topic, "m1", "the-secret-plan-xyzzy").await;
    assert_eq!(a.message().await.client_id, "m1");
    assert!(b.quiet_for(300).await.is_none());

    let carla = s.client();
    assert!(join(&carla, &id, "Carla").await.0.is_success());
    let seen = page(&carla, &id).await.lines;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!((seen[0].author_name.as_str(), seen[0].kind), ("Carla", MessageKind::Joined));
    // Nor over the live socket, whatever line her tab asks to start from.
    let mut c = carla.live().await;
    assert!(matches!(c.subscribe(&topic, 0).await, ServerEvent::Subscribed { .. }));
    let first = c.line().await;
    assert_eq!((first.author_name.as_str(), first.kind), ("Carla", MessageKind::Joined));
    assert!(c.quiet_for(300).await.is_none());

    assert_eq!(count(&s, "SELECT COUNT(*) FROM instant_messages").await, 0);
    if let Some(db_path) = &s.db_path {
        sqlx::query("PRAGMA wal_checkpoint(FULL)").execute(s.store.pool()).await.unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let bytes = std::fs::read(format!("{}{suffix}", db_path.display())).unwrap_or_default();
            assert!(!bytes.windows(21).any(|w| w == b"the-secret-plan-xyzzy"), "found on disk in {suffix}");
        }
    }
}

#[tokio::test]
async fn with_history_lines_are_stored_and_newcomers_see_them() {
    let s = TestServer::start().await;
    let host = s.client();
    let id = start(&host, "", "Ana", true).await;
    let topic = Topic::Chat(id.clone());
    let mut a = host.live().await;
    a.subscribe(&topic, 0).await;
    a.line().await; // Ana started the chat
    a.say(&topic, "m1", "before you came").await;
    assert_eq!(a.message().await.body, "before you came");
    let bruno = s.client();
    assert!(join(&bruno, &id, "Bruno").await.0.is_success());
    let bodies: Vec<_> = page(&bruno, &id).await.lines.into_iter().map(|l| (l.author_name, l.body)).collect();
    assert_eq!(bodies[1], ("Ana".to_string(), "before you came".to_string()));
    assert_eq!(count(&s, "SELECT COUNT(*) FROM instant_messages WHERE kind = 'text'").await, 1);
}

#[tokio::test]
async fn the_host_ends_the_chat_for_everyone() {
    let (s, host, bruno, id) = ana_and_bruno(false).await;
    let topic = Topic::Chat(id.clone());
    let mut b = bruno.live().await;
    b.subscribe(&topic, 0).await;

    let r = bruno.call("end_instant_chat", &[("id", &id)]).await;
    assert_eq!(r.status(), 403);
    assert!(message(r).await.contains("Only the host"));
    assert!(host.call("end_instant_chat", &[("id", &id)]).await.status().is_success());

    loop {
        match b.next().await {
            ServerEvent::Ended { reason, .. } => {
                assert_eq!(reason, roomlink::error::Refusal::EndedByHost);
                break;
            }
            ServerEvent::Message { .. } => continue,
            other => panic!("{other:?}"),
        }
    }
    assert!(b.closed().await, "the socket stays open");
    let (status, html) = s.client().page(&format!("/instant-chat/{id}")).await;
    assert_eq!(status, 410);
    assert!(html.contains("This chat has ended") && html.contains("The host ended this chat."));
    let (status, body) = join(&s.client(), &id, "Late").await;
    assert_eq!(status, 410, "{body}");
    let mut late = bruno.live().await;
    assert!(matches!(late.subscribe(&topic, 0).await, ServerEvent::Ended { .. }));
    late.say(&topic, "after", "anyone there?").await;
    match late.next().await {
        ServerEvent::Refused { reason, client_id, .. } => {
            assert_eq!(reason, roomlink::error::Refusal::ChatOver);
            assert_eq!(client_id.as_deref(), Some("after"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn guests_leave_and_free_their_name() {
    let (s, host, bruno, id) = ana_and_bruno(true).await;
    assert!(bruno.call("leave_instant_chat", &[("id", &id)]).await.status().is_success());
    assert!(page(&bruno, &id).await.me.is_none());
    let r = host.call("leave_instant_chat", &[("id", &id)]).await;
    assert!(message(r).await.contains("end the chat"));
    assert!(join(&s.client(), &id, "bruno").await.0.is_success());
    let kinds: Vec<_> = page(&host, &id).await.lines.into_iter().map(|l| (l.author_name, l.kind)).collect();
    assert!(kinds.contains(&("Bruno".to_string(), MessageKind::Left)), "{kinds:?}");
}

/// A guest who pressed "Leave chat" is out on every channel: their open
/// socket is told so and stops following the chat, and a line sent on it
/// afterwards reaches nobody (it used to go out under the name that was
/// just freed for someone else), with history on or off.
#[tokio::test]
async fn a_guest_who_left_is_heard_no_more_on_their_open_socket() {
    for keep_history in [false, true] {
        let (_s, host, bruno, id) = ana_and_bruno(keep_history).await;
        let topic = Topic::Chat(id.clone());
        // Bruno's socket also follows a second chat he stays in, so it stays
        // open (a socket whose last chat is over closes).
        let other = start(&host, "", "Ana", keep_history).await;
        assert!(join(&bruno, &other, "Bruno").await.0.is_success());
        let mut a = host.live().await;
        let mut b = bruno.live().await;
        let newest = page(&host, &id).await.lines.last().unwrap().id;
        assert!(matches!(a.subscribe(&topic, newest).await, ServerEvent::Subscribed { .. }));
        assert!(matches!(b.subscribe(&topic, newest).await, ServerEvent::Subscribed { .. }));
        let other_newest = page(&bruno, &other).await.lines.last().unwrap().id;
        assert!(matches!(b.subscribe(&Topic::Chat(other.clone()), other_newest).await, ServerEvent::Subscribed { .. }));

        assert!(bruno.call("leave_instant_chat", &[("id", &id)]).await.status().is_success());
        let told = loop {
            match b.next().await {
                ServerEvent::Ended { reason, .. } => break reason,
                ServerEvent::Message { .. } => {}
                other => panic!("history {keep_history}: {other:?}"),
            }
        };
        assert_eq!(told, roomlink::error::Refusal::LeftChat);
        b.say(&topic, "late", "said-after-leaving").await;
        assert!(matches!(b.next().await, ServerEvent::Refused { .. }), "history {keep_history}");

        // Ana hears Bruno leave, then her own line, and nothing in between.
        a.say(&topic, "barrier", "barrier").await;
        let mut heard = Vec::new();
        while heard.last().is_none_or(|body: &String| body != "barrier") {
            let line = a.line().await;
            heard.push(if line.kind == MessageKind::Text { line.body } else { format!("{:?}", line.kind) });
        }
        assert_eq!(heard, ["Left", "barrier"], "history {keep_history}");
    }
}

#[tokio::test]
async fn unknown_and_expired_chats_get_clear_pages() {
    let s = TestServer::start().await;
    let (status, html) = s.client().page("/instant-chat/AAAAAAAAAAAAAAAA").await;
    assert_eq!(status, 404);
    assert!(html.contains("This instant chat does not exist"));
    assert_eq!(s.client().page("/instant-chat/%3Cscript%3E").await.0, 404);
    let expired = expired_chat(&s, "old").await;
    let (status, html) = s.client().page(&format!("/instant-chat/{expired}")).await;
    assert_eq!(status, 410);
    assert!(html.contains("This chat has expired."));
}

#[tokio::test]
async fn the_qr_code_encodes_an_open_chat() {
    let s = TestServer::start().await;
    let id = start(&s.client(), "", "", false).await;
    let r = s.client().http.get(s.url(&format!("/instant-chat/{id}/qr.svg"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "image/svg+xml");
    assert!(r.text().await.unwrap().contains("<svg"));
    let r = s.client().http.get(s.url("/instant-chat/AAAAAAAAAAAAAAAA/qr.svg")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn starting_chats_is_rate_limited_per_address() {
    let s = TestServer::start().await;
    for _ in 0..roomlink::limits::INSTANT_CHAT_STARTS_BURST {
        start(&s.client(), "", "", false).await;
    }
    let r = s.client().call("start_instant_chat", &[("title", ""), ("name", "")]).await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=roomlink::limits::INSTANT_CHAT_STARTS_EVERY_SECS).contains(&wait));
    assert!(message(r).await.starts_with("Too many attempts. Please try again in"));
    assert_eq!(count(&s, "SELECT COUNT(*) FROM instant_chats").await, 5);
}

/// Stores a chat that expired a minute ago, with a host and one line.
async fn expired_chat(s: &TestServer, id_prefix: &str) -> String {
    let id = format!("{id_prefix:A<16}");
    let now = now_ms();
    let chat = ChatRow { id: id.clone(), title: String::new(), keep_history: true, created_at: now - 120_000, ends_at: now - 60_000, ended_at: None };
    let host = s.store.instant_chats().create(&chat, NewParticipant { name: "Old", user_id: None }).await.unwrap();
    s.store.instant_lines().insert(&id, host.id, MessageKind::Text, "c1", "old words", now - 90_000).await.unwrap();
    id
}

#[tokio::test]
async fn the_sweeper_deletes_ended_and_expired_chats() {
    let s = TestServer::start_with(|s| s.instant_chat_sweep_secs = 1).await;
    let host = s.client();
    let ended = start(&host, "", "Ana", true).await;
    let open = start(&host, "", "Ana", true).await;
    assert!(host.call("end_instant_chat", &[("id", &ended)]).await.status().is_success());
    expired_chat(&s, "gone").await;
    let mut left = i64::MAX;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        left = count(&s, "SELECT COUNT(*) FROM instant_chats").await;
        if left == 1 {
            break;
        }
    }
    assert_eq!(left, 1);
    assert!(s.store.instant_chats().get(&open).await.unwrap().is_some());
    let orphans = count(&s, "SELECT COUNT(*) FROM instant_participants WHERE chat_id <> (SELECT id FROM instant_chats)").await
        + count(&s, "SELECT COUNT(*) FROM instant_messages WHERE chat_id <> (SELECT id FROM instant_chats)").await;
    assert_eq!(orphans, 0);
}

#[tokio::test]
async fn nothing_expired_lingers_after_a_restart() {
    let first = TestServer::start_with(|s| s.instant_chat_sweep_secs = 60).await;
    let id = expired_chat(&first, "stale").await;
    assert!(first.store.instant_chats().get(&id).await.unwrap().is_some());
    let again = TestServer::start_with(|s| {
        s.database_url = first.settings.database_url.clone();
        s.data_dir = first.settings.data_dir.clone();
        s.instant_chat_sweep_secs = 60;
    })
    .await;
    for _ in 0..40 {
        if again.store.instant_chats().get(&id).await.unwrap().is_none() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the expired chat outlived a restart");
}
