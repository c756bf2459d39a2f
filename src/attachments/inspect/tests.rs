//! Type sniffing and limits of uploads, on the files of
//! [`crate::attachments::fixtures`].

use super::*;
use crate::attachments::fixtures::{gif, ogg_opus, png, webp, CHROMIUM_LIVE_WEBM, CHROMIUM_MP4, CHROMIUM_WEBM};

fn message(err: AppError) -> (u16, String) {
    (err.http_status(), err.to_string())
}

#[test]
fn images_are_recognised_by_their_bytes_with_dimensions() {
    for (bytes, content_type, dims) in [
        (png(640, 480), "image/png", (640, 480)),
        (gif(32, 16), "image/gif", (32, 16)),
        (webp(1200, 900), "image/webp", (1200, 900)),
    ] {
        let found = inspect(&bytes).map_err(message);
        assert_eq!(
            found,
            Ok(Inspected { kind: AttachmentKind::Image, content_type, dimensions: Some(dims), duration_ms: None })
        );
    }
}

#[test]
fn image_limits_are_specific() {
    let mut big = png(100, 100);
    big.resize(IMAGE_MAX_BYTES + 1, 0);
    let (status, text) = inspect(&big).map_err(message).unwrap_err();
    assert_eq!(status, 413);
    assert!(text.contains("at most 5.0 MB") && text.contains("this one is 5.0 MB"), "{text}");
    let mut exact = png(100, 100);
    exact.resize(IMAGE_MAX_BYTES, 0);
    assert!(inspect(&exact).is_ok(), "exactly 5 MB is allowed");

    let (status, text) = inspect(&png(20_000, 10)).map_err(message).unwrap_err();
    assert_eq!(status, 400);
    assert!(text.contains("20000×10"), "{text}");
    let (_, text) = inspect(&png(0, 10)).map_err(message).unwrap_err();
    assert!(text.contains("damaged"), "{text}");
    let truncated = &png(10, 10)[..14];
    assert!(inspect(truncated).is_err());
}

#[test]
fn other_types_are_refused_by_content_not_name() {
    let (status, text) = inspect(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n").map_err(message).unwrap_err();
    assert_eq!(status, 415);
    assert!(text.contains("application/pdf"), "{text}");
    // HTML is what a stored XSS would need; it is refused whatever its name.
    let (status, text) = inspect(b"<html><script>alert(1)</script></html>").map_err(message).unwrap_err();
    assert_eq!(status, 415);
    assert!(text.contains("PNG, JPEG, WebP or GIF"), "{text}");
    let (status, text) = inspect(b"").map_err(message).unwrap_err();
    assert_eq!((status, text.as_str()), (400, "The file is empty."));
}

#[test]
fn ogg_voice_messages_are_measured() {
    let found = inspect(&ogg_opus(3)).map_err(message);
    let Ok(found) = found else { panic!("{found:?}") };
    assert_eq!((found.kind, found.content_type), (AttachmentKind::Voice, "audio/ogg"));
    let ms = found.duration_ms.unwrap_or_default();
    assert!((2_900..=3_100).contains(&ms), "3 s measured as {ms} ms");
}

#[test]
fn voice_limits_are_specific() {
    let (status, text) = inspect(&ogg_opus(301)).map_err(message).unwrap_err();
    assert_eq!(status, 400);
    assert!(text.contains("at most 5:00 long; this one is 5:0"), "{text}");
    assert!(inspect(&ogg_opus(299)).is_ok(), "just under five minutes is allowed");

    let mut big = ogg_opus(1);
    big.resize(VOICE_MAX_BYTES + 1, 0);
    let (status, text) = inspect(&big).map_err(message).unwrap_err();
    assert_eq!(status, 413);
    assert!(text.contains("at most 10.0 MB"), "{text}");

    let mut broken = ogg_opus(2);
    broken.truncate(40);
    assert!(inspect(&broken).is_err(), "a damaged recording is refused");
}

#[test]
fn chromium_recordings_are_measured_in_webm_of_both_shapes_and_mp4() {
    for (recording, content_type) in
        [(CHROMIUM_WEBM, "audio/webm"), (CHROMIUM_LIVE_WEBM, "audio/webm"), (CHROMIUM_MP4, "audio/mp4")]
    {
        let found = inspect(recording).map_err(message);
        let Ok(found) = found else { panic!("{content_type}: {found:?}") };
        assert_eq!((found.kind, found.content_type), (AttachmentKind::Voice, content_type));
        let ms = found.duration_ms.unwrap_or_default();
        assert!((1_700..=2_600).contains(&ms), "{content_type}: about 2 s measured as {ms} ms");
    }
}

#[test]
fn webm_lengths_come_from_block_times_not_headers() {
    // Move the last cluster to 6 minutes: a live WebM states no length, so
    // only reading the blocks' times can catch this. Its sizes are unknown,
    // so the longer timecode needs no other byte changed.
    let cluster = [0x1F, 0x43, 0xB6, 0x75];
    let live = CHROMIUM_LIVE_WEBM;
    let at = live.windows(4).rposition(|w| w == cluster).unwrap_or_default();
    let timecode = live[at..].windows(2).position(|w| w[0] == 0xE7 && (0x81..=0x82).contains(&w[1])).map(|i| at + i);
    let Some(timecode) = timecode else { panic!("no cluster timecode in the fixture") };
    let old_len = 2 + usize::from(live[timecode + 1] - 0x80);
    let mut shifted = live[..timecode].to_vec();
    shifted.extend_from_slice(&[0xE7, 0x83, 0x05, 0x7E, 0x40]); // 360 000 ms
    shifted.extend_from_slice(&live[timecode + old_len..]);
    let (status, text) = inspect(&shifted).map_err(message).unwrap_err();
    assert_eq!(status, 400);
    assert!(text.contains("this one is 6:0"), "{text}");
}
