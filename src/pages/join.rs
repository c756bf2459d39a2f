//! `/join/<token>`: what an invite link leads to, and the Join button. A
//! teacher's language invite shows [`super::spaces::SpaceInviteCard`] instead.
//!
//! Rendering this page changes nothing (link-preview bots open links too).
//! Joining is a POST to [`crate::invites::accept_invite`] that works without
//! JavaScript. A member already is sent straight to the room.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::{components::Redirect, hooks::use_params_map};

use super::{form_error, format, set_error_status, url_error, ErrorPage, LocalOffset};
use crate::invites::{get_invite_preview, AcceptInvite, InvitePreview, JoinPreview};

/// `/join/:token`.
#[component]
pub fn JoinPage() -> impl IntoView {
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let preview = Resource::new(move || token.get(), get_invite_preview);
    // The refusal a Join pressed without JavaScript came back with (a plain
    // page: the form posts, and the server redirects here with it).
    let refused = url_error("accept_invite");
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Opening the invite…"</p> }>
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
    let members = match preview.member_count {
        1 => "1 member".to_string(),
        n => format!("{n} members"),
    };
    let expires = preview.expires_at_ms.map(|ms| view! { <ExpiresNote ms /> });
    let uses_left = preview.uses_left.map(|n| match n {
        1 => "This link can be used 1 more time.".to_string(),
        n => format!("This link can be used {n} more times."),
    });
    let full = preview.member_count >= preview.member_limit;
    let summary = match preview.room_description.is_empty() {
        true => format!("{} invited you to join {} on Roomlink ({members}).", preview.inviter, preview.room_name),
        false => format!("{} invited you to join {} on Roomlink ({members}): {}", preview.inviter, preview.room_name, preview.room_description),
    };
    let room_name = preview.room_name.clone();
    let action_part = match preview.viewer {
        Some(viewer) => view! {
            <ActionForm action=accept>
                <input type="hidden" name="token" value=token />
                <button type="submit" class="primary" disabled=move || accept.pending().get()>
                    "Join " {room_name}
                </button>
                <p class="muted">"You are logged in as " <strong>{viewer.username}</strong> "."</p>
                <p role="alert" class="error">{error}</p>
            </ActionForm>
        }
        .into_any(),
        None => view! { <LogInToJoin token /> }.into_any(),
    };
    view! {
        <super::PageTitle text=format!("Join {}", preview.room_name) />
        <Meta name="description" content=summary.clone() />
        <Meta property="og:title" content=format!("Join {} on Roomlink", preview.room_name) />
        <Meta property="og:description" content=summary.clone() />
        <Meta property="og:type" content="website" />
        <Meta name="twitter:card" content="summary" />
        <Meta name="twitter:title" content=format!("Join {} on Roomlink", preview.room_name) />
        <Meta name="robots" content="noindex" />
        <section class="card invite">
            <p class="muted">{format!("{} invited you to join", preview.inviter)}</p>
            <h1>{preview.room_name.clone()}</h1>
            {(!preview.room_description.is_empty()).then(|| view! { <p class="description">{preview.room_description.clone()}</p> })}
            <p>{members} " · " {format!("{} online now", preview.online_now)}</p>
            {full.then(|| view! { <p class="error">{format!("This room is full ({} members).", preview.member_limit)}</p> })}
            {expires}
            {uses_left.map(|text| view! { <p class="muted">{text}</p> })}
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
    view! {
        <super::PageTitle text="Could not join" />
        <section class="card error-page">
            <h1>"Could not join"</h1>
            <p role="alert" class="error">{reason.to_string()}</p>
            <p>"Ask whoever sent the link for a new one."</p>
            <p><a href="/">"Go to Roomlink's home page"</a></p>
        </section>
    }
}

/// For someone logged out: sign up or log in, then come back to this link.
#[component]
pub fn LogInToJoin(token: String) -> impl IntoView {
    let next = format!("/join/{token}");
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    view! {
        <p>"Log in or sign up to join. You will come back here afterwards."</p>
        <p class="row">
            <a class="button primary" href=format!("/signup?next={next}")>"Sign up to join"</a>
            <a class="button" href=format!("/login?next={next}")>"Log in to join"</a>
        </p>
    }
}

/// "This link expires on <date>." in the reader's time zone.
#[component]
pub fn ExpiresNote(ms: i64) -> impl IntoView {
    let offset = expect_context::<LocalOffset>().0;
    view! {
        <p class="muted">
            "This link expires on "
            <time datetime=format::iso(ms)>{move || format::date_time(ms, offset.get())}</time>
            "."
        </p>
    }
}
