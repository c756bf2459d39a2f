//! Invite link options, states and refusals; "Reset link"; the member limit;
//! the dashboard; which link a member came through, for link managers only.

use reqwest::StatusCode;

use crate::{
    moderation::follow,
    support::{club, Client, TestServer},
};
use roomlink::{
    error::AppError,
    invites::{Dashboard, InviteLink, InviteStatus, InviteSummary},
    live::{MessageKind, ServerEvent},
};

/// Calls a server function; the error it answered with, if any, and the status.
async fn act(client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Result<(), (StatusCode, AppError)> {
    let response = client.call(endpoint, form).await;
    let status = response.status();
    if status.is_success() || status.is_redirection() {
        Ok(())
    } else {
        Err((status, response.json::<AppError>().await.unwrap()))
    }
}

/// Makes a link with options; its token.
async fn link(client: &Client, room: i64, lifetime_min: &str, max_uses: &str, label: &str) -> String {
    let link: InviteLink = client
        .json(
            "create_invite",
            &[("room_id", &room.to_string()), ("lifetime_min", lifetime_min), ("max_uses", max_uses), ("label", label)],
        )
        .await;
    assert_eq!(link.qr_path, format!("/join/{}/qr.svg", link.url.rsplit('/').next().unwrap()));
    link.url.rsplit('/').next().unwrap().to_string()
}

async fn links_of(client: &Client, room: i64) -> Vec<InviteSummary> {
    client.json("room_invites", &[("room_id", &room.to_string())]).await
}

/// The error card of a page, to compare two error pages.
fn card(body: &str) -> String {
    let start = body.find("<section").expect("a section");
    body[start..start + body[start..].find("</section>").unwrap()].to_string()
}

#[tokio::test]
async fn a_one_use_labelled_link_fills_up_and_then_looks_like_any_dead_link() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Book club").await;
    let token = link(&ana, room, "60", "1", "  Newsletter ").await;

    let (status, body) = s.client().page(&format!("/join/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("This link can be used 1 more time."), "uses left on the preview");

    let bruno = s.user("bruno").await;
    act(&bruno, "accept_invite", &[("token", &token)]).await.unwrap();
    let carla = s.user("carla").await;
    let (status, error) = act(&carla, "accept_invite", &[("token", &token)]).await.unwrap_err();
    assert_eq!((status, &error), (StatusCode::GONE, &AppError::InviteUsedUp));
    assert_eq!(error.to_string(), "This invite link has reached its limit: it cannot be used any more. Ask for a new link.");
    assert!(act(&bruno, "accept_invite", &[("token", &token)]).await.is_ok(), "a member is just taken to the room");

    let (used_status, used_page) = carla.page(&format!("/join/{token}")).await;
    let unknown = roomlink::invite_token::generate().0;
    let (unknown_status, unknown_page) = carla.page(&format!("/join/{unknown}")).await;
    assert_eq!((used_status, unknown_status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(card(&used_page), card(&unknown_page), "used up and unknown look the same from outside");

    let list = links_of(&ana, room).await;
    assert_eq!(list.len(), 1);
    let only = &list[0];
    assert_eq!((only.status, only.uses, only.max_uses), (InviteStatus::UsedUp, 1, Some(1)));
    assert_eq!((only.label.as_str(), only.created_by.as_str(), only.joined.clone()), ("Newsletter", "ana", vec!["bruno".to_string()]));
    assert!(only.expires_at.unwrap() - only.created_at == 3_600_000, "1 hour");
}

#[tokio::test]
async fn revoked_and_expired_links_stop_at_once_and_look_the_same() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Book club").await;
    let revoked = link(&ana, room, "0", "0", "Flyer").await;
    let expiring = link(&ana, room, "30", "5", "").await;
    let ids: Vec<(i64, String)> = links_of(&ana, room).await.into_iter().map(|l| (l.id, l.label)).collect();
    let flyer = ids.iter().find(|(_, label)| label == "Flyer").unwrap().0;
    act(&ana, "revoke_invite", &[("invite_id", &flyer.to_string())]).await.unwrap();
    let (_, again) = act(&ana, "revoke_invite", &[("invite_id", &flyer.to_string())]).await.unwrap_err();
    assert_eq!(again, AppError::Invalid(roomlink::error::Refusal::AlreadyRevoked));
    sqlx::query("UPDATE invites SET expires_at = 1 WHERE label = ''").execute(s.store.pool()).await.unwrap();

    let bruno = s.user("bruno").await;
    for token in [&revoked, &expiring] {
        let (status, error) = act(&bruno, "accept_invite", &[("token", token)]).await.unwrap_err();
        assert_eq!((status, error), (StatusCode::NOT_FOUND, AppError::InviteInvalid));
    }
    let revoked_card = card(&bruno.page(&format!("/join/{revoked}")).await.1);
    assert_eq!(revoked_card, card(&bruno.page(&format!("/join/{expiring}")).await.1));
    let statuses: Vec<InviteStatus> = links_of(&ana, room).await.into_iter().map(|l| l.status).collect();
    assert!(statuses.contains(&InviteStatus::Revoked) && statuses.contains(&InviteStatus::Expired), "{statuses:?}");

    let (_, forbidden) = act(&bruno, "revoke_invite", &[("invite_id", &flyer.to_string())]).await.unwrap_err();
    assert!(matches!(forbidden, AppError::Forbidden(_)), "{forbidden:?}");
}

#[tokio::test]
async fn bad_options_get_specific_errors_and_nothing_is_saved() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let r = room.to_string();
    let cases: [(&Client, &[(&str, &str)], &str); 5] = [
        (&ana, &[("lifetime_min", "45")], "Choose how long the link works"),
        (&ana, &[("max_uses", "3")], "Choose how many times"),
        (&ana, &[("label", "a label that is far too long to fit")], "at most 32 characters (this one has 35)"),
        (&ana, &[("role", "owner")], "not owners"),
        (&bruno, &[("role", "moderator")], "Only the room's owner can make links that make people moderators."),
    ];
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invites").fetch_one(s.store.pool()).await.unwrap();
    for (who, extra, expected) in cases {
        let mut form = vec![("room_id", r.as_str()), ("lifetime_min", "60")];
        form.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        form.extend_from_slice(extra);
        let (_, error) = act(who, "create_invite", &form).await.unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
    }
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invites").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(before, after);

    // The room setting: plain members may not make links once the owner says so.
    act(&ana, "update_room_settings", &[("room_id", &r), ("description", ""), ("member_limit", "50"), ("members_can_invite", "false")])
        .await
        .unwrap();
    let (status, error) = act(&bruno, "create_invite", &[("room_id", &r)]).await.unwrap_err();
    assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
}

#[tokio::test]
async fn a_full_room_refuses_without_using_the_link() {
    let s = TestServer::start().await;
    let (ana, _bruno, room) = club(&s).await;
    let r = room.to_string();
    let (_, error) = act(&ana, "update_room_settings", &[("room_id", &r), ("description", "x"), ("member_limit", "1"), ("members_can_invite", "true")])
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "The member limit must be between 2 and 1000.");
    act(&ana, "update_room_settings", &[("room_id", &r), ("description", "  Books <b>monthly</b> "), ("member_limit", "2"), ("members_can_invite", "true")])
        .await
        .unwrap();
    let token = link(&ana, room, "60", "5", "").await;
    let (_, page) = s.client().page(&format!("/join/{token}")).await;
    assert!(page.contains("Books &lt;b&gt;monthly&lt;/b&gt;"), "the description shows, escaped");
    // The settings form, as it comes from the server (before or without the
    // page's code), holds what is saved: posting it unchanged keeps it.
    let (_, panel) = ana.page(&format!("/rooms/{room}?panel=settings")).await;
    let field = |id: &str| panel.split(&format!("id=\"{id}\"")).nth(1).and_then(|rest| rest.split('>').next()).map(str::to_owned);
    assert!(panel.contains(">Books &lt;b&gt;monthly&lt;/b&gt;</textarea>"), "the description, escaped");
    assert!(field("room-limit").is_some_and(|f| f.contains("value=\"2\"")), "{:?}", field("room-limit"));
    assert!(field("room-name").is_some_and(|f| f.contains("value=\"Club\"")), "{:?}", field("room-name"));
    let members_invite = panel.split("name=\"members_can_invite\"").nth(1).and_then(|rest| rest.split('>').next());
    assert!(members_invite.is_some_and(|f| f.contains("checked")), "{members_invite:?}");
    act(&ana, "update_room_settings", &[("room_id", &r), ("description", "</textarea><script>alert(1)</script>"), ("member_limit", "2"), ("members_can_invite", "true")])
        .await
        .unwrap();
    let (_, panel) = ana.page(&format!("/rooms/{room}?panel=settings")).await;
    assert!(panel.contains(">&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>") && !panel.contains("<script>alert"), "no markup gets out");
    let carla = s.user("carla").await;
    let (status, error) = act(&carla, "accept_invite", &[("token", &token)]).await.unwrap_err();
    assert_eq!((status, error.to_string().as_str()), (StatusCode::CONFLICT, "This room is full (2 members). Ask its owner to make room."));
    assert_eq!(links_of(&ana, room).await[0].uses, 0, "nothing used");
}

#[tokio::test]
async fn reset_revokes_every_working_link_and_makes_a_fresh_one() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let old = [link(&ana, room, "60", "0", "a").await, link(&bruno, room, "60", "0", "b").await];
    let (_, error) = act(&bruno, "reset_invite_links", &[("room_id", &room.to_string())]).await.unwrap_err();
    assert!(matches!(error, AppError::Forbidden(_)));
    let fresh: InviteLink = ana.json("reset_invite_links", &[("room_id", &room.to_string())]).await;
    let carla = s.user("carla").await;
    for token in &old {
        assert_eq!(act(&carla, "accept_invite", &[("token", token)]).await.unwrap_err().1, AppError::InviteInvalid);
    }
    let token = fresh.url.rsplit('/').next().unwrap();
    act(&carla, "accept_invite", &[("token", token)]).await.unwrap();
}

#[tokio::test]
async fn the_dashboard_lists_my_links_pending_first_and_counts_them() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let first = link(&ana, room, "60", "1", "first").await;
    link(&ana, room, "60", "0", "second").await;
    link(&bruno, room, "60", "0", "bruno's").await;
    act(&s.user("carla").await, "accept_invite", &[("token", &first)]).await.unwrap();
    let pending: i64 = ana.json("pending_invites", &[]).await;
    // club()'s own link was used by bruno; "second" is the only unused one.
    assert_eq!(pending, 1);
    let dashboard: Dashboard = ana.json("dashboard", &[]).await;
    let labels: Vec<&str> = dashboard.invites.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(labels[0], "second", "pending first: {labels:?}");
    assert!(!labels.contains(&"bruno's"), "only my own links");
    assert_eq!(dashboard.rooms.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Club"]);
    let bruno_board: Dashboard = bruno.json("dashboard", &[]).await;
    assert!(bruno_board.rooms.is_empty(), "bruno owns and moderates nothing");
    let (status, page) = ana.page("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Your invite links") && page.contains("second"));
}

#[tokio::test]
async fn join_lines_name_the_link_for_those_who_manage_links_only() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let mut a = follow(&ana, room).await;
    let mut b = follow(&bruno, room).await;
    let token = link(&ana, room, "60", "5", "Newsletter").await;
    let carla = s.user("carla").await;
    act(&carla, "accept_invite", &[("token", &token)]).await.unwrap();

    let seen_by_owner = a.line().await;
    assert_eq!(seen_by_owner.kind, MessageKind::Joined);
    assert_eq!((seen_by_owner.actor_name.as_deref(), seen_by_owner.via_invite.as_ref().map(|v| v.1.as_str())), (Some("ana"), Some("Newsletter")));
    let seen_by_member = b.line().await;
    assert_eq!((seen_by_member.actor_name, seen_by_member.via_invite), (None, None));

    // The same after a reload and in a catch-up.
    let page: roomlink::rooms::RoomPage = bruno.json("room_page", &[("room_id", &room.to_string())]).await;
    assert!(page.messages.iter().all(|m| m.via_invite.is_none() && (m.kind != MessageKind::Joined || m.actor_name.is_none())));
    let page: roomlink::rooms::RoomPage = ana.json("room_page", &[("room_id", &room.to_string())]).await;
    assert!(page.messages.iter().any(|m| m.via_invite.as_ref().is_some_and(|v| v.1 == "Newsletter")));
    let older: Vec<roomlink::live::ChatMessage> =
        bruno.json("older_lines", &[("topic", &format!("room:{room}")), ("before_id", &i64::MAX.to_string())]).await;
    assert!(older.iter().any(|m| m.kind == MessageKind::Joined) && older.iter().all(|m| m.via_invite.is_none()));
    let older: Vec<roomlink::live::ChatMessage> =
        ana.json("older_lines", &[("topic", &format!("room:{room}")), ("before_id", &i64::MAX.to_string())]).await;
    assert!(older.iter().any(|m| m.via_invite.is_some()));
    let mut fresh = bruno.live().await;
    fresh.subscribe(room, 0).await;
    while let Some(event) = fresh.quiet_any(300).await {
        if let ServerEvent::Message { message } = event {
            assert!(message.via_invite.is_none(), "{message:?}");
        }
    }
}
