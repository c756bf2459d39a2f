//! Rooms: names, lists, the room page and who may see it.

use reqwest::StatusCode;

use crate::support::TestServer;
use roomlink::{error::AppError, rooms::RoomSummary};

#[tokio::test]
async fn room_names_are_checked_and_rooms_are_listed_for_their_members() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    for bad in ["", "   ", &"x".repeat(81)] {
        let r = ana.call("create_room", &[("name", bad)]).await;
        let err: AppError = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert!(matches!(err, AppError::Invalid(_)), "{bad:?}: {err:?}");
    }
    let long = ana.create_room(&"y".repeat(80)).await;
    let club = ana.create_room("  Book club  ").await;
    let bruno = s.user("bruno").await;
    bruno.create_room("Bruno's").await;

    let rooms: Vec<RoomSummary> = ana.json("my_rooms", &[]).await;
    let mut ids: Vec<i64> = rooms.iter().map(|r| r.id).collect();
    ids.sort();
    assert_eq!(ids, vec![long, club]);
    assert!(rooms.iter().any(|r| r.name == "Book club"), "names are trimmed");

    let r = s.client().call("create_room", &[("name", "x")]).await;
    let err: AppError = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(err, AppError::NotLoggedIn);
}

#[tokio::test]
async fn the_room_page_is_for_members_and_shows_the_last_50_messages() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("</title><script>alert(1)</script>").await;
    for i in 1..=60 {
        s.store.messages().insert(room, 1, &format!("c{i}"), &format!("message number {i}."), i).await.unwrap();
    }
    let (status, body) = ana.page(&format!("/rooms/{room}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("message number 60.") && body.contains("message number 11."));
    assert!(!body.contains("message number 10."), "only the newest 50");
    assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "user text is escaped");
    assert!(!body.contains("</title><script>"), "the title cannot be closed early");
    assert!(!body.contains("<script>alert(1)</script>"));

    let eve = s.user("eve").await;
    let (status, body) = eve.page(&format!("/rooms/{room}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!body.contains("message number"), "nothing leaks to non-members");

    let (status, _) = s.client().page(&format!("/rooms/{room}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = ana.page("/rooms/999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = ana.page("/rooms/abc").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = ana.page("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_owner_renames_the_room_and_open_tabs_are_told_by_a_timeline_line() {
    use roomlink::live::MessageKind;
    let s = TestServer::start().await;
    let (ana, bruno, room) = crate::support::club(&s).await;
    let mut b = crate::moderation::follow(&bruno, room).await;
    let rename = |client: &crate::support::Client, name: &str| {
        let (client, name) = (client.clone(), name.to_string());
        async move { crate::moderation::act(&client, "rename_room", &[("room_id", &room.to_string()), ("name", &name)]).await }
    };

    let err = rename(&bruno, "Mine now").await.unwrap_err();
    assert_eq!(err.to_string(), "Only the room's owner can change the room's settings.");
    let err = rename(&ana, "   ").await.unwrap_err();
    assert!(matches!(err, AppError::Invalid(_)), "{err:?}");
    rename(&ana, "  Reading circle ").await.unwrap();

    let line = b.line().await;
    assert_eq!((line.kind, line.body.as_str(), line.author_name.as_str()), (MessageKind::Renamed, "Reading circle", "ana"));
    let rooms: Vec<RoomSummary> = bruno.json("my_rooms", &[]).await;
    assert_eq!((rooms[0].name.as_str(), rooms[0].unread), ("Reading circle", 0), "a rename is not an unread message");
    let (status, page) = bruno.page(&format!("/rooms/{room}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<title>Reading circle · Roomlink</title>"), "the page has the new name");
    assert!(page.contains("renamed the room to “Reading circle”"));

    // The same name again changes nothing and says nothing.
    rename(&ana, "Reading circle").await.unwrap();
    assert_eq!(b.quiet_for(200).await, None);
}
