//! Home: the rooms you belong to and a form to make one; a welcome otherwise.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{form_error, Session};
use crate::{
    limits::ROOM_NAME_MAX_CHARS,
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
                    Ok(Some(_)) => view! { <RoomList /> <CreateRoomForm /> }.into_any(),
                    _ => view! { <Welcome /> }.into_any(),
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
