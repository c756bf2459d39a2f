//! The browser side of attachments: uploading a file with `fetch`, and
//! recording a voice message with `MediaRecorder` (through web-sys).

use std::{cell::RefCell, rc::Rc};

use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobEvent, BlobPropertyBag, MediaRecorder, MediaRecorderOptions, MediaStream, MediaStreamConstraints};

use super::upload_url;
use crate::{
    error::{AppError, Refusal},
    live::ChatMessage,
};

/// Container types tried for recording, best first: Chromium and Firefox
/// record WebM or Ogg Opus, Safari MP4.
const RECORDING_TYPES: [&str; 4] = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];

/// Why an upload did not work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadFailure {
    /// Why: the server's error, or that the upload did not arrive (worded
    /// by the page with [`AppError::message`]).
    pub reason: AppError,
    /// True when sending the same file again may work: the upload did not
    /// reach Roomlink, came too fast (429) or met a fault on our side (5xx).
    /// False for refusals of the file itself (too big, wrong type, too long…).
    pub retryable: bool,
}

/// Uploads `file` to a room or instant chat as a new message with `client_id`. Sending the
/// same file again with the same `client_id` stores it once.
///
/// Returns the stored message (the room also gets it live). Errors: an
/// [`UploadFailure`] with the server's reason, or saying the upload did not
/// reach Roomlink.
pub async fn upload(topic: &crate::live::Topic, client_id: &str, file: &Blob) -> Result<ChatMessage, UploadFailure> {
    let unreachable = |_| UploadFailure { reason: AppError::Unavailable(Refusal::UploadUnreachable), retryable: true };
    let window = web_sys::window()
        .ok_or(UploadFailure { reason: AppError::Unavailable(Refusal::UploadUnreachable), retryable: false })?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(file);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let response = JsFuture::from(window.fetch_with_str_and_init(&upload_url(topic, client_id), &init))
        .await
        .map_err(unreachable)?;
    let response: web_sys::Response = response.dyn_into().map_err(unreachable)?;
    let text = JsFuture::from(response.text().map_err(unreachable)?).await.map_err(unreachable)?;
    let text = text.as_string().unwrap_or_default();
    let status = response.status();
    if response.ok() {
        return serde_json::from_str(&text)
            .map_err(|_| UploadFailure { reason: AppError::Invalid(Refusal::AnswerUnreadable), retryable: false });
    }
    let reason = serde_json::from_str::<AppError>(&text)
        .unwrap_or(AppError::Unavailable(Refusal::UploadRefused { status }));
    Err(UploadFailure { reason, retryable: status == 429 || status >= 500 })
}

/// A voice message being recorded from the microphone.
///
/// Dropping it without [`Recorder::stop`] discards the recording and
/// releases the microphone.
pub struct Recorder {
    recorder: MediaRecorder,
    stream: MediaStream,
    /// Set by [`Recorder::stop`]: the recording is wanted.
    keep: Rc<RefCell<bool>>,
}

impl Recorder {
    /// Asks for the microphone and starts recording. When the recording
    /// stops after [`Recorder::stop`], `done` gets it as one blob.
    ///
    /// Errors: a [`Refusal`] for the person (no microphone, permission denied,
    /// no supported recording format).
    pub async fn start(done: impl FnOnce(Blob) + 'static) -> Result<Recorder, Refusal> {
        let window = web_sys::window().ok_or(Refusal::NeedsHttps)?;
        let devices = window.navigator().media_devices().map_err(|_| Refusal::NeedsHttps)?;
        let constraints = MediaStreamConstraints::new();
        constraints.set_audio(&JsValue::TRUE);
        let denied = |_| Refusal::MicrophoneDenied;
        let promise = devices.get_user_media_with_constraints(&constraints).map_err(denied)?;
        let stream: MediaStream = JsFuture::from(promise).await.map_err(denied)?.dyn_into().map_err(denied)?;
        let Some(mime) = RECORDING_TYPES.into_iter().find(|t| MediaRecorder::is_type_supported(t)) else {
            stop_tracks(&stream);
            return Err(Refusal::CannotRecord);
        };
        let options = MediaRecorderOptions::new();
        options.set_mime_type(mime);
        let recorder = MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &options).map_err(|_| {
            stop_tracks(&stream);
            Refusal::RecordingFailed
        })?;

        let chunks: Rc<RefCell<Vec<Blob>>> = Rc::default();
        let keep = Rc::new(RefCell::new(false));
        let on_data = {
            let chunks = chunks.clone();
            Closure::<dyn FnMut(BlobEvent)>::new(move |event: BlobEvent| {
                if let Some(data) = event.data() {
                    chunks.borrow_mut().push(data);
                }
            })
        };
        // The stop handler runs once, possibly after this `Recorder` is gone,
        // so it owns itself (freed once called) and the data handler.
        recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
        let on_stop = {
            let (keep, stream) = (keep.clone(), stream.clone());
            let content_type = mime.split(';').next().unwrap_or(mime).to_string();
            Closure::once_into_js(move || {
                let _data_handler = on_data;
                stop_tracks(&stream);
                if !*keep.borrow() {
                    return;
                }
                let parts = js_sys::Array::new();
                for chunk in chunks.borrow_mut().drain(..) {
                    parts.push(&chunk);
                }
                let bag = BlobPropertyBag::new();
                bag.set_type(&content_type);
                if let Ok(blob) = Blob::new_with_blob_sequence_and_options(&parts, &bag) {
                    done(blob);
                }
            })
        };
        recorder.set_onstop(Some(on_stop.unchecked_ref()));
        recorder.start().map_err(|_| {
            stop_tracks(&stream);
            Refusal::RecordingFailed
        })?;
        Ok(Recorder { recorder, stream, keep })
    }

    /// Stops recording and hands the recording to `done` (soon, once the
    /// browser has flushed it; the `Recorder` may be dropped meanwhile).
    pub fn stop(&self) {
        *self.keep.borrow_mut() = true;
        let _ = self.recorder.stop();
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if !*self.keep.borrow() {
            // Cancelled: release the microphone; the stop handler discards the data.
            let _ = self.recorder.stop();
            stop_tracks(&self.stream);
        }
    }
}

/// Turns the microphone off (the browser's recording indicator goes away).
fn stop_tracks(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}
