//! The language each person reads (issue 39), on the real server: the
//! choice in the language cookie wins over `Accept-Language`, which wins
//! over English; the switcher saves the choice in the browser and in the
//! profile, which the next log-in brings to another browser; refusals come
//! back as codes that read in either language.

use reqwest::{header, StatusCode};
use roomlink::{
    error::{AppError, Refusal},
    i18n::Locale,
};

use crate::support::{Client, TestServer};

/// A page as a browser asking for `accept_language` gets it.
async fn page_in(client: &Client, path: &str, accept_language: &str) -> String {
    let r = client
        .http
        .get(client.url(path))
        .header(header::ACCEPT, "text/html")
        .header(header::ACCEPT_LANGUAGE, accept_language)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

#[tokio::test]
async fn the_choice_wins_over_accept_language_and_follows_a_log_in() {
    let s = TestServer::start().await;
    let browser = s.client();
    // Accept-Language alone: a Portuguese browser of any region, then English.
    let home = page_in(&browser, "/signup", "pt-BR,pt;q=0.9,en;q=0.8").await;
    assert!(home.contains(r#"<html lang="pt-BR""#) && home.contains("Criar conta"), "{home}");
    assert!(page_in(&browser, "/signup", "pt-PT").await.contains(r#"lang="pt-BR""#));
    let english = page_in(&browser, "/signup", "de-DE,fr;q=0.5").await;
    assert!(english.contains(r#"<html lang="en""#) && english.contains("Create account"));

    // The switcher, as a form without JavaScript: a cookie for a year, and back to the page.
    let r = browser.post_form("set_language", &[("language", "en"), ("back", "/signup?next=%2Frooms%2F1")]).await;
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(r.headers()[header::LOCATION], "/signup?next=%2Frooms%2F1");
    let cookie = r.headers()[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.starts_with("roomlink_lang=en;") && cookie.contains("Max-Age=31536000"), "{cookie}");
    assert_eq!(browser.cookie("roomlink_lang").as_deref(), Some("en"));
    assert!(page_in(&browser, "/signup", "pt-BR").await.contains(r#"<html lang="en""#), "the choice wins");
    // Never somewhere else: a `back` off the site goes home.
    let r = browser.post_form("set_language", &[("language", "pt-BR"), ("back", "//evil.example")]).await;
    assert_eq!(r.headers()[header::LOCATION], "/");
    // A language Roomlink does not have is refused, and changes nothing.
    let r = browser.call("set_language", &[("language", "xx"), ("back", "/")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<AppError>().await.unwrap(), AppError::UnknownLanguage);
    assert_eq!(browser.cookie("roomlink_lang").as_deref(), Some("pt-BR"));

    // Logged in: the choice goes into the profile, and the next log-in, in
    // a browser that asks for English, brings it back.
    let ana = s.user("ana").await;
    ana.call("set_language", &[("language", "pt-BR"), ("back", "/")]).await;
    let phone = s.client();
    let r = phone.call("log_in", &[("username", "ana"), ("password", "correct horse"), ("next", "")]).await;
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    assert_eq!(phone.cookie("roomlink_lang").as_deref(), Some("pt-BR"));
    assert!(page_in(&phone, "/", "en-US").await.contains(r#"<html lang="pt-BR""#));

    // Someone who never chose gets no cookie at log-in.
    s.user("bruno").await;
    let other = s.client();
    other.call("log_in", &[("username", "bruno"), ("password", "correct horse"), ("next", "")]).await;
    assert_eq!(other.cookie("roomlink_lang"), None);
}

#[tokio::test]
async fn a_refusal_reads_in_the_language_of_whoever_reads_it() {
    let s = TestServer::start().await;
    let r = s.client().call("sign_up", &[("username", "a b"), ("password", "correct horse"), ("next", "")]).await;
    let refused: AppError = r.json().await.unwrap();
    assert_eq!(refused, AppError::Invalid(Refusal::UsernameCharacter { character: ' ' }));
    assert_eq!(refused.message(Locale::en), "A username may use only letters, digits, '_' and '-' (not ' ').");
    assert_eq!(refused.message(Locale::pt_BR), "O nome de usuário só pode ter letras, números, '_' e '-' (não ' ').");
    // Without JavaScript the page comes back with it, worded in the browser's language.
    let browser = s.client();
    let r = browser
        .http
        .post(browser.url("/api/sign_up"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, browser.url("/signup"))
        .form(&[("username", "a b"), ("password", "correct horse"), ("next", "")])
        .send()
        .await
        .unwrap();
    let back = r.headers()[header::LOCATION].to_str().unwrap();
    // The page it went back to, with the error in its query.
    let path = back.strip_prefix(&browser.url("")).unwrap_or(back);
    assert!(path.starts_with("/signup?") && path.contains("__err="), "{back}");
    let page = page_in(&browser, path, "pt-BR").await;
    assert!(page.contains("O nome de usuário só pode ter letras"), "{page}");
}
