//! Home: your teacher spaces (by language and teacher), the rooms you
//! belong to and a form to make one; a welcome otherwise.
//! Everyone, logged in or not, can start an instant chat here.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{form_error, Session};
use crate::{
    instant::api::StartInstantChat,
    limits::{DISPLAY_NAME_MAX_CHARS, INSTANT_CHAT_TITLE_MAX_CHARS, ROOM_NAME_MAX_CHARS},
    rooms::{my_rooms, CreateRoom, Role},
};

/// `/`.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(_)) => view! {
                        <super::spaces::SpaceList />
                        <RoomList />
                        <CreateRoomForm />
                        <StartInstantChatForm logged_in=true />
                    }.into_any(),
                    _ => view! { <Welcome /> <StartInstantChatForm logged_in=false /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Welcome() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"Make a room. Share the link. Talk."</h1>
            <p>"Roomlink rooms are joined by link: whoever opens it sees the room and is in with one click."</p>
            <p>
                <A href="/signup" attr:class="button">"Sign up"</A>
                " or "
                <A href="/login">"log in"</A>
            </p>
        </section>
    }
}

#[component]
fn RoomList() -> impl IntoView {
    let rooms = Resource::new(|| (), |_| my_rooms());
    view! {
        <section class="card">
            <h1>"Your rooms"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading your rooms…"</p> }>
                {move || Suspend::new(async move {
                    match rooms.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="muted">"No rooms yet. Make one below, or open an invite link someone sent you."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="room-list">
                                {list.into_iter().map(|r| {
                                    let role = match r.role { Role::Owner => "owner", Role::Moderator => "moderator", Role::Member => "member" };
                                    let members = if r.member_count == 1 { "1 member".to_string() } else { format!("{} members", r.member_count) };
                                    view! {
                                        <li>
                                            <a href=format!("/rooms/{}", r.id)>{r.name}</a>
                                            {(r.unread > 0).then(|| view! {
                                                <span class="badge" aria-label=format!("{} unread", r.unread)>{r.unread}</span>
                                            })}
                                            <span class="muted">{members} " · " {role}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p role="alert" class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CreateRoomForm() -> impl IntoView {
    let create = ServerAction::<CreateRoom>::new();
    let error = form_error(create.value(), "create_room");
    view! {
        <section class="card">
            <h2>"Create a room"</h2>
            <ActionForm action=create>
                <label for="room-name">"Room name"</label>
                <div class="row">
                    <input id="room-name" name="name" required maxlength=ROOM_NAME_MAX_CHARS
                        autocomplete="off" placeholder="e.g. Book club" />
                    <button type="submit" disabled=move || create.pending().get()>"Create room"</button>
                </div>
                <p role="alert" class="error">{error}</p>
            </ActionForm>
        </section>
    }
}

/// "Start an instant chat": history off unless ticked; a name for
/// anonymous starters (logged-in ones use their username) and a title.
#[component]
fn StartInstantChatForm(logged_in: bool) -> impl IntoView {
    let start = ServerAction::<StartInstantChat>::new();
    let error = form_error(start.value(), "start_instant_chat");
    let name = if logged_in {
        view! { <input type="hidden" name="name" value="" /> }.into_any()
    } else {
        view! {
            <label for="host-name">"Your name (optional)"</label>
            <input id="host-name" name="name" maxlength=DISPLAY_NAME_MAX_CHARS autocomplete="nickname"
                placeholder="Shown as the host" />
        }
        .into_any()
    };
    view! {
        <section class="card">
            <h2>"Start an instant chat"</h2>
            <p class="muted">"No accounts needed: share the link, people pick a name and talk. The chat ends after 24 hours or when you end it."</p>
            <ActionForm action=start>
                {name}
                <label for="chat-title">"Title (optional)"</label>
                <input id="chat-title" name="title" maxlength=INSTANT_CHAT_TITLE_MAX_CHARS autocomplete="off"
                    placeholder="e.g. Friday plans" />
                <label class="check">
                    <input type="checkbox" name="keep_history" value="on" />
                    " Keep history (newcomers see earlier messages; otherwise nothing is saved)"
                </label>
                <button type="submit" class="primary" disabled=move || start.pending().get()>"Start an instant chat"</button>
                <p role="alert" class="error">{error}</p>
            </ActionForm>
        </section>
    }
}
