//! Sign-up, log-in, log-out, sessions and cross-site refusal.

use reqwest::{header, StatusCode};

use super::support::TestServer;
use crate::{accounts::CurrentUser, error::AppError};

async fn error_of(r: reqwest::Response) -> AppError {
    assert!(!r.status().is_success(), "expected an error, got {}", r.status());
    serde_json::from_str(&r.text().await.unwrap()).unwrap()
}

#[tokio::test]
async fn sign_up_rules_are_enforced_by_the_server() {
    let s = TestServer::start().await;
    let c = s.client();
    for (name, password, fragment) in [
        ("ab", "long enough", "3 to 32"),
        ("has space", "long enough", "' '"),
        (&"x".repeat(33) as &str, "long enough", "3 to 32"),
        ("fine_name", "short", "at least 8"),
    ] {
        match error_of(c.call("sign_up", &[("username", name), ("password", password)]).await).await {
            AppError::Invalid(msg) => assert!(msg.contains(fragment), "{name}: {msg}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(users, 0, "nothing is saved for refused sign-ups");

    s.user("Ana_1").await;
    let dup = s.client().call("sign_up", &[("username", "ana_1"), ("password", "another pass")]).await;
    assert_eq!(error_of(dup).await, AppError::UsernameTaken);
}

#[tokio::test]
async fn passwords_are_argon2id_and_sessions_are_http_only_lax_cookies() {
    let s = TestServer::start().await;
    let c = s.client();
    let r = c.call("sign_up", &[("username", "bruno"), ("password", "correct horse"), ("next", "/join/x")]).await;
    assert!(r.status().is_success());
    assert_eq!(r.headers()[header::LOCATION], "/join/x");
    let cookie = r.headers()[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.starts_with("roomlink_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let sid = cookie.split(';').next().unwrap().trim_start_matches("roomlink_session=");
    assert!(sid.len() >= 22, "session id carries at least 128 bits: {sid}");

    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'bruno'")
        .fetch_one(s.store.pool())
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("correct horse"));

    let me: Option<CurrentUser> = c.json("current_user", &[]).await;
    assert_eq!(me.map(|u| u.username).as_deref(), Some("bruno"));

    assert!(c.call("log_out", &[]).await.status().is_success());
    let me: Option<CurrentUser> = c.json("current_user", &[]).await;
    assert_eq!(me, None);
}

#[tokio::test]
async fn log_in_checks_the_password_and_never_says_which_part_was_wrong() {
    let s = TestServer::start().await;
    s.user("carla").await;
    let c = s.client();
    let wrong = c.call("log_in", &[("username", "carla"), ("password", "wrong password")]).await;
    assert_eq!(error_of(wrong).await, AppError::BadCredentials);
    let unknown = c.call("log_in", &[("username", "nobody"), ("password", "correct horse")]).await;
    assert_eq!(error_of(unknown).await, AppError::BadCredentials);

    let ok = c.call("log_in", &[("username", "CARLA"), ("password", "correct horse"), ("next", "//evil.example")]).await;
    assert!(ok.status().is_success());
    assert_eq!(ok.headers()[header::LOCATION], "/", "a non-local next goes home");
    let me: Option<CurrentUser> = c.json("current_user", &[]).await;
    assert_eq!(me.map(|u| u.username).as_deref(), Some("carla"));
}

#[tokio::test]
async fn forms_work_without_javascript() {
    let s = TestServer::start().await;
    let c = s.client();
    let r = c.post_form("sign_up", &[("username", "dora"), ("password", "correct horse"), ("next", "/rooms/1")]).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()[header::LOCATION], "/rooms/1");

    // An error comes back to the form's page, carried in the URL.
    let r = s.client().post_form("sign_up", &[("username", "x"), ("password", "correct horse")]).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let location = r.headers()[header::LOCATION].to_str().unwrap();
    assert!(location.contains("__err="), "{location}");
}

#[tokio::test]
async fn requests_from_other_sites_are_refused() {
    let s = TestServer::start().await;
    let evil = s
        .client()
        .http
        .post(s.url("/api/sign_up"))
        .header(header::ORIGIN, "http://evil.example")
        .form(&[("username", "mallory"), ("password", "correct horse")])
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    let fetch_site = s
        .client()
        .http
        .post(s.url("/api/sign_up"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("username", "mallory"), ("password", "correct horse")])
        .send()
        .await
        .unwrap();
    assert_eq!(fetch_site.status(), StatusCode::FORBIDDEN);
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(users, 0);
}
