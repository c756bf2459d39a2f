//! `/rooms/<id>`: the room. The newest messages are rendered on the server;
//! after hydration the tab follows the room live over its WebSocket
//! ([`super::live_view`]).

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    live_view::{LivePanel, LiveState},
    room_manage::{room_panel, RoomPanel},
    ErrorPage,
};
use crate::{
    error::AppError,
    i18n::{plural_string, td_string, use_locale},
    live::Topic,
    rooms::{get_room_page, moderation::LeaveRoom as Leave, RoomPage as RoomData, Role},
};

/// `/rooms/:id`.
#[component]
pub fn RoomPage() -> impl IntoView {
    let params = use_params_map();
    let room_id = Memo::new(move |_| params.read().get("id").and_then(|id| id.parse::<i64>().ok()));
    let locale = use_locale();
    // `?panel=bans` opens a panel as the page is rendered: the header's
    // buttons are links there, so panels work before the code has loaded.
    // Read here, outside the Suspense: a load cut off half way may have
    // ended the router's context by the time the Suspense looks again.
    let query = use_query_map();
    let opened = move || query.try_with_untracked(|q| q.get("panel").and_then(|p| RoomPanel::from_query(&p))).flatten();
    let page = Resource::new(
        move || room_id.try_get().flatten(),
        |id| async move {
            match id {
                Some(id) => get_room_page(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=move || view! { <p class="muted">{td_string!(locale, room.opening)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(data) => view! { <Room data opened=opened() /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Room(data: RoomData, opened: Option<RoomPanel>) -> impl IntoView {
    let rights = data.rights;
    let state = LiveState::new(Topic::Room(data.room.id), data.me.id, data.messages, data.members).with_rights(rights);
    state.join_requests.set(data.join_requests);
    let room_id = data.room.id;
    let in_space = data.space.is_some();
    // The owner may hand the room over while it is open: the tools follow the live role.
    let role = move || state.rights_now().map_or(rights.role, |r| r.role);
    let leave = move || (role() != Role::Owner).then(|| view! { <LeaveRoom room_id in_space /> });
    let panel = RwSignal::new(opened);
    let made = RwSignal::new(0u32);
    // Lives as long as the page, so that closing and opening "Share invite link" shows the same link.
    let create = ServerAction::<crate::invites::CreateInvite>::new();
    let toggle = move |which: RoomPanel| panel.update(|p| *p = if *p == Some(which) { None } else { Some(which) });
    let locale = use_locale();
    let href = move |which: RoomPanel| match panel.get() == Some(which) {
        true => "?".to_string(),
        false => format!("?panel={}", which.query()),
    };
    let on_click = move |which: RoomPanel| {
        move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            toggle(which);
        }
    };
    // A link that plays a button answers Space as a button does (Enter it has).
    let on_key = move |which: RoomPanel| {
        move |ev: leptos::ev::KeyboardEvent| {
            if ev.key() == " " {
                ev.prevent_default();
                toggle(which);
            }
        }
    };
    let button = move |which: RoomPanel, text: &'static str| {
        view! {
            <a href=move || href(which) role="button" class="button secondary" aria-expanded=move || (panel.get() == Some(which)).to_string()
                on:click=on_click(which) on:keydown=on_key(which)>{text}</a>
        }
    };
    // Live: the member list follows joins, departures and removals.
    let members = move || plural_string!(locale, common.members, count = state.member_count());
    let (title, description) = match &data.space {
        Some(space) => (
            td_string!(locale, room.space_title, language = &space.language, other = space.other()).to_string(),
            Some(
                td_string!(locale, room.space_description, teacher = &space.teacher, student = &space.student, language = &space.language)
                    .to_string(),
            ),
        ),
        None => (data.room.name.clone(), (!data.room.description.is_empty()).then(|| data.room.description.clone())),
    };
    // A space is for its two people: no invite links, no settings.
    let now = move || state.rights_now().unwrap_or(rights);
    let can_invite = move || now().can_invite && !in_space;
    let can_moderate = move || now().can_moderate && !in_space;
    let owner_tools = move || role() == Role::Owner && !in_space;
    let room = data.room.clone();
    // The owner may rename the room while it is open: every tab follows.
    // `try_get`: the document title reads it after the page is gone too. On
    // the server the title is the name as rendered: leptos_axum reads the
    // title after the page's arena is gone, where reading any signal (even
    // with `try_get`) panics ("no Arena is active"), and nothing renames a
    // room during one render.
    let heading = {
        let title = title.clone();
        move || state.renamed.try_get().flatten().unwrap_or_else(|| title.clone())
    };
    let title: leptos::text_prop::TextProp = if cfg!(feature = "ssr") { title.into() } else { heading.clone().into() };
    view! {
        <super::PageTitle text=title />
        <section class="room">
            <header class="room-head">
                <div>
                    <h1>{heading}</h1>
                    {description.map(|d| view! { <p class="description">{d}</p> })}
                    <p class="muted">{members}</p>
                </div>
                <div class="row">
                    {move || can_invite().then(|| button(RoomPanel::Invite, td_string!(locale, room.share_invite)))}
                    {move || can_moderate().then(|| button(RoomPanel::Links, td_string!(locale, room.manage_links)))}
                    {move || can_moderate().then(|| button(RoomPanel::Bans, td_string!(locale, room.bans)))}
                    {move || (can_moderate() && (state.join_requests.get() > 0 || panel.get() == Some(RoomPanel::Requests))).then(|| {
                        let waiting = move || state.join_requests.get();
                        view! {
                            <a href=move || href(RoomPanel::Requests) role="button" class="button secondary"
                                aria-expanded=move || (panel.get() == Some(RoomPanel::Requests)).to_string()
                                on:click=on_click(RoomPanel::Requests) on:keydown=on_key(RoomPanel::Requests)>
                                {td_string!(locale, room.join_requests)} " "
                                <span class="badge" aria-label=move || plural_string!(locale, room.requests_waiting, count = waiting())
                                    hidden=move || waiting() == 0>{waiting}</span>
                            </a>
                        }
                    })}
                    {move || owner_tools().then(|| button(RoomPanel::Settings, td_string!(locale, room.settings)))}
                    {leave}
                </div>
            </header>
            {move || panel.get().map(|which| room_panel(which, (room.clone(), state), role() == Role::Owner, made, create))}
            <LivePanel state />
        </section>
    }
    .into_any()
}

/// "Leave room" ("Leave space" in a teacher space): a form, so it works
/// without JavaScript too; home after.
#[component]
fn LeaveRoom(room_id: i64, in_space: bool) -> impl IntoView {
    let leave = ServerAction::<Leave>::new();
    let locale = use_locale();
    let error = move || leave.value().try_get().flatten().and_then(Result::err).map(|e| e.message(locale));
    view! {
        <ActionForm action=leave attr:class="leave">
            <input type="hidden" name="room_id" value=room_id />
            <button type="submit" class="secondary" disabled=move || leave.pending().try_get().unwrap_or(false)>
                {if in_space { td_string!(locale, room.leave_space) } else { td_string!(locale, room.leave_room) }}
            </button>
            <p role="alert" class="error">{error}</p>
        </ActionForm>
    }
}
