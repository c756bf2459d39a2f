//! Files for tests, built byte by byte (Ogg Opus per RFC 7845; PNG, GIF and
//! WebP headers) or recorded by a real browser.

/// A PNG signature and IHDR chunk claiming `width`×`height`.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    bytes.extend_from_slice(b"IHDR");
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

/// A GIF header claiming `width`×`height`.
pub fn gif(width: u16, height: u16) -> Vec<u8> {
    let mut bytes = b"GIF89a".to_vec();
    bytes.extend_from_slice(&width.to_le_bytes());
    bytes.extend_from_slice(&height.to_le_bytes());
    bytes.extend_from_slice(&[0, 0, 0, 0x3B]);
    bytes
}

/// An extended-format WebP header claiming `width`×`height`.
pub fn webp(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&30u32.to_le_bytes());
    bytes.extend_from_slice(b"WEBPVP8X");
    bytes.extend_from_slice(&10u32.to_le_bytes());
    bytes.extend_from_slice(&[0, 0, 0, 0]);
    bytes.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    bytes.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    bytes
}

/// Ogg's CRC-32 (polynomial 0x04C11DB7, no reflection, initial 0).
fn ogg_crc(data: &[u8]) -> u32 {
    let mut crc = 0u32;
    for &byte in data {
        crc ^= u32::from(byte) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 { (crc << 1) ^ 0x04C1_1DB7 } else { crc << 1 };
        }
    }
    crc
}

/// One Ogg page holding `packets` (each under 255 bytes).
fn ogg_page(flags: u8, granule: i64, sequence: u32, packets: &[&[u8]]) -> Vec<u8> {
    let mut page = b"OggS".to_vec();
    page.push(0);
    page.push(flags);
    page.extend_from_slice(&granule.to_le_bytes());
    page.extend_from_slice(&0x5EED_u32.to_le_bytes());
    page.extend_from_slice(&sequence.to_le_bytes());
    page.extend_from_slice(&[0, 0, 0, 0]);
    page.push(packets.len() as u8);
    page.extend(packets.iter().map(|p| p.len() as u8));
    for packet in packets {
        page.extend_from_slice(packet);
    }
    let crc = ogg_crc(&page);
    page[22..26].copy_from_slice(&crc.to_le_bytes());
    page
}

/// An Ogg Opus stream (RFC 7845) of 20 ms mono frames whose last page ends
/// at `seconds`: the length comes from the granule positions, as in real files.
pub fn ogg_opus(seconds: u32) -> Vec<u8> {
    const PRE_SKIP: u16 = 312;
    let mut head = b"OpusHead".to_vec();
    head.extend_from_slice(&[1, 1]);
    head.extend_from_slice(&PRE_SKIP.to_le_bytes());
    head.extend_from_slice(&48_000u32.to_le_bytes());
    head.extend_from_slice(&[0, 0, 0]);
    let mut tags = b"OpusTags".to_vec();
    tags.extend_from_slice(&4u32.to_le_bytes());
    tags.extend_from_slice(b"test");
    tags.extend_from_slice(&0u32.to_le_bytes());
    let mut bytes = ogg_page(0x02, 0, 0, &[&head]);
    bytes.extend(ogg_page(0x00, 0, 1, &[&tags]));
    // A 20 ms CELT frame (TOC config 31, mono, one frame) of silence.
    let frame: &[u8] = &[0xF8, 0xFF, 0xFE];
    let frames_per_page = 50u32; // one second
    for second in 1..=seconds {
        let granule = i64::from(PRE_SKIP) + i64::from(second) * 48_000;
        let flags = if second == seconds { 0x04 } else { 0x00 };
        let page: Vec<&[u8]> = (0..frames_per_page).map(|_| frame).collect();
        bytes.extend(ogg_page(flags, granule, second + 1, &page));
    }
    bytes
}

/// A real recording: about 2 s of Chromium's fake microphone through
/// `MediaRecorder` (`audio/webm;codecs=opus`, no timeslice, as the composer
/// records), which Chromium writes with known sizes and a stated duration.
/// Made by `end2end/scripts/record-voice-fixture.mjs`.
pub const CHROMIUM_WEBM: &[u8] = include_bytes!("../../tests/fixtures/voice.webm");

/// The same recorded with a 250 ms timeslice: the live shape, with an
/// unknown-size Segment and seven unknown-size Clusters and no duration,
/// which demuxers before Symphonia 0.6.1 stop reading after one cluster.
pub const CHROMIUM_LIVE_WEBM: &[u8] = include_bytes!("../../tests/fixtures/voice-live.webm");

/// About 2 s recorded by Chromium as `audio/mp4` (Opus in MP4),
/// as Safari records voice.
pub const CHROMIUM_MP4: &[u8] = include_bytes!("../../tests/fixtures/voice.mp4");
