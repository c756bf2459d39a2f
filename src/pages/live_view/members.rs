//! Who is here: the member list with a green dot for people online and
//! "last seen" for the rest, and the "Ana is typing…" line.

use leptos::prelude::*;

use super::{permissions::PermissionsEditor, LiveState};
use crate::{
    i18n::{plural_string, td_string, use_locale, Locale},
    live::Topic,
    pages::{format, words},
    rooms::{moderation::may_moderate, Rights, Role},
};

/// The member list. Each entry says "online" or "last seen …" in words, so
/// it reads the same to screen readers as the dot does to the eye.
#[component]
pub fn MemberList(state: LiveState) -> impl IntoView {
    let offset = format::local_offset();
    let locale = use_locale();
    // "Last seen 5 minutes ago" once the page is hydrated (the server
    // writes the date), kept true by a tick every half minute.
    let now = RwSignal::new(0i64);
    #[cfg(feature = "hydrate")]
    {
        let tick = move || now.set(js_sys::Date::now() as i64);
        tick();
        let ticker = gloo_timers::callback::Interval::new(30_000, tick);
        let _kept: StoredValue<Option<gloo_timers::callback::Interval>, LocalStorage> = StoredValue::new_local(Some(ticker));
    }
    let summary = move || {
        let total = state.members.with(Vec::len);
        let online = state.members.with(|list| state.online.with(|on| list.iter().filter(|m| on.contains(&m.id)).count()));
        plural_string!(locale, live.members_summary, count = total, online = online)
    };
    view! {
        <section class="members" aria-label=td_string!(locale, live.members_label)>
            <p class="muted members-summary">{summary}</p>
            <ul>
                <For each=move || state.members.get() key=|m| (m.id, m.last_seen_at, m.rights) let:member>
                    {
                        let id = member.id;
                        let online = move || state.online.with(|on| on.contains(&id));
                        let seen = member.last_seen_at;
                        let (name, rights) = (member.name.clone(), member.rights);
                        let status = move || match (online(), seen) {
                            (true, _) => td_string!(locale, live.online).to_string(),
                            (false, Some(ms)) => match offset.get().and(format::ago(ms, now.get(), locale)) {
                                Some(when) => td_string!(locale, live.last_seen_ago, when).to_string(),
                                None => td_string!(locale, live.last_seen, when = format::date_time(ms, offset.get(), locale)).to_string(),
                            },
                            (false, None) => td_string!(locale, live.offline).to_string(),
                        };
                        view! {
                            <li data-online=move || online().to_string() data-member=member.name.clone()>
                                <span class="dot" aria-hidden="true"></span>
                                <span class="name">{member.name.clone()}</span>
                                {member.tag.map(|tag| view! { <span class="tag" data-tag=tag.label()>{words::tag_name(locale, tag)}</span> })}
                                {member.rights.map(|rights| tags(rights, locale))}
                                <span class="status muted">{status}</span>
                                {move || moderation(state, id, name.clone(), rights, locale)}
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
    }
}

/// "owner" or "moderator" next to a name, and "muted"; nothing for plain members.
fn tags(rights: Rights, locale: Locale) -> impl IntoView {
    let role = (rights.role != Role::Member).then(|| (rights.role.label(), words::role_name(locale, rights.role)));
    let muted = (!rights.can_write).then(|| ("muted", words::muted(locale)));
    [role, muted]
        .into_iter()
        .flatten()
        .map(|(tag, text)| view! { <span class="tag" data-tag=tag>{text}</span> })
        .collect_view()
}

/// "Remove", "Ban" and "Mute" for a member the viewer may act on (owners on
/// anyone else, moderators on plain members), and for the owner "Permissions".
/// The result shows as a timeline line or new tags; a refusal shows next to
/// the composer.
fn moderation(state: LiveState, member_id: i64, name: String, rights: Option<Rights>, locale: Locale) -> Option<AnyView> {
    let room_id = match state.topic() {
        Topic::Room(room_id) => room_id,
        Topic::Chat(chat_id) => return host_removes(state, chat_id, member_id, &name, locale),
    };
    let them = rights.unwrap_or(Rights { role: Role::Member, can_write: true, can_invite: false, can_moderate: false });
    let me = state.rights.get()?;
    if member_id == state.my_id || !may_moderate(me, them.role) {
        return None;
    }
    let mute = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let done = crate::rooms::permissions::mute_member(room_id, member_id, them.can_write).await;
            if let Err(err) = done {
                state.error.set(Some(err.message(locale)));
            }
        });
    };
    let owner_part = (me.role == Role::Owner).then(|| {
        let name = name.clone();
        view! { <PermissionsEditor state room_id member_id name rights=them /> }
    });
    let act = move |ban: bool| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::rooms::moderation::{ban_member, remove_member};
            let done = if ban { ban_member(room_id, member_id).await } else { remove_member(room_id, member_id).await };
            if let Err(err) = done {
                state.error.set(Some(err.message(locale)));
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (ban, room_id);
    };
    let ban = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let question = td_string!(locale, live.ban_question);
            if !web_sys::window().and_then(|w| w.confirm_with_message(question).ok()).unwrap_or(false) {
                return;
            }
        }
        act(true);
    };
    let (mute_label, mute_name) = if them.can_write {
        (td_string!(locale, live.mute), td_string!(locale, live.mute_name, name = &name).to_string())
    } else {
        (td_string!(locale, live.unmute), td_string!(locale, live.unmute_name, name = &name).to_string())
    };
    let remove_name = td_string!(locale, live.remove_name, name = &name).to_string();
    let ban_name = td_string!(locale, live.ban_name, name = &name).to_string();
    Some(view! {
        <span class="moderate">
            <button type="button" class="link" aria-label=mute_name on:click=mute>{mute_label}</button>
            <button type="button" class="link" aria-label=remove_name on:click=move |_| act(false)>{td_string!(locale, live.remove)}</button>
            <button type="button" class="link danger" aria-label=ban_name on:click=ban>{td_string!(locale, live.ban)}</button>
            {owner_part}
        </span>
    }.into_any())
}

/// An instant chat host's "Remove" next to everyone else (see
/// [`crate::instant::moderation::remove_from_instant_chat`]); the result
/// shows as a timeline line, a refusal next to the composer.
fn host_removes(state: LiveState, chat_id: String, member_id: i64, name: &str, locale: Locale) -> Option<AnyView> {
    if !state.is_host() || member_id == state.my_id {
        return None;
    }
    let remove = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let chat_id = chat_id.clone();
            leptos::task::spawn_local(async move {
                if let Err(err) = crate::instant::moderation::remove_from_instant_chat(chat_id, member_id).await {
                    state.error.set(Some(err.message(locale)));
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &chat_id;
    };
    let label = td_string!(locale, live.remove_name, name = name).to_string();
    Some(view! {
        <span class="moderate">
            <button type="button" class="link danger" aria-label=label on:click=remove>{td_string!(locale, live.remove)}</button>
        </span>
    }.into_any())
}

/// "Ana is typing…" under the timeline; empty when nobody else types.
#[component]
pub fn TypingLine(state: LiveState) -> impl IntoView {
    let locale = use_locale();
    let text = move || state.typing.with(|list| typing_text(&list.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(), locale));
    view! { <p class="typing muted" aria-live="polite">{text}</p> }
}

/// The words for who is typing: one, two or three names, else "Several
/// people" (as Slack words it); empty for nobody.
pub fn typing_text(names: &[&str], locale: Locale) -> String {
    match *names {
        [] => String::new(),
        [a] => td_string!(locale, live.typing_one, a).to_string(),
        [a, b] => td_string!(locale, live.typing_two, a, b).to_string(),
        [a, b, c] => td_string!(locale, live.typing_three, a, b, c).to_string(),
        _ => td_string!(locale, live.typing_several).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::typing_text;
    use crate::i18n::Locale;

    #[test]
    fn typing_words() {
        let english = Locale::en;
        assert_eq!(typing_text(&[], english), "");
        assert_eq!(typing_text(&["Ana"], english), "Ana is typing…");
        assert_eq!(typing_text(&["Ana", "Bruno"], english), "Ana and Bruno are typing…");
        assert_eq!(typing_text(&["Ana", "Bruno", "Carla"], english), "Ana, Bruno and Carla are typing…");
        assert_eq!(typing_text(&["Ana", "Bruno", "Carla", "Davi"], english), "Several people are typing…");
    }

    #[test]
    fn typing_words_in_portuguese() {
        let pt = Locale::pt_BR;
        assert_eq!(typing_text(&["Ana"], pt), "Ana está digitando…");
        assert_eq!(typing_text(&["Ana", "Bruno"], pt), "Ana e Bruno estão digitando…");
        assert_eq!(typing_text(&["Ana", "Bruno", "Carla"], pt), "Ana, Bruno e Carla estão digitando…");
        assert_eq!(typing_text(&["Ana", "Bruno", "Carla", "Davi"], pt), "Várias pessoas estão digitando…");
    }
}
