//! `/join/<token>`: what an invite link leads to, and the Join button. A
//! teacher's language invite shows [`super::spaces::SpaceInviteCard`] instead.
//!
//! Rendering this page changes nothing (link-preview bots open links too).
//! Joining is a POST to [`crate::invites::accept_invite`] that works without
//! JavaScript. A member already is sent straight to the room. On a link that
//! needs approval, Join asks instead, and the card waits for the answer
//! ([`super::join_requests::RequestWaiting`]).

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::{components::Redirect, hooks::use_params_map};

use super::{form_error, format, join_requests::RequestWaiting, set_error_status, url_error, ErrorPage};
use crate::{
    i18n::{plural_string, td, td_string, use_locale},
    invites::{get_invite_preview, AcceptInvite, InvitePreview, JoinPreview, RequestState},
};

/// `/join/:token`.
#[component]
pub fn JoinPage() -> impl IntoView {
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let preview = Resource::new(move || token.try_get().unwrap_or_default(), get_invite_preview);
    // The refusal a Join pressed without JavaScript came back with (a plain
    // page: the form posts, and the server redirects here with it).
    let refused = url_error("accept_invite");
    let locale = use_locale();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{td_string!(locale, join.opening)}</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Ok(JoinPreview::Room(p)) if p.already_member => {
                        view! { <Redirect path=format!("/rooms/{}", p.room_id) /> }.into_any()
                    }
                    Ok(JoinPreview::Room(p)) => view! { <InviteCard preview=p token=token.get_untracked() /> }.into_any(),
                    Ok(JoinPreview::Space(p)) => {
                        view! { <super::spaces::SpaceInviteCard preview=p token=token.get_untracked() /> }.into_any()
                    }
                    // Someone pressed Join and was refused, and the link
                    // no longer opens (it filled up, or ended, meanwhile):
                    // the refusal says why, rather than a generic "invalid".
                    Err(error) => match refused.get_untracked() {
                        Some(reason) => view! { <JoinRefused reason /> }.into_any(),
                        None => view! { <ErrorPage error /> }.into_any(),
                    },
                }
            })}
        </Suspense>
    }
}

#[component]
fn InviteCard(preview: InvitePreview, token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvite>::new();
    let error = form_error(accept.value(), "accept_invite");
    let locale = use_locale();
    let members = plural_string!(locale, common.members, count = preview.member_count);
    let expires = preview.expires_at_ms.map(|ms| view! { <ExpiresNote ms /> });
    let uses_left = preview.uses_left.map(|n| plural_string!(locale, join.uses_left, count = n));
    let full = preview.member_count >= preview.member_limit;
    let (inviter, room, description) = (&preview.inviter, &preview.room_name, &preview.room_description);
    let summary = match description.is_empty() {
        true => td_string!(locale, join.summary, inviter, room, members = &members).to_string(),
        false => td_string!(locale, join.summary_described, inviter, room, members = &members, description).to_string(),
    };
    let og_title = td_string!(locale, join.og_title, room).to_string();
    let page_title = td_string!(locale, join.page_title, room).to_string();
    let invited_you = td_string!(locale, join.invited_you, inviter).to_string();
    let online_now = td_string!(locale, join.online_now, count = preview.online_now).to_string();
    let room_full = td_string!(locale, join.room_full, limit = preview.member_limit).to_string();
    let join_button = match preview.needs_approval {
        true => td_string!(locale, join.ask_button, room).to_string(),
        false => td_string!(locale, join.button, room).to_string(),
    };
    // Asked already, or asking now: the card waits for a moderator's answer.
    let asked = RwSignal::new(preview.request);
    if preview.needs_approval {
        Effect::new(move |_| {
            if let Some(Ok(())) = accept.value().try_get().flatten() {
                asked.set(Some(RequestState::Pending));
            }
        });
    }
    let room_id = preview.room_id;
    let action_part = match preview.viewer.clone() {
        Some(viewer) => {
            let name = viewer.username;
            view! {
                {move || match asked.get() {
                    Some(state) => view! { <RequestWaiting room_id state /> }.into_any(),
                    None => {
                        let (token, label, name) = (token.clone(), join_button.clone(), name.clone());
                        view! {
                            <ActionForm action=accept>
                                <input type="hidden" name="token" value=token />
                                <button type="submit" class="primary" disabled=move || accept.pending().try_get().unwrap_or(false)>{label}</button>
                                <p class="muted">{td!(locale, common.logged_in_as, name = name.clone(), <b> = <strong />)}</p>
                                <p role="alert" class="error">{error}</p>
                            </ActionForm>
                        }
                        .into_any()
                    }
                }}
            }
            .into_any()
        }
        None => view! { <LogInToJoin token /> }.into_any(),
    };
    view! {
        <super::PageTitle text=page_title />
        <Meta name="description" content=summary.clone() />
        <Meta property="og:title" content=og_title.clone() />
        <Meta property="og:description" content=summary.clone() />
        <Meta property="og:type" content="website" />
        <Meta property="og:locale" content=td_string!(locale, og_locale) />
        <Meta name="twitter:card" content="summary" />
        <Meta name="twitter:title" content=og_title />
        <Meta name="robots" content="noindex" />
        <section class="card invite">
            <p class="muted">{invited_you}</p>
            <h1>{preview.room_name.clone()}</h1>
            {(!preview.room_description.is_empty()).then(|| view! { <p class="description">{preview.room_description.clone()}</p> })}
            <p>{members} " · " {online_now}</p>
            {full.then(|| view! { <p class="error">{room_full}</p> })}
            {expires}
            {uses_left.map(|text| view! { <p class="muted">{text}</p> })}
            {preview.needs_approval.then(|| view! { <p class="muted">{td_string!(locale, join.needs_approval)}</p> })}
            {action_part}
        </section>
    }
    .into_any()
}

/// Joining through a link was refused and the link opens no more: why
/// (for example "This invite link has reached its limit."), with the
/// refusal's status.
#[component]
fn JoinRefused(reason: crate::error::AppError) -> impl IntoView {
    set_error_status(&reason);
    let locale = use_locale();
    view! {
        <super::PageTitle text=td_string!(locale, join.refused_title) />
        <section class="card error-page">
            <h1>{td_string!(locale, join.refused_title)}</h1>
            <p role="alert" class="error">{reason.message(locale)}</p>
            <p>{td_string!(locale, join.ask_for_new)}</p>
            <p><a href="/">{td_string!(locale, common.home_link)}</a></p>
        </section>
    }
}

/// For someone logged out: sign up or log in, then come back to this link.
#[component]
pub fn LogInToJoin(token: String) -> impl IntoView {
    let next = format!("/join/{token}");
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    let locale = use_locale();
    view! {
        <p>{td_string!(locale, join.log_in_or_sign_up)}</p>
        <p class="row">
            <a class="button primary" href=format!("/signup?next={next}")>{td_string!(locale, join.sign_up_to_join)}</a>
            <a class="button" href=format!("/login?next={next}")>{td_string!(locale, join.log_in_to_join)}</a>
        </p>
    }
}

/// "This link expires on <date>." in the reader's time zone.
#[component]
pub fn ExpiresNote(ms: i64) -> impl IntoView {
    let offset = format::local_offset();
    let locale = use_locale();
    let when = move |children: ChildrenFn| view! { <time datetime=format::iso(ms)>{children()}</time> };
    view! {
        <p class="muted">
            {td!(locale, join.expires_on, date = move || format::date_time(ms, offset.get(), locale), <when>)}
        </p>
    }
}
