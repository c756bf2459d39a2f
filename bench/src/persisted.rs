//! S3, persisted rooms (issue 6): member rooms of a few people each, made
//! the way people make them (sign up, create a room, share an invite link,
//! accept it), whose every line is stored in the database before it is
//! published. The figure is the rate of messages accepted (back at their
//! sender: stored and published) while send-to-acknowledgement p99 stays
//! within [`ACK_P99_LIMIT_MS`].
//!
//! People come in groups of `members`, and each group shares up to
//! [`ROOMS_PER_GROUP`] rooms, every one of them a member of each; the rooms'
//! owners take turns within the group, so nobody passes the per-user limit
//! on making invite links.

use std::net::SocketAddr;

use futures::{stream, StreamExt, TryStreamExt};

use super::{
    scenarios::{open_tabs, Fleet},
    setup::{self, Cookies},
    source_address,
    tab::TabSpec,
    Peer,
};
use roomlink::limits::{INVITE_CREATES_BURST, JOINS_BURST};

/// The send-to-acknowledgement p99 S3 must hold, in milliseconds.
pub const ACK_P99_LIMIT_MS: f64 = 25.0;
/// Rooms one group of people shares.
const ROOMS_PER_GROUP: usize = INVITE_CREATES_BURST as usize;
/// HTTP set-up calls made at once.
const AT_ONCE: usize = 8;
/// First source address of each kind of set-up call (apart from the tabs' and other scenarios').
const SIGN_UP_ADDRESSES: usize = 4_000;
const ACCEPT_ADDRESSES: usize = 5_000;
/// Tabs connecting from one source address (as [`super::scenarios`]).
const TABS_PER_ADDRESS: usize = 1_000;

/// Makes `rooms` member rooms of `members` people each on the Roomlink
/// server at `server` and opens one tab per member and room.
///
/// Errors: the first set-up call or connection that failed.
pub async fn open_member_rooms(server: SocketAddr, rooms: usize, members: usize) -> Result<Fleet, String> {
    let groups = rooms.div_ceil(ROOMS_PER_GROUP);
    let people: Vec<Cookies> = stream::iter(0..groups * members)
        .map(|n| async move {
            let http = setup::client(server, source_address(SIGN_UP_ADDRESSES + n))?;
            setup::sign_up(&http, server, &format!("s3g{}m{}", n / members, n % members)).await
        })
        .buffered(AT_ONCE)
        .try_collect()
        .await?;
    let people = &people;
    let person = |room: usize, member: usize| &people[room / ROOMS_PER_GROUP * members + member];
    let http = setup::client(server, source_address(SIGN_UP_ADDRESSES - 1))?;
    let tokens: Vec<(i64, String)> = stream::iter(0..rooms)
        .map(|r| {
            let http = http.clone();
            async move {
                let mut owner = person(r, r % members).clone();
                let room = setup::create_room(&http, server, &mut owner, &format!("Persisted {r}")).await?;
                Ok::<_, String>((room, setup::create_invite(&http, server, &mut owner, room).await?))
            }
        })
        .buffered(AT_ONCE)
        .try_collect()
        .await?;
    let tokens = &tokens;
    // Every member but the owner accepts, from addresses taking fewer than the join burst each.
    let accepts: Vec<(usize, usize)> = (0..rooms).flat_map(|r| (0..members).filter(move |m| *m != r % members).map(move |m| (r, m))).collect();
    let per_address = JOINS_BURST as usize / 2;
    stream::iter(accepts.into_iter().enumerate())
        .map(|(k, (r, m))| async move {
            let http = setup::client(server, source_address(ACCEPT_ADDRESSES + k / per_address))?;
            setup::accept_invite(&http, server, &mut person(r, m).clone(), &tokens[r].1).await
        })
        .buffered(AT_ONCE)
        .try_collect::<Vec<()>>()
        .await?;
    let specs = (0..rooms * members)
        .map(|n| TabSpec {
            peer: Peer::Roomlink,
            server,
            source: source_address(n / TABS_PER_ADDRESS),
            room: tokens[n / members].0.to_string(),
            cookie: Some(person(n / members, n % members).0.clone()),
            after_id: 0,
        })
        .collect();
    open_tabs(specs, members).await
}
