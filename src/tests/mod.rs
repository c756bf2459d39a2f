//! Tests that run the real server in-process (the same [`crate::server::app`]
//! as production) on a port of its own, against a fresh SQLite file (or a
//! fresh PostgreSQL database, see [`crate::store::test_database`]), and talk to it over real
//! HTTP and WebSockets.

mod access;
mod accounts;
mod assets;
mod attachments;
#[cfg(feature = "bench")]
mod bench;
mod bus_batches;
mod database;
mod fuzz;
mod history;
mod instant;
mod instant_files;
mod invite_links;
mod invite_race;
mod invites;
mod live;
mod moderation;
mod multi_node;
mod names;
mod pages;
mod permissions;
mod presence;
mod request_limits;
mod rooms;
mod spaces;
mod stored_lines;
mod support;
