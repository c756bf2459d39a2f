//! Where an account is logged in, and changing its password (issue 41):
//! the list of sessions, ending one or all others, and a password change
//! that logs every other browser out and closes its live sockets at once.

use reqwest::{header, StatusCode};

use crate::support::{club, Client, TestServer};
use roomlink::{
    accounts::{sessions::SessionView, CurrentUser},
    error::{AppError, Refusal},
    live::{ServerEvent, Topic},
};

const PHONE: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36";

/// A second browser of "ana" (password "correct horse"), logged in with a phone's User-Agent.
async fn ana_on_a_phone(s: &TestServer) -> Client {
    let phone = s.client();
    let r = phone
        .http
        .post(phone.url("/api/log_in"))
        .header(header::USER_AGENT, PHONE)
        .form(&[("username", "ana"), ("password", "correct horse")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    phone
}

async fn who(client: &Client) -> Option<CurrentUser> {
    client.json("current_user", &[]).await
}

/// Calls `endpoint`: the refusal's words, or "" when it succeeded.
async fn refusal(client: &Client, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let r = client.call(endpoint, form).await;
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str::<AppError>(&text).map_or(String::new(), |e| e.to_string()))
}

#[tokio::test]
async fn the_profile_lists_sessions_and_ends_one_or_every_other() {
    let s = TestServer::start().await;
    let (ana, _bruno, _room) = club(&s).await;
    let phone = ana_on_a_phone(&s).await;
    let tablet = ana_on_a_phone(&s).await;

    let list: Vec<SessionView> = ana.json("account_sessions", &[]).await;
    assert_eq!(list.len(), 3);
    assert!(list[0].current, "this device first");
    assert_eq!(list.iter().filter(|v| v.current).count(), 1);
    let on_phone = &list[1];
    assert_eq!((on_phone.browser.as_deref(), on_phone.system.as_deref()), (Some("Chrome 131"), Some("Android")));
    assert_eq!(on_phone.address, "127.0.0.0/24", "coarse, never the whole address");
    assert!(on_phone.last_active_at >= on_phone.started_at);

    // The profile page lists them from its first byte, with plain forms.
    let (status, html) = ana.page("/profile").await;
    assert_eq!(status, StatusCode::OK);
    for shown in ["Chrome 131 on Android", "127.0.0.0/24", "/api/end_account_session", "/api/end_other_sessions", "/api/change_password"] {
        assert!(html.contains(shown), "the profile page shows {shown}");
    }

    // Ending one: that browser is logged out, the others stay.
    let (status, said) = refusal(&ana, "end_account_session", &[("id", &list[0].id.to_string())]).await;
    assert_eq!((status, said.as_str()), (StatusCode::BAD_REQUEST, "That is the session you are using: log out instead."));
    let phone_view: Vec<SessionView> = phone.json("account_sessions", &[]).await;
    let phone_row = phone_view.iter().find(|v| v.current).unwrap().id.to_string();
    assert!(ana.call("end_account_session", &[("id", &phone_row)]).await.status().is_success());
    assert!(who(&phone).await.is_none(), "the phone is logged out");
    assert!(who(&tablet).await.is_some() && who(&ana).await.is_some());
    let (status, said) = refusal(&ana, "end_account_session", &[("id", &phone_row)]).await;
    assert_eq!((status, said.as_str()), (StatusCode::BAD_REQUEST, "That session has ended already."));

    // Someone else's session cannot be ended from here.
    let carla_view: Vec<SessionView> = s.user("carla").await.json("account_sessions", &[]).await;
    let (status, _) = refusal(&ana, "end_account_session", &[("id", &carla_view[0].id.to_string())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Every other: only this one is left.
    let ended: usize = ana.json("end_other_sessions", &[]).await;
    assert_eq!(ended, 1);
    assert!(who(&tablet).await.is_none());
    let left: Vec<SessionView> = ana.json("account_sessions", &[]).await;
    assert_eq!(left.iter().map(|v| v.current).collect::<Vec<_>>(), [true]);

    // Logged out: asking is refused.
    let out = ana.call("log_out", &[]).await;
    assert!(out.status().is_success() || out.status().is_redirection());
    assert_eq!(ana.call("account_sessions", &[]).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn changing_the_password_logs_every_other_browser_out_and_closes_its_sockets() {
    let s = TestServer::start().await;
    let (ana, _bruno, room) = club(&s).await;
    let phone = ana_on_a_phone(&s).await;
    let mut on_phone = phone.live().await;
    assert_eq!(on_phone.subscribe(room, 0).await, ServerEvent::Subscribed { topic: Topic::Room(room) });
    on_phone.drain(200).await;

    // A wrong current password, or a new one that breaks the rules: nothing changes.
    let (status, said) =
        refusal(&ana, "change_password", &[("current_password", "not it"), ("new_password", "a brand new one")]).await;
    assert_eq!((status, said.as_str()), (StatusCode::BAD_REQUEST, "That is not your current password. Type the one you log in with now."));
    let (status, _) = refusal(&ana, "change_password", &[("current_password", "correct horse"), ("new_password", "short")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(who(&phone).await.is_some());

    let (status, said) =
        refusal(&ana, "change_password", &[("current_password", "correct horse"), ("new_password", "a brand new one")]).await;
    assert!(status.is_success(), "{status} {said}");
    assert_eq!(
        on_phone.next().await,
        ServerEvent::Ended { topic: Topic::Room(room), reason: Refusal::LoggedOut },
        "the phone's open tab is told at once"
    );
    assert!(on_phone.closed().await);
    assert!(who(&phone).await.is_none(), "the phone is logged out");
    assert_eq!(who(&ana).await.map(|u| u.username).as_deref(), Some("ana"), "this browser stays in");

    // The old password no longer logs in; the new one does.
    let late = s.client();
    let old = refusal(&late, "log_in", &[("username", "ana"), ("password", "correct horse")]).await;
    assert_eq!(old.0, StatusCode::UNAUTHORIZED, "{}", old.1);
    let new = late.call("log_in", &[("username", "ana"), ("password", "a brand new one")]).await;
    assert!(new.status().is_success() || new.status().is_redirection());
    assert!(who(&late).await.is_some());
}
