//! Recovery codes (issue 41): ten shown at sign-up, kept only as hashes;
//! "Forgot password?" with one of them sets a new password once, ends every
//! session, and answers the same for an unknown user and a wrong code; a
//! new set voids the old one.

use reqwest::{header, StatusCode};

use crate::support::{Client, TestServer};
use roomlink::{
    accounts::CurrentUser,
    error::AppError,
    live::{ServerEvent, Topic},
    error::Refusal,
};

/// Calls `endpoint`: (status, the refusal's words or "").
async fn answer(client: &Client, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let r = client.call(endpoint, form).await;
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str::<AppError>(&text).map_or(String::new(), |e| e.to_string()))
}

async fn codes_shown(client: &Client) -> Option<Vec<String>> {
    client.json("recovery_codes_to_show", &[]).await
}

async fn recover(client: &Client, username: &str, code: &str, password: &str) -> (StatusCode, String) {
    answer(client, "recover_account", &[("username", username), ("code", code), ("new_password", password)]).await
}

const FAILED: &str = "That username and recovery code don't go together. Check both; each code works only once.";

#[tokio::test]
async fn sign_up_shows_ten_codes_once_and_keeps_only_their_hashes() {
    let s = TestServer::start().await;
    let ana = s.client();
    let r = ana.call("sign_up", &[("username", "ana"), ("password", "correct horse"), ("next", "/rooms/7?x=1")]).await;
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    let location = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(location, "/recovery-codes?next=%2Frooms%2F7%3Fx%3D1", "sign-up goes on through the codes");

    let codes = codes_shown(&ana).await.expect("a new set is shown");
    assert_eq!(codes.len(), 10);
    assert_eq!(codes.iter().collect::<std::collections::HashSet<_>>().len(), 10, "all different");
    assert!(codes.iter().all(|c| c.len() == 19 && c.split('-').all(|g| g.len() == 4)), "{codes:?}");
    // The page and the text file show them until they are saved.
    let (status, html) = ana.page("/recovery-codes?next=%2Frooms%2F7").await;
    assert_eq!(status, StatusCode::OK);
    assert!(codes.iter().all(|c| html.contains(c.as_str())) && html.contains("data-plain"), "a plain page with every code");
    let file = ana.http.get(ana.url("/account/recovery-codes.txt")).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert!(file.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    let text = file.text().await.unwrap();
    assert!(codes.iter().all(|c| text.contains(c.as_str())), "{text}");
    // Someone else sees none of them.
    assert_eq!(s.client().http.get(s.client().url("/account/recovery-codes.txt")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);

    // The database holds ten hashes and no code.
    let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes").fetch_all(s.store.pool()).await.unwrap();
    assert_eq!(stored.len(), 10);
    for code in &codes {
        let bare = code.replace('-', "");
        assert!(stored.iter().all(|h| h.len() == 64 && !h.contains(&bare)), "no code in the table");
    }

    // "I saved them": on to `next`, and they are shown no more.
    let saved = ana.call("recovery_codes_saved", &[("next", "/rooms/7")]).await;
    assert_eq!(saved.headers()[header::LOCATION], "/rooms/7");
    assert_eq!(codes_shown(&ana).await, None);
    assert_eq!(ana.http.get(ana.url("/account/recovery-codes.txt")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let (_, html) = ana.page("/recovery-codes").await;
    assert!(!html.contains(codes[0].as_str()) && html.contains("make a new set on your profile"));
    let left: u32 = ana.json("recovery_codes_left", &[]).await;
    assert_eq!(left, 10);
}

#[tokio::test]
async fn a_code_resets_the_password_once_and_ends_every_session() {
    let s = TestServer::start().await;
    let ana = s.client();
    ana.call("sign_up", &[("username", "ana"), ("password", "correct horse"), ("next", "")]).await;
    let codes = codes_shown(&ana).await.unwrap();
    let room = ana.create_room("Club").await;
    let mut tab = ana.live().await;
    assert_eq!(tab.subscribe(room, 0).await, ServerEvent::Subscribed { topic: Topic::Room(room) });
    tab.drain(200).await;

    // Wrong code, unknown user, malformed code, a code of another account: one answer.
    let bruno = s.user("bruno").await;
    let brunos = codes_shown(&bruno).await.unwrap();
    let stranger = s.client();
    for (who, code) in [("ana", "aaaa-bbbb-cccc-dddd"), ("nobody", codes[0].as_str()), ("ana", "not a code"), ("ana", brunos[0].as_str())] {
        assert_eq!(recover(&stranger, who, code, "a brand new one").await, (StatusCode::BAD_REQUEST, FAILED.to_string()), "{who} {code}");
    }
    // A password that breaks the rules is refused before the code is spent.
    let (status, said) = recover(&stranger, "ana", &codes[0], "short").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(said.contains("at least 8"), "{said}");
    assert_eq!(ana.json::<u32>("recovery_codes_left", &[]).await, 10);

    // Typed as people type it: upper case, spaces for dashes.
    let typed = codes[0].to_uppercase().replace('-', " ");
    let phone = s.client();
    let r = phone.call("recover_account", &[("username", " ana "), ("code", &typed), ("new_password", "a brand new one")]).await;
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    assert_eq!(r.headers()[header::LOCATION], "/profile?recovered");
    let me: Option<CurrentUser> = phone.json("current_user", &[]).await;
    assert_eq!(me.map(|u| u.username).as_deref(), Some("ana"), "the browser that recovered is logged in");
    assert_eq!(tab.next().await, ServerEvent::Ended { topic: Topic::Room(room), reason: Refusal::LoggedOut }, "every other session ends");
    assert!(ana.json::<Option<CurrentUser>>("current_user", &[]).await.is_none());
    assert_eq!(phone.json::<u32>("recovery_codes_left", &[]).await, 9);
    let (_, profile) = phone.page("/profile?recovered").await;
    assert!(profile.contains("Your password is changed") && profile.contains("9 unused recovery codes"), "the profile says so");

    // The code works once; the old password no more, the new one does.
    assert_eq!(recover(&s.client(), "ana", &codes[0], "another new one").await.1, FAILED);
    let late = s.client();
    assert_eq!(answer(&late, "log_in", &[("username", "ana"), ("password", "correct horse")]).await.0, StatusCode::UNAUTHORIZED);
    let r = late.call("log_in", &[("username", "ana"), ("password", "a brand new one")]).await;
    assert!(r.status().is_success() || r.status().is_redirection());
}

#[tokio::test]
async fn a_new_set_needs_the_password_and_voids_the_old_one() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let old = codes_shown(&ana).await.unwrap();
    ana.call("recovery_codes_saved", &[]).await;

    let (status, said) = answer(&ana, "new_recovery_codes", &[("password", "not it")]).await;
    assert_eq!((status, said.as_str()), (StatusCode::BAD_REQUEST, "That is not your current password. Type the one you log in with now."));
    assert_eq!(codes_shown(&ana).await, None);

    let r = ana.call("new_recovery_codes", &[("password", "correct horse")]).await;
    assert_eq!(r.headers()[header::LOCATION], "/recovery-codes?next=/profile");
    let new = codes_shown(&ana).await.unwrap();
    assert!(new.iter().all(|c| !old.contains(c)));
    assert_eq!(recover(&s.client(), "ana", &old[1], "a brand new one").await.1, FAILED, "the old set works no more");
    assert!(recover(&s.client(), "ana", &new[1], "a brand new one").await.0.is_success());

    // Without a session: nothing to show, nothing to make.
    let stranger = s.client();
    assert_eq!(stranger.call("recovery_codes_to_show", &[]).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(stranger.call("new_recovery_codes", &[("password", "x")]).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn guessing_codes_meets_the_log_in_limit_for_known_and_unknown_names_alike() {
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    let codes = codes_shown(&ana).await.unwrap();
    for name in ["ana", "nobody"] {
        let mut limited = None;
        for n in 0..12 {
            // From a fresh address each time: the limit per username holds on its own.
            let guesser = s.client().from_ip(std::net::IpAddr::from([127, 9, 0, n as u8 + 1]));
            let (status, _) = recover(&guesser, name, "aaaa-bbbb-cccc-dddd", "a brand new one").await;
            if status == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(n);
                break;
            }
            assert_eq!(status, StatusCode::BAD_REQUEST);
        }
        assert_eq!(limited, Some(10), "{name}: the eleventh guess is refused");
    }
    // Past the limit even the right code waits: guesses cannot outrun it.
    assert_eq!(recover(&s.client(), "ana", &codes[0], "a brand new one").await.0, StatusCode::TOO_MANY_REQUESTS);
}
