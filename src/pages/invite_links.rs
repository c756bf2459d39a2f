//! Invite links in the browser: the form that makes one (lifetime, uses,
//! label, role), the list of links with their state, uses and who joined
//! through each (the room's "Manage invite links" panel and `/dashboard`),
//! Revoke and "Reset link".
//!
//! The server keeps only a hash of each token, so a link's full address is
//! known only where it was made: this browser remembers the links it made
//! (in `localStorage`, by invite id) to offer Copy and QR for them later.
//! Elsewhere the list says so, and "Reset link" makes a fresh one.

use leptos::prelude::*;

use super::{format, share::LinkField, words};
use crate::{
    i18n::{plural_string, td_string, use_locale},
    invites::{CreateInvite, InviteLink, InviteSummary, RevokeInvite},
    limits::{INVITE_LABEL_MAX_CHARS, INVITE_LIFETIMES_MIN, INVITE_MAX_USES},
    rooms::Role,
};

/// `localStorage` key of the links this browser made: JSON `{ "<id>": "<url>" }`.
#[cfg(feature = "hydrate")]
const KEY: &str = "roomlink.invite-links";

#[cfg(feature = "hydrate")]
fn stored_links() -> (Option<web_sys::Storage>, std::collections::HashMap<String, String>) {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    let map = storage
        .as_ref()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    (storage, map)
}

/// Remembers a link this browser made, for Copy and QR in the lists.
pub fn remember(link: &InviteLink) {
    remember_url(&link.id.to_string(), &link.url);
}

/// Remembers the address of a link this browser made under `key` (a room
/// invite's id; `lang:<id>` for a language invite).
pub fn remember_url(key: &str, url: &str) {
    #[cfg(feature = "hydrate")]
    {
        let (storage, mut map) = stored_links();
        map.insert(key.to_string(), url.to_string());
        if let (Some(storage), Ok(json)) = (storage, serde_json::to_string(&map)) {
            let _ = storage.set_item(KEY, &json);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, url);
}

/// The address remembered under `key`, if this browser made that link.
/// Browser-only: call it after hydration (in an `Effect`), never while rendering.
pub fn recall_url(key: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    return stored_links().1.get(key).cloned();
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        None
    }
}

/// The QR code path of a link address (`…/join/<token>` → `/join/<token>/qr.svg`).
pub fn qr_path(url: &str) -> Option<String> {
    url.find("/join/").map(|at| format!("{}/qr.svg", &url[at..]))
}

/// A made link: the address with Copy, its QR code, and what it allows.
#[component]
pub fn MadeLink(link: InviteLink) -> impl IntoView {
    let offset = format::local_offset();
    let locale = use_locale();
    let expires = link.expires_at_ms.map(|ms| move || td_string!(locale, links.works_until, date = format::date_time(ms, offset.get(), locale)).to_string());
    let uses = match link.max_uses {
        Some(1) => td_string!(locale, links.can_be_used_once).to_string(),
        Some(n) => plural_string!(locale, links.can_be_used, count = n),
        None => td_string!(locale, links.can_be_used_any).to_string(),
    };
    view! {
        <div class="made-link">
            <LinkField id="invite-url" label=td_string!(locale, links.invite_link) url=link.url.clone() />
            <p class="muted">
                {expires.map(|e| view! { {e} ", " }.into_any()).unwrap_or_else(|| td_string!(locale, links.never_expires).into_any())}
                {uses}
            </p>
            <details>
                <summary>{td_string!(locale, common.show_qr)}</summary>
                <img class="qr" src=link.qr_path.clone() width="240" height="240" alt=td_string!(locale, links.qr_alt) />
            </details>
        </div>
    }
    .into_any()
}

/// The choices of a new link.
#[component]
fn OptionFields(
    is_owner: bool,
    lifetime: RwSignal<u32>,
    max_uses: RwSignal<u32>,
    label: RwSignal<String>,
    role: RwSignal<Role>,
    approval: RwSignal<bool>,
) -> impl IntoView {
    let choice = |value: u32, text: String| view! { <option value=value.to_string()>{text}</option> };
    let locale = use_locale();
    view! {
        <div class="fields">
            <div>
                <label for="invite-lifetime">{td_string!(locale, links.expire_after)}</label>
                <select id="invite-lifetime" on:change=move |ev| lifetime.set(event_target_value(&ev).parse().unwrap_or(10_080))>
                    {INVITE_LIFETIMES_MIN.map(|m| view! {
                        <option value=m.to_string() selected=m == 10_080>{words::lifetime(locale, m)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="invite-uses">{td_string!(locale, links.max_uses)}</label>
                <select id="invite-uses" on:change=move |ev| max_uses.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {INVITE_MAX_USES.map(|n| choice(n, if n == 0 { td_string!(locale, links.no_limit).into() } else { n.to_string() })).collect_view()}
                </select>
            </div>
            <div>
                <label for="invite-label">{td_string!(locale, links.label)}</label>
                <input id="invite-label" maxlength=INVITE_LABEL_MAX_CHARS.to_string() placeholder=td_string!(locale, links.label_placeholder)
                    prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev)) />
            </div>
            {is_owner.then(|| view! {
                <div>
                    <label for="invite-role">{td_string!(locale, links.joins_as)}</label>
                    <select id="invite-role" on:change=move |ev| role.set(if event_target_value(&ev) == "moderator" { Role::Moderator } else { Role::Member })>
                        <option value="member" selected=true>{td_string!(locale, links.as_member)}</option>
                        <option value="moderator">{td_string!(locale, links.as_moderator)}</option>
                    </select>
                </div>
            })}
            <label class="check">
                <input type="checkbox" prop:checked=move || approval.get() on:change=move |ev| approval.set(event_target_checked(&ev)) />
                {td_string!(locale, links.needs_approval)}
            </label>
        </div>
    }
    .into_any()
}

/// "Share invite link": makes a link with the default options at once (7
/// days, any number of uses) and shows it with Copy and QR, as Discord's
/// "Invite people" does; "Link options" makes one with a lifetime, use
/// limit, label and (for the owner, `is_owner`) the moderator role.
/// `made` counts links made, for lists to refresh; `create` belongs to the
/// room page, so the link outlives closing the panel.
#[component]
pub fn InviteForm(room_id: i64, is_owner: bool, made: RwSignal<u32>, create: ServerAction<CreateInvite>) -> impl IntoView {
    // Opening the panel the first time is the click that makes a link;
    // opening it again shows the same link, as Discord does.
    if create.value().get_untracked().is_none() && !create.pending().get_untracked() {
        create.dispatch(CreateInvite { room_id, lifetime_min: None, max_uses: None, label: None, role: None, needs_approval: None });
    }
    let lifetime = RwSignal::new(10_080u32);
    let max_uses = RwSignal::new(0u32);
    let label = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Member);
    let approval = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateInvite {
            room_id,
            lifetime_min: Some(lifetime.get()),
            max_uses: Some(max_uses.get()),
            label: Some(label.get()),
            role: Some(role.get()),
            needs_approval: Some(approval.get()),
        });
    };
    let session = expect_context::<super::Session>();
    let locale = use_locale();
    Effect::new(move |_| {
        if let Some(Ok(link)) = create.value().try_get().flatten() {
            remember(&link);
            made.update(|n| *n += 1);
            session.links_changed.update(|n| *n += 1);
        }
    });
    view! {
        <div class="share">
            {move || match create.value().try_get().flatten() {
                Some(Ok(link)) => view! { <MadeLink link /> }.into_any(),
                Some(Err(e)) => view! { <p role="alert" class="error">{e.message(locale)}</p> }.into_any(),
                None => view! { <p class="muted">{td_string!(locale, links.making)}</p> }.into_any(),
            }}
            <details>
                <summary>{td_string!(locale, links.options)}</summary>
                <form class="invite-form" on:submit=submit>
                    <OptionFields is_owner lifetime max_uses label role approval />
                    <button type="submit" disabled=move || create.pending().try_get().unwrap_or(false)>{td_string!(locale, links.create)}</button>
                </form>
            </details>
        </div>
    }
}

/// A list of links with their facts and Revoke. `show_room` adds the room
/// (the dashboard); `revoked` counts revocations, for the lists to refresh.
#[component]
pub fn LinkList(links: Vec<InviteSummary>, show_room: bool, revoked: RwSignal<u32>) -> impl IntoView {
    if links.is_empty() {
        return view! { <p class="muted">{td_string!(use_locale(), links.none)}</p> }.into_any();
    }
    view! {
        <ul class="link-list">
            {links.into_iter().map(|link| view! { <LinkItem link show_room revoked /> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn LinkItem(link: InviteSummary, show_room: bool, revoked: RwSignal<u32>) -> impl IntoView {
    let offset = format::local_offset();
    let revoke = ServerAction::<RevokeInvite>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().try_get().flatten() {
            revoked.update(|n| *n += 1);
        }
    });
    let locale = use_locale();
    let name = if link.label.is_empty() { td_string!(locale, links.name, id = link.id).to_string() } else { link.label.clone() };
    let uses = match link.max_uses {
        Some(max) => td_string!(locale, links.uses_of, uses = link.uses, max).to_string(),
        None => plural_string!(locale, links.uses, count = link.uses),
    };
    let (created_at, expires_at) = (link.created_at, link.expires_at);
    let expires = move || match expires_at {
        Some(ms) => td_string!(locale, teaching.expires, date = format::date_time(ms, offset.get(), locale)).to_string(),
        None => td_string!(locale, teaching.never_expires).to_string(),
    };
    let id = link.id;
    let joined = match link.joined.is_empty() {
        true => td_string!(locale, links.nobody_joined).to_string(),
        false => td_string!(locale, links.joined, names = link.joined.join(", ")).to_string(),
    };
    let by = td_string!(locale, links.by, name = &link.created_by).to_string();
    let active = link.status == crate::invites::InviteStatus::Active;
    let link_name = name.clone();
    view! {
        <li class="link-item" data-status=link.status.label() data-label=link.label.clone()>
            <div class="row">
                <strong>{name.clone()}</strong>
                <span class="tag" data-tag=link.status.label()>{words::invite_status(locale, link.status)}</span>
                {(link.role == Role::Moderator).then(|| view! { <span class="tag">{td_string!(locale, links.makes_moderators)}</span> })}
                {link.needs_approval.then(|| view! { <span class="tag">{td_string!(locale, links.approval_tag)}</span> })}
                {show_room.then(|| view! { <a href=format!("/rooms/{}", link.room_id)>{link.room_name.clone()}</a> })}
            </div>
            <p class="muted">
                {uses} " · " {by} " · "
                {move || td_string!(locale, teaching.made, date = format::date_time(created_at, offset.get(), locale)).to_string()} " · " {expires}
            </p>
            <p class="joined">{joined}</p>
            <div class="row">
                {active.then(|| view! { <RememberedLink key=id.to_string() field_id=format!("invite-url-{id}") name=link_name /> })}
                {active.then(|| view! {
                    <button type="button" class="secondary" aria-label=td_string!(locale, common.revoke_name, name = &name).to_string()
                        disabled=move || revoke.pending().try_get().unwrap_or(false)
                        on:click=move |_| { revoke.dispatch(RevokeInvite { invite_id: id }); }>{td_string!(locale, common.revoke)}</button>
                })}
            </div>
            {move || revoke.value().try_get().flatten().and_then(Result::err).map(|e| view! { <p role="alert" class="error">{e.message(locale)}</p> })}
        </li>
    }
    .into_any()
}

/// Copy and QR code for an active link, if this browser made it (and so
/// remembers its address under `key`); otherwise a note saying where it
/// was shown. `name` names the link for the field's label.
#[component]
pub fn RememberedLink(key: String, field_id: String, name: String) -> impl IntoView {
    // Read after hydration: the server cannot know what this browser remembers.
    let url = RwSignal::new(None::<String>);
    Effect::new(move |_| url.set(recall_url(&key)));
    let locale = use_locale();
    move || match url.get() {
        Some(url) => view! {
            <LinkField id=field_id.clone() label=td_string!(locale, links.address_of, name = &name).to_string() url=url.clone() />
            {qr_path(&url).map(|qr| view! {
                <a href=qr target="_blank" aria-label=td_string!(locale, links.qr_of, name = &name).to_string()>{td_string!(locale, instant.qr_code)}</a>
            })}
        }
        .into_any(),
        None => view! { <span class="muted">{td_string!(locale, links.shown_elsewhere)}</span> }.into_any(),
    }
}
