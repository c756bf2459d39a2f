//! `/rooms/<id>`: the room. The newest messages are rendered on the server;
//! after hydration the tab follows the room live over its WebSocket
//! ([`super::live_view`]).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{
    format,
    live_view::{LivePanel, LiveState},
    share::LinkField,
    ErrorPage, LocalOffset,
};
use crate::{
    error::AppError,
    invites::CreateInvite,
    live::Topic,
    rooms::{get_room_page, moderation::LeaveRoom as Leave, RoomPage as RoomData, Role},
};

/// `/rooms/:id`.
#[component]
pub fn RoomPage() -> impl IntoView {
    let params = use_params_map();
    let room_id = Memo::new(move |_| params.read().get("id").and_then(|id| id.parse::<i64>().ok()));
    let page = Resource::new(
        move || room_id.get(),
        |id| async move {
            match id {
                Some(id) => get_room_page(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Opening the room…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(data) => view! { <Room data /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Room(data: RoomData) -> impl IntoView {
    let state = LiveState::new(Topic::Room(data.room.id), data.me.id, data.messages, data.members).with_role(data.role);
    let leave = (data.role != Role::Owner).then(|| view! { <LeaveRoom room_id=data.room.id /> });

    let members = match data.room.member_count {
        1 => "1 member".to_string(),
        n => format!("{n} members"),
    };
    view! {
        <super::PageTitle text=data.room.name.clone() />
        <section class="room">
            <header class="room-head">
                <div>
                    <h1>{data.room.name.clone()}</h1>
                    <p class="muted">{members}</p>
                </div>
                <div class="row">
                    <ShareInvite room_id=data.room.id />
                    {leave}
                </div>
            </header>
            <LivePanel state />
        </section>
    }
}

/// "Leave room": a form, so it works without JavaScript too; home after.
#[component]
fn LeaveRoom(room_id: i64) -> impl IntoView {
    let leave = ServerAction::<Leave>::new();
    let error = move || leave.value().get().and_then(Result::err).map(|e| e.to_string());
    view! {
        <ActionForm action=leave attr:class="leave">
            <input type="hidden" name="room_id" value=room_id />
            <button type="submit" class="secondary" disabled=move || leave.pending().get()>"Leave room"</button>
            <p role="alert" class="error">{error}</p>
        </ActionForm>
    }
}

#[component]
fn ShareInvite(room_id: i64) -> impl IntoView {
    let offset = expect_context::<LocalOffset>().0;
    let create = ServerAction::<CreateInvite>::new();
    view! {
        <div class="share">
            <button type="button" on:click=move |_| { create.dispatch(CreateInvite { room_id }); }
                disabled=move || create.pending().get()>"Share invite link"</button>
            {move || match create.value().get() {
                Some(Ok(link)) => view! {
                    <LinkField id="invite-url" label="Invite link" url=link.url.clone() />
                    {link.expires_at_ms.map(|ms| view! {
                        <p class="muted">"Works until " {move || format::date_time(ms, offset.get())} "."</p>
                    })}
                }.into_any(),
                Some(Err(e)) => view! { <p role="alert" class="error">{e.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
        </div>
    }
}
