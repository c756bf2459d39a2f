//! A room's life (issue 40): the owner hands it over and leaves; the owner
//! deletes it, and nothing of it is left in the tables or on disk.

use crate::{
    fixtures,
    moderation::{act, follow},
    support::{club, TestServer},
};
use roomlink::{
    attachments::upload_url,
    error::Refusal,
    live::{ServerEvent, Topic},
    rooms::Role,
};

#[tokio::test]
async fn the_owner_hands_the_room_over_and_both_roles_change_live() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let carla = s.user("carla").await;
    let joined = carla.call("accept_invite", &[("token", &ana.invite(room).await)]).await;
    assert!(joined.status().is_success());
    let room_text = room.to_string();
    let id = |name: &'static str| {
        let s = &s;
        async move { s.user_id(name).await }
    };
    let (ana_id, bruno_id) = (id("ana").await, id("bruno").await);
    let mut c = follow(&carla, room).await;

    let err = act(&bruno, "hand_over_room", &[("room_id", &room_text), ("user_id", &bruno_id.to_string())]).await.unwrap_err();
    assert_eq!(err.to_string(), "Only the room's owner can change the room's settings.");
    let outsider = s.user("eve").await;
    let eve_id = s.user_id("eve").await.to_string();
    drop(outsider);
    let err = act(&ana, "hand_over_room", &[("room_id", &room_text), ("user_id", &eve_id)]).await.unwrap_err();
    assert_eq!(err, roomlink::error::AppError::Invalid(Refusal::NotAMemberAnyMore));

    act(&ana, "hand_over_room", &[("room_id", &room_text), ("user_id", &bruno_id.to_string())]).await.unwrap();
    let mut roles = std::collections::HashMap::new();
    while roles.len() < 2 {
        if let ServerEvent::MemberUpdated { member, .. } = c.next().await {
            roles.insert(member.id, member.rights.map(|r| r.role));
        }
    }
    assert_eq!((roles[&bruno_id], roles[&ana_id]), (Some(Role::Owner), Some(Role::Moderator)));
    let owner: i64 = sqlx::query_scalar("SELECT owner_id FROM rooms WHERE id = $1").bind(room).fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(owner, bruno_id);
    let owners: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE room_id = $1 AND role = 'owner'")
        .bind(room)
        .fetch_one(s.store.pool())
        .await
        .unwrap();
    assert_eq!(owners, 1, "never two owners");

    // The new owner runs the room; the old one may leave it now.
    act(&bruno, "rename_room", &[("room_id", &room_text), ("name", "Bruno's club")]).await.unwrap();
    let err = act(&ana, "rename_room", &[("room_id", &room_text), ("name", "Ana's again")]).await.unwrap_err();
    assert_eq!(err.to_string(), "Only the room's owner can change the room's settings.");
    act(&ana, "leave_room", &[("room_id", &room_text)]).await.unwrap();
}

#[tokio::test]
async fn deleting_a_room_needs_its_name_tells_every_tab_and_leaves_nothing_behind() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let room_text = room.to_string();
    let mut b = follow(&bruno, room).await;
    b.say(room, "b1", "a line").await;
    b.message().await;
    let image = bruno.http.post(s.url(&upload_url(&Topic::Room(room), "img-1"))).body(fixtures::png(32, 32)).send().await.unwrap();
    assert!(image.status().is_success());
    b.message().await;
    let other = ana.create_room("Stays").await;
    let uploads = s.settings.data_dir.join("uploads");
    assert_eq!(std::fs::read_dir(&uploads).unwrap().count(), 1);

    let err = act(&bruno, "delete_room", &[("room_id", &room_text), ("name", "Club")]).await.unwrap_err();
    assert_eq!(err.to_string(), "Only the room's owner can change the room's settings.");
    let err = act(&ana, "delete_room", &[("room_id", &room_text), ("name", "club")]).await.unwrap_err();
    assert_eq!(err, roomlink::error::AppError::Invalid(Refusal::TypeRoomName));

    act(&ana, "delete_room", &[("room_id", &room_text), ("name", " Club ")]).await.unwrap();
    match b.next().await {
        ServerEvent::Ended { topic, reason } => assert_eq!((topic, reason.to_string()), (Topic::Room(room), "ana deleted this room.".into())),
        other => panic!("{other:?}"),
    }
    for table in ["rooms", "memberships", "messages", "invites", "attachments"] {
        let column = if table == "rooms" { "id" } else { "room_id" };
        let left: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1"))
            .bind(room)
            .fetch_one(s.store.pool())
            .await
            .unwrap();
        assert_eq!(left, 0, "{table} keeps nothing of the room");
    }
    assert_eq!(std::fs::read_dir(&uploads).unwrap().count(), 0, "its files leave the disk");
    assert_eq!(ana.page(&format!("/rooms/{room}")).await.0, 404);
    assert_eq!(ana.page(&format!("/rooms/{other}")).await.0, 200, "other rooms stay");
}
