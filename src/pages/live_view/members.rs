//! Who is here: the member list with a green dot for people online and
//! "last seen" for the rest, and the "Ana is typing…" line.

use leptos::prelude::*;

use super::{permissions::PermissionsEditor, LiveState};
use crate::{
    live::Topic,
    pages::{format, LocalOffset},
    rooms::{moderation::may_moderate, Rights, Role},
};

/// The member list. Each entry says "online" or "last seen …" in words, so
/// it reads the same to screen readers as the dot does to the eye.
#[component]
pub fn MemberList(state: LiveState) -> impl IntoView {
    let offset = expect_context::<LocalOffset>().0;
    let summary = move || {
        let total = state.members.with(Vec::len);
        let online = state.members.with(|list| state.online.with(|on| list.iter().filter(|m| on.contains(&m.id)).count()));
        format!("{total} {} · {online} online", if total == 1 { "member" } else { "members" })
    };
    view! {
        <section class="members" aria-label="Members">
            <p class="muted members-summary">{summary}</p>
            <ul>
                <For each=move || state.members.get() key=|m| (m.id, m.last_seen_at, m.rights) let:member>
                    {
                        let id = member.id;
                        let online = move || state.online.with(|on| on.contains(&id));
                        let seen = member.last_seen_at;
                        let (name, rights) = (member.name.clone(), member.rights);
                        let status = move || match (online(), seen) {
                            (true, _) => "online".to_string(),
                            (false, Some(ms)) => format!("last seen {}", format::date_time(ms, offset.get())),
                            (false, None) => "offline".to_string(),
                        };
                        view! {
                            <li data-online=move || online().to_string() data-member=member.name.clone()>
                                <span class="dot" aria-hidden="true"></span>
                                <span class="name">{member.name.clone()}</span>
                                {member.tag.map(|tag| view! { <span class="tag" data-tag=tag.label()>{tag.label()}</span> })}
                                {member.rights.map(tags)}
                                <span class="status muted">{status}</span>
                                {move || moderation(state, id, name.clone(), rights)}
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
    }
}

/// "owner" or "moderator" next to a name, and "muted"; nothing for plain members.
fn tags(rights: Rights) -> impl IntoView {
    let role = (rights.role != Role::Member).then(|| rights.role.label());
    let muted = (!rights.can_write).then_some("muted");
    [role, muted].into_iter().flatten().map(|label| view! { <span class="tag" data-tag=label>{label}</span> }).collect_view()
}

/// "Remove", "Ban" and "Mute" for a member the viewer may act on (owners on
/// anyone else, moderators on plain members), and for the owner "Permissions".
/// The result shows as a timeline line or new tags; a refusal shows next to
/// the composer.
fn moderation(state: LiveState, member_id: i64, name: String, rights: Option<Rights>) -> Option<AnyView> {
    let Topic::Room(room_id) = state.topic() else { return None };
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
                state.error.set(Some(err.to_string()));
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
                state.error.set(Some(err.to_string()));
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (ban, room_id);
    };
    let ban = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let question = "Ban this member? They are removed and no invite link will let them back in.";
            if !web_sys::window().and_then(|w| w.confirm_with_message(question).ok()).unwrap_or(false) {
                return;
            }
        }
        act(true);
    };
    let mute_label = if them.can_write { "Mute" } else { "Unmute" };
    Some(view! {
        <span class="moderate">
            <button type="button" class="link" aria-label=format!("{mute_label} {name}") on:click=mute>{mute_label}</button>
            <button type="button" class="link" aria-label=format!("Remove {name}") on:click=move |_| act(false)>"Remove"</button>
            <button type="button" class="link danger" aria-label=format!("Ban {name}") on:click=ban>"Ban"</button>
            {owner_part}
        </span>
    }.into_any())
}

/// "Ana is typing…" under the timeline; empty when nobody else types.
#[component]
pub fn TypingLine(state: LiveState) -> impl IntoView {
    let text = move || state.typing.with(|list| typing_text(&list.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>()));
    view! { <p class="typing muted" aria-live="polite">{text}</p> }
}

/// The words for who is typing: one, two or three names, else "Several
/// people" (as Slack words it); empty for nobody.
pub fn typing_text(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("{one} is typing…"),
        [a, b] => format!("{a} and {b} are typing…"),
        [a, b, c] => format!("{a}, {b} and {c} are typing…"),
        _ => "Several people are typing…".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::typing_text;

    #[test]
    fn typing_words() {
        assert_eq!(typing_text(&[]), "");
        assert_eq!(typing_text(&["Ana"]), "Ana is typing…");
        assert_eq!(typing_text(&["Ana", "Bruno"]), "Ana and Bruno are typing…");
        assert_eq!(typing_text(&["Ana", "Bruno", "Carla"]), "Ana, Bruno and Carla are typing…");
        assert_eq!(typing_text(&["Ana", "Bruno", "Carla", "Davi"]), "Several people are typing…");
    }
}
