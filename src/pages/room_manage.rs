//! The panels under a room's header, for those who may use them: "Share
//! invite link", "Manage invite links" (every link, Revoke, "Reset link"),
//! "Banned members" (the ban list, "Lift ban"), "Join requests" (Approve,
//! Decline; [`super::join_requests`]) and, for the owner, "Room settings".
//!
//! They are not a WebAssembly chunk of their own: that was tried (see
//! `super::routes`). The fifth split point made wasm-split cut a room's
//! code into 15 files instead of 8; a cold room was about 170 ms faster
//! (40 KB less) and a warm one about 150 ms slower on the mobile profile,
//! and warm visits are the ones people make every day.

use leptos::{prelude::*, server_fn::ServerFn};

use super::{
    format,
    invite_links::{remember, InviteForm, LinkList, MadeLink},
    join_requests::RequestList,
    live_view::LiveState,
    room_owner::{DeleteRoomForm, HandOver},
};
use crate::{
    i18n::{td_string, use_locale},
    invites::{room_invites, CreateInvite, ResetInviteLinks},
    limits::{ROOM_DESCRIPTION_MAX_CHARS, ROOM_MEMBER_LIMIT_RANGE, ROOM_NAME_MAX_CHARS},
    rooms::{
        moderation::{banned_members, LiftBan},
        permissions::{RenameRoom, UpdateRoomSettings},
        BannedMember, RoomInfo,
    },
};

/// One of the panels under a room's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomPanel {
    /// "Share invite link": a link made on the first opening, and the form
    /// for a link with its own lifetime, uses, label and role.
    Invite,
    /// "Manage invite links" (owners and moderators).
    Links,
    /// "Banned members" (owners and moderators).
    Bans,
    /// "Join requests" (owners and moderators).
    Requests,
    /// "Room settings" (the owner).
    Settings,
}

impl RoomPanel {
    /// Its name in the room's address, `?panel=<name>`, which opens it when
    /// the page is rendered: the header's buttons are links there, so the
    /// panels and their forms work before (or without) the page's code.
    pub fn query(self) -> &'static str {
        match self {
            RoomPanel::Invite => "invite",
            RoomPanel::Links => "links",
            RoomPanel::Bans => "bans",
            RoomPanel::Requests => "requests",
            RoomPanel::Settings => "settings",
        }
    }

    /// The panel named `name` in the address, if any.
    pub fn from_query(name: &str) -> Option<RoomPanel> {
        [RoomPanel::Invite, RoomPanel::Links, RoomPanel::Bans, RoomPanel::Requests, RoomPanel::Settings]
            .into_iter()
            .find(|p| p.query() == name)
    }
}

/// The view of `panel` for `room`. `made` counts links made on this page
/// (the list of links follows it); `create` lives as long as the room's
/// page, so that closing and opening "Share invite link" shows the same
/// link.
pub fn room_panel(
    panel: RoomPanel,
    (room, state): (RoomInfo, LiveState),
    is_owner: bool,
    made: RwSignal<u32>,
    create: ServerAction<CreateInvite>,
) -> AnyView {
    match panel {
        RoomPanel::Invite => {
            view! { <div class="card"><InviteForm room_id=room.id is_owner made create /></div> }.into_any()
        }
        RoomPanel::Links => view! { <ManageLinks room_id=room.id made /> }.into_any(),
        RoomPanel::Bans => view! { <BanList room_id=room.id /> }.into_any(),
        RoomPanel::Requests => view! { <RequestList room_id=room.id state /> }.into_any(),
        RoomPanel::Settings => {
            let (room_id, opened_as) = (room.id, room.name.clone());
            let name = Signal::derive(move || state.renamed.get().unwrap_or_else(|| opened_as.clone()));
            view! {
                <RenameRoom room_id name=name.get_untracked() />
                <RoomSettings room />
                <HandOver room_id state />
                <DeleteRoomForm room_id name />
            }
            .into_any()
        }
    }
}

/// Every link of the room with its state, uses and who joined through it.
/// `made` counts links made on this page, so the list follows them.
#[component]
fn ManageLinks(room_id: i64, made: RwSignal<u32>) -> impl IntoView {
    let revoked = RwSignal::new(0u32);
    let reset = ServerAction::<ResetInviteLinks>::new();
    let links = Resource::new(
        move || (made.try_get(), revoked.try_get(), reset.version().try_get()),
        move |_| room_invites(room_id),
    );
    Effect::new(move |_| {
        if let Some(Ok(link)) = reset.value().try_get().flatten() {
            remember(&link);
        }
    });
    let locale = use_locale();
    let on_reset = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let question = td_string!(locale, manage.reset_question);
            if !web_sys::window().and_then(|w| w.confirm_with_message(question).ok()).unwrap_or(false) {
                return;
            }
        }
        reset.dispatch(ResetInviteLinks { room_id });
    };
    view! {
        <section class="card manage-links" aria-labelledby="links-heading">
            <div class="row">
                <h2 id="links-heading">{td_string!(locale, manage.all_links)}</h2>
                <button type="button" class="secondary" on:click=on_reset disabled=move || reset.pending().try_get().unwrap_or(false)>{td_string!(locale, manage.reset)}</button>
            </div>
            {move || match reset.value().try_get().flatten() {
                Some(Ok(link)) => view! { <MadeLink link /> }.into_any(),
                Some(Err(e)) => view! { <p role="alert" class="error">{e.message(locale)}</p> }.into_any(),
                None => ().into_any(),
            }}
            <Transition fallback=move || view! { <p class="muted">{td_string!(locale, manage.loading_links)}</p> }>
                {move || Suspend::new(async move {
                    match links.await {
                        Ok(list) => view! { <LinkList links=list show_room=false revoked /> }.into_any(),
                        Err(e) => view! { <p role="alert" class="error">{e.message(locale)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// Who is banned from the room, with who banned them and when, and "Lift
/// ban" for each (a form, so it works before the page's code has loaded).
#[component]
fn BanList(room_id: i64) -> impl IntoView {
    let lift = ServerAction::<LiftBan>::new();
    let bans = Resource::new(move || lift.version().try_get(), move |_| banned_members(room_id));
    let offset = format::local_offset();
    let locale = use_locale();
    let row = move |ban: BannedMember| {
        let when = move || format::date_time(ban.banned_at, offset.get(), locale);
        let said = match ban.banned_by.clone() {
            Some(by) => Signal::derive(move || td_string!(locale, bans.banned_by, by = by.clone(), when = when()).to_string()),
            None => Signal::derive(move || td_string!(locale, bans.banned, when = when()).to_string()),
        };
        let name = ban.name.clone();
        view! {
            <li>
                <span class="name">{ban.name.clone()}</span>" "<span class="muted">{said}</span>
                <ActionForm action=lift attr:class="inline">
                    <input type="hidden" name="room_id" value=room_id />
                    <input type="hidden" name="user_id" value=ban.user_id />
                    <button type="submit" class="secondary" aria-label=td_string!(locale, bans.lift_name, name = &name).to_string()>
                        {td_string!(locale, bans.lift)}
                    </button>
                </ActionForm>
            </li>
        }
    };
    view! {
        <section class="card bans" aria-labelledby="bans-heading">
            <h2 id="bans-heading">{td_string!(locale, bans.title)}</h2>
            <p role="alert" class="error">{move || lift.value().try_get().flatten().and_then(Result::err).map(|e| e.message(locale))}</p>
            <Transition fallback=move || view! { <p class="muted">{td_string!(locale, bans.loading)}</p> }>
                {move || Suspend::new(async move {
                    match bans.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{td_string!(locale, bans.none)}</p> }.into_any(),
                        Ok(list) => view! { <ul class="ban-list">{list.into_iter().map(row).collect_view()}</ul> }.into_any(),
                        Err(e) => view! { <p role="alert" class="error">{e.message(locale)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// The owner's "Room name" and "Rename": the header and every open tab
/// follow once it is saved (by the timeline's "renamed" line). Posts as a
/// plain form without JavaScript.
#[component]
fn RenameRoom(room_id: i64, name: String) -> impl IntoView {
    let rename = ServerAction::<RenameRoom>::new();
    let name = RwSignal::new(name);
    let locale = use_locale();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        rename.dispatch(RenameRoom { room_id, name: name.get() });
    };
    view! {
        <form class="card rename-room" method="post" action={<RenameRoom as ServerFn>::PATH} on:submit=submit aria-label=td_string!(locale, manage.rename)>
            <input type="hidden" name="room_id" value=room_id />
            <label for="room-name">{td_string!(locale, manage.room_name)}</label>
            <div class="row">
                <input id="room-name" name="name" required maxlength=ROOM_NAME_MAX_CHARS.to_string()
                    value=name.get_untracked() prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <button type="submit" disabled=move || rename.pending().try_get().unwrap_or(false)>{td_string!(locale, manage.rename)}</button>
            </div>
            <p role="alert" class="error">{move || rename.value().try_get().flatten().and_then(Result::err).map(|e| e.message(locale))}</p>
        </form>
    }
    .into_any()
}

/// The owner's room settings: description, member limit, and whether plain
/// members may make invite links. Saved with "Save settings"; posts as a
/// plain form without JavaScript.
#[component]
fn RoomSettings(room: RoomInfo) -> impl IntoView {
    let save = ServerAction::<UpdateRoomSettings>::new();
    let description = RwSignal::new(room.description.clone());
    let limit = RwSignal::new(room.member_limit.to_string());
    let members_invite = RwSignal::new(room.members_can_invite);
    let room_id = room.id;
    let locale = use_locale();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(UpdateRoomSettings {
            room_id,
            description: description.get(),
            // Not a number: the server answers with the allowed range.
            member_limit: limit.get().trim().parse().unwrap_or(0),
            members_can_invite: members_invite.get(),
        });
    };
    view! {
        <form class="card room-settings" method="post" action={<UpdateRoomSettings as ServerFn>::PATH} on:submit=submit aria-label=td_string!(locale, room.settings)>
            <h2>{td_string!(locale, room.settings)}</h2>
            <input type="hidden" name="room_id" value=room_id />
            <label for="room-description">{td_string!(locale, manage.description)}</label>
            <textarea id="room-description" name="description" rows="2" maxlength=ROOM_DESCRIPTION_MAX_CHARS.to_string()
                prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))>{textarea_text(description.get_untracked())}</textarea>
            <label for="room-limit">
                {td_string!(locale, manage.member_limit, low = ROOM_MEMBER_LIMIT_RANGE.start(), high = ROOM_MEMBER_LIMIT_RANGE.end()).to_string()}
            </label>
            <input id="room-limit" name="member_limit" type="number" inputmode="numeric" min=ROOM_MEMBER_LIMIT_RANGE.start().to_string()
                max=ROOM_MEMBER_LIMIT_RANGE.end().to_string()
                value=limit.get_untracked() prop:value=move || limit.get() on:input=move |ev| limit.set(event_target_value(&ev)) />
            <label class="check">
                <input type="checkbox" name="members_can_invite" value="true" checked=members_invite.get_untracked()
                    prop:checked=move || members_invite.get()
                    on:change=move |ev| members_invite.set(event_target_checked(&ev)) />
                {td_string!(locale, manage.members_invite)}
            </label>
            <button type="submit" disabled=move || save.pending().try_get().unwrap_or(false)>{td_string!(locale, manage.save)}</button>
            <p role="status" class="muted">{move || matches!(save.value().try_get().flatten(), Some(Ok(()))).then_some(td_string!(locale, common.saved))}</p>
            <p role="alert" class="error">{move || save.value().try_get().flatten().and_then(Result::err).map(|e| e.message(locale))}</p>
        </form>
    }
    .into_any()
}

/// The saved text as a `<textarea>`'s content, so the form shows it (and
/// posts it unchanged) before or without the page's code; `prop:value`
/// follows edits after that. tachys writes a textarea's children into the
/// server's HTML unescaped (as for `<script>`), so a description holding
/// `</textarea>` could end the element and inject markup: on the server the
/// text is escaped here (the element decodes character references, so the
/// field reads as typed); in the browser it goes in as a text node, as is.
fn textarea_text(text: String) -> String {
    if cfg!(feature = "ssr") {
        html_escape::encode_text(&text).into_owned()
    } else {
        text
    }
}
