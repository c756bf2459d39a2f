//! Sign-up, log-in, log-out, sessions and cross-site refusal.

use reqwest::{header, StatusCode};

use crate::support::TestServer;
use roomlink::{accounts::CurrentUser, error::AppError};

/// The error a failed server function call answered with.
pub(super) async fn error_of(r: reqwest::Response) -> AppError {
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
            AppError::Invalid(msg) => assert!(msg.to_string().contains(fragment), "{name}: {msg}"),
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
    assert_eq!(r.headers()[header::LOCATION], "/recovery-codes?next=%2Fjoin%2Fx", "on through the recovery codes");
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
    assert_eq!(r.headers()[header::LOCATION], "/recovery-codes?next=%2Frooms%2F1");
    let r = c.post_form("recovery_codes_saved", &[("next", "/rooms/1")]).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()[header::LOCATION], "/rooms/1", "\"I saved them\" goes on to where sign-up was going");

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

/// The stored record of `client`'s session.
async fn stored_session(s: &TestServer, client: &crate::support::Client) -> tower_sessions::session::Record {
    use tower_sessions::SessionStore;
    let id: tower_sessions::session::Id = client.cookie("roomlink_session").expect("a session cookie").parse().unwrap();
    s.store.sessions().load(&id).await.unwrap().expect("the session is stored")
}

/// A GET of the home page as a browser makes it, for a page (asking for
/// HTML) or as an asset would; read to the end. Whether it set the session cookie.
async fn visit(client: &crate::support::Client, s: &TestServer, accept: &str) -> bool {
    let r = client.http.get(s.url("/")).header(header::ACCEPT, accept).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let sets = r.headers().get_all(header::SET_COOKIE).iter().any(|v| v.to_str().unwrap().starts_with("roomlink_session="));
    r.text().await.unwrap();
    sets
}

#[tokio::test]
async fn a_session_in_use_stays_alive_past_thirty_days_from_its_log_in() {
    use tower_sessions::{cookie::time::OffsetDateTime, SessionStore};
    let s = TestServer::start().await;
    let c = s.user("daily").await;
    let fresh = stored_session(&s, &c).await;
    let idle = tower_sessions::cookie::time::Duration::days(roomlink::limits::SESSION_IDLE_DAYS);

    // Just after log-in a visit writes nothing.
    assert!(!visit(&c, &s, "text/html").await);
    assert_eq!(stored_session(&s, &c).await.expiry_date, fresh.expiry_date);

    // Two days later (the record aged by hand): an asset request still
    // writes nothing, but the next page load moves the expiry a full 30
    // days ahead and sends the cookie again.
    let mut aged = fresh.clone();
    let two_days_ms = 2 * roomlink::limits::SESSION_REFRESH_MS;
    let saved_at = aged.data[roomlink::accounts::ssr::SAVED_AT_KEY].as_i64().unwrap();
    aged.data.insert(roomlink::accounts::ssr::SAVED_AT_KEY.into(), (saved_at - two_days_ms).into());
    aged.expiry_date -= tower_sessions::cookie::time::Duration::milliseconds(two_days_ms);
    s.store.sessions().save(&aged).await.unwrap();
    assert!(!visit(&c, &s, "*/*").await, "assets do not refresh the session");
    assert_eq!(stored_session(&s, &c).await.expiry_date, aged.expiry_date);

    assert!(visit(&c, &s, "text/html,application/xhtml+xml").await, "a page load sends the cookie with its new expiry");
    let refreshed = stored_session(&s, &c).await;
    assert!(refreshed.expiry_date > OffsetDateTime::now_utc() + idle - tower_sessions::cookie::time::Duration::minutes(1));
    assert!(refreshed.expiry_date > aged.expiry_date);
    assert_eq!(refreshed.data["user_id"], fresh.data["user_id"], "still the same person, logged in");

    // Logged out, nothing is refreshed or made again.
    let out = c.call("log_out", &[]).await;
    assert!(out.status().is_success() || out.status().is_redirection(), "{}", out.status());
    assert!(!visit(&c, &s, "text/html").await);
    let id: tower_sessions::session::Id = refreshed.id;
    assert!(s.store.sessions().load(&id).await.unwrap().is_none());
}

/// One server on SQLite reads sessions from memory (`store::sessions`): a
/// session it has seen stays logged in even once its row is gone from the
/// file, until log-out ends it in both. PostgreSQL nodes read the table on
/// every request, so a session deleted there ends on every node at once.
#[tokio::test]
async fn sessions_are_read_from_memory_on_sqlite_and_from_the_table_on_postgres() {
    let s = TestServer::start().await;
    let c = s.user("cached").await;
    let me: Option<CurrentUser> = c.json("current_user", &[]).await;
    assert!(me.is_some());
    // tower-sessions' tables: `tower_sessions` in SQLite, `tower_sessions.session` in PostgreSQL.
    let table = match s.store.backend() {
        roomlink::store::Backend::Sqlite => "tower_sessions",
        roomlink::store::Backend::Postgres => "tower_sessions.session",
    };
    sqlx::query(&format!("DELETE FROM {table}")).execute(s.store.pool()).await.unwrap();
    let me: Option<CurrentUser> = c.json("current_user", &[]).await;
    match s.store.backend() {
        roomlink::store::Backend::Sqlite => assert!(me.is_some(), "served from memory"),
        roomlink::store::Backend::Postgres => assert!(me.is_none(), "a deleted row ends the session on every node"),
    }
    let out = c.call("log_out", &[]).await;
    assert!(out.status().is_success() || out.status().is_redirection(), "{}", out.status());
    let me: Option<CurrentUser> = c.json("current_user", &[]).await;
    assert!(me.is_none(), "log-out ends the session in memory too");
}

/// Who is asking comes from the session: sign-up and log-in note the
/// username in it beside the id, so pages, server functions and the live
/// socket read no `users` row to know it. A session from before that key
/// (holding only the id) is completed from the table on its next request.
#[tokio::test]
async fn the_session_names_its_user_without_reading_the_users_table() {
    use tower_sessions::SessionStore;
    let s = TestServer::start().await;
    let c = s.user("noted").await;
    // Roomlink never renames anyone; a rename behind its back shows which copy is read.
    sqlx::query("UPDATE users SET username = 'renamed' WHERE username = 'noted'").execute(s.store.pool()).await.unwrap();
    let me: Option<CurrentUser> = c.json("current_user", &[]).await;
    assert_eq!(me.map(|u| u.username).as_deref(), Some("noted"), "read from the session");
    // The live socket too: the name in their typing indicator, as another member sees it.
    let room = c.create_room("Names").await;
    let token = c.invite(room).await;
    let other = s.user("other").await;
    assert!(other.call("accept_invite", &[("token", &token)]).await.status().is_success());
    let (mut typist, mut watcher) = (c.live().await, other.live().await);
    typist.subscribe(room, 0).await;
    watcher.subscribe(room, 0).await;
    typist.send(&roomlink::live::ClientEvent::Typing { topic: roomlink::live::Topic::Room(room), typing: true }).await;
    let name = loop {
        if let roomlink::live::ServerEvent::TypingDiff { mut started, .. } = watcher.next_any().await {
            break started.pop().map(|t| t.author_name).unwrap_or_default();
        }
    };
    assert_eq!(name, "noted", "the live socket names them from the session too");

    let id: tower_sessions::session::Id = c.cookie("roomlink_session").unwrap().parse().unwrap();
    let sessions = s.store.sessions();
    let mut record = sessions.load(&id).await.unwrap().unwrap();
    record.data.remove(roomlink::accounts::ssr::USERNAME_KEY);
    sessions.save(&record).await.unwrap();
    let me: Option<CurrentUser> = c.json("current_user", &[]).await;
    assert_eq!(me.map(|u| u.username).as_deref(), Some("renamed"), "an older session is completed from the table");
    let record = sessions.load(&id).await.unwrap().unwrap();
    assert_eq!(record.data.get(roomlink::accounts::ssr::USERNAME_KEY), Some(&serde_json::json!("renamed")), "and keeps the name");
}

/// 60 wrong passwords for one account sent at once, from 60 addresses (so
/// the per-address limit is not what stops them): at most
/// `LOGIN_ATTEMPTS_PER_USERNAME` passwords are checked, every other attempt
/// is refused with 429 and `Retry-After`, an unknown username is treated
/// exactly alike, and the count is in the database. Afterwards the right
/// password is refused as well until the window ends.
#[tokio::test]
async fn a_flood_of_wrong_passwords_gets_a_few_checks_and_then_429s() {
    use roomlink::limits::LOGIN_ATTEMPTS_PER_USERNAME;
    let s = TestServer::start().await;
    s.user("ana").await;
    for name in ["ana", "nobody_here"] {
        let attempts = (0..60u8).map(|i| {
            let c = s.client().from_ip(std::net::IpAddr::from([127, 0, 1, i + 1]));
            async move {
                let r = c.call("log_in", &[("username", name), ("password", "wrong password")]).await;
                let retry = r.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
                (r.status(), retry)
            }
        });
        let answers = futures::future::join_all(attempts).await;
        let checked = answers.iter().filter(|(status, _)| *status == StatusCode::UNAUTHORIZED).count();
        let refused: Vec<_> = answers.iter().filter(|(status, _)| *status == StatusCode::TOO_MANY_REQUESTS).collect();
        assert_eq!(checked, LOGIN_ATTEMPTS_PER_USERNAME as usize, "{name}: {answers:?}");
        assert_eq!(refused.len(), 60 - checked, "{name}: {answers:?}");
        assert!(refused.iter().all(|(_, retry)| retry.is_some_and(|secs| (1..=900).contains(&secs))), "{answers:?}");
    }
    // Even the right password waits for the window now, and says so.
    let late = s.client().from_ip(std::net::IpAddr::from([127, 0, 2, 1]));
    let r = late.call("log_in", &[("username", "ANA"), ("password", "correct horse")]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(matches!(error_of(r).await, AppError::TooManyRequests(_)));
    let counted: i64 = sqlx::query_scalar("SELECT attempts FROM login_attempts WHERE username_key = 'ana'")
        .fetch_one(s.store.pool())
        .await
        .unwrap();
    assert!(counted > i64::from(LOGIN_ATTEMPTS_PER_USERNAME));
}

/// A successful log-in clears the username's count, and one address may
/// try only so many log-ins in a burst, whatever the usernames.
#[tokio::test]
async fn a_good_log_in_clears_the_count_and_addresses_are_limited_too() {
    use roomlink::limits::{LOGINS_BURST, LOGIN_ATTEMPTS_PER_USERNAME};
    let s = TestServer::start().await;
    s.user("bruno").await;
    let from = |i: u8| s.client().from_ip(std::net::IpAddr::from([127, 0, 3, i]));
    for i in 0..(LOGIN_ATTEMPTS_PER_USERNAME - 1) as u8 {
        let r = from(i + 1).call("log_in", &[("username", "bruno"), ("password", "wrong password")]).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = from(100).call("log_in", &[("username", "bruno"), ("password", "correct horse")]).await;
    assert!(r.status().is_success(), "{}", r.status());
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_attempts").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(left, 0, "the count is gone after a good log-in");

    let one = from(200);
    let mut statuses = Vec::new();
    for i in 0..=LOGINS_BURST {
        let r = one.call("log_in", &[("username", &format!("someone{i}")), ("password", "wrong password")]).await;
        statuses.push(r.status());
    }
    assert!(statuses[..LOGINS_BURST as usize].iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
    assert_eq!(statuses[LOGINS_BURST as usize], StatusCode::TOO_MANY_REQUESTS);
}

/// Past the per-address limit, a log-in posted as a plain form (JavaScript
/// off) gets a short page a person can read, and a call from the page's code
/// gets the error as JSON: both 429 with the same `Retry-After`.
#[tokio::test]
async fn a_refused_log_in_says_when_to_try_again_as_a_page_and_as_json() {
    use roomlink::limits::LOGINS_BURST;
    let s = TestServer::start().await;
    let one = s.client().from_ip(std::net::IpAddr::from([127, 0, 4, 1]));
    for i in 0..LOGINS_BURST {
        let r = one.call("log_in", &[("username", &format!("someone{i}")), ("password", "wrong password")]).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let wait = |r: &reqwest::Response| r.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let page = one.post_form("log_in", &[("username", "someone"), ("password", "wrong password")]).await;
    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(wait(&page).is_some_and(|secs| secs >= 1), "{:?}", page.headers());
    assert!(page.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("Too many"));
    let json = one.call("log_in", &[("username", "someone"), ("password", "wrong password")]).await;
    assert_eq!(json.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(wait(&json).is_some_and(|secs| secs >= 1), "{:?}", json.headers());
    assert!(matches!(error_of(json).await, AppError::TooManyRequests(_)));
}

#[tokio::test]
async fn every_page_names_who_is_logged_in_inside_its_header_from_the_first_byte() {
    // Without JavaScript nothing swaps a later chunk into the header: the
    // logged-in account must be in the header as it is first sent, on pages
    // streamed out of order (home, log-in) and waited for (profile) alike.
    let s = TestServer::start().await;
    let ana = s.user("ana").await;
    for path in ["/", "/login", "/profile", "/recover"] {
        let (_, html) = ana.page(path).await;
        let header = html.split("</header>").next().unwrap();
        assert!(header.contains("Logged in as") && header.contains("ana"), "{path}: {header}");
    }
}

