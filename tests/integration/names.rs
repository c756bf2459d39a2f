//! Names that cannot deceive: look-alikes are one name, invisible and
//! direction-changing characters are refused.

use reqwest::StatusCode;

use crate::{accounts::error_of, instant, support::TestServer};
use roomlink::error::AppError;

#[tokio::test]
async fn a_username_that_looks_like_a_taken_one_is_taken() {
    let s = TestServer::start().await;
    s.user("bill").await;
    for alike in ["bi11", "BILL", "biIl", "ｂｉｌｌ"] {
        let r = s.client().call("sign_up", &[("username", alike), ("password", "correct horse")]).await;
        assert_eq!(error_of(r).await, AppError::UsernameTaken, "{alike}");
    }
    let r = s.client().call("sign_up", &[("username", "bill\u{200B}"), ("password", "correct horse")]).await;
    match error_of(r).await {
        AppError::Invalid(msg) => assert!(msg.to_string().contains("invisible") && msg.to_string().contains("U+200B"), "{msg}"),
        other => panic!("{other:?}"),
    }
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(users, 1);
    // A full-width name is stored as its plain form.
    s.user("ｚｏｅ").await;
    let stored: String = sqlx::query_scalar("SELECT username FROM users WHERE username_key = 'zoe'").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(stored, "zoe");
}

#[tokio::test]
async fn in_a_chat_nobody_can_join_as_a_look_alike_of_someone_there() {
    let (s, _host, _bruno, id) = instant::ana_and_bruno(false).await;
    for (alike, status, fragment) in [
        ("Ana\u{200B}", StatusCode::BAD_REQUEST, "invisible"),
        ("\u{202E}anA", StatusCode::BAD_REQUEST, "invisible"),
        ("\u{0410}na", StatusCode::CONFLICT, "taken"),
        ("\u{0391}NA", StatusCode::CONFLICT, "taken"),
        ("Bruno", StatusCode::CONFLICT, "taken"),
        ("Brun0", StatusCode::CONFLICT, "taken"),
    ] {
        let guest = s.client();
        let (got, message) = instant::join(&guest, &id, alike).await;
        assert_eq!(got, status, "{alike:?}: {message}");
        assert!(message.to_lowercase().contains(fragment), "{alike:?}: {message}");
    }
    let guest = s.client();
    assert!(instant::join(&guest, &id, "Carla 👩\u{200D}💻").await.0.is_success(), "emoji keep their joiners");
}
