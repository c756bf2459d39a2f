//! Teacher spaces: the teacher role, language invites and their refusals,
//! the space an accepted invite makes, the dashboard and the student's list.

use reqwest::{header, StatusCode};

use crate::{
    moderation::{act, follow},
    support::{Client, TestServer},
};
use roomlink::{
    error::Refusal,
    accounts::profile::Profile,
    error::AppError,
    invites::JoinPreview,
    spaces::{LanguageInviteLink, LanguageInviteStatus, SpaceSummary, Teaching},
};

/// Signs `name` up and marks them a teacher.
async fn teacher(s: &TestServer, name: &str) -> Client {
    let c = s.user(name).await;
    act(&c, "save_profile", &[("teacher", "on")]).await.unwrap();
    c
}

/// A language invite's token, made by `teacher`.
async fn language_invite(teacher: &Client, language: &str, days: &str) -> String {
    let link: LanguageInviteLink =
        teacher.json("create_language_invite", &[("language", language), ("lifetime_days", days)]).await;
    link.url.rsplit('/').next().unwrap().to_string()
}

/// Accepts a language invite; the room it led to.
async fn accept(student: &Client, token: &str) -> Result<i64, AppError> {
    let response = student.call("accept_invite", &[("token", token)]).await;
    if !response.status().is_success() {
        return Err(response.json::<AppError>().await.unwrap());
    }
    let location = response.headers()[header::LOCATION].to_str().unwrap();
    Ok(location.trim_start_matches("/rooms/").parse().unwrap())
}

async fn column(s: &TestServer, sql: &str, token: &str) -> Option<i64> {
    let hash = roomlink::invite_token::hash(token).unwrap();
    sqlx::query_scalar(sql).bind(hash).fetch_one(s.store.pool()).await.unwrap()
}

#[tokio::test]
async fn only_teachers_make_language_invites_and_bad_input_is_named() {
    let s = TestServer::start().await;
    let anon = s.client();
    assert_eq!(act(&anon, "create_language_invite", &[("language", "German")]).await, Err(AppError::NotLoggedIn));
    let ana = s.user("ana").await;
    let refused = act(&ana, "create_language_invite", &[("language", "German")]).await;
    assert_eq!(refused, Err(AppError::Forbidden(Refusal::OnlyTeachers)));
    let profile: Profile = ana.json("profile", &[]).await;
    assert_eq!((profile.is_teacher, profile.is_student, profile.roles()), (false, false, ""));

    act(&ana, "save_profile", &[("teacher", "on")]).await.unwrap();
    let profile: Profile = ana.json("profile", &[]).await;
    assert_eq!(profile.roles(), "teacher");
    let empty = act(&ana, "create_language_invite", &[("language", "   ")]).await.unwrap_err();
    assert_eq!(empty, AppError::Invalid(Refusal::LanguageEmpty));
    let long = act(&ana, "create_language_invite", &[("language", &"x".repeat(41))]).await.unwrap_err();
    assert!(long.to_string().contains("at most 40 characters (this one has 41)"), "{long}");
    let days = act(&ana, "create_language_invite", &[("language", "German"), ("lifetime_days", "0")]).await;
    assert!(days.unwrap_err().to_string().contains("from 1 to 365"));

    let link: LanguageInviteLink =
        ana.json("create_language_invite", &[("language", "  German "), ("lifetime_days", "")]).await;
    assert_eq!((link.language.as_str(), link.expires_at_ms), ("German", None));
    let token = link.url.rsplit('/').next().unwrap();
    assert!(token.len() >= 22, "at least 128 bits");
    assert_eq!(link.qr_path, format!("/join/{token}/qr.svg"));
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM language_invites WHERE token_hash = $1")
        .bind(token)
        .fetch_one(s.store.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0, "only the token's hash is stored");
    let week = language_invite(&ana, "French", "7").await;
    let expires = column(&s, "SELECT expires_at - created_at FROM language_invites WHERE token_hash = $1", &week).await;
    assert_eq!(expires, Some(7 * 86_400_000));
    let pending: i64 = ana.json("pending_invites", &[]).await;
    assert_eq!(pending, 2, "the header's badge counts language invites too");

    act(&ana, "save_profile", &[]).await.unwrap();
    let profile: Profile = ana.json("profile", &[]).await;
    assert!(!profile.is_teacher, "an unticked box unmarks");
}

#[tokio::test]
async fn accepting_makes_a_private_space_and_uses_the_invite() {
    let s = TestServer::start().await;
    let ana = teacher(&s, "ana").await;
    let token = language_invite(&ana, "German", "").await;

    let (status, page) = s.client().page(&format!("/join/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("German with ana") && page.contains("This link works once."));
    assert!(page.contains(r#"content="German with ana on Roomlink""#), "link previews name the space");
    let preview: JoinPreview = ana.json("invite_preview", &[("token", &token)]).await;
    assert!(matches!(preview, JoinPreview::Space(ref p) if p.own && p.language == "German"));
    assert_eq!(accept(&ana, &token).await, Err(AppError::Forbidden(Refusal::OwnInvite)));
    assert_eq!(accept(&s.client(), &token).await, Err(AppError::NotLoggedIn));

    let bruno = s.user("bruno").await;
    let space = accept(&bruno, &token).await.unwrap();
    let profile: Profile = bruno.json("profile", &[]).await;
    assert_eq!(profile.roles(), "student");
    let bruno_id = s.user_id("bruno").await;
    assert_eq!(column(&s, "SELECT used_by FROM language_invites WHERE token_hash = $1", &token).await, Some(bruno_id));
    assert_eq!(column(&s, "SELECT space_id FROM language_invites WHERE token_hash = $1", &token).await, Some(space));
    assert!(column(&s, "SELECT used_at FROM language_invites WHERE token_hash = $1", &token).await.is_some());

    let spaces: Vec<SpaceSummary> = bruno.json("my_spaces", &[]).await;
    assert_eq!(spaces.len(), 1);
    let seen = &spaces[0];
    assert_eq!((seen.room_id, seen.language.as_str(), seen.teacher.as_str(), seen.student.as_str()), (space, "German", "ana", "bruno"));
    assert!(!seen.i_teach && seen.other() == "ana");
    let rooms: Vec<roomlink::rooms::RoomSummary> = bruno.json("my_rooms", &[]).await;
    assert!(rooms.is_empty(), "spaces are listed apart from rooms");
    let page: roomlink::rooms::RoomPage = ana.json("room_page", &[("room_id", &space.to_string())]).await;
    assert_eq!((page.room.member_count, page.room.member_limit), (2, 2));
    assert!(page.space.is_some_and(|s| s.i_teach && s.other() == "bruno"));

    // The space is a live room like any other.
    let mut live = follow(&ana, space).await;
    let mut theirs = follow(&bruno, space).await;
    theirs.say(space, "hallo-1", "Hallo!").await;
    let line = live.message().await;
    assert_eq!((line.body.as_str(), line.author_name.as_str()), ("Hallo!", "bruno"));

    // Used: one generic answer, the same as an unknown link's.
    let carla = s.user("carla").await;
    assert_eq!(accept(&carla, &token).await, Err(AppError::InviteInvalid));
    let (status, used) = carla.page(&format!("/join/{token}")).await;
    let (_, unknown) = carla.page(&format!("/join/{}", roomlink::invite_token::generate().0)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(card(&used), card(&unknown));

    // Private to its two people.
    let no_links = act(&ana, "create_invite", &[("room_id", &space.to_string())]).await.unwrap_err();
    assert!(no_links.to_string().contains("private teacher space"), "{no_links}");
    let no_settings = act(
        &ana,
        "update_room_settings",
        &[("room_id", &space.to_string()), ("description", ""), ("member_limit", "10"), ("members_can_invite", "true")],
    )
    .await;
    assert!(no_settings.is_err());

    let teaching: Teaching = ana.json("teaching", &[]).await;
    assert!(teaching.is_teacher);
    let used = &teaching.invites[0];
    assert_eq!((used.status, used.student.as_deref(), used.space_id), (LanguageInviteStatus::Used, Some("bruno"), Some(space)));
    assert_eq!(teaching.spaces.len(), 1);
}

#[tokio::test]
async fn one_space_per_teacher_student_and_language_ignoring_case() {
    let s = TestServer::start().await;
    let ana = teacher(&s, "ana").await;
    let bruno = s.user("bruno").await;
    let german = accept(&bruno, &language_invite(&ana, "German", "").await).await.unwrap();

    let again = language_invite(&ana, "GERMAN", "").await;
    let preview: JoinPreview = bruno.json("invite_preview", &[("token", &again)]).await;
    assert!(matches!(preview, JoinPreview::Space(ref p) if p.existing_space == Some(german)));
    let refused = accept(&bruno, &again).await;
    assert_eq!(
        refused,
        Err(AppError::Conflict(Refusal::AlreadyHasSpace { language: "German".into(), teacher: "ana".into() }))
    );
    assert_eq!(refused.unwrap_err().to_string(), "You already have a German space with ana. Open it from your home page.");
    assert_eq!(column(&s, "SELECT used_at FROM language_invites WHERE token_hash = $1", &again).await, None, "nothing used");

    let french = accept(&bruno, &language_invite(&ana, "French", "").await).await.unwrap();
    let carla = teacher(&s, "carla").await;
    let with_carla = accept(&bruno, &language_invite(&carla, "german", "").await).await.unwrap();
    assert!(french != german && with_carla != german, "another language or teacher is another space");
    let spaces: Vec<SpaceSummary> = bruno.json("my_spaces", &[]).await;
    let listed: Vec<_> = spaces.iter().map(|s| format!("{} with {}", s.language, s.teacher)).collect();
    assert_eq!(listed, ["French with ana", "German with ana", "german with carla"], "by language, then teacher");

    // Leaving and accepting a new invite reopens the same space, history and all.
    act(&bruno, "leave_room", &[("room_id", &german.to_string())]).await.unwrap();
    assert_eq!(accept(&bruno, &again).await, Ok(german));
    let spaces: Vec<SpaceSummary> = bruno.json("my_spaces", &[]).await;
    assert_eq!(spaces.len(), 3);
}

#[tokio::test]
async fn expired_and_revoked_invites_stop_working_and_only_their_teacher_revokes() {
    let s = TestServer::start().await;
    let ana = teacher(&s, "ana").await;
    let bruno = s.user("bruno").await;
    let old = language_invite(&ana, "German", "1").await;
    sqlx::query("UPDATE language_invites SET expires_at = 1 WHERE token_hash = $1")
        .bind(roomlink::invite_token::hash(&old).unwrap())
        .execute(s.store.pool())
        .await
        .unwrap();
    assert_eq!(accept(&bruno, &old).await, Err(AppError::InviteInvalid));
    let (status, _) = bruno.page(&format!("/join/{old}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let revoked = language_invite(&ana, "Italian", "").await;
    let used = language_invite(&ana, "Spanish", "").await;
    accept(&bruno, &used).await.unwrap();
    let teaching: Teaching = ana.json("teaching", &[]).await;
    let id_of = |language: &str| teaching.invites.iter().find(|i| i.language == language).unwrap().id.to_string();
    let carla = teacher(&s, "carla").await;
    let theirs = act(&carla, "revoke_language_invite", &[("invite_id", &id_of("Italian"))]).await;
    assert_eq!(theirs, Err(AppError::Forbidden(Refusal::OnlyTeacherRevokes)));
    act(&ana, "revoke_language_invite", &[("invite_id", &id_of("Italian"))]).await.unwrap();
    act(&ana, "revoke_language_invite", &[("invite_id", &id_of("Italian"))]).await.unwrap();
    let after_use = act(&ana, "revoke_language_invite", &[("invite_id", &id_of("Spanish"))]).await.unwrap_err();
    assert!(after_use.to_string().contains("cannot be revoked"));
    assert_eq!(accept(&bruno, &revoked).await, Err(AppError::InviteInvalid));

    language_invite(&ana, "Greek", "").await;
    let teaching: Teaching = ana.json("teaching", &[]).await;
    let states: Vec<_> = teaching.invites.iter().map(|i| (i.language.as_str(), i.status)).collect();
    use LanguageInviteStatus::*;
    assert_eq!(states, [("Greek", Pending), ("Spanish", Used), ("Italian", Revoked), ("German", Expired)], "pending first, then newest");
    let count: i64 = ana.json("pending_invites", &[]).await;
    assert_eq!(count, 1);
}

#[tokio::test]
async fn racing_students_get_one_space_from_one_invite() {
    let s = TestServer::start().await;
    let ana = teacher(&s, "ana").await;
    let token = language_invite(&ana, "German", "").await;
    let mut students = Vec::new();
    for i in 0..10 {
        students.push(s.user(&format!("student{i}")).await);
    }
    let results = futures::future::join_all(students.iter().map(|c| accept(c, &token))).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{results:?}");
    assert!(results.iter().filter(|r| r.is_err()).all(|r| r == &Err(AppError::InviteInvalid)));
    let spaces: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM spaces").fetch_one(s.store.pool()).await.unwrap();
    assert_eq!(spaces, 1);
}

/// The card of a page, to compare two error pages.
fn card(body: &str) -> String {
    let start = body.find("<section").expect("a section");
    body[start..start + body[start..].find("</section>").unwrap()].to_string()
}
