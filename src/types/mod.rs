//! The bottom layer's shared types: what the browser and the server say to
//! each other and what the store reads and writes, with no I/O and no
//! dependency on any layer above (see `ARCHITECTURE.md`).
//!
//! The feature modules re-export the types of their subject
//! (`crate::rooms::Role` is [`rooms::Role`]), so pages and features name
//! them by subject; the store and the live layer, which sit below the
//! features, name them here.

pub mod accounts;
pub mod attachments;
#[cfg(feature = "ssr")]
pub mod columns;
pub mod invites;
pub mod rooms;
pub mod spaces;
pub mod timeline;
