//! Room lists that follow activity in the rooms (issue 40): the home page's
//! unread badges and the dashboard's join request counts update while the
//! page is open ([`crate::rooms::activity`]).

use leptos::prelude::*;

/// While the calling component lives, bumps `changed` whenever something
/// the person's room lists show may have changed: a line in one of their
/// rooms, or join requests in a room they moderate. At most once per
/// [`crate::limits::ROOM_LIST_REFRESH_MIN_MS`]. Key the list's resource on
/// `changed`. Nothing on the server, where pages are rendered once.
pub fn follow_room_activity(changed: RwSignal<u32>) {
    #[cfg(feature = "hydrate")]
    {
        use std::sync::{
            atomic::{AtomicBool, Ordering},
            Arc,
        };

        use crate::{error::AppError, rooms::activity::await_room_activity};
        use gloo_timers::future::TimeoutFuture;

        let gone = Arc::new(AtomicBool::new(false));
        let flag = gone.clone();
        on_cleanup(move || flag.store(true, Ordering::Relaxed));
        leptos::task::spawn_local(async move {
            let mut seen = None;
            while !gone.load(Ordering::Relaxed) {
                let asked = seen.map(|s: crate::rooms::RoomsActivity| (s.newest_line, s.join_requests));
                match await_room_activity(asked.map(|a| a.0), asked.map(|a| a.1)).await {
                    Ok(now) => {
                        let moved = seen.is_some_and(|s| s != now);
                        seen = Some(now);
                        if moved && changed.try_update(|n| *n += 1).is_some() {
                            TimeoutFuture::new(crate::limits::ROOM_LIST_REFRESH_MIN_MS).await;
                        }
                    }
                    // Logged out meanwhile: nothing more to follow.
                    Err(AppError::NotLoggedIn) => return,
                    // Offline, or the server restarting: ask again shortly.
                    Err(_) => TimeoutFuture::new(3_000).await,
                }
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = changed;
}
