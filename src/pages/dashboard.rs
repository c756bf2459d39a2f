//! `/dashboard`: the rooms a user owns or moderates, and every invite link
//! they made, filterable by state; pending links (active, unused) first,
//! then newest; and, for teachers, their language invites and spaces
//! ([`super::teaching`]).

use leptos::prelude::*;

use super::{invite_links::LinkList, words, ErrorPage, Session};
use crate::{
    i18n::{plural_string, td_string, use_locale},
    invites::{get_dashboard, InviteStatus},
};

/// `/dashboard`.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let changed = RwSignal::new(0u32);
    Effect::new(move |_| {
        changed.track();
        session.links_changed.update(|n| *n += 1);
    });
    let data = Resource::new(move || changed.try_get(), |_| get_dashboard());
    // Join requests and unread lines in the rooms follow while the page is open.
    super::activity::follow_room_activity(changed);
    let create = ServerAction::<crate::spaces::CreateLanguageInvite>::new();
    super::teaching::remember_made(create, changed);
    let filter = RwSignal::new(None::<InviteStatus>);
    let locale = use_locale();
    let choices = [
        ("all", td_string!(locale, dashboard.all_links), None),
        ("active", td_string!(locale, dashboard.active), Some(InviteStatus::Active)),
        ("expired", td_string!(locale, dashboard.expired), Some(InviteStatus::Expired)),
        ("used_up", td_string!(locale, dashboard.used_up), Some(InviteStatus::UsedUp)),
        ("revoked", td_string!(locale, dashboard.revoked), Some(InviteStatus::Revoked)),
    ];
    view! {
        <super::PageTitle text=td_string!(locale, dashboard.title) />
        <h1>{td_string!(locale, dashboard.title)}</h1>
        <Transition fallback=move || view! { <p class="muted">{td_string!(locale, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let dashboard = match data.await {
                    Ok(d) => d,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                let rooms = dashboard.rooms.clone();
                let invites = dashboard.invites.clone();
                let teaching = dashboard.teaching.clone();
                let requests = dashboard.join_requests.clone();
                let waiting = move |room_id: i64| requests.iter().find(|(id, _)| *id == room_id).map_or(0, |(_, n)| *n);
                view! {
                    <section class="card" aria-label=td_string!(locale, dashboard.rooms_label)>
                        <h2>{td_string!(locale, dashboard.rooms_heading)}</h2>
                        {if rooms.is_empty() {
                            view! { <p class="muted">{td_string!(locale, dashboard.none_yet)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="room-list">
                                    {rooms.into_iter().map(|r| {
                                        let asking = waiting(r.id);
                                        view! {
                                            <li>
                                                <a href=format!("/rooms/{}", r.id)>{r.name}</a>
                                                {(r.unread > 0).then(|| view! {
                                                    <span class="badge" aria-label=plural_string!(locale, common.unread, count = r.unread)>{r.unread}</span>
                                                })}
                                                <span class="muted">
                                                    {words::role_name(locale, r.role)} " · "
                                                    {plural_string!(locale, common.members, count = r.member_count)}
                                                </span>
                                                {(asking > 0).then(|| view! {
                                                    <span class="badge" title=td_string!(locale, room.join_requests)
                                                        aria-label=plural_string!(locale, room.requests_waiting, count = asking)>{asking}</span>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                    <super::teaching::TeachingSection teaching create changed />
                    <section class="card" aria-label=td_string!(locale, dashboard.links_heading)>
                        <div class="row">
                            <h2>{td_string!(locale, dashboard.links_heading)}</h2>
                            <label for="link-filter" class="inline-label">{td_string!(locale, dashboard.show)}</label>
                            <select id="link-filter" on:change=move |ev| {
                                let value = event_target_value(&ev);
                                filter.set(choices.iter().find(|c| c.0 == value).and_then(|c| c.2));
                            }>
                                {choices.map(|(value, text, _)| view! { <option value=value>{text}</option> }).collect_view()}
                            </select>
                        </div>
                        {move || {
                            let shown: Vec<_> = invites.iter().filter(|l| filter.get().is_none_or(|f| l.status == f)).cloned().collect();
                            view! { <LinkList links=shown show_room=true revoked=changed /> }
                        }}
                    </section>
                }.into_any()
            })}
        </Transition>
    }
    .into_any()
}
