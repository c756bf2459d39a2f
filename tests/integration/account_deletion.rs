//! "Delete my account" (issue 41): the password is asked for, a room owner
//! is sent to hand over or delete their rooms first, and a deletion ends
//! every session, leaves no personal data in any table, keeps the messages
//! others saw (written by "deleted user"), says so in the rooms, closes the
//! account's teacher spaces for the other person and frees the username.

use reqwest::{header, StatusCode};
use sqlx::Row;

use crate::{
    moderation::{act, follow},
    support::{club, Client, TestServer},
};
use roomlink::{
    accounts::CurrentUser,
    error::{AppError, Refusal},
    live::{MessageKind, ServerEvent, Topic},
    spaces::LanguageInviteLink,
    types::accounts::deleted_username,
};

async fn who(client: &Client) -> Option<CurrentUser> {
    client.json("current_user", &[]).await
}

/// Every value in every table of the database, as text: `table.column: value`.
async fn every_text(s: &TestServer) -> Vec<String> {
    let pool = s.store.pool();
    // Each value is read as bytes (a session's data is binary) and shown as text.
    let (tables_sql, columns_sql, as_bytes) = match s.store.backend() {
        roomlink::store::Backend::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            "SELECT name FROM pragma_table_info($1)",
            "CAST(\"{}\" AS BLOB)",
        ),
        roomlink::store::Backend::Postgres => (
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
            "convert_to(CAST(\"{}\" AS TEXT), 'UTF8')",
        ),
    };
    let tables: Vec<String> = sqlx::query_scalar(tables_sql).fetch_all(pool).await.unwrap();
    assert!(tables.iter().any(|t| t == "users") && tables.len() > 15, "{tables:?}");
    let mut texts = Vec::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query_scalar(columns_sql).bind(&table).fetch_all(pool).await.unwrap();
        let cast: Vec<String> = columns.iter().map(|c| as_bytes.replace("{}", c)).collect();
        let sql = format!("SELECT {} FROM \"{table}\"", cast.join(", "));
        for row in sqlx::query(&sql).fetch_all(pool).await.unwrap() {
            for (i, column) in columns.iter().enumerate() {
                let text = row.try_get::<Option<Vec<u8>>, _>(i).unwrap().map(|b| String::from_utf8_lossy(&b).into_owned());
                if let Some(text) = text {
                    texts.push(format!("{table}.{column}: {text}"));
                }
            }
        }
    }
    texts
}

#[tokio::test]
async fn a_deleted_account_leaves_no_personal_data_and_others_keep_what_they_saw() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let bruno_id = s.user_id("bruno").await;
    // Bruno is also logged in on a second device, writes, makes an invite
    // link and teaches carla German in a space.
    let phone = s.client();
    act(&phone, "log_in", &[("username", "bruno"), ("password", "correct horse")]).await.unwrap();
    let mut b = follow(&bruno, room).await;
    b.say(room, "b1", "hello everyone").await;
    b.message().await;
    let link = bruno.invite(room).await;
    act(&bruno, "save_profile", &[("teacher", "on")]).await.unwrap();
    let invite: LanguageInviteLink = bruno.json("create_language_invite", &[("language", "German"), ("lifetime_days", "")]).await;
    let carla = s.user("carla").await;
    let joined = carla.call("accept_invite", &[("token", invite.url.rsplit('/').next().unwrap())]).await;
    let space: i64 = joined.headers()[header::LOCATION].to_str().unwrap().trim_start_matches("/rooms/").parse().unwrap();
    let pending: LanguageInviteLink = bruno.json("create_language_invite", &[("language", "French"), ("lifetime_days", "")]).await;
    let mut a = follow(&ana, room).await;
    let mut c = follow(&carla, space).await;

    // Ana owns the room: she is told to hand it over or delete it first.
    let refused = act(&ana, "delete_account", &[("password", "correct horse")]).await;
    assert_eq!(refused, Err(AppError::Invalid(Refusal::OwnsRooms { rooms: "Club".into() })));
    // The password is asked for; a wrong one changes nothing.
    let wrong = act(&bruno, "delete_account", &[("password", "not my password")]).await;
    assert_eq!(wrong, Err(AppError::Invalid(Refusal::WrongCurrentPassword)));
    assert!(who(&phone).await.is_some());

    let r = bruno.call("delete_account", &[("password", "correct horse")]).await;
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    assert_eq!(r.headers()[header::LOCATION], "/?account_deleted");
    // Every device is logged out.
    assert_eq!((who(&bruno).await, who(&phone).await), (None, None));
    assert!(b.closed().await, "his open tab is closed");
    let (_, home) = s.client().page("/?account_deleted").await;
    assert!(home.contains("Your account was deleted"));

    // The room is told he left, under the deleted name; his words stay.
    let gone = deleted_username(bruno_id);
    let left = a.line().await;
    assert_eq!((left.kind, left.author_id, left.author_name.as_str()), (MessageKind::Left, bruno_id, gone.as_str()));
    let history: roomlink::rooms::RoomPage = ana.json("room_page", &[("room_id", &room.to_string())]).await;
    let said = history.messages.iter().find(|m| m.body == "hello everyone").expect("his message stays");
    assert_eq!(said.author_name, gone);
    assert!(history.members.iter().all(|m| m.id != bruno_id), "no longer a member");
    let (_, page) = ana.page(&format!("/rooms/{room}")).await;
    // What the page shows, without the data its scripts carry.
    let shown: String = page.split("<script").map(|part| part.split_once("</script>").map_or(part, |(_, after)| after)).collect();
    assert!(shown.contains(r#"<span class="author">deleted user</span>"#) && !shown.contains(&gone), "pages say “deleted user”");

    // His space is closed for carla, who is told and can write no more.
    let closed = c.line().await;
    assert_eq!((closed.kind, closed.author_name.as_str()), (MessageKind::AccountDeleted, gone.as_str()));
    loop {
        match c.next().await {
            ServerEvent::MemberUpdated { member, .. } if member.name == "carla" => {
                assert_eq!(member.rights.map(|r| r.can_write), Some(false));
                break;
            }
            ServerEvent::MemberUpdated { .. } => continue,
            other => panic!("{other:?}"),
        }
    }
    c.say(space, "c1", "hello?").await;
    assert!(matches!(c.next().await, ServerEvent::Refused { reason: Refusal::Muted, .. }));
    let _ = Topic::Room(space);

    // His links work no more.
    let preview = s.client().call("invite_preview", &[("token", &link)]).await;
    assert!(!preview.status().is_success(), "{}", preview.status());
    let french = carla.call("accept_invite", &[("token", pending.url.rsplit('/').next().unwrap())]).await;
    assert!(!french.status().is_success() && !french.status().is_redirection(), "{}", french.status());

    // Nothing personal is left anywhere.
    let texts = every_text(&s).await;
    let found: Vec<&String> = texts.iter().filter(|t| t.to_lowercase().contains("bruno")).collect();
    assert!(found.is_empty(), "{found:?}");
    assert!(texts.iter().any(|t| t.contains("hello everyone")), "others' history is kept");

    // The old password opens nothing (the attempt is counted under the
    // name typed, as for any unknown name), and the username is free
    // again, for a new account.
    let log_in = act(&s.client(), "log_in", &[("username", "bruno"), ("password", "correct horse")]).await;
    assert!(log_in.is_err(), "{log_in:?}");

    let new_bruno = s.user("bruno").await;
    let me = who(&new_bruno).await.unwrap();
    assert_ne!(me.id, bruno_id);
    let rooms = new_bruno.page("/").await.1;
    assert!(!rooms.contains("Club"), "the new account is in no room");
    assert_eq!(new_bruno.call("room_page", &[("room_id", &room.to_string())]).await.status(), StatusCode::FORBIDDEN);
}

/// A session saved the way it was before sessions were listed (the user's
/// id and name, no row in `account_sessions`, no activity note), holding
/// `username`'s account, for a new client.
async fn unlisted_session(s: &TestServer, username: &str) -> Client {
    use tower_sessions::session::{Id, Record};
    use tower_sessions::SessionStore as _;
    let user_id = s.user_id(username).await;
    let mut record = Record {
        id: Id::default(),
        data: [("user_id".to_string(), serde_json::json!(user_id)), ("username".to_string(), serde_json::json!(username))].into(),
        expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc() + tower_sessions::cookie::time::Duration::days(1),
    };
    s.store.sessions().create(&mut record).await.unwrap();
    let client = s.client();
    client.set_cookie(roomlink::accounts::SESSION_COOKIE, &record.id.to_string());
    client
}

#[tokio::test]
async fn a_session_the_deletion_could_not_see_is_logged_out_at_its_next_visit() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let bruno = s.user("bruno").await;
    // Such a session works, and is listed from its first visit on.
    let ana_old = unlisted_session(&s, "ana").await;
    assert_eq!(who(&ana_old).await.map(|u| u.username), Some("ana".to_string()));
    let listed: Vec<roomlink::accounts::sessions::SessionView> = ana.json("account_sessions", &[]).await;
    assert_eq!(listed.len(), 2, "{listed:?}");

    // Bruno's, never used since sessions were listed, is not among those
    // the deletion ends.
    let bruno_old = unlisted_session(&s, "bruno").await;
    let r = bruno.call("delete_account", &[("password", "correct horse")]).await;
    assert_eq!(r.headers()[header::LOCATION], "/?account_deleted");
    assert_eq!(who(&bruno).await, None);
    // Its next visit finds the account gone: logged out, the page too.
    let (_, page) = bruno_old.page("/").await;
    assert!(!page.contains("bruno") && page.contains("Log in"), "{page}");
    assert_eq!(who(&bruno_old).await, None);
    let r = bruno_old.call("create_room", &[("name", "Ghost town")]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let rooms: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rooms").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(rooms, 0);
}
