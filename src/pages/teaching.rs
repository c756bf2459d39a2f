//! The teacher's part of `/dashboard`: "New language invite" (language,
//! optional days), the language invites made (pending, used by whom, expired,
//! revoked; Revoke for pending ones) and the spaces taught. Someone who is
//! not a teacher is pointed to their profile.

use leptos::prelude::*;

use super::{
    form_error, format,
    invite_links::{remember_url, RememberedLink},
    share::LinkField,
    LocalOffset,
};
use crate::{
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
    let body = if !is_teacher && invites.is_empty() {
        view! {
            <p class="muted">
                "Teach a language? Mark yourself as a teacher in your "
                <a href="/profile">"profile"</a>
                ", then make a language invite for each student: accepting it gives you both a private space."
            </p>
        }
        .into_any()
    } else {
        view! {
            {is_teacher.then(|| view! { <LanguageInviteForm create /> })}
            <h3>"Language invites"</h3>
            <LanguageInviteList invites changed />
            <h3>"Spaces you teach in"</h3>
            <TaughtSpaces spaces />
        }
        .into_any()
    };
    view! {
        <section class="card" aria-label="Teaching">
            <h2>"Teaching"</h2>
            {body}
        </section>
    }
    .into_any()
}

/// Remembers each language invite `create` makes (for Copy and QR later in
/// this browser) and bumps `changed`.
pub fn remember_made(create: ServerAction<CreateLanguageInvite>, changed: RwSignal<u32>) {
    Effect::new(move |_| {
        if let Some(Ok(link)) = create.value().get() {
            remember_url(&format!("lang:{}", link.id), &link.url);
            changed.update(|n| *n += 1);
        }
    });
}

#[component]
fn LanguageInviteForm(create: ServerAction<CreateLanguageInvite>) -> impl IntoView {
    let error = form_error(create.value(), "create_language_invite");
    let (low, high) = (*LANGUAGE_INVITE_DAYS.start(), *LANGUAGE_INVITE_DAYS.end());
    view! {
        <ActionForm action=create attr:class="language-invite-form">
            <h3>"New language invite"</h3>
            <p class="muted">"Each invite works once: the student who accepts it gets a private space with you for that language."</p>
            <label for="invite-language">"Language"</label>
            <input id="invite-language" name="language" required maxlength=LANGUAGE_MAX_CHARS autocomplete="off"
                placeholder="e.g. German" />
            <label for="invite-days">"Expires after (days, optional)"</label>
            <input id="invite-days" name="lifetime_days" type="number" min=low max=high step="1" inputmode="numeric"
                placeholder="Never" />
            <button type="submit" class="primary" disabled=move || create.pending().get()>"Create language invite"</button>
            <p role="alert" class="error">{error}</p>
        </ActionForm>
        {move || create.value().get().and_then(Result::ok).map(|link| view! { <MadeLanguageInvite link /> })}
    }
    .into_any()
}

#[component]
fn MadeLanguageInvite(link: LanguageInviteLink) -> impl IntoView {
    let offset = expect_context::<LocalOffset>().0;
    let expires = link.expires_at_ms.map(|ms| move || format!("Works once, until {}.", format::date_time(ms, offset.get())));
    view! {
        <div class="made-link">
            <LinkField id="language-invite-url" label=format!("{} invite link", link.language) url=link.url.clone() />
            <p class="muted">{expires.map(|e| e.into_any()).unwrap_or_else(|| "Works once and never expires.".into_any())}</p>
            <details>
                <summary>"Show QR code"</summary>
                <img class="qr" src=link.qr_path.clone() width="240" height="240" alt="QR code of the language invite, for a phone camera" />
            </details>
        </div>
    }
    .into_any()
}

#[component]
fn LanguageInviteList(invites: Vec<LanguageInviteSummary>, changed: RwSignal<u32>) -> impl IntoView {
    if invites.is_empty() {
        return view! { <p class="muted">"No language invites yet."</p> }.into_any();
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
    let offset = expect_context::<LocalOffset>().0;
    let revoke = ServerAction::<RevokeLanguageInvite>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let LanguageInviteSummary { id, status, created_at, expires_at, used_at, .. } = invite;
    let name = format!("{} invite #{id}", invite.language);
    let facts = move || {
        let made = format!("made {}", format::date_time(created_at, offset.get()));
        match (status, expires_at) {
            (LanguageInviteStatus::Used, _) => made,
            (_, Some(ms)) => format!("{made} · expires {}", format::date_time(ms, offset.get())),
            (_, None) => format!("{made} · never expires"),
        }
    };
    let used = match (&invite.student, used_at, invite.space_id) {
        (Some(student), Some(at), space) => Some(view! {
            <p class="joined">
                "Used by " <strong>{student.clone()}</strong> " on " {move || format::date_time(at, offset.get())}
                {space.map(|room| view! { " · " <a href=format!("/rooms/{room}")>"open the space"</a> })}
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
                <span class="tag" data-tag=status.label()>{status.label()}</span>
            </div>
            <p class="muted">{facts}</p>
            {used}
            <div class="row">
                {pending.then(|| view! {
                    <RememberedLink key=format!("lang:{id}") field_id=format!("language-invite-url-{id}") name=link_name />
                })}
                {pending.then(|| view! {
                    <button type="button" class="secondary" aria-label=format!("Revoke {name}")
                        disabled=move || revoke.pending().get()
                        on:click=move |_| { revoke.dispatch(RevokeLanguageInvite { invite_id: id }); }>"Revoke"</button>
                })}
            </div>
            {move || revoke.value().get().and_then(Result::err).map(|e| view! { <p role="alert" class="error">{e.to_string()}</p> })}
        </li>
    }
    .into_any()
}

#[component]
fn TaughtSpaces(spaces: Vec<SpaceSummary>) -> impl IntoView {
    if spaces.is_empty() {
        return view! { <p class="muted">"No spaces yet: they appear here when a student accepts a language invite."</p> }.into_any();
    }
    view! {
        <ul class="room-list">
            {spaces.into_iter().map(|s| view! {
                <li>
                    <a href=format!("/rooms/{}", s.room_id)>{format!("{} with {}", s.language, s.student)}</a>
                    {(s.unread > 0).then(|| view! { <span class="badge" aria-label=format!("{} unread", s.unread)>{s.unread}</span> })}
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
