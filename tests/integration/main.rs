//! Roomlink's integration tests, one test binary: each runs the real
//! server in-process (the same [`roomlink::server::app`] as production) on
//! a port of its own, against a fresh SQLite file (or a fresh PostgreSQL
//! database, see [`test_database`]), and talks to it over real HTTP and
//! WebSockets through the crate's public API. [`support`] holds what they
//! share. Built with the `ssr` feature (`cargo test --features ssr`).
#![cfg(feature = "ssr")]

mod access;
mod account_data;
mod account_deletion;
mod account_sessions;
mod accounts;
mod assets;
mod attachments;
mod bus_batches;
mod database;
mod email;
/// Test images and voice files, shared with the attachment checks' unit tests.
#[path = "../../src/attachments/fixtures.rs"]
#[allow(dead_code, reason = "the attachment checks' unit tests use the rest")]
mod fixtures;
mod fuzz;
mod history;
mod instant;
mod instant_deletions;
mod instant_files;
mod instant_host;
mod invite_links;
mod invite_race;
mod invites;
mod join_requests;
mod languages;
mod live;
mod message_changes;
mod moderation;
mod multi_node;
mod names;
mod pages;
mod permissions;
mod presence;
mod recovery;
mod request_limits;
mod room_activity;
mod room_life;
mod rooms;
mod spaces;
mod stored_lines;
mod support;
/// A fresh database per test, shared with the store's unit tests.
#[path = "../../src/store/test_database.rs"]
mod test_database;
