//! What an uploaded file really is, from its bytes, never its name or the
//! `Content-Type` the browser claims.
//!
//! Types come from magic bytes (`infer`), image dimensions from the image
//! header (`imagesize`), and a voice message's length from demuxing the
//! container (`symphonia`, demuxers only, nothing is decoded). Symphonia 0.6.1
//! reads the unknown-size clusters that browsers' `MediaRecorder` writes
//! (pdeljanov/Symphonia#541), which older versions stop at.

use std::io::{Cursor, ErrorKind};

use symphonia::core::{
    codecs::CodecParameters,
    errors::Error as DemuxError,
    formats::{probe::Hint, FormatOptions},
    io::{MediaSourceStream, MediaSourceStreamOptions},
    meta::MetadataOptions,
    units::Timestamp,
};

use super::{clock, human_size, AttachmentKind};
use crate::{
    error::{AppError, Refusal},
    limits::{IMAGE_MAX_BYTES, IMAGE_MAX_SIDE_PX, VOICE_MAX_BYTES, VOICE_MAX_MS},
};

/// What an accepted file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    /// Image or voice message.
    pub kind: AttachmentKind,
    /// The type to serve it with: `image/png`, `image/jpeg`, `image/webp`,
    /// `image/gif`, `audio/webm`, `audio/ogg` or `audio/mp4`.
    pub content_type: &'static str,
    /// Images: width and height in pixels.
    pub dimensions: Option<(u32, u32)>,
    /// Voice messages: length in milliseconds.
    pub duration_ms: Option<u32>,
}

/// Checks an uploaded file against what Roomlink takes and the limits in
/// [`crate::limits`].
///
/// Errors, each with a message a person can act on:
/// [`AppError::Invalid`] for an empty file, a damaged image or recording, an
/// image over 16384 px a side, audio with video in it, or a recording over 5
/// minutes; [`AppError::TooLarge`] for an image over 5 MB or audio over 10 MB;
/// [`AppError::UnsupportedType`] for anything else.
pub fn inspect(bytes: &[u8]) -> Result<Inspected, AppError> {
    if bytes.is_empty() {
        return Err(AppError::Invalid(Refusal::FileEmpty));
    }
    let mime = infer::get(bytes).map(|t| t.mime_type());
    let (kind, content_type) = match mime {
        Some(t @ ("image/png" | "image/jpeg" | "image/webp" | "image/gif")) => (AttachmentKind::Image, t),
        Some("video/webm" | "video/x-matroska") => (AttachmentKind::Voice, "audio/webm"),
        Some("audio/ogg" | "audio/opus") => (AttachmentKind::Voice, "audio/ogg"),
        Some("video/mp4" | "audio/m4a" | "audio/x-m4a" | "audio/mp4") => (AttachmentKind::Voice, "audio/mp4"),
        Some(other) => return Err(AppError::UnsupportedType(Refusal::UnsupportedType { found: Some(other.to_string()) })),
        None => return Err(AppError::UnsupportedType(Refusal::UnsupportedType { found: None })),
    };
    let size = human_size(bytes.len() as u64);
    match kind {
        AttachmentKind::Image => {
            if bytes.len() > IMAGE_MAX_BYTES {
                let max = human_size(IMAGE_MAX_BYTES as u64);
                return Err(AppError::TooLarge(Refusal::ImageTooLarge { max, size }));
            }
            let dimensions = image_dimensions(bytes)?;
            Ok(Inspected { kind, content_type, dimensions: Some(dimensions), duration_ms: None })
        }
        AttachmentKind::Voice => {
            if bytes.len() > VOICE_MAX_BYTES {
                let max = human_size(VOICE_MAX_BYTES as u64);
                return Err(AppError::TooLarge(Refusal::VoiceTooLarge { max, size }));
            }
            let ms = audio_length_ms(bytes).map_err(AppError::Invalid)?;
            if ms > u64::from(VOICE_MAX_MS) {
                // Tenths, so that 5:00.4 does not read as the 5:00 allowed.
                let (max, tenths) = (clock(VOICE_MAX_MS), ms.div_ceil(100));
                let length = format!("{}:{:02}.{}", tenths / 600, tenths / 10 % 60, tenths % 10);
                return Err(AppError::Invalid(Refusal::VoiceTooLong { max, length }));
            }
            Ok(Inspected { kind, content_type, dimensions: None, duration_ms: Some(ms as u32) })
        }
    }
}

/// Width and height of an image; refuses unreadable or oversized ones.
fn image_dimensions(bytes: &[u8]) -> Result<(u32, u32), AppError> {
    let damaged = || AppError::Invalid(Refusal::ImageDamaged);
    let size = imagesize::blob_size(bytes).map_err(|_| damaged())?;
    let (width, height) = (u32::try_from(size.width).unwrap_or(u32::MAX), u32::try_from(size.height).unwrap_or(u32::MAX));
    if width == 0 || height == 0 {
        return Err(damaged());
    }
    if width > IMAGE_MAX_SIDE_PX || height > IMAGE_MAX_SIDE_PX {
        return Err(AppError::Invalid(Refusal::ImageTooBig { max: IMAGE_MAX_SIDE_PX, width, height }));
    }
    Ok((width, height))
}

/// The length of an audio-only recording in milliseconds: the end of its
/// last packet, or the container's stated length if that is longer.
///
/// Errors: a [`Refusal`] for the person (unreadable container, video inside,
/// no audio).
pub fn audio_length_ms(bytes: &[u8]) -> Result<u64, Refusal> {
    let unreadable = |e: DemuxError| {
        tracing::debug!(error = %e, "an uploaded recording could not be demuxed");
        Refusal::VoiceUnreadable
    };
    let source = MediaSourceStream::new(Box::new(Cursor::new(bytes)), MediaSourceStreamOptions::default());
    let mut reader = symphonia::default::get_probe()
        .probe(&Hint::new(), source, FormatOptions::default(), MetadataOptions::default())
        .map_err(unreadable)?;
    let mut ends: std::collections::HashMap<u32, i64> = std::collections::HashMap::new();
    let mut bases = std::collections::HashMap::new();
    for track in reader.tracks() {
        match &track.codec_params {
            Some(CodecParameters::Audio(_)) => {}
            Some(_) => return Err(Refusal::VoiceHasVideo),
            None => continue,
        }
        let Some(base) = track.time_base else { continue };
        bases.insert(track.id, base);
        if let Some(duration) = track.duration {
            let stated = track.start_ts.checked_add(duration).map_or(i64::MAX, Timestamp::get);
            ends.insert(track.id, stated);
        }
    }
    if bases.is_empty() {
        return Err(Refusal::VoiceNoSound);
    }
    loop {
        let packet = match reader.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            Err(DemuxError::IoError(e)) if e.kind() == ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(unreadable(e)),
        };
        if !bases.contains_key(&packet.track_id) {
            continue;
        }
        let end = packet.pts.checked_add(packet.dur).map_or(i64::MAX, Timestamp::get);
        let known = ends.entry(packet.track_id).or_insert(end);
        *known = (*known).max(end);
    }
    let longest = ends
        .iter()
        .filter_map(|(id, end)| bases.get(id)?.calc_time(Timestamp::new(*end)))
        .map(|time| time.as_millis().clamp(0, i128::from(u64::MAX)) as u64)
        .max();
    longest.ok_or(Refusal::VoiceNoSound)
}

#[cfg(test)]
mod tests;
