//! Tests of [`super`]: the batched read answers each lookup as the read of
//! its own does, on the database the tests run on.

use super::*;
use crate::store::{NewParticipant, Store};

fn chat(id: &str, now: i64) -> ChatRow {
    ChatRow { id: id.to_owned(), title: format!("chat {id}"), keep_history: false, created_at: now, ends_at: now + 60_000, ended_at: None }
}

#[tokio::test]
async fn a_batch_answers_each_lookup_as_a_read_of_its_own_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&crate::store::test_database::fresh_database_url(dir.path()).await).await.unwrap();
    let now = 1_000_000;
    let ana = store.users().create("ana", "hash", now).await.unwrap();
    let chats = store.instant_chats();
    let (one, two) = (format!("{:A<16}", "one"), format!("{:B<16}", "two"));
    let host = chats.create(&chat(&one, now), NewParticipant { name: "Host", user_id: None }).await.unwrap();
    let other = chats.create(&chat(&two, now), NewParticipant { name: "Other", user_id: None }).await.unwrap();
    let guest = chats.join(&one, NewParticipant { name: "Guest", user_id: None }, 10, now).await.unwrap().unwrap();
    chats.join(&one, NewParticipant { name: "Ana", user_id: Some(ana.id) }, 10, now).await.unwrap().unwrap();
    let gone = chats.join(&one, NewParticipant { name: "Gone", user_id: None }, 10, now).await.unwrap().unwrap();
    assert!(chats.leave(gone.id, now + 1).await.unwrap());

    let ask = |chat_id: &str, participant_id: Option<i64>, user_id: Option<i64>| Lookup { chat_id: chat_id.to_owned(), participant_id, user_id };
    let lookups = [
        ask(&one, Some(host.id), None),                  // the host's cookie
        ask(&one, Some(guest.id), Some(ana.id)),         // a cookie wins over the account
        ask(&one, None, Some(ana.id)),                   // the account alone
        ask(&one, Some(gone.id), None),                  // left: the chat, nobody
        ask(&one, Some(gone.id), Some(ana.id)),          // left, but logged in as Ana
        ask(&one, Some(other.id), None),                 // a cookie of another chat
        ask(&two, Some(other.id), None),
        ask("no-such-chat-at-all", Some(host.id), None), // no chat
        ask(&one, None, None),
    ];
    let mut conn = store.pool().acquire().await.unwrap();
    let batch = read_all_on(&mut conn, &lookups.iter().collect::<Vec<_>>()).await.unwrap();
    drop(conn);
    let who = |found: &LookedUp| found.as_ref().map(|(c, p)| (c.id.clone(), p.as_ref().map(|p| p.name.clone())));
    let expected = [
        Some((one.clone(), Some("Host".to_owned()))),
        Some((one.clone(), Some("Guest".to_owned()))),
        Some((one.clone(), Some("Ana".to_owned()))),
        Some((one.clone(), None)),
        Some((one.clone(), Some("Ana".to_owned()))),
        Some((one.clone(), None)),
        Some((two.clone(), Some("Other".to_owned()))),
        None,
        Some((one.clone(), None)),
    ];
    assert_eq!(batch.iter().map(who).collect::<Vec<_>>(), expected);
    for (lookup, found) in lookups.iter().zip(&batch) {
        let alone = with_participant_on(store.pool(), &lookup.chat_id, lookup.participant_id, lookup.user_id).await.unwrap();
        assert_eq!(&alone, found, "{lookup:?}: the batch and a read of its own differ");
    }
}

#[tokio::test]
async fn tabs_asking_at_once_are_answered_together_and_each_correctly() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&crate::store::test_database::fresh_database_url(dir.path()).await).await.unwrap();
    let now = 1_000_000;
    let id = format!("{:C<16}", "crowd");
    let chats = store.instant_chats();
    chats.create(&chat(&id, now), NewParticipant { name: "Host", user_id: None }).await.unwrap();
    let mut people = Vec::new();
    for n in 0..40 {
        people.push(chats.join(&id, NewParticipant { name: &format!("p{n}"), user_id: None }, 100, now).await.unwrap().unwrap());
    }
    let lookups = ChatLookups::start(store.pool().clone());
    let asked = people.iter().map(|p| {
        let lookups = lookups.clone();
        let lookup = Lookup { chat_id: id.clone(), participant_id: Some(p.id), user_id: None };
        async move { lookups.find(lookup).await.ok().unwrap().unwrap() }
    });
    let answers = futures::future::join_all(asked).await;
    for (person, found) in people.iter().zip(answers) {
        let (found_chat, found_person) = found.unwrap();
        assert_eq!(found_chat.id, id);
        assert_eq!(found_person.as_ref(), Some(person), "each tab is told who it is");
    }
    assert!(lookups.reads() < people.len() as u64, "40 lookups at once took {} reads", lookups.reads());
}
