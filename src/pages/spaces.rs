//! The student's side of teacher spaces: the join page of a language invite
//! and the "Your spaces" list on the home page, by language and teacher.

use leptos::prelude::*;
use leptos_meta::Meta;

use super::{
    form_error,
    join::{ExpiresNote, LogInToJoin},
};
use crate::{
    invites::AcceptInvite,
    spaces::{already_has_space, my_spaces, SpacePreview, SpaceSummary, OWN_INVITE},
};

/// `/join/<token>` for a language invite: who teaches what, and "Accept".
/// The teacher looking at their own link, and a student who has this space
/// already, are told so instead of getting a button.
#[component]
pub fn SpaceInviteCard(preview: SpacePreview, token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvite>::new();
    let error = form_error(accept.value(), "accept_invite");
    let SpacePreview { teacher, language, expires_at_ms, viewer, own, existing_space } = preview;
    let title = format!("{language} with {teacher}");
    let summary = format!("{teacher} invited you to {language} lessons on Roomlink: a private space for the two of you.");
    let expires = expires_at_ms.map(|ms| view! { <ExpiresNote ms /> });
    let intro = format!("Accepting makes a private space for you and {teacher}: only the two of you can read it.");
    let invited = format!("{teacher} invited you to");
    let action_part = match (viewer, existing_space) {
        (Some(_), _) if own => view! { <p role="status" class="callout">{OWN_INVITE}</p> }.into_any(),
        (Some(_), Some(room_id)) => view! {
            <p role="status" class="callout">{already_has_space(&language, &teacher)}</p>
            <a class="button primary" href=format!("/rooms/{room_id}")>{format!("Open your {language} space")}</a>
        }
        .into_any(),
        (Some(viewer), None) => view! {
            <ActionForm action=accept>
                <input type="hidden" name="token" value=token />
                <button type="submit" class="primary" disabled=move || accept.pending().get()>
                    {format!("Accept: {language} with {teacher}")}
                </button>
                <p class="muted">"You are logged in as " <strong>{viewer.username}</strong> "."</p>
            </ActionForm>
        }
        .into_any(),
        (None, _) => view! { <LogInToJoin token /> }.into_any(),
    };
    view! {
        <super::PageTitle text=title.clone() />
        <Meta name="description" content=summary.clone() />
        <Meta property="og:title" content=format!("{title} on Roomlink") />
        <Meta property="og:description" content=summary.clone() />
        <Meta property="og:type" content="website" />
        <Meta name="twitter:card" content="summary" />
        <Meta name="twitter:title" content=format!("{title} on Roomlink") />
        <Meta name="robots" content="noindex" />
        <section class="card invite">
            <p class="muted">{invited}</p>
            <h1>{title.clone()}</h1>
            <p>{intro}</p>
            <p class="muted">"This link works once."</p>
            {expires}
            {action_part}
            // Outside the form: a refusal without JavaScript comes back to a
            // card that may no longer show the form (the space now exists).
            <p role="alert" class="error">{error}</p>
        </section>
    }
    .into_any()
}

/// "Your spaces" on the home page: nothing at all for someone with no space;
/// otherwise a heading per language and one line per teacher (or, for the
/// teacher, per student) with unread counts.
#[component]
pub fn SpaceList() -> impl IntoView {
    let spaces = Resource::new(|| (), |_| my_spaces());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match spaces.await {
                    Ok(list) if list.is_empty() => ().into_any(),
                    Ok(list) => view! {
                        <section class="card" aria-label="Your spaces">
                            <h1>"Your spaces"</h1>
                            {by_language(list).into_iter().map(|(language, spaces)| view! {
                                <h2 class="space-language">{language}</h2>
                                <ul class="room-list">{spaces.into_iter().map(space_line).collect_view()}</ul>
                            }).collect_view()}
                        </section>
                    }.into_any(),
                    Err(e) => view! { <p role="alert" class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Groups spaces (sorted by language, ignoring case) under each language as
/// first written.
fn by_language(list: Vec<SpaceSummary>) -> Vec<(String, Vec<SpaceSummary>)> {
    let mut groups: Vec<(String, Vec<SpaceSummary>)> = Vec::new();
    for space in list {
        match groups.last_mut() {
            Some((language, group)) if language.to_lowercase() == space.language.to_lowercase() => group.push(space),
            _ => groups.push((space.language.clone(), vec![space])),
        }
    }
    groups
}

fn space_line(space: SpaceSummary) -> impl IntoView {
    let who = format!("{} with {}", space.language, space.other());
    let role = if space.i_teach { "your student" } else { "your teacher" };
    view! {
        <li>
            <a href=format!("/rooms/{}", space.room_id)>{who}</a>
            {(space.unread > 0).then(|| view! {
                <span class="badge" aria-label=format!("{} unread", space.unread)>{space.unread}</span>
            })}
            <span class="muted">{role}</span>
        </li>
    }
}
