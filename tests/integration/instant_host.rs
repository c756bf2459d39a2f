//! An instant chat's host at work (issue 40): removing one participant for
//! good, and locking the chat against newcomers, with and without history.

use reqwest::StatusCode;

use crate::{
    instant::{ana_and_bruno, join, page},
    support::Client,
};
use roomlink::{
    error::Refusal,
    live::{MessageKind, ServerEvent, Topic},
};

/// Calls a host action: (status, the refusal's message or "").
async fn host_action(client: &Client, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let r = client.call(endpoint, form).await;
    let status = r.status();
    let body = r.text().await.unwrap();
    (status, serde_json::from_str::<roomlink::error::AppError>(&body).map_or(String::new(), |e| e.to_string()))
}

#[tokio::test]
async fn the_host_removes_a_guest_whose_tabs_end_and_who_cannot_come_back() {
    for keep_history in [false, true] {
        let (s, host, bruno, id) = ana_and_bruno(keep_history).await;
        let topic = Topic::Chat(id.clone());
        let bruno_id = page(&bruno, &id).await.me.unwrap().id.to_string();
        let carla = s.client();
        assert!(join(&carla, &id, "Carla").await.0.is_success());
        let mut b = bruno.live().await;
        b.subscribe(&topic, 0).await;
        let mut h = host.live().await;
        h.subscribe(&topic, 0).await;
        for live in [&mut b, &mut h] {
            while live.line().await.author_name != "Carla" {}
        }

        // Only the host removes, and never themselves.
        let (status, said) = host_action(&carla, "remove_from_instant_chat", &[("id", &id), ("participant_id", &bruno_id)]).await;
        assert_eq!((status, said.as_str()), (StatusCode::FORBIDDEN, "Only the host can remove people from this chat."));
        let host_id = page(&host, &id).await.me.unwrap().id.to_string();
        let (status, _) = host_action(&host, "remove_from_instant_chat", &[("id", &id), ("participant_id", &host_id)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let (status, _) = host_action(&host, "remove_from_instant_chat", &[("id", &id), ("participant_id", &bruno_id)]).await;
        assert!(status.is_success() || status.is_redirection(), "{status}");
        let line = h.line().await;
        assert_eq!((line.kind, line.author_name.as_str()), (MessageKind::Removed, "Bruno"), "history {keep_history}");
        assert_eq!(b.line().await.kind, MessageKind::Removed);
        match b.next().await {
            ServerEvent::Ended { reason, .. } => assert_eq!(reason, Refusal::RemovedByHost),
            other => panic!("{other:?}"),
        }
        // His cookie no longer lets him in, nor does joining again from that browser.
        assert!(page(&bruno, &id).await.me.is_none());
        let (status, said) = join(&bruno, &id, "Bruno again").await;
        assert_eq!((status, said.as_str()), (StatusCode::FORBIDDEN, "The host removed you from this chat."));
        let names: Vec<String> = page(&host, &id).await.members.into_iter().map(|m| m.name).collect();
        assert_eq!(names, ["Ana", "Carla"]);
    }
}

#[tokio::test]
async fn a_locked_chat_lets_nobody_new_in_until_the_host_unlocks_it() {
    let (s, host, bruno, id) = ana_and_bruno(false).await;
    let (status, said) = host_action(&bruno, "lock_instant_chat", &[("id", &id), ("locked", "on")]).await;
    assert_eq!((status, said.as_str()), (StatusCode::FORBIDDEN, "Only the host can lock this chat."));
    host_action(&host, "lock_instant_chat", &[("id", &id), ("locked", "on")]).await;

    let late = s.client();
    assert!(page(&late, &id).await.chat.locked, "the join card says so");
    let (status, said) = join(&late, &id, "Late").await;
    assert_eq!((status, said.as_str()), (StatusCode::FORBIDDEN, "The host locked this chat: nobody new can join it now."));
    assert!(page(&bruno, &id).await.me.is_some(), "those in it stay");

    host_action(&host, "lock_instant_chat", &[("id", &id)]).await;
    assert!(!page(&late, &id).await.chat.locked);
    assert!(join(&late, &id, "Late").await.0.is_success());
}
