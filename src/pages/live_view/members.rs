//! Who is here: the member list with a green dot for people online and
//! "last seen" for the rest, and the "Ana is typing…" line.

use leptos::prelude::*;

use super::LiveState;
use crate::pages::{format, LocalOffset};

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
                <For each=move || state.members.get() key=|m| (m.id, m.last_seen_at) let:member>
                    {
                        let id = member.id;
                        let online = move || state.online.with(|on| on.contains(&id));
                        let seen = member.last_seen_at;
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
                                <span class="status muted">{status}</span>
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
    }
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
