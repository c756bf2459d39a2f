//! Roles and permissions: moderator links, muting (refused sends and
//! uploads, at once), the owner's per-member permissions, and rate limits
//! on joining and on making links.

use reqwest::StatusCode;

use crate::{
    moderation::{act, follow},
    support::{club, TestServer},
};
use roomlink::{
    error::AppError,
    invites::InviteLink,
    live::ServerEvent,
    rooms::{Rights, Role},
};

async fn rights(s: &TestServer, room: i64, user: &str) -> Option<Rights> {
    s.store.rooms().rights_of(room, s.user_id(user).await).await.unwrap()
}

/// The next `MemberUpdated` on a live connection.
async fn member_update(live: &mut crate::support::Live) -> roomlink::live::MemberView {
    loop {
        if let ServerEvent::MemberUpdated { member, .. } = live.next().await {
            return member;
        }
    }
}

#[tokio::test]
async fn a_moderator_link_makes_moderators_and_they_moderate() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let link: InviteLink = ana
        .json("create_invite", &[("room_id", &room.to_string()), ("role", "moderator"), ("max_uses", "1"), ("lifetime_min", "60")])
        .await;
    let carla = s.user("carla").await;
    act(&carla, "accept_invite", &[("token", link.url.rsplit('/').next().unwrap())]).await.unwrap();
    let carla_rights = rights(&s, room, "carla").await.unwrap();
    assert_eq!(carla_rights, Rights { role: Role::Moderator, can_write: true, can_invite: true, can_moderate: true });
    assert_eq!(rights(&s, room, "bruno").await.unwrap().can_moderate, false);
    // A moderator mutes a plain member, and sees the panel's links.
    let bruno_id = s.user_id("bruno").await.to_string();
    act(&carla, "mute_member", &[("room_id", &room.to_string()), ("user_id", &bruno_id), ("muted", "true")]).await.unwrap();
    assert!(!rights(&s, room, "bruno").await.unwrap().can_write);
    let _: Vec<roomlink::invites::InviteSummary> = carla.json("room_invites", &[("room_id", &room.to_string())]).await;
    let error = act(&bruno, "room_invites", &[("room_id", &room.to_string())]).await.unwrap_err();
    assert_eq!(error.to_string(), "Only the room's owner and moderators manage its invite links.");
    // Only the owner changes roles; nobody mutes the owner.
    let ana_id = s.user_id("ana").await.to_string();
    let error = act(&carla, "mute_member", &[("room_id", &room.to_string()), ("user_id", &ana_id), ("muted", "true")]).await.unwrap_err();
    assert_eq!(error.to_string(), "Nobody can mute the room's owner.");
    let form = [("room_id", room.to_string()), ("user_id", bruno_id.clone()), ("role", "moderator".into()), ("can_write", "true".into())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let error = act(&carla, "set_member_rights", &form).await.unwrap_err();
    assert_eq!(error.to_string(), "Only the room's owner can change roles and permissions.");
}

#[tokio::test]
async fn a_muted_member_is_refused_at_once_and_told_live() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let r = room.to_string();
    let bruno_id = s.user_id("bruno").await.to_string();
    let mut a = follow(&ana, room).await;
    let mut b = follow(&bruno, room).await;

    act(&ana, "mute_member", &[("room_id", &r), ("user_id", &bruno_id), ("muted", "true")]).await.unwrap();
    let seen = member_update(&mut b).await;
    assert_eq!((seen.name.as_str(), seen.rights.map(|r| r.can_write)), ("bruno", Some(false)), "his own tab learns it");
    assert_eq!(member_update(&mut a).await.rights.map(|r| r.can_write), Some(false), "and everyone's member list");

    b.say(room, "m1", "can I still talk?").await;
    match b.next().await {
        ServerEvent::Refused { client_id, reason, .. } => {
            assert_eq!(client_id.as_deref(), Some("m1"));
            assert_eq!(reason, roomlink::error::Refusal::Muted);
        }
        other => panic!("{other:?}"),
    }
    let upload = bruno
        .http
        .post(s.url(&format!("/rooms/{room}/attachments?client_id=up1")))
        .header("origin", s.origin())
        .body(crate::fixtures::png(2, 2))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::FORBIDDEN);
    let refused: AppError = upload.json().await.unwrap();
    assert_eq!(refused, AppError::Forbidden(roomlink::error::Refusal::Muted), "refused for being muted");
    assert!(a.quiet_for(300).await.is_none(), "nothing reached the room");

    act(&ana, "mute_member", &[("room_id", &r), ("user_id", &bruno_id), ("muted", "false")]).await.unwrap();
    member_update(&mut b).await;
    member_update(&mut a).await;
    b.say(room, "m2", "back").await;
    assert_eq!(a.message().await.body, "back");
}

#[tokio::test]
async fn the_owner_sets_each_permission_and_a_new_moderator_starts_seeing_link_details() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let r = room.to_string();
    let bruno_id = s.user_id("bruno").await.to_string();
    let set = |role: &'static str, can_invite: Option<&'static str>, can_moderate: Option<&'static str>| {
        let mut form = vec![("room_id", r.clone()), ("user_id", bruno_id.clone()), ("role", role.to_string()), ("can_write", "true".into())];
        form.extend(can_invite.map(|v| ("can_invite", v.to_string())));
        form.extend(can_moderate.map(|v| ("can_moderate", v.to_string())));
        form
    };
    let call = |form: Vec<(&'static str, String)>| {
        let ana = &ana;
        async move { act(ana, "set_member_rights", &form.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await }
    };
    call(set("member", Some("false"), None)).await.unwrap();
    assert!(!rights(&s, room, "bruno").await.unwrap().can_invite);
    let error = act(&bruno, "create_invite", &[("room_id", &r)]).await.unwrap_err();
    assert!(matches!(error, AppError::Forbidden(_)), "{error:?}");

    let mut b = follow(&bruno, room).await;
    call(set("moderator", None, None)).await.unwrap();
    assert_eq!(member_update(&mut b).await.rights.map(|r| r.role), Some(Role::Moderator));
    assert_eq!(rights(&s, room, "bruno").await.unwrap(), Rights { role: Role::Moderator, can_write: true, can_invite: true, can_moderate: true });
    // His open tab now gets which link people came through.
    let token = ana.invite(room).await;
    act(&s.user("carla").await, "accept_invite", &[("token", &token)]).await.unwrap();
    let line = b.line().await;
    assert_eq!(line.actor_name.as_deref(), Some("ana"), "{line:?}");

    let ana_id = s.user_id("ana").await.to_string();
    let error = act(&ana, "set_member_rights", &[("room_id", &r), ("user_id", &ana_id), ("role", "member"), ("can_write", "true")])
        .await
        .unwrap_err();
    assert!(matches!(error, AppError::Invalid(_)));
}

#[tokio::test]
async fn joining_and_making_links_are_rate_limited() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Club").await;
    let token = ana.invite(room).await;
    let bruno = s.user("bruno").await;
    let mut limited = None;
    for attempt in 0..roomlink::limits::JOINS_BURST + 2 {
        let response = bruno.call("accept_invite", &[("token", &token)]).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(response.headers().contains_key("retry-after"));
            limited = Some(attempt);
            break;
        }
    }
    assert_eq!(limited, Some(roomlink::limits::JOINS_BURST));

    let mut made = 1; // ana.invite above
    let refused = loop {
        let response = ana.call("create_invite", &[("room_id", &room.to_string())]).await;
        if !response.status().is_success() {
            break response;
        }
        made += 1;
        assert!(made <= roomlink::limits::INVITE_CREATES_BURST, "no limit reached");
    };
    assert_eq!(made, roomlink::limits::INVITE_CREATES_BURST);
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(matches!(refused.json::<AppError>().await.unwrap(), AppError::TooManyRequests(_)));
}
