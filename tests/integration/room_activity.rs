//! Room lists that follow activity (issue 40): `await_room_activity`
//! answers when a line lands in one of the person's rooms or join requests
//! change in a room they moderate, so the home page's unread badges and the
//! dashboard's counts update without a reload.

use crate::{
    join_requests::until_receivers,
    moderation::follow,
    support::{club, Client, TestServer},
};
use roomlink::{invites::InviteLink, rooms::{RoomSummary, RoomsActivity}};

async fn activity(client: &Client, seen: Option<RoomsActivity>) -> RoomsActivity {
    let (line, requests) = (seen.map(|s| s.newest_line.to_string()), seen.map(|s| s.join_requests.to_string()));
    let mut form = Vec::new();
    if let (Some(line), Some(requests)) = (&line, &requests) {
        form = vec![("newest_line", line.as_str()), ("join_requests", requests.as_str())];
    }
    client.json("await_room_activity", &form).await
}

fn await_activity(client: &Client, seen: RoomsActivity) -> tokio::task::JoinHandle<RoomsActivity> {
    let client = client.clone();
    tokio::spawn(async move { activity(&client, Some(seen)).await })
}

#[tokio::test]
async fn a_waiting_room_list_learns_of_new_lines_and_join_requests_at_once() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let first = activity(&ana, None).await;
    assert_eq!(first.join_requests, 0);
    let mut b = follow(&bruno, room).await;

    // A line from Bruno wakes Ana's waiting list; her unread count is then 1.
    let waiting = await_activity(&ana, first);
    until_receivers(&s, room, 2).await;
    b.say(room, "b1", "are you there?").await;
    let after_line = waiting.await.unwrap();
    assert!(after_line.newest_line > first.newest_line, "{first:?} then {after_line:?}");
    let rooms: Vec<RoomSummary> = ana.json("my_rooms", &[]).await;
    assert_eq!(rooms.iter().find(|r| r.id == room).map(|r| r.unread), Some(1));
    // What the page saw is old already: the answer comes at once.
    assert_eq!(activity(&ana, Some(first)).await, after_line);

    // A join request in a room Ana moderates wakes it too.
    let link: InviteLink = ana.json("create_invite", &[("room_id", &room.to_string()), ("needs_approval", "true")]).await;
    let token = link.url.rsplit('/').next().unwrap().to_string();
    let waiting = await_activity(&ana, after_line);
    until_receivers(&s, room, 2).await;
    let carla = s.user("carla").await;
    assert!(carla.call("accept_invite", &[("token", &token)]).await.status().is_success());
    let after_request = waiting.await.unwrap();
    assert_eq!((after_request.newest_line, after_request.join_requests), (after_line.newest_line, 1));

    // A logged-out caller is refused.
    let refused = s.client().call("await_room_activity", &[]).await;
    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);
}
