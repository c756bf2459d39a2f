//! The teacher's part of `/dashboard`: "New language invite" (language,
//! optional days), the language invites made (pending, used by whom, expired,
//! revoked; Revoke for pending ones) and the spaces taught. Someone who is
//! not a teacher is pointed to their profile.

use leptos::prelude::*;

use super::{
    form_error, format,
    invite_links::{remember_url, RememberedLink},
    share::LinkField,
    words,
};
use crate::{
    i18n::{plural_string, td, td_string, use_locale},
    limits::{LANGUAGE_INVITE_DAYS, LANGUAGE_MAX_CHARS},
    spaces::{
        CreateLanguageInvite, LanguageInviteLink, LanguageInviteStatus, LanguageInviteSummary,
        RevokeLanguageInvite, SpaceSummary, Teaching,
    },
};

/// The "Teaching" card, from the dashboard's data. `create` belongs to the
/// dashboard, so the link just made stays on screen while the lists reload;
/// `changed` is bumped when an invite is made or revoked, to reload them.
#[component]
pub fn TeachingSection(
    teaching: Teaching,
    create: ServerAction<CreateLanguageInvite>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let Teaching { is_teacher, invites, spaces } = teaching;
    let locale = use_locale();
    let body = if !is_teacher && invites.is_empty() {
        let profile = |children: ChildrenFn| view! { <a href="/profile">{children()}</a> };
        view! {
            <p class="muted">{td!(locale, teaching.become_teacher, <profile>)}</p>
        }
        .into_any()
    } else {
        view! {
            {is_teacher.then(|| view! { <LanguageInviteForm create /> })}
            <h3>{td_string!(locale, teaching.language_invites)}</h3>
            <LanguageInviteList invites changed />
            <h3>{td_string!(locale, teaching.spaces_taught)}</h3>
            <TaughtSpaces spaces />
        }
        .into_any()
    };
    view! {
        <section class="card" aria-label=td_string!(locale, teaching.title)>
            <h2>{td_string!(locale, teaching.title)}</h2>
            {body}
        </section>
    }
    .into_any()
}

/// Remembers each language invite `create` makes (for Copy and QR later in
/// this browser) and bumps `changed`.
pub fn remember_made(create: ServerAction<CreateLanguageInvite>, changed: RwSignal<u32>) {
    Effect::new(move |_| {
        if let Some(Ok(link)) = create.value().try_get().flatten() {
            remember_url(&format!("lang:{}", link.id), &link.url);
            changed.update(|n| *n += 1);
        }
    });
}

#[component]
fn LanguageInviteForm(create: ServerAction<CreateLanguageInvite>) -> impl IntoView {
    let error = form_error(create.value(), "create_language_invite");
    let (low, high) = (*LANGUAGE_INVITE_DAYS.start(), *LANGUAGE_INVITE_DAYS.end());
    let locale = use_locale();
    view! {
        <ActionForm action=create attr:class="language-invite-form">
            <h3>{td_string!(locale, teaching.new_invite)}</h3>
            <p class="muted">{td_string!(locale, teaching.new_invite_text)}</p>
            <label for="invite-language">{td_string!(locale, teaching.language)}</label>
            <input id="invite-language" name="language" required maxlength=LANGUAGE_MAX_CHARS autocomplete="off"
                placeholder=td_string!(locale, teaching.language_placeholder) />
            <label for="invite-days">{td_string!(locale, teaching.expires_after)}</label>
            <input id="invite-days" name="lifetime_days" type="number" min=low max=high step="1" inputmode="numeric"
                placeholder=td_string!(locale, teaching.never) />
            <button type="submit" class="primary" disabled=move || create.pending().try_get().unwrap_or(false)>{td_string!(locale, teaching.create)}</button>
            <p role="alert" class="error">{error}</p>
        </ActionForm>
        {move || create.value().try_get().flatten().and_then(Result::ok).map(|link| view! { <MadeLanguageInvite link /> })}
    }
    .into_any()
}

#[component]
fn MadeLanguageInvite(link: LanguageInviteLink) -> impl IntoView {
    let offset = format::local_offset();
    let locale = use_locale();
    let expires = link.expires_at_ms.map(|ms| {
        move || td_string!(locale, teaching.works_once_until, date = format::date_time(ms, offset.get(), locale)).to_string()
    });
    view! {
        <div class="made-link">
            <LinkField id="language-invite-url" label=td_string!(locale, teaching.invite_link, language = &link.language).to_string() url=link.url.clone() />
            <p class="muted">{expires.map(|e| e.into_any()).unwrap_or_else(|| td_string!(locale, teaching.works_once_forever).into_any())}</p>
            <details>
                <summary>{td_string!(locale, common.show_qr)}</summary>
                <img class="qr" src=link.qr_path.clone() width="240" height="240" alt=td_string!(locale, teaching.qr_alt) />
            </details>
        </div>
    }
    .into_any()
}

#[component]
fn LanguageInviteList(invites: Vec<LanguageInviteSummary>, changed: RwSignal<u32>) -> impl IntoView {
    if invites.is_empty() {
        return view! { <p class="muted">{td_string!(use_locale(), teaching.no_invites)}</p> }.into_any();
    }
    view! {
        <ul class="link-list">
            {invites.into_iter().map(|invite| view! { <LanguageInviteItem invite changed /> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn LanguageInviteItem(invite: LanguageInviteSummary, changed: RwSignal<u32>) -> impl IntoView {
    let offset = format::local_offset();
    let revoke = ServerAction::<RevokeLanguageInvite>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().try_get().flatten() {
            changed.update(|n| *n += 1);
        }
    });
    let LanguageInviteSummary { id, status, created_at, expires_at, used_at, .. } = invite;
    let locale = use_locale();
    let name = td_string!(locale, teaching.invite_name, language = &invite.language, id).to_string();
    let facts = move || {
        let made = td_string!(locale, teaching.made, date = format::date_time(created_at, offset.get(), locale)).to_string();
        match (status, expires_at) {
            (LanguageInviteStatus::Used, _) => made,
            (_, Some(ms)) => format!("{made} · {}", td_string!(locale, teaching.expires, date = format::date_time(ms, offset.get(), locale))),
            (_, None) => format!("{made} · {}", td_string!(locale, teaching.never_expires)),
        }
    };
    let used = match (&invite.student, used_at, invite.space_id) {
        (Some(student), Some(at), space) => Some(view! {
            <p class="joined">
                {td!(locale, teaching.used_by, name = student.clone(), date = move || format::date_time(at, offset.get(), locale), <b> = <strong />)}
                {space.map(|room| view! { " · " <a href=format!("/rooms/{room}")>{td_string!(locale, teaching.open_space)}</a> })}
            </p>
        }),
        _ => None,
    };
    let pending = status == LanguageInviteStatus::Pending;
    let link_name = name.clone();
    view! {
        <li class="link-item" data-status=status.label() data-language=invite.language.clone()>
            <div class="row">
                <strong>{name.clone()}</strong>
                <span class="tag" data-tag=status.label()>{words::language_invite_status(locale, status)}</span>
            </div>
            <p class="muted">{facts}</p>
            {used}
            <div class="row">
                {pending.then(|| view! {
                    <RememberedLink key=format!("lang:{id}") field_id=format!("language-invite-url-{id}") name=link_name />
                })}
                {pending.then(|| view! {
                    <button type="button" class="secondary" aria-label=td_string!(locale, common.revoke_name, name = &name).to_string()
                        disabled=move || revoke.pending().try_get().unwrap_or(false)
                        on:click=move |_| { revoke.dispatch(RevokeLanguageInvite { invite_id: id }); }>{td_string!(locale, common.revoke)}</button>
                })}
            </div>
            {move || revoke.value().try_get().flatten().and_then(Result::err).map(|e| view! { <p role="alert" class="error">{e.message(locale)}</p> })}
        </li>
    }
    .into_any()
}

#[component]
fn TaughtSpaces(spaces: Vec<SpaceSummary>) -> impl IntoView {
    let locale = use_locale();
    if spaces.is_empty() {
        return view! { <p class="muted">{td_string!(locale, teaching.no_spaces)}</p> }.into_any();
    }
    view! {
        <ul class="room-list">
            {spaces.into_iter().map(|s| view! {
                <li>
                    <a href=format!("/rooms/{}", s.room_id)>{td_string!(locale, room.space_title, language = &s.language, other = &s.student).to_string()}</a>
                    {(s.unread > 0).then(|| view! {
                        <span class="badge" aria-label=plural_string!(locale, common.unread, count = s.unread)>{s.unread}</span>
                    })}
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
