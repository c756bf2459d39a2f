//! Home: your teacher spaces (by language and teacher), the rooms you
//! belong to and a form to make one; a welcome otherwise.
//! Everyone, logged in or not, can start an instant chat here.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{form_error, Session};
use crate::{
    i18n::{plural_string, td_string, use_locale},
    instant::api::StartInstantChat,
    limits::{DISPLAY_NAME_MAX_CHARS, INSTANT_CHAT_TITLE_MAX_CHARS, ROOM_NAME_MAX_CHARS},
    rooms::{my_rooms, CreateRoom},
};

/// `/`.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let locale = use_locale();
    view! {
        <super::account_deletion::DeletedNotice />
        <super::email::EmailConfirmedNotice />
        <Suspense fallback=move || view! { <p class="muted">{td_string!(locale, common.loading)}</p> }>
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
    let locale = use_locale();
    view! {
        <section class="hero">
            <h1>{td_string!(locale, home.hero_title)}</h1>
            <p>{td_string!(locale, home.hero_text)}</p>
            <p>
                <A href="/signup" attr:class="button">{td_string!(locale, home.hero_sign_up)}</A>
                {td_string!(locale, home.hero_or)}
                <A href="/login">{td_string!(locale, home.hero_log_in)}</A>
            </p>
        </section>
    }
}

#[component]
fn RoomList() -> impl IntoView {
    // Read again when a line lands in one of the rooms: the unread badges follow.
    let changed = RwSignal::new(0u32);
    let rooms = Resource::new(move || changed.try_get(), |_| my_rooms());
    super::activity::follow_room_activity(changed);
    let locale = use_locale();
    view! {
        <section class="card">
            <h1>{td_string!(locale, home.your_rooms)}</h1>
            <Transition fallback=move || view! { <p class="muted">{td_string!(locale, home.loading_rooms)}</p> }>
                {move || Suspend::new(async move {
                    match rooms.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="muted">{td_string!(locale, home.no_rooms)}</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="room-list">
                                {list.into_iter().map(|r| {
                                    let role = super::words::role_name(locale, r.role);
                                    let members = plural_string!(locale, common.members, count = r.member_count);
                                    view! {
                                        <li>
                                            <a href=format!("/rooms/{}", r.id)>{r.name}</a>
                                            {(r.unread > 0).then(|| view! {
                                                <span class="badge" aria-label=plural_string!(locale, common.unread, count = r.unread)>{r.unread}</span>
                                            })}
                                            <span class="muted">{members} " · " {role}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p role="alert" class="error">{e.message(locale)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn CreateRoomForm() -> impl IntoView {
    let create = ServerAction::<CreateRoom>::new();
    let error = form_error(create.value(), "create_room");
    let locale = use_locale();
    view! {
        <section class="card">
            <h2>{td_string!(locale, home.create_room)}</h2>
            <ActionForm action=create>
                <label for="room-name">{td_string!(locale, home.room_name)}</label>
                <div class="row">
                    <input id="room-name" name="name" required maxlength=ROOM_NAME_MAX_CHARS
                        autocomplete="off" placeholder=td_string!(locale, home.room_name_placeholder) />
                    <button type="submit" disabled=move || create.pending().try_get().unwrap_or(false)>{td_string!(locale, home.create_room_button)}</button>
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
    let locale = use_locale();
    let name = if logged_in {
        view! { <input type="hidden" name="name" value="" /> }.into_any()
    } else {
        view! {
            <label for="host-name">{td_string!(locale, home.your_name_optional)}</label>
            <input id="host-name" name="name" maxlength=DISPLAY_NAME_MAX_CHARS autocomplete="nickname"
                placeholder=td_string!(locale, home.host_placeholder) />
        }
        .into_any()
    };
    view! {
        <section class="card">
            <h2>{td_string!(locale, home.start_chat)}</h2>
            <p class="muted">{td_string!(locale, home.start_chat_text)}</p>
            <ActionForm action=start>
                {name}
                <label for="chat-title">{td_string!(locale, home.chat_title_optional)}</label>
                <input id="chat-title" name="title" maxlength=INSTANT_CHAT_TITLE_MAX_CHARS autocomplete="off"
                    placeholder=td_string!(locale, home.chat_title_placeholder) />
                <label class="check">
                    <input type="checkbox" name="keep_history" value="on" />
                    {td_string!(locale, home.keep_history)}
                </label>
                <button type="submit" class="primary" disabled=move || start.pending().try_get().unwrap_or(false)>{td_string!(locale, home.start_chat)}</button>
                <p role="alert" class="error">{error}</p>
            </ActionForm>
        </section>
    }
}

