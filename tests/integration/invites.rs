//! Invite links: create, preview, accept, and every way a link can be bad.

use reqwest::{header, StatusCode};

use crate::support::TestServer;
use roomlink::{error::AppError, store::NewInvite};

const INVALID: &str = "This invite link is invalid or has expired";

async fn members(s: &TestServer, room_id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE room_id = $1")
        .bind(room_id)
        .fetch_one(s.store.pool())
        .await
        .unwrap()
}

async fn uses(s: &TestServer) -> Vec<i64> {
    sqlx::query_scalar("SELECT uses FROM invites ORDER BY id").fetch_all(s.store.pool()).await.unwrap()
}

/// The error card of a page, so that two error pages can be compared.
fn card(body: &str) -> String {
    let start = body.find("<section").expect("a section");
    let end = body[start..].find("</section>").unwrap() + start;
    body[start..end].to_string()
}

#[tokio::test]
async fn only_the_hash_of_a_token_is_stored() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Book club").await;
    let token = ana.invite(room).await;
    assert_eq!(token.len(), 43, "256 bits in URL-safe base64: {token}");
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));

    let stored: String = sqlx::query_scalar("SELECT token_hash FROM invites").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(Some(stored.clone()), roomlink::invite_token::hash(&token));
    assert_ne!(stored, token);
    let Some(db_path) = &s.db_path else { return };
    sqlx::query("PRAGMA wal_checkpoint(FULL)").execute(s.store.pool()).await.unwrap();
    for suffix in ["", "-wal"] {
        let path = format!("{}{suffix}", db_path.display());
        if let Ok(bytes) = std::fs::read(&path) {
            assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()), "token found in {path}");
        }
    }
}

#[tokio::test]
async fn the_preview_shows_the_room_and_changes_nothing() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Book club").await;
    let token = ana.invite(room).await;
    let evil = ana.create_room("</title><script>alert(1)</script>\" x=\"").await;
    let evil_token = ana.invite(evil).await;
    let (_, body) = s.client().page(&format!("/join/{evil_token}")).await;
    assert!(!body.contains("<script>alert(1)"), "room names are escaped in the title and meta tags");

    let visitor = s.client();
    for _ in 0..3 {
        let (status, body) = visitor.page(&format!("/join/{token}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Book club") && body.contains("ana") && body.contains("1 member"), "{body}");
        assert!(body.contains("expires on"));
        assert!(body.contains(&format!("/login?next=%2Fjoin%2F{token}")), "offers log in with a way back");
        assert!(body.contains("og:title"), "unfurls in other chats");
    }
    assert_eq!(members(&s, room).await, 1);
    assert_eq!(uses(&s).await, vec![0, 0]);
}

/// Pages render while another server in the same process starts. Leptos
/// stops resources loading process-wide while it works out a server's page
/// routes, and a page caught in that window used to wait forever: `cargo
/// test`, which starts servers while others serve, hung about 1 run in 10
/// (see `server::page_routes`). Here the routes are worked out again and
/// again while four visitors load a join page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_pages_render_while_another_server_starts() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Book club").await;
    let path = format!("/join/{}", ana.invite(room).await);
    let starting = tokio::task::spawn_blocking(|| {
        for _ in 0..300 {
            roomlink::server::page_routes(roomlink::pages::site());
        }
    });
    let visitors = (0..4).map(|_| {
        let (visitor, path) = (s.client(), path.clone());
        let starting = &starting;
        async move {
            let mut rendered = 0;
            while !starting.is_finished() || rendered == 0 {
                let page = tokio::time::timeout(std::time::Duration::from_secs(20), visitor.page(&path));
                let (status, body) = page.await.expect("a join page never finished while a server was starting");
                assert_eq!(status, StatusCode::OK);
                assert!(body.contains("Book club") && body.contains("1 member"), "{body}");
                rendered += 1;
            }
        }
    });
    futures::future::join_all(visitors).await;
    starting.await.unwrap();
}

#[tokio::test]
async fn unknown_expired_and_malformed_links_look_the_same() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Book club").await;
    let (expired, expired_hash) = roomlink::invite_token::generate();
    s.store
        .invites()
        .create(NewInvite { room_id: room, token_hash: &expired_hash, created_by: 1, now_ms: 0, expires_at_ms: Some(1), max_uses: None, label: "", role: roomlink::rooms::Role::Member, needs_approval: false })
        .await
        .unwrap();
    let (unknown, _) = roomlink::invite_token::generate();

    let mut cards = Vec::new();
    for token in [unknown.as_str(), expired.as_str(), "not-a-token", "%3Cscript%3E"] {
        let (status, body) = s.client().page(&format!("/join/{token}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{token}");
        assert!(body.contains(INVALID), "{token}: {body}");
        cards.push(card(&body));
        let r = ana.call("accept_invite", &[("token", token)]).await;
        let err: AppError = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert_eq!(err, AppError::InviteInvalid, "{token}");
    }
    assert!(cards.windows(2).all(|w| w[0] == w[1]), "the pages must not tell the cases apart");
    assert_eq!(members(&s, room).await, 1);
}

#[tokio::test]
async fn joining_makes_a_member_once_and_members_go_straight_in() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Book club").await;
    let token = ana.invite(room).await;

    let anonymous = s.client().call("accept_invite", &[("token", &token)]).await;
    let err: AppError = serde_json::from_str(&anonymous.text().await.unwrap()).unwrap();
    assert_eq!(err, AppError::NotLoggedIn);

    let bruno = s.user("bruno").await;
    let r = bruno.call("accept_invite", &[("token", &token)]).await;
    assert!(r.status().is_success());
    assert_eq!(r.headers()[header::LOCATION], format!("/rooms/{room}").as_str());
    assert_eq!(members(&s, room).await, 2);
    assert_eq!(uses(&s).await, vec![1]);

    // Again: no second membership, no use counted, still taken to the room.
    let r = bruno.call("accept_invite", &[("token", &token)]).await;
    assert_eq!(r.headers()[header::LOCATION], format!("/rooms/{room}").as_str());
    assert_eq!(members(&s, room).await, 2);
    assert_eq!(uses(&s).await, vec![1]);

    // Opening the link as a member goes straight to the room.
    let (status, _) = bruno.page(&format!("/join/{token}")).await;
    assert_eq!(status, StatusCode::FOUND);

    // Without JavaScript: a plain form POST redirects to the room.
    let carla = s.user("carla").await;
    let r = carla.post_form("accept_invite", &[("token", &token)]).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()[header::LOCATION], format!("/rooms/{room}").as_str());
    assert_eq!(members(&s, room).await, 3);
}

#[tokio::test]
async fn only_members_make_invite_links() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let room = ana.create_room("Book club").await;
    let eve = s.user("eve").await;
    let r = eve.call("create_invite", &[("room_id", &room.to_string())]).await;
    let err: AppError = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(err, AppError::NotMember);
    assert!(uses(&s).await.is_empty());
}
