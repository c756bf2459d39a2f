//! Leaving, removal and bans: who may do what, the timeline lines, the live
//! effect on the person's open tabs, and coming back (or not) by invite.

use crate::support::{club, Client, TestServer};
use roomlink::{
    error::AppError,
    live::{MessageKind, ServerEvent, Topic},
    rooms::BannedMember,
};

async fn membership_rows(s: &TestServer, room: i64, user: &str) -> Vec<String> {
    let id = s.user_id(user).await;
    sqlx::query_scalar("SELECT status FROM memberships WHERE room_id = $1 AND user_id = $2")
        .bind(room)
        .bind(id)
        .fetch_all(s.store.pool())
        .await
        .unwrap()
}

/// Calls a room server function and returns the error, if any.
pub(super) async fn act(client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Result<(), AppError> {
    let response = client.call(endpoint, form).await;
    if response.status().is_success() || response.status().is_redirection() {
        Ok(())
    } else {
        Err(response.json::<AppError>().await.unwrap())
    }
}

/// A live connection following `room`, past its history.
pub(super) async fn follow(client: &Client, room: i64) -> crate::support::Live {
    let mut live = client.live().await;
    live.subscribe(room, 0).await;
    while live.quiet_for(300).await.is_some() {}
    live
}

async fn rejoin(client: &Client, inviter: &Client, room: i64) -> Result<(), AppError> {
    act(client, "accept_invite", &[("token", &inviter.invite(room).await)]).await
}

#[tokio::test]
async fn leaving_ends_the_membership_live_and_an_invite_brings_the_same_one_back() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let room_text = room.to_string();
    let mut a = follow(&ana, room).await;
    let mut b = follow(&bruno, room).await;

    act(&bruno, "leave_room", &[("room_id", &room_text)]).await.unwrap();
    let line = a.line().await;
    assert_eq!((line.kind, line.author_name.as_str(), line.actor_name), (MessageKind::Left, "bruno", None));
    assert_eq!(b.line().await.kind, MessageKind::Left, "his own tab shows the line, then ends");
    match b.next().await {
        ServerEvent::Ended { topic, reason } => {
            assert_eq!((topic, reason), (Topic::Room(room), roomlink::error::Refusal::LeftRoom))
        }
        other => panic!("{other:?}"),
    }
    assert!(b.closed().await, "the last followed room ended: the socket closes");
    assert_eq!(membership_rows(&s, room, "bruno").await, ["left"]);
    let mut again = bruno.live().await;
    assert!(matches!(again.subscribe(room, 0).await, ServerEvent::Refused { .. }));
    assert_eq!(bruno.page(&format!("/rooms/{room}")).await.0, 403);

    // Back through a new link: the same membership row, active again, announced.
    rejoin(&bruno, &ana, room).await.unwrap();
    assert_eq!(membership_rows(&s, room, "bruno").await, ["active"]);
    let line = a.line().await;
    assert_eq!((line.kind, line.author_name.as_str()), (MessageKind::Joined, "bruno"));

    let err = act(&ana, "leave_room", &[("room_id", &room_text)]).await.unwrap_err();
    assert_eq!(err.to_string(), "The owner cannot leave their own room.");
}

#[tokio::test]
async fn moderators_remove_and_owners_ban_with_the_rules_of_who_may_act_on_whom() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let carla = s.user("carla").await;
    rejoin(&carla, &ana, room).await.unwrap();
    sqlx::query("UPDATE memberships SET role = 'moderator' WHERE user_id = $1")
        .bind(s.user_id("carla").await)
        .execute(s.store.pool())
        .await
        .unwrap();
    let room_text = room.to_string();
    let id = |name: &str| {
        let s = &s;
        let name = name.to_string();
        async move { s.user_id(&name).await.to_string() }
    };
    let (ana_id, bruno_id, carla_id) = (id("ana").await, id("bruno").await, id("carla").await);

    // A plain member cannot; nobody acts on the owner; moderators not on moderators or themselves.
    let err = act(&bruno, "remove_member", &[("room_id", &room_text), ("user_id", &carla_id)]).await.unwrap_err();
    assert_eq!(err.to_string(), "Only the owner and moderators can remove or ban members.");
    let err = act(&carla, "ban_member", &[("room_id", &room_text), ("user_id", &ana_id)]).await.unwrap_err();
    assert_eq!(err.to_string(), "Nobody can remove or ban the room's owner.");
    let err = act(&carla, "remove_member", &[("room_id", &room_text), ("user_id", &carla_id)]).await.unwrap_err();
    assert!(err.to_string().contains("Leave room"), "{err}");
    assert_eq!(membership_rows(&s, room, "bruno").await, ["active"]);

    // Carla removes Bruno: his tab is told and let go; everyone sees the line.
    let mut a = follow(&ana, room).await;
    let mut b = follow(&bruno, room).await;
    act(&carla, "remove_member", &[("room_id", &room_text), ("user_id", &bruno_id)]).await.unwrap();
    let line = a.line().await;
    assert_eq!((line.kind, line.author_name.as_str(), line.actor_name.as_deref()), (MessageKind::Removed, "bruno", Some("carla")));
    assert_eq!(b.line().await.kind, MessageKind::Removed);
    match b.next().await {
        ServerEvent::Ended { reason, .. } => {
            assert_eq!(reason.to_string(), "carla removed you from this room.");
            assert_eq!(reason.message(roomlink::i18n::Locale::pt_BR), "carla removeu você desta sala.");
        }
        other => panic!("{other:?}"),
    }
    assert!(b.closed().await);
    // Ana's tab carries on.
    a.say(room, "after", "still here").await;
    assert_eq!(a.message().await.body, "still here");

    // Removed is not banned: an invite brings him back.
    rejoin(&bruno, &ana, room).await.unwrap();
    assert_eq!(membership_rows(&s, room, "bruno").await, ["active"]);
    assert_eq!(a.line().await.kind, MessageKind::Joined);

    // Banned is for good: no link lets him in, and he is told why.
    act(&ana, "ban_member", &[("room_id", &room_text), ("user_id", &bruno_id)]).await.unwrap();
    let line = a.line().await;
    assert_eq!((line.kind, line.actor_name.as_deref()), (MessageKind::Banned, Some("ana")));
    let err = rejoin(&bruno, &ana, room).await.unwrap_err();
    assert_eq!(err.to_string(), "You are banned from this room and cannot join it again.");
    assert_eq!(membership_rows(&s, room, "bruno").await, ["banned"]);
    assert_eq!(bruno.page(&format!("/rooms/{room}")).await.0, 403);
    let uses: i64 = sqlx::query_scalar("SELECT CAST(SUM(uses) AS BIGINT) FROM invites").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(uses, 3, "bruno, carla and bruno's return; the refused accept counts no use");
}

#[tokio::test]
async fn owners_and_moderators_see_the_ban_list_and_a_lifted_ban_lets_an_invite_work_again() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let carla = s.user("carla").await;
    rejoin(&carla, &ana, room).await.unwrap();
    let room_text = room.to_string();
    let bruno_id = s.user_id("bruno").await.to_string();
    let list = |client: Client| {
        let room_text = room_text.clone();
        async move { client.call("banned_members", &[("room_id", &room_text)]).await }
    };

    let empty: Vec<BannedMember> = list(ana.clone()).await.json().await.unwrap();
    assert!(empty.is_empty());
    act(&ana, "ban_member", &[("room_id", &room_text), ("user_id", &bruno_id)]).await.unwrap();
    let bans: Vec<BannedMember> = list(ana.clone()).await.json().await.unwrap();
    assert_eq!(bans.len(), 1);
    assert_eq!((bans[0].name.as_str(), bans[0].banned_by.as_deref()), ("bruno", Some("ana")));
    assert!(bans[0].banned_at > 0);

    // A plain member neither sees the list nor lifts a ban.
    let refused: AppError = list(carla.clone()).await.json().await.unwrap();
    assert_eq!(refused.to_string(), "Only the owner and moderators can remove or ban members.");
    let err = act(&carla, "lift_ban", &[("room_id", &room_text), ("user_id", &bruno_id)]).await.unwrap_err();
    assert_eq!(err.to_string(), "Only the owner and moderators can remove or ban members.");
    assert_eq!(membership_rows(&s, room, "bruno").await, ["banned"]);

    // A moderator lifts it: he is not a member again, but an invite lets him back in.
    sqlx::query("UPDATE memberships SET role = 'moderator' WHERE user_id = $1")
        .bind(s.user_id("carla").await)
        .execute(s.store.pool())
        .await
        .unwrap();
    act(&carla, "lift_ban", &[("room_id", &room_text), ("user_id", &bruno_id)]).await.unwrap();
    assert_eq!(membership_rows(&s, room, "bruno").await, ["removed"]);
    assert_eq!(bruno.page(&format!("/rooms/{room}")).await.0, 403);
    let none: Vec<BannedMember> = list(ana.clone()).await.json().await.unwrap();
    assert!(none.is_empty());
    let err = act(&ana, "lift_ban", &[("room_id", &room_text), ("user_id", &bruno_id)]).await.unwrap_err();
    assert_eq!(err.to_string(), "That person is not banned from this room (any more).");
    rejoin(&bruno, &ana, room).await.unwrap();
    assert_eq!(membership_rows(&s, room, "bruno").await, ["active"]);
}
