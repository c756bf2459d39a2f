//! Attaching an image or audio file, and recording a voice message, in a
//! member room, teacher space or instant chat. Uploads show as "Uploading …" in the timeline until the
//! server has stored them; a refused one says why next to the composer. One
//! that did not arrive (network, 429, a fault on our side) stays under the
//! composer with "Retry", which sends the same file with the same message id
//! (so the server keeps it once), and "Dismiss".

use leptos::prelude::*;

use super::LiveState;
use crate::{
    attachments::clock,
    i18n::{td_string, use_locale},
};

/// What the file picker offers (the server checks the bytes regardless).
const ACCEPT: &str = "image/png,image/jpeg,image/webp,image/gif,audio/webm,audio/ogg,audio/mp4,.webm,.ogg,.opus,.m4a";

/// The recording stops by itself this long before the 5-minute limit, in
/// milliseconds, so that what it made is never refused as too long.
#[cfg(feature = "hydrate")]
const STOP_MARGIN_MS: u32 = 1_000;

/// "Attach image or audio" and "Record voice message" (with "Stop and send"
/// and "Cancel recording" while recording).
#[component]
pub fn AttachControls(state: LiveState) -> impl IntoView {
    let locale = use_locale();
    let failed = Failed::new();
    let recording = RwSignal::new(false);
    let elapsed_ms = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    let recorder: StoredValue<Option<crate::attachments::client::Recorder>, LocalStorage> = StoredValue::new_local(None);
    #[cfg(feature = "hydrate")]
    let ticker: StoredValue<Option<gloo_timers::callback::Interval>, LocalStorage> = StoredValue::new_local(None);
    #[cfg(not(feature = "hydrate"))]
    let _ = state;

    // Ends the recording: `keep` sends it, otherwise it is thrown away.
    let finish = move |keep: bool| {
        #[cfg(feature = "hydrate")]
        {
            if keep {
                recorder.with_value(|r| r.as_ref().map(|r| r.stop()));
            }
            recorder.set_value(None); // dropping an unstopped recorder cancels it
            ticker.set_value(None);
        }
        let _ = keep;
        recording.set(false);
        elapsed_ms.set(0);
    };
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            if let Some(files) = input.files() {
                for file in (0..files.length()).filter_map(|i| files.get(i)) {
                    send_file(state, failed, file.clone().into(), file.name());
                }
            }
            input.set_value(""); // the same file can be picked again
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_record = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::{attachments::client::Recorder, limits::VOICE_MAX_MS};
            let started = js_sys::Date::now();
            let done = move |blob| send_file(state, failed, blob, td_string!(locale, live.voice_message).to_string());
            match Recorder::start(done).await {
                Ok(r) => {
                    state.error.set(None);
                    recorder.set_value(Some(r));
                    recording.set(true);
                    let tick = gloo_timers::callback::Interval::new(250, move || {
                        let ms = (js_sys::Date::now() - started) as u32;
                        elapsed_ms.set(ms);
                        if ms >= VOICE_MAX_MS - STOP_MARGIN_MS {
                            // Not from inside this timer's own callback, which `finish` drops.
                            leptos::task::spawn_local(async move { finish(true) });
                        }
                    });
                    ticker.set_value(Some(tick));
                }
                Err(reason) => state.error.set(Some(reason.message(state.locale))),
            }
        });
    };
    view! {
        <div class="attach">
            <input id="attach-input" type="file" class="visually-hidden" accept=ACCEPT multiple on:change=on_file />
            <label class="button secondary" for="attach-input">{td_string!(locale, live.attach)}</label>
            {move || if recording.get() {
                view! {
                    <span class="recording" role="status">"● " {td_string!(locale, live.recording)} " " {move || clock(elapsed_ms.get())}</span>
                    <button type="button" on:click=move |_| finish(true)>{td_string!(locale, live.stop_and_send)}</button>
                    <button type="button" class="secondary" aria-label=td_string!(locale, live.cancel_recording) on:click=move |_| finish(false)>
                        {td_string!(locale, live.cancel)}
                    </button>
                }.into_any()
            } else {
                view! { <button type="button" class="secondary" on:click=on_record>{td_string!(locale, live.record)}</button> }.into_any()
            }}
            <FailedUploads state failed />
        </div>
    }
    .into_any()
}

/// An upload that did not arrive and may be sent again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FailedUpload {
    /// The message id it was sent with, and is sent again with.
    client_id: String,
    /// "photo.png" or "voice message".
    label: String,
    /// Why it did not arrive.
    reason: String,
}

/// The failed uploads of this tab, and their files (kept in the browser for "Retry").
#[derive(Clone, Copy)]
struct Failed {
    list: RwSignal<Vec<FailedUpload>>,
    #[cfg(feature = "hydrate")]
    files: StoredValue<std::collections::HashMap<String, web_sys::Blob>, LocalStorage>,
}

impl Failed {
    fn new() -> Failed {
        Failed {
            list: RwSignal::new(Vec::new()),
            #[cfg(feature = "hydrate")]
            files: StoredValue::new_local(Default::default()),
        }
    }

    /// Forgets a failed upload (after "Retry" or "Dismiss"); its file, if kept.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn take(&self, client_id: &str) -> Option<FailedUpload> {
        #[cfg(feature = "hydrate")]
        self.files.update_value(|files| {
            files.remove(client_id);
        });
        let mut taken = None;
        self.list.update(|list| {
            if let Some(at) = list.iter().position(|f| f.client_id == client_id) {
                taken = Some(list.remove(at));
            }
        });
        taken
    }
}

/// "photo.png did not arrive: … [Retry] [Dismiss]" for each failed upload.
#[component]
fn FailedUploads(state: LiveState, failed: Failed) -> impl IntoView {
    let locale = use_locale();
    let retry = move |client_id: String| {
        #[cfg(feature = "hydrate")]
        {
            let file = failed.files.with_value(|files| files.get(&client_id).cloned());
            if let (Some(file), Some(upload)) = (file, failed.take(&client_id)) {
                send_again(state, failed, file, upload.label, upload.client_id);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (client_id, state);
    };
    view! {
        <ul class="failed-uploads" aria-label=td_string!(locale, live.failed_uploads)>
            <For each=move || failed.list.get() key=|f| f.client_id.clone() let:upload>
                <li role="alert">
                    <span>{td_string!(locale, live.did_not_arrive, label = &upload.label, reason = &upload.reason).to_string()}</span>
                    <button type="button" aria-label=td_string!(locale, live.retry_name, label = &upload.label).to_string()
                        on:click={
                            let id = upload.client_id.clone();
                            move |_| retry(id.clone())
                        }>{td_string!(locale, live.retry)}</button>
                    <button type="button" class="secondary" aria-label=td_string!(locale, live.dismiss_name, label = &upload.label).to_string()
                        on:click={
                            let id = upload.client_id.clone();
                            move |_| { failed.take(&id); }
                        }>{td_string!(locale, live.dismiss)}</button>
                </li>
            </For>
        </ul>
    }
}

/// Uploads one file or recording, showing it as "Uploading …" meanwhile.
#[cfg(feature = "hydrate")]
fn send_file(state: LiveState, failed: Failed, file: web_sys::Blob, label: String) {
    use crate::{attachments::human_size, limits::VOICE_MAX_BYTES};
    if file.size() > VOICE_MAX_BYTES as f64 {
        let (size, max) = (human_size(file.size() as u64), human_size(VOICE_MAX_BYTES as u64));
        let locale = state.locale;
        return state.error.set(Some(crate::i18n::td_string!(locale, live.file_too_large, label = &label, max = &max, size = &size).to_string()));
    }
    send_again(state, failed, file, label, super::new_client_id());
}

/// Uploads `file` with `client_id` (new, or the one a failed try used).
#[cfg(feature = "hydrate")]
fn send_again(state: LiveState, failed: Failed, file: web_sys::Blob, label: String, client_id: String) {
    let locale = state.locale;
    let pending = super::Pending { client_id, body: crate::i18n::td_string!(locale, live.uploading, label = &label).to_string() };
    state.error.set(None);
    state.uploading.update(|u| u.push(pending.clone()));
    leptos::task::spawn_local(async move {
        let result = crate::attachments::client::upload(&state.topic(), &pending.client_id, &file).await;
        state.uploading.update(|u| u.retain(|p| p.client_id != pending.client_id));
        match result {
            Ok(message) => state.on_message(message),
            Err(failure) if failure.retryable => {
                let client_id = pending.client_id.clone();
                failed.files.update_value(|files| {
                    files.insert(client_id.clone(), file);
                });
                let reason = failure.reason.message(state.locale);
                failed.list.update(|list| list.push(FailedUpload { client_id, label, reason }));
            }
            Err(failure) => state.error.set(Some(format!("{label}: {}", failure.reason.message(state.locale)))),
        }
    });
}
