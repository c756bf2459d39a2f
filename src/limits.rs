//! Every limit Roomlink enforces, in one place.
//!
//! The server checks all of them; the browser checks some of them too, only to
//! answer sooner. Lengths are counted in Unicode scalar values (`char`s), after
//! trimming surrounding white space where the text says so.

/// Shortest username, in characters.
pub const USERNAME_MIN_CHARS: usize = 3;
/// Longest username, in characters.
pub const USERNAME_MAX_CHARS: usize = 32;
/// Shortest password, in characters (NIST SP 800-63B asks for at least 8).
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Longest password, in characters. Bounds the Argon2 work an attacker can ask for.
pub const PASSWORD_MAX_CHARS: usize = 128;
/// Longest room name, in characters after trimming (at least 1).
pub const ROOM_NAME_MAX_CHARS: usize = 80;
/// Longest message, in characters after trimming (at least 1).
pub const MESSAGE_MAX_CHARS: usize = 4000;
/// How many messages a room page shows when it opens.
pub const ROOM_HISTORY_PAGE: usize = 50;
/// Longest client-generated message id, in bytes (ASCII letters, digits, `-`, `_`).
pub const CLIENT_ID_MAX_BYTES: usize = 64;
/// Largest WebSocket frame the server reads, in bytes: a 4000-character message
/// of 4-byte characters plus its envelope.
pub const LIVE_FRAME_MAX_BYTES: usize = 20 * 1024;
/// Most rooms one WebSocket connection may follow at once.
pub const LIVE_ROOMS_PER_CONNECTION: usize = 100;
/// Lines per page when a tab is caught up on what it missed (a reconnect,
/// or a tab that fell behind): read from the store and written to the tab
/// one page at a time, so a tab that missed a day holds at most this many
/// lines in server memory (at most about 10 MB at [`MESSAGE_MAX_CHARS`]
/// of 4-byte characters; issue 37).
pub const LIVE_CATCH_UP_PAGE_LINES: usize = 500;
/// Random bytes in an invite token (256 bits; the issue asks for at least 128).
pub const INVITE_TOKEN_BYTES: usize = 32;
/// Length of an invite token in its URL-safe base64 form, in characters.
pub const INVITE_TOKEN_CHARS: usize = 43;
/// Days a session lasts without being used before it has to log in again.
pub const SESSION_IDLE_DAYS: i64 = 30;
/// How often a session in use is saved again, in ms (a day), moving its
/// [`SESSION_IDLE_DAYS`] forward: often enough that someone who comes back
/// daily stays logged in, rarely enough that visits are not writes.
pub const SESSION_REFRESH_MS: i64 = 24 * 60 * 60 * 1000;
/// How often a session in use notes when it was last active, in ms (ten
/// minutes): what "last active" on the profile's list of sessions
/// ([`crate::accounts::sessions`]) is precise to, without a write per visit.
pub const SESSION_ACTIVITY_NOTE_MS: i64 = 10 * 60 * 1000;
/// Characters of a log-in's User-Agent kept to name the session's browser
/// and system (real ones are under 300).
pub const USER_AGENT_MAX_CHARS: usize = 512;
/// Recovery codes in a set (issue 41), shown at sign-up and whenever the
/// person makes a new set, each good for one password reset.
pub const RECOVERY_CODES_PER_SET: usize = 10;
/// Characters of a recovery code, from Crockford's base32 alphabet (5 bits
/// each: 80 random bits a code), shown in groups of four
/// (`7k2m-q9xa-…`); spaces, dashes, case and the look-alikes i, l and o
/// do not matter when one is typed.
pub const RECOVERY_CODE_CHARS: usize = 16;
/// How long a new set of recovery codes can be shown again (a reload, the
/// text file), in ms, until the person says they saved it: an hour. After
/// that only their hashes are left, and the profile makes a new set.
pub const RECOVERY_CODES_SHOWN_FOR_MS: i64 = 60 * 60 * 1000;
/// Characters of an email address (RFC 5321's limit on a path, 256, less
/// its angle brackets).
pub const EMAIL_MAX_CHARS: usize = 254;
/// How long a link confirming an email address works, in ms: 24 hours.
pub const EMAIL_CONFIRM_LINK_MS: i64 = 24 * 60 * 60 * 1000;
/// How long a password-reset link sent by email works, in ms: an hour.
pub const EMAIL_RESET_LINK_MS: i64 = 60 * 60 * 1000;
/// Mails one account may be sent in an hour (confirmations and reset links
/// together); past it, more are not sent (the answer is the same, so it
/// tells nothing), so nobody can flood someone's inbox through Roomlink.
pub const EMAILS_PER_ACCOUNT_PER_HOUR: u32 = 5;
/// Seconds to wait for the SMTP server before a mail counts as not sent.
pub const SMTP_TIMEOUT_SECS: u64 = 30;
/// Sessions one server on SQLite keeps in memory, so that a request does
/// not read its session from the file (the least recently used go first).
/// About 300 bytes each. PostgreSQL nodes keep none: a log-out on one node
/// must end the session on every node at once.
pub const SESSION_CACHE_ENTRIES: u64 = 20_000;
/// Characters in an instant chat id (nanoid's URL-safe 64-letter alphabet, so
/// 6 bits each: 96 random bits; the issue asks for at least 70).
pub const INSTANT_CHAT_ID_CHARS: usize = 16;
/// Longest display name in an instant chat, in characters after trimming (at
/// least 1; control characters refused).
pub const DISPLAY_NAME_MAX_CHARS: usize = 32;
/// Longest instant chat title, in characters after trimming (may be empty).
pub const INSTANT_CHAT_TITLE_MAX_CHARS: usize = 80;
/// Messages an instant chat without history keeps in memory (never on disk)
/// so that a reconnecting or reloading participant misses nothing.
pub const INSTANT_CHAT_MEMORY_MESSAGES: usize = 500;
/// Instant chats one client address may start in a burst…
pub const INSTANT_CHAT_STARTS_BURST: u32 = 5;
/// …after which it may start one more every this many seconds.
pub const INSTANT_CHAT_STARTS_EVERY_SECS: u64 = 60;
/// How often a tab sends a heartbeat on its live socket, in milliseconds.
pub const HEARTBEAT_EVERY_MS: u32 = 10_000;
/// How long a tab waits for anything from the server after a heartbeat, in
/// milliseconds, before it takes the connection for dead and reconnects. A
/// cut network (a phone leaving Wi-Fi) often leaves a socket open at both
/// ends; with this, a silent link is noticed within [`HEARTBEAT_EVERY_MS`]
/// plus this (15 s), where it took 38 s and more before. Long enough for a
/// phone on a slow mobile link (the first-visit benchmark's 150 ms round
/// trip is a thirtieth of it).
pub const HEARTBEAT_ANSWER_MS: u32 = 5_000;
/// Accounts one client address may make per hour, by default (the
/// `sign_ups_per_address_per_hour` setting): a family or a classroom
/// behind one address signs up together, a script making accounts by the
/// hundred does not. Past it, 429 with `Retry-After`.
pub const SIGN_UPS_PER_ADDRESS_PER_HOUR: u32 = 10;
/// Bytes all chats without history may hold in lines, together (each line
/// counted as its text, its author's name and about 256 bytes around them;
/// see `crate::instant::memory`). 256 MiB: about a million short lines, or
/// 60,000 of the longest. Past it the largest chats drop their oldest lines
/// first; from nine tenths of it, no new chat without history starts.
pub const INSTANT_MEMORY_LINES_TOTAL_BYTES: usize = 256 * 1024 * 1024;
/// Largest body of a server function call (`/api/...`), in bytes. The
/// largest real one is a 4,000-character text of 4-byte characters,
/// form-encoded (up to 48 KiB); uploads have their own routes and limits.
pub const SERVER_FN_BODY_MAX_BYTES: usize = 64 * 1024;
/// Most time a server function call may take, its body's upload included,
/// in seconds. A phone on a slow mobile link sends 64 KiB in well under a
/// second; a log-in waiting its turn for password hashing in a flood (see
/// [`PASSWORD_HASHES_AT_ONCE`]) is answered within this too.
pub const SERVER_FN_TIME_LIMIT_SECS: u64 = 30;
/// Longest one long poll waits, in seconds, before it answers "nothing
/// new" and the page asks again: a requester's page waiting for its join
/// request's answer ([`crate::invites::await_join_request`]), the home page
/// and dashboard waiting for activity in the person's rooms
/// ([`crate::rooms::activity::await_room_activity`]). Below
/// [`SERVER_FN_TIME_LIMIT_SECS`], and below the 30 to 60 s after which
/// mobile networks and proxies drop an idle HTTP request.
pub const LONG_POLL_WAIT_SECS: u64 = 20;
/// Least time between two reloads of a page's room list for activity in
/// the rooms, in milliseconds: in a busy room a line every few hundred ms
/// would otherwise reload the list as often.
pub const ROOM_LIST_REFRESH_MIN_MS: u32 = 1_500;
/// Most time a client may take to send a request's line and headers, in
/// seconds (hyper's header read timeout), so a connection trickling its
/// headers (Slowloris) does not hold a task forever.
pub const HEADERS_TIME_LIMIT_SECS: u64 = 15;
/// Lines one live socket may send in a burst, past its steady rate (the
/// `live_lines_per_second` setting, [`LIVE_LINES_PER_SECOND`] by default):
/// a person pasting a few lines in a row is never refused; a script flooding
/// a room is, after this many. A GCRA token bucket (governor) per socket; a
/// line past it is refused with [`crate::live::socket::TOO_FAST`] and
/// nothing is stored.
pub const LIVE_LINES_BURST: u32 = 10;
/// Lines per second one live socket may send, steadily (the default of the
/// `live_lines_per_second` setting; load tests set 0, no limit). Five a
/// second is beyond anyone typing, and Discord's 5 per 5 s per channel
/// is stricter.
pub const LIVE_LINES_PER_SECOND: u32 = 5;
/// "Is typing" signals one live socket may send in a burst; past the rate
/// below they are dropped without a word (a tab sends one every
/// [`TYPING_SEND_EVERY_MS`] while its person types, and one when they stop).
pub const LIVE_TYPING_BURST: u32 = 5;
/// "Is typing" signals per second one live socket may send, steadily.
pub const LIVE_TYPING_PER_SECOND: u32 = 1;
/// How often a live socket of a logged-in tab reads its session again, in
/// milliseconds (on the tab's heartbeat): a log-out in this browser closes
/// the sockets on the same server at once, and those on other nodes within
/// this.
pub const LIVE_SESSION_CHECK_MS: i64 = 30_000;
/// Least time between two "is typing" signals from one tab, in milliseconds.
pub const TYPING_SEND_EVERY_MS: u32 = 3_000;
/// A tab says it stopped typing after this long without a keystroke, in milliseconds.
pub const TYPING_IDLE_MS: u32 = 5_000;
/// The server forgets a typing state not refreshed for this long, in
/// milliseconds, so an indicator can never get stuck.
pub const TYPING_TTL_MS: u64 = 6_000;
/// Presence changes in one topic that follow the last presence diff by
/// less than this, in milliseconds, wait and go together in the next diff
/// (see [`crate::live::throttle::Throttle`]); a lone change goes at once.
/// This is the window of a topic with up to [`PRESENCE_FOLLOWERS_PER_BATCH`]
/// tabs following it on this server; a larger topic's window grows with its
/// tabs, up to [`PRESENCE_BATCH_MAX_MS`] (see
/// [`crate::live::hub::presence_window`]).
pub const PRESENCE_BATCH_MS: u64 = 50;
/// Tabs per [`PRESENCE_BATCH_MS`] of a topic's presence window: a diff
/// costs one frame per tab following the topic, so with the window growing
/// as the tabs do, people coming and going costs a topic at most about
/// 200 frames a second (10 per 50 ms) however many follow it, until the
/// window reaches its cap. With one 50 ms window for every size, the
/// 5,000-member room of the benchmarks would be sent 100,000 frames a
/// second by 20 arrivals a second, over half of what one core can write
/// (the floor, 182,000 frames a second, issue 6); with its 1 s window, 5,000.
pub const PRESENCE_FOLLOWERS_PER_BATCH: usize = 10;
/// The longest a burst of presence changes waits, in milliseconds (a topic
/// with 200 or more tabs following it). Discord and Slack send the presence
/// of large servers and channels far more sparingly still.
pub const PRESENCE_BATCH_MAX_MS: u64 = 1_000;
/// Typing changes in one topic that follow the last typing diff by less
/// than this, in milliseconds, wait and go together in the next diff (see
/// [`crate::live::throttle::Throttle`]); a lone change goes at once. So a
/// tab gets at most two typing frames a second per topic, however many
/// type: S4 of the benchmarks measured 50 people per room starting to type
/// within 3 s at 165,000 typing frames a second before, enough to slow the
/// messages beside them.
pub const TYPING_BATCH_MS: u64 = 500;
/// Several nodes (PostgreSQL): how often a node tells the others it is
/// alive, in milliseconds.
pub const BUS_HEARTBEAT_MS: u64 = 5_000;
/// A node not heard from for this long, in milliseconds, is taken for dead:
/// the others mark its people offline. With the heartbeat above, that is
/// within 25 s of its death (the issue asks for 30 s).
pub const BUS_NODE_TIMEOUT_MS: u64 = 20_000;
/// Largest PostgreSQL notification Roomlink sends, in bytes (PostgreSQL's own
/// limit is 8000). A line of an instant chat without history, which is in no
/// table, goes in parts of at most this size when it is bigger.
pub const BUS_NOTE_MAX_BYTES: usize = 7_800;
/// Several nodes: a node whose listening connection dropped asks the
/// others for the lines of chats without history (which no table holds)
/// from this many ids before the newest it heard: lines of different nodes
/// may be announced a little out of id order, and lines it has are ignored.
pub const BUS_REPLAY_MARGIN_IDS: i64 = 1_000;
/// Most lines one node sends another that missed them (the newest ones);
/// past that a long outage leaves a gap, which is logged.
pub const BUS_REPLAY_MAX_LINES: usize = 50_000;
/// How long, in milliseconds, a node that asked for missed lines waits for
/// an answer before it serves chats without history with what it has (logged).
pub const BUS_REPLAY_WAIT_MS: u64 = 5_000;
/// Largest stored line (of a room, or of an instant chat that keeps history)
/// that travels whole inside its notification, in bytes of JSON; a bigger
/// one is announced by id and the other nodes read it from the tables.
pub const BUS_LINE_INLINE_MAX_BYTES: usize = 2_000;
/// Several nodes sharing `data_dir`: a starting node leaves unknown upload
/// files younger than this alone (another node may be writing them), in seconds.
pub const STRAY_UPLOAD_MIN_AGE_SECS: u64 = 600;
/// Connections the server's listening socket holds before it accepts them
/// (`listen(2)`'s backlog; Linux caps it at `net.core.somaxconn`, 4096 by
/// default). Rust's standard `bind` asks for 128: a burst of tabs
/// reconnecting at once overflowed it, and every connection dropped there
/// waited a second for its SYN to be sent again (S1 and S6 in `crate::bench`).
pub const LISTEN_BACKLOG: u32 = 4_096;
/// How long a shutting-down node waits for its live connections to close,
/// in milliseconds.
pub const SHUTDOWN_GRACE_MS: u64 = 5_000;
/// How long a shutting-down node then waits for HTTP requests still being
/// answered, and its runtime for tasks still running, in milliseconds.
/// Past it the node stops anyway: a request that never ends (a page render
/// stuck inside Leptos, see `tests::pages`) must not keep a node that was
/// told to stop running, and its port taken, until it is killed.
pub const SHUTDOWN_REQUESTS_MS: u64 = 10_000;
/// Largest image attachment (PNG, JPEG, WebP or GIF), in bytes: 5 MiB.
pub const IMAGE_MAX_BYTES: usize = 5 * 1024 * 1024;
/// Widest or tallest image attachment, in pixels. Bigger images are refused
/// so that no one can make the other side's browser decode a gigapixel bomb.
pub const IMAGE_MAX_SIDE_PX: u32 = 16_384;
/// Largest voice message (WebM, Ogg or MP4 audio), in bytes: 10 MiB.
pub const VOICE_MAX_BYTES: usize = 10 * 1024 * 1024;
/// Longest voice message, in milliseconds: 5 minutes. The browser stops
/// recording there; the server measures every upload's length itself.
pub const VOICE_MAX_MS: u32 = 5 * 60 * 1000;
/// Attachments one user may upload in a burst…
pub const UPLOADS_BURST: u32 = 10;
/// …after which they may upload one more every this many seconds.
pub const UPLOADS_EVERY_SECS: u64 = 6;
/// Bytes of files one instant chat without history holds in memory (such
/// chats never write to disk): 64 MiB. Past it, the chat's oldest files are
/// dropped to make room; their lines stay and say the file is gone.
pub const INSTANT_MEMORY_FILES_PER_CHAT_BYTES: usize = 64 * 1024 * 1024;
/// Bytes of files all instant chats without history hold in memory
/// together: 512 MiB. Past it, uploads to such chats are refused (503)
/// until chats end or drop files.
pub const INSTANT_MEMORY_FILES_TOTAL_BYTES: usize = 512 * 1024 * 1024;
/// Lifetimes an invite link can be given, in minutes; 0 is "never expires".
/// The choices follow Discord's: 30 min, 1 h, 6 h, 1 day, 7 days, 30 days, never.
pub const INVITE_LIFETIMES_MIN: [u32; 7] = [30, 60, 360, 1_440, 10_080, 43_200, 0];
/// Use limits an invite link can be given; 0 is "unlimited" (Discord's choices).
pub const INVITE_MAX_USES: [u32; 7] = [1, 5, 10, 25, 50, 100, 0];
/// Longest invite link label, in characters after trimming (may be empty).
pub const INVITE_LABEL_MAX_CHARS: usize = 32;
/// Longest room description, in characters after trimming (may be empty).
pub const ROOM_DESCRIPTION_MAX_CHARS: usize = 300;
/// Members a new room holds until its owner changes it.
pub const ROOM_MEMBER_LIMIT_DEFAULT: u32 = 50;
/// Smallest and largest member limit an owner may set.
pub const ROOM_MEMBER_LIMIT_RANGE: std::ops::RangeInclusive<u32> = 2..=1_000;
/// Log-in attempts one username may have in [`LOGIN_WINDOW_SECS`] (counted
/// in the database, across restarts and nodes, for existing and unknown
/// usernames alike); past it the answer is 429 with `Retry-After` until the
/// window ends, and no password is checked. Ten tries cover typos; a guesser
/// gets 960 a day per account instead of thousands a second.
pub const LOGIN_ATTEMPTS_PER_USERNAME: u32 = 10;
/// The window of [`LOGIN_ATTEMPTS_PER_USERNAME`], in seconds, from the first
/// attempt.
pub const LOGIN_WINDOW_SECS: u64 = 15 * 60;
/// Log-in attempts one client address may make in a burst…
pub const LOGINS_BURST: u32 = 20;
/// …after which it may make one more every this many seconds.
pub const LOGINS_EVERY_SECS: u64 = 3;
/// Argon2id hashes (sign-up, log-in) computed at once; more wait their turn.
/// Each takes 19 MiB and a core for tens of milliseconds, so a flood of
/// log-ins queues instead of taking the server's memory.
pub const PASSWORD_HASHES_AT_ONCE: usize = 2;
/// Join attempts (accepting an invite) one client address may make in a burst…
pub const JOINS_BURST: u32 = 20;
/// …after which it may make one more every this many seconds.
pub const JOINS_EVERY_SECS: u64 = 3;
/// Invite links one user may make in a burst…
pub const INVITE_CREATES_BURST: u32 = 20;
/// …after which they may make one more every this many seconds.
pub const INVITE_CREATES_EVERY_SECS: u64 = 30;
/// Longest language of a language invite, in characters after trimming (at
/// least 1; control characters refused), e.g. "German" or "Brazilian Portuguese".
pub const LANGUAGE_MAX_CHARS: usize = 40;
/// Lifetimes a language invite can be given, in whole days; left out, it never expires.
pub const LANGUAGE_INVITE_DAYS: std::ops::RangeInclusive<u32> = 1..=365;
