//! "Download my data" (issue 41): the logged-in person's account, sessions,
//! memberships, invite links and messages as a JSON download, and nobody
//! else's.

use reqwest::{header, StatusCode};
use serde_json::Value;

use crate::support::{club, Client, TestServer};

async fn download(client: &Client) -> reqwest::Response {
    client.http.get(client.url("/account/export.json")).send().await.unwrap()
}

#[tokio::test]
async fn a_person_downloads_their_own_data_and_nobody_elses() {
    let s = TestServer::start().await;
    let (ana, bruno, room) = club(&s).await;
    let mut live = bruno.live().await;
    live.subscribe(room, 0).await;
    live.say(room, "b1", "olá, sou o bruno").await;
    live.message().await;
    bruno.invite(room).await;

    let r = download(&bruno).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(r.headers()[header::CONTENT_DISPOSITION], "attachment; filename=\"roomlink-bruno-data.json\"");
    assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    let text = r.text().await.unwrap();
    assert!(!text.contains("argon2"), "never the password hash");
    let data: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(data["format"], "roomlink-account-data/1");
    assert_eq!(data["account"]["username"], "bruno");
    assert_eq!(data["sessions"].as_array().unwrap().len(), 1);
    let memberships = data["memberships"].as_array().unwrap();
    assert_eq!((memberships.len(), &memberships[0]["room_name"], &memberships[0]["role"]), (1, &Value::from("Club"), &Value::from("member")));
    assert_eq!(data["invite_links"].as_array().unwrap().len(), 1);
    let messages: Vec<&str> = data["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(messages, ["olá, sou o bruno"]);

    // Ana's file holds her room and link, not Bruno's words.
    let of_ana: Value = download(&ana).await.json().await.unwrap();
    assert_eq!(of_ana["account"]["username"], "ana");
    assert_eq!(of_ana["memberships"][0]["role"], "owner");
    assert!(of_ana["messages"].as_array().unwrap().is_empty());

    // Logged out: nothing.
    assert_eq!(download(&s.client()).await.status(), StatusCode::UNAUTHORIZED);
}
