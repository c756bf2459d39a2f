//! Join requests on both ends (issue 40): the requester's waiting card on
//! `/join/<token>`, which turns into the room when a moderator approves,
//! and the room's "Join requests" panel for its owner and moderators.
//!
//! Both work without JavaScript as forms (Withdraw, Approve, Decline post
//! and come back to the page); with it, the waiting card asks the server
//! for the answer in a loop of long polls
//! ([`crate::invites::await_join_request`]) and the panel follows the
//! count the room's socket sends ([`LiveState::join_requests`]). The join
//! page is a [plain page](super::is_plain_page) when opened from a link (no
//! WebAssembly): there [`AWAIT_REQUEST_SCRIPT`] does the waiting card's
//! polling, and opens the room when the answer is yes.

use leptos::prelude::*;

use super::{format, live_view::LiveState};
use crate::{
    i18n::{td_string, use_locale},
    invites::{
        join_requests, ApproveJoinRequest, DeclineJoinRequest, JoinRequestView, RequestState, WithdrawJoinRequest,
    },
};

/// The requester's card once they asked to join `room_id`: "Your request
/// was sent…" with "Withdraw request" while it waits, then the answer. On
/// approval the page becomes the room, without a reload.
#[component]
pub fn RequestWaiting(room_id: i64, state: RequestState) -> impl IntoView {
    let state = RwSignal::new(state);
    let withdraw = ServerAction::<WithdrawJoinRequest>::new();
    let locale = use_locale();
    Effect::new(move |_| {
        if let Some(Ok(())) = withdraw.value().try_get().flatten() {
            state.set(RequestState::Ended);
        }
    });
    #[cfg(feature = "hydrate")]
    follow_answer(room_id, state);
    let error = move || withdraw.value().try_get().flatten().and_then(Result::err).map(|e| e.message(locale));
    // For the plain page's script; the hydrated page follows the answer itself.
    let awaiting = move || (state.get() == RequestState::Pending).then(|| room_id.to_string());
    view! {
        <div class="join-request" aria-live="polite" data-await-request=awaiting>
            {move || match state.get() {
                RequestState::Pending | RequestState::Approved => view! {
                    <p role="status"><strong>{td_string!(locale, join.request_sent)}</strong></p>
                    <p class="muted">{td_string!(locale, join.request_keep_open)}</p>
                    <ActionForm action=withdraw>
                        <input type="hidden" name="room_id" value=room_id />
                        <button type="submit" class="secondary" disabled=move || withdraw.pending().try_get().unwrap_or(false)>
                            {td_string!(locale, join.withdraw)}
                        </button>
                    </ActionForm>
                }
                .into_any(),
                RequestState::Declined => view! { <p role="alert" class="error">{td_string!(locale, join.request_declined)}</p> }.into_any(),
                RequestState::Ended => view! { <p role="status" class="muted">{td_string!(locale, join.request_ended)}</p> }.into_any(),
            }}
            <p role="alert" class="error">{error}</p>
        </div>
    }
}

/// For the [plain](super::is_plain_page) join page, which loads no
/// WebAssembly: while a card waits (`data-await-request="<room id>"`), asks
/// [`crate::invites::await_join_request`] in a loop of long polls; on
/// "approved" the page becomes the room (`location.replace`, so Back does not
/// return to the waiting card); on "declined" or "ended" it reloads to show
/// so. A failed call is tried again after 3 s. Without JavaScript the page
/// shows the answer when reloaded.
pub const AWAIT_REQUEST_SCRIPT: &str = "(function(){function go(){var e=document.querySelector('[data-await-request]');if(!e)return;\
var id=e.getAttribute('data-await-request');function ask(){fetch('/api/await_join_request',{method:'POST',\
headers:{'Content-Type':'application/x-www-form-urlencoded','Accept':'application/json'},body:'room_id='+encodeURIComponent(id)})\
.then(function(r){if(!r.ok)throw r;return r.json()}).then(function(s){if(s==='approved')location.replace('/rooms/'+id);\
else if(s==='pending')ask();else location.reload()}).catch(function(){setTimeout(ask,3000)})}ask()}\
if(document.readyState==='loading')document.addEventListener('DOMContentLoaded',go);else go()})()";

/// Asks the server for the answer to the request, again and again while the
/// page is open (each call waits up to [`crate::limits::LONG_POLL_WAIT_SECS`]),
/// and acts on it: approved opens the room, declined or ended shows so.
#[cfg(feature = "hydrate")]
fn follow_answer(room_id: i64, state: RwSignal<RequestState>) {
    use std::sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    };
    let navigate = leptos_router::hooks::use_navigate();
    let gone = Arc::new(AtomicBool::new(false));
    let flag = gone.clone();
    on_cleanup(move || flag.store(true, Ordering::Relaxed));
    leptos::task::spawn_local(async move {
        while !gone.load(Ordering::Relaxed) && state.try_get_untracked() == Some(RequestState::Pending) {
            match crate::invites::await_join_request(room_id).await {
                Ok(RequestState::Pending) => {}
                Ok(RequestState::Approved) => {
                    if !gone.load(Ordering::Relaxed) {
                        navigate(&format!("/rooms/{room_id}"), Default::default());
                    }
                    return;
                }
                Ok(answer) => {
                    state.try_set(answer);
                    return;
                }
                // Offline, or the server restarting: ask again shortly.
                Err(_) => gloo_timers::future::TimeoutFuture::new(3_000).await,
            }
        }
    });
}

/// The room's "Join requests" panel: who asks, through which link and when,
/// with Approve and Decline (forms, so they work before the page's code has
/// loaded). The list is read again whenever the room's count changes, so a
/// request another moderator answered leaves it.
#[component]
pub fn RequestList(room_id: i64, state: LiveState) -> impl IntoView {
    let approve = ServerAction::<ApproveJoinRequest>::new();
    let decline = ServerAction::<DeclineJoinRequest>::new();
    let requests = Resource::new(
        move || (state.join_requests.try_get(), approve.version().try_get(), decline.version().try_get()),
        move |_| join_requests(room_id),
    );
    let offset = format::local_offset();
    let locale = use_locale();
    let row = move |request: JoinRequestView| {
        let when = move || format::date_time(request.requested_at, offset.get(), locale);
        let (label, maker) = (request.link_label.clone(), request.link_maker.clone());
        let via = move || match label.is_empty() {
            true => td_string!(locale, requests.via_link, maker = &maker, when = when()).to_string(),
            false => td_string!(locale, requests.via_label, label = &label, maker = &maker, when = when()).to_string(),
        };
        let name = request.username.clone();
        let answer_form = move |approving: bool| {
            let (text, named) = match approving {
                true => (td_string!(locale, requests.approve), td_string!(locale, requests.approve_name, name = &name).to_string()),
                false => (td_string!(locale, requests.decline), td_string!(locale, requests.decline_name, name = &name).to_string()),
            };
            let fields = view! {
                <input type="hidden" name="room_id" value=room_id />
                <input type="hidden" name="user_id" value=request.user_id />
                <button type="submit" class=if approving { "primary" } else { "secondary" } aria-label=named>{text}</button>
            };
            match approving {
                true => view! { <ActionForm action=approve attr:class="inline">{fields}</ActionForm> }.into_any(),
                false => view! { <ActionForm action=decline attr:class="inline">{fields}</ActionForm> }.into_any(),
            }
        };
        view! {
            <li>
                <span class="name">{request.username.clone()}</span>" "<span class="muted">{via}</span>
                <span class="row">{answer_form(true)}{answer_form(false)}</span>
            </li>
        }
    };
    let error = move || {
        let failed = |value: Option<Result<(), crate::error::AppError>>| value.and_then(Result::err);
        failed(approve.value().try_get().flatten()).or_else(|| failed(decline.value().try_get().flatten())).map(|e| e.message(locale))
    };
    view! {
        <section class="card join-requests" aria-labelledby="requests-heading">
            <h2 id="requests-heading">{td_string!(locale, requests.title)}</h2>
            <p role="alert" class="error">{error}</p>
            <Transition fallback=move || view! { <p class="muted">{td_string!(locale, requests.loading)}</p> }>
                {move || Suspend::new(async move {
                    match requests.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{td_string!(locale, requests.none)}</p> }.into_any(),
                        Ok(list) => view! { <ul class="request-list">{list.into_iter().map(row).collect_view()}</ul> }.into_any(),
                        Err(e) => view! { <p role="alert" class="error">{e.message(locale)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}
