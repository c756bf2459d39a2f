//! The student's side of teacher spaces: the join page of a language invite
//! and the "Your spaces" list on the home page, by language and teacher.

use leptos::prelude::*;
use leptos_meta::Meta;

use super::{
    form_error,
    join::{ExpiresNote, LogInToJoin},
};
use crate::{
    i18n::{plural_string, td, td_string, use_locale},
    invites::AcceptInvite,
    spaces::{my_spaces, SpacePreview, SpaceSummary},
};

/// `/join/<token>` for a language invite: who teaches what, and "Accept".
/// The teacher looking at their own link, and a student who has this space
/// already, are told so instead of getting a button.
#[component]
pub fn SpaceInviteCard(preview: SpacePreview, token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvite>::new();
    let error = form_error(accept.value(), "accept_invite");
    let SpacePreview { teacher, language, expires_at_ms, viewer, own, existing_space } = preview;
    let locale = use_locale();
    let title = td_string!(locale, room.space_title, language = &language, other = &teacher).to_string();
    let summary = td_string!(locale, spaces.summary, teacher = &teacher, language = &language).to_string();
    let expires = expires_at_ms.map(|ms| view! { <ExpiresNote ms /> });
    let intro = td_string!(locale, spaces.intro, teacher = &teacher).to_string();
    let invited = td_string!(locale, spaces.invited_you, teacher = &teacher).to_string();
    let already = td_string!(locale, spaces.already_has_space, language = &language, teacher = &teacher).to_string();
    let open_space = td_string!(locale, spaces.open_space, language = &language).to_string();
    let accept_label = td_string!(locale, spaces.accept, language = &language, teacher = &teacher).to_string();
    let og_title = td_string!(locale, spaces.og_title, title = &title).to_string();
    let action_part = match (viewer, existing_space) {
        (Some(_), _) if own => view! { <p role="status" class="callout">{td_string!(locale, spaces.own_invite)}</p> }.into_any(),
        (Some(_), Some(room_id)) => view! {
            <p role="status" class="callout">{already}</p>
            <a class="button primary" href=format!("/rooms/{room_id}")>{open_space}</a>
        }
        .into_any(),
        (Some(viewer), None) => view! {
            <ActionForm action=accept>
                <input type="hidden" name="token" value=token />
                <button type="submit" class="primary" disabled=move || accept.pending().try_get().unwrap_or(false)>
                    {accept_label}
                </button>
                <p class="muted">{td!(locale, common.logged_in_as, name = viewer.username.clone(), <b> = <strong />)}</p>
            </ActionForm>
        }
        .into_any(),
        (None, _) => view! { <LogInToJoin token /> }.into_any(),
    };
    view! {
        <super::PageTitle text=title.clone() />
        <Meta name="description" content=summary.clone() />
        <Meta property="og:title" content=og_title.clone() />
        <Meta property="og:description" content=summary.clone() />
        <Meta property="og:type" content="website" />
        <Meta property="og:locale" content=td_string!(locale, og_locale) />
        <Meta name="twitter:card" content="summary" />
        <Meta name="twitter:title" content=og_title />
        <Meta name="robots" content="noindex" />
        <section class="card invite">
            <p class="muted">{invited}</p>
            <h1>{title.clone()}</h1>
            <p>{intro}</p>
            <p class="muted">{td_string!(locale, spaces.works_once)}</p>
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
    let locale = use_locale();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match spaces.await {
                    Ok(list) if list.is_empty() => ().into_any(),
                    Ok(list) => view! {
                        <section class="card" aria-label=td_string!(locale, spaces.your_spaces)>
                            <h1>{td_string!(locale, spaces.your_spaces)}</h1>
                            {by_language(list).into_iter().map(|(language, spaces)| view! {
                                <h2 class="space-language">{language}</h2>
                                <ul class="room-list">{spaces.into_iter().map(|space| space_line(space, locale)).collect_view()}</ul>
                            }).collect_view()}
                        </section>
                    }.into_any(),
                    Err(e) => view! { <p role="alert" class="error">{e.message(locale)}</p> }.into_any(),
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

fn space_line(space: SpaceSummary, locale: crate::i18n::Locale) -> impl IntoView {
    let who = td_string!(locale, room.space_title, language = &space.language, other = space.other()).to_string();
    let role = if space.i_teach { td_string!(locale, spaces.your_student) } else { td_string!(locale, spaces.your_teacher) };
    view! {
        <li>
            <a href=format!("/rooms/{}", space.room_id)>{who}</a>
            {(space.unread > 0).then(|| view! {
                <span class="badge" aria-label=plural_string!(locale, common.unread, count = space.unread)>{space.unread}</span>
            })}
            <span class="muted">{role}</span>
        </li>
    }
}
