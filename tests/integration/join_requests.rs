//! Join requests (issue 40): a link that needs approval makes a request
//! instead of a member; owners and moderators see it live and approve or
//! decline it; the requester's waiting page learns the answer; approval
//! checks the link, the room's limit and bans at that moment.

use crate::{
    moderation::{act, follow},
    support::{Client, TestServer},
};
use roomlink::{
    error::{Action, AppError, Refusal},
    invites::{InviteLink, InvitePreview, JoinPreview, JoinRequestView, RequestState},
    live::{MessageKind, ServerEvent},
    store::MembershipEnd,
};

/// Makes a link that needs approval, with at most `max_uses` uses ("0": unlimited); its token.
async fn approval_link(client: &Client, room: i64, max_uses: &str, label: &str) -> String {
    let link: InviteLink = client
        .json(
            "create_invite",
            &[("room_id", &room.to_string()), ("max_uses", max_uses), ("label", label), ("needs_approval", "true")],
        )
        .await;
    link.url.rsplit('/').next().unwrap().to_string()
}

async fn preview(client: &Client, token: &str) -> InvitePreview {
    match client.json::<JoinPreview>("invite_preview", &[("token", token)]).await {
        JoinPreview::Room(p) => p,
        other => panic!("not a room's link: {other:?}"),
    }
}

/// The requester's long poll, answered when the request is.
fn await_answer(client: &Client, room: i64) -> tokio::task::JoinHandle<RequestState> {
    let client = client.clone();
    tokio::spawn(async move { client.json("await_join_request", &[("room_id", &room.to_string())]).await })
}

/// Waits until `room`'s hub channel has `receivers` (tabs and long polls),
/// so that the answer that follows is one a long poll must be woken for,
/// not one it reads on arrival.
pub(crate) async fn until_receivers(s: &TestServer, room: i64, receivers: usize) {
    while s.hub.receivers(&roomlink::live::Topic::Room(room)) < receivers {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// The next `JoinRequests` count on `live`, skipping other events.
async fn next_count(live: &mut crate::support::Live) -> i64 {
    loop {
        if let ServerEvent::JoinRequests { pending, .. } = live.next().await {
            return pending;
        }
    }
}

async fn answer(client: &Client, endpoint: &str, room: i64, user: i64) -> Result<(), AppError> {
    act(client, endpoint, &[("room_id", &room.to_string()), ("user_id", &user.to_string())]).await
}

async fn uses(s: &TestServer, room: i64) -> Vec<i64> {
    sqlx::query_scalar("SELECT uses FROM invites WHERE room_id = $1 ORDER BY id").bind(room).fetch_all(s.store.pool()).await.unwrap()
}

#[tokio::test]
async fn asking_through_a_link_that_needs_approval_waits_for_a_moderator_who_lets_them_in_live() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Club").await;
    let token = approval_link(&ana, room, "0", "Newsletter").await;
    let mut a = follow(&ana, room).await;
    let bruno = s.user("bruno").await;
    let bruno_id = s.user_id("bruno").await;
    let seen = preview(&bruno, &token).await;
    assert!(seen.needs_approval);
    assert_eq!(seen.request, None);

    let asked = bruno.call("accept_invite", &[("token", &token)]).await;
    assert!(asked.status().is_success(), "{}", asked.status());
    assert!(asked.headers().get("location").is_none(), "a request does not go to the room");
    assert_eq!(preview(&bruno, &token).await.request, Some(RequestState::Pending));
    assert_eq!(s.store.rooms().role_of(room, bruno_id).await.unwrap(), None, "not a member yet");
    assert_eq!(uses(&s, room).await, [0], "no use counted for a request");
    assert_eq!(next_count(&mut a).await, 1, "the owner's tab is told at once");
    // Asking twice is one request; a tab that opens the room now is told it waits.
    assert!(bruno.call("accept_invite", &[("token", &token)]).await.status().is_success());
    assert_eq!(next_count(&mut a).await, 1);
    let mut again = ana.live().await;
    again.subscribe(room, 0).await;
    assert_eq!(next_count(&mut again).await, 1);

    // A plain member neither sees nor answers requests.
    let carla = s.user("carla").await;
    assert!(carla.call("accept_invite", &[("token", &ana.invite(room).await)]).await.status().is_success());
    let refused = AppError::Forbidden(Refusal::OnlyModeratorsCan { action: Action::AnswerJoinRequests });
    assert_eq!(act(&carla, "join_requests", &[("room_id", &room.to_string())]).await.unwrap_err(), refused);
    assert_eq!(answer(&carla, "approve_join_request", room, bruno_id).await.unwrap_err(), refused);

    let list: Vec<JoinRequestView> = ana.json("join_requests", &[("room_id", &room.to_string())]).await;
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].user_id, list[0].username.as_str(), list[0].link_label.as_str(), list[0].link_maker.as_str()), (bruno_id, "bruno", "Newsletter", "ana"));

    let waiting = await_answer(&bruno, room);
    answer(&ana, "approve_join_request", room, bruno_id).await.unwrap();
    assert_eq!(waiting.await.unwrap(), RequestState::Approved, "the waiting page learns it without asking again");
    assert!(s.store.rooms().role_of(room, bruno_id).await.unwrap().is_some());
    assert_eq!(uses(&s, room).await, [1, 1], "the approval counted the link's use");
    let joined = loop {
        if let ServerEvent::Message { message } = a.next().await {
            if message.kind == MessageKind::Joined && message.author_id == bruno_id {
                break message;
            }
        }
    };
    assert_eq!(joined.via_invite.as_ref().map(|(_, label)| label.as_str()), Some("Newsletter"), "the owner sees which link: {joined:?}");
    assert_eq!(next_count(&mut a).await, 0);
    let again = answer(&ana, "approve_join_request", room, bruno_id).await.unwrap_err();
    assert_eq!(again, AppError::Invalid(Refusal::RequestNotWaiting));
    let list: Vec<JoinRequestView> = ana.json("join_requests", &[("room_id", &room.to_string())]).await;
    assert!(list.is_empty());
}

#[tokio::test]
async fn a_declined_request_is_told_and_cannot_ask_again_through_that_link_and_a_request_can_be_withdrawn() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Club").await;
    let token = approval_link(&ana, room, "0", "").await;
    let dora = s.user("dora").await;
    let dora_id = s.user_id("dora").await;
    assert!(dora.call("accept_invite", &[("token", &token)]).await.status().is_success());
    let waiting = await_answer(&dora, room);
    until_receivers(&s, room, 1).await;
    answer(&ana, "decline_join_request", room, dora_id).await.unwrap();
    assert_eq!(waiting.await.unwrap(), RequestState::Declined);
    assert_eq!(preview(&dora, &token).await.request, Some(RequestState::Declined));
    let again = act(&dora, "accept_invite", &[("token", &token)]).await.unwrap_err();
    assert_eq!(again, AppError::Forbidden(Refusal::RequestDeclined));
    assert_eq!(answer(&ana, "decline_join_request", room, dora_id).await.unwrap_err(), AppError::Invalid(Refusal::RequestNotWaiting));

    // A new link may ask again; the requester withdraws, without JavaScript.
    let fresh = approval_link(&ana, room, "0", "").await;
    let posted = dora.post_form("accept_invite", &[("token", &fresh)]).await;
    assert!(posted.status().is_redirection(), "{}", posted.status());
    let (_, page) = dora.page(&format!("/join/{fresh}")).await;
    assert!(page.contains("Your request was sent"), "the page shows the request waiting");
    assert!(page.contains("Withdraw request"));
    let waiting = await_answer(&dora, room);
    until_receivers(&s, room, 1).await;
    let posted = dora.post_form("withdraw_join_request", &[("room_id", &room.to_string())]).await;
    assert!(posted.status().is_redirection(), "{}", posted.status());
    assert_eq!(waiting.await.unwrap(), RequestState::Ended, "another tab's waiting page learns it");
    let (_, page) = dora.page(&format!("/join/{fresh}")).await;
    assert!(page.contains("Ask to join Club"), "back to asking");
    let twice = act(&dora, "withdraw_join_request", &[("room_id", &room.to_string())]).await.unwrap_err();
    assert_eq!(twice, AppError::Invalid(Refusal::RequestNotWaiting));
    assert_eq!(s.store.rooms().role_of(room, dora_id).await.unwrap(), None);
}

#[tokio::test]
async fn approval_checks_the_link_the_room_limit_and_bans_at_that_moment() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Club").await;
    let room_text = room.to_string();
    let once = approval_link(&ana, room, "1", "").await;
    let (erin, fred) = (s.user("erin").await, s.user("fred").await);
    let (erin_id, fred_id) = (s.user_id("erin").await, s.user_id("fred").await);
    for who in [&erin, &fred] {
        assert!(who.call("accept_invite", &[("token", &once)]).await.status().is_success());
    }
    // Two requests through a link with one use: the first approval takes it.
    answer(&ana, "approve_join_request", room, erin_id).await.unwrap();
    let waiting = await_answer(&fred, room);
    assert_eq!(answer(&ana, "approve_join_request", room, fred_id).await.unwrap_err(), AppError::InviteUsedUp);
    assert_eq!(waiting.await.unwrap(), RequestState::Ended, "the used-up link ended the request");

    // A full room keeps the request waiting; revoking its link ends it.
    act(&ana, "update_room_settings", &[("room_id", &room_text), ("description", ""), ("member_limit", "2"), ("members_can_invite", "true")])
        .await
        .unwrap();
    let open = approval_link(&ana, room, "0", "").await;
    assert!(fred.call("accept_invite", &[("token", &open)]).await.status().is_success());
    assert_eq!(answer(&ana, "approve_join_request", room, fred_id).await.unwrap_err(), AppError::RoomFull(2));
    let list: Vec<JoinRequestView> = ana.json("join_requests", &[("room_id", &room_text)]).await;
    assert_eq!(list.iter().map(|r| r.user_id).collect::<Vec<_>>(), [fred_id], "still waiting");
    let open_id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM invites WHERE room_id = $1").bind(room).fetch_one(s.store.pool()).await.unwrap();
    let waiting = await_answer(&fred, room);
    act(&ana, "revoke_invite", &[("invite_id", &open_id.to_string())]).await.unwrap();
    assert_eq!(waiting.await.unwrap(), RequestState::Ended);
    assert_eq!(answer(&ana, "approve_join_request", room, fred_id).await.unwrap_err(), AppError::Invalid(Refusal::RequestNotWaiting));

    // Someone banned after asking is not let in.
    act(&ana, "update_room_settings", &[("room_id", &room_text), ("description", ""), ("member_limit", "10"), ("members_can_invite", "true")])
        .await
        .unwrap();
    act(&erin, "leave_room", &[("room_id", &room_text)]).await.unwrap();
    let third = approval_link(&ana, room, "0", "").await;
    assert!(erin.call("accept_invite", &[("token", &third)]).await.status().is_success());
    let ana_id = s.user_id("ana").await;
    assert!(s.store.rooms().end_membership(room, erin_id, MembershipEnd::Banned, Some(ana_id), roomlink::clock::now_ms()).await.unwrap());
    assert_eq!(answer(&ana, "approve_join_request", room, erin_id).await.unwrap_err(), AppError::Forbidden(Refusal::RequesterBanned));
    assert_eq!(s.store.rooms().role_of(room, erin_id).await.unwrap(), None);
}

#[tokio::test]
async fn two_approvals_racing_for_a_links_last_use_let_exactly_one_person_in() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Club").await;
    // A moderator approves beside the owner.
    let moderator: InviteLink = ana.json("create_invite", &[("room_id", &room.to_string()), ("role", "moderator")]).await;
    let mona = s.user("mona").await;
    assert!(mona.call("accept_invite", &[("token", moderator.url.rsplit('/').next().unwrap())]).await.status().is_success());
    let once = approval_link(&ana, room, "1", "").await;
    let mut asking = Vec::new();
    for name in ["gus", "hana"] {
        let client = s.user(name).await;
        assert!(client.call("accept_invite", &[("token", &once)]).await.status().is_success());
        asking.push(s.user_id(name).await);
    }
    let (first, second) =
        tokio::join!(answer(&ana, "approve_join_request", room, asking[0]), answer(&mona, "approve_join_request", room, asking[1]));
    let mut results = [first.clone(), second.clone()];
    results.sort_by_key(Result::is_err);
    assert_eq!(results, [Ok(()), Err(AppError::InviteUsedUp)], "{first:?} {second:?}");
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE room_id = $1 AND status = 'active'")
        .bind(room)
        .fetch_one(s.store.pool())
        .await
        .unwrap();
    assert_eq!(members, 3, "ana, mona and one of the two");
    assert_eq!(uses(&s, room).await.last(), Some(&1));
}

/// With two nodes on PostgreSQL, a request made on one reaches the owner's
/// tab on the other, and an approval made on one reaches the requester's
/// waiting page on the other (over the live bus). Skipped without PostgreSQL.
#[tokio::test]
async fn requests_and_their_answers_cross_nodes() {
    use crate::multi_node::{in_process_and_one_node, wait_for};
    let Some((s, _dir, node)) = in_process_and_one_node().await else { return };
    let ana = s.user("ana").await;
    let room = ana.create_room("Two nodes").await;
    let token = approval_link(&ana, room, "0", "").await;
    let mut on_node = ana.at(node.addr).live().await;
    on_node.subscribe(room, 0).await;
    let count = |wanted: i64| move |e: &ServerEvent| matches!(e, ServerEvent::JoinRequests { pending, .. } if *pending == wanted);

    let bruno = s.user("bruno").await;
    let bruno_id = s.user_id("bruno").await;
    assert!(bruno.call("accept_invite", &[("token", &token)]).await.status().is_success());
    wait_for(&mut on_node, 10_000, count(1)).await;
    let waiting = await_answer(&bruno.at(node.addr), room);
    answer(&ana, "approve_join_request", room, bruno_id).await.unwrap();
    assert_eq!(waiting.await.unwrap(), RequestState::Approved);
    wait_for(&mut on_node, 10_000, count(0)).await;
    drop(node);
}
