//! The timeline service: the one road by which a line enters a room's or an
//! instant chat's timeline (issue 38).
//!
//! Every line, whoever posts it (a tab's send on the live socket, an
//! upload, a join, a leave, a removal or ban, an instant chat's joined and
//! left lines), goes through [`Timeline::post`]. It picks where the line is
//! kept (the database, through the group-commit writer for room messages
//! and joins, or [`memory`] for an instant chat without history), gives it
//! its id there, and has the [`Hub`] publish it in id order once it is
//! kept. The hub's own line entry points are private to the live layer: it
//! only fans out what the timeline hands it.
//!
//! A repeated `(author, client_id)` is not stored twice: `post` returns the
//! first line with `false`, and publishes nothing.
//!
//! Reading back follows the same split: [`Timeline::chat_after`] and
//! [`Timeline::chat_catch_up`] read an instant chat from the database or
//! from memory by its history setting.

mod changes;
pub mod memory;

use axum::extract::ws::Utf8Bytes;
use memory::{MemoryFull, MemoryLines, MemoryUpload};

use super::{
    hub::{encode, Hub},
    ServerEvent, Topic,
};
use crate::{
    clock::now_ms,
    error::{AppError, Refusal},
    store::{Backend, ChatRow, NewAttachment, ParticipantRow, Store, StoreError, StoredFile, WriteRefusal},
    types::timeline::{ChatMessage, MessageKind},
};


/// A line to post, with what its kind needs.
#[derive(Debug)]
pub enum NewLine<'a> {
    /// A member's message in room `room_id`. Whether they may write (not
    /// muted, still a member) is read where it is stored, so a mute holds
    /// from its commit: a refusal is [`StoreError::NotAllowed`].
    RoomText {
        /// The room.
        room_id: i64,
        /// The member sending it.
        author_id: i64,
        /// Its text, checked ([`crate::live::check_message_body`]).
        body: &'a str,
    },
    /// "<name> joined" in room `room_id`, naming the link it came through
    /// (`via`: the invite's id and its maker's, shown to those who manage
    /// links; `None` for a teacher's language invite).
    RoomJoined {
        /// The room.
        room_id: i64,
        /// Who joined.
        user_id: i64,
        /// `(invite id, invite maker's user id)`, if they came by an invite link.
        via: Option<(i64, i64)>,
    },
    /// A membership that ended: [`MessageKind::Left`], `Removed` or
    /// `Banned`, by `actor_id` for the last two.
    RoomMembershipEnded {
        /// The room.
        room_id: i64,
        /// Whose membership ended.
        user_id: i64,
        /// `Left`, `Removed` or `Banned`.
        kind: MessageKind,
        /// The owner or moderator who removed or banned them.
        actor_id: Option<i64>,
    },
    /// "<owner> renamed the room to <name>" in room `room_id` (the new
    /// name is already saved).
    RoomRenamed {
        /// The room.
        room_id: i64,
        /// The owner who renamed it.
        owner_id: i64,
        /// Its new name.
        name: &'a str,
    },
    /// A file posted to a room; its bytes are already saved under `uploads/`.
    RoomFile(&'a NewAttachment<'a>),
    /// A line in an instant chat (a message, or the "joined" and "left"
    /// lines), from `author`. A participant who left is refused
    /// ([`WriteRefusal::LeftChat`]).
    ChatLine {
        /// The chat.
        chat: &'a ChatRow,
        /// Who posts it.
        author: &'a ParticipantRow,
        /// What it is.
        kind: MessageKind,
        /// Its text (empty for system lines).
        body: &'a str,
    },
    /// A file posted to an instant chat: saved under `uploads/` already
    /// when the chat keeps history, else held in memory with its line.
    ChatFile {
        /// The chat.
        chat: &'a ChatRow,
        /// Who posts it.
        author: &'a ParticipantRow,
        /// The file.
        file: ChatFile<'a>,
    },
}

/// Where an instant chat's file is kept.
#[derive(Debug)]
pub enum ChatFile<'a> {
    /// Saved under `uploads/` (a chat with history).
    Stored(&'a StoredFile<'a>),
    /// Held in memory with its line (a chat without history).
    Held(MemoryUpload),
}

impl NewLine<'_> {
    /// The topic the line goes to.
    fn topic(&self) -> Topic {
        match self {
            NewLine::RoomText { room_id, .. }
            | NewLine::RoomJoined { room_id, .. }
            | NewLine::RoomMembershipEnded { room_id, .. }
            | NewLine::RoomRenamed { room_id, .. } => Topic::Room(*room_id),
            NewLine::RoomFile(new) => Topic::Room(new.room_id),
            NewLine::ChatLine { chat, .. } | NewLine::ChatFile { chat, .. } => Topic::Chat(chat.id.clone()),
        }
    }
}

/// Why a line was not posted.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// The store refused or failed (see [`StoreError::NotAllowed`] for the
    /// refusals a person can act on).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Memory holds all the instant chat files it may ([`MEMORY_FULL`]).
    #[error("in-memory instant chat files are at their cap")]
    MemoryFull,
}

impl From<PostError> for AppError {
    /// A refusal to write becomes a 403 with its reason (a room member who
    /// is no longer one: [`AppError::NotMember`]), memory at its cap a 503,
    /// anything else the store's 500.
    fn from(err: PostError) -> AppError {
        match err {
            PostError::Store(StoreError::NotAllowed(WriteRefusal::NotMember)) => AppError::NotMember,
            PostError::Store(StoreError::NotAllowed(why)) => AppError::Forbidden(refusal(why)),
            PostError::Store(err) => err.into(),
            PostError::MemoryFull => {
                tracing::warn!("in-memory instant chat files are at their cap");
                AppError::Unavailable(Refusal::MemoryFull)
            }
        }
    }
}

/// What a person is told when the store refuses their line.
pub fn refusal(why: WriteRefusal) -> Refusal {
    match why {
        WriteRefusal::Muted => Refusal::Muted,
        WriteRefusal::NotMember => Refusal::NotAMember,
        WriteRefusal::LeftChat => Refusal::NoLongerInChat,
        WriteRefusal::MessageGone => Refusal::MessageGone,
        WriteRefusal::NotYourMessage => Refusal::NotYourMessage,
        WriteRefusal::NothingToEdit => Refusal::NothingToEdit,
    }
}

/// The timeline service over one server's hub, store and in-memory lines.
/// Cheap to make: it only borrows them.
#[derive(Clone, Copy)]
pub struct Timeline<'a> {
    hub: &'a Hub,
    store: &'a Store,
    memory: &'a MemoryLines,
}

impl<'a> Timeline<'a> {
    /// The service over these parts.
    pub fn new(hub: &'a Hub, store: &'a Store, memory: &'a MemoryLines) -> Timeline<'a> {
        Timeline { hub, store, memory }
    }

    /// Keeps `line` (sent with the tab's or server's `client_id`) where its
    /// topic keeps lines, and publishes it to the topic's followers in id
    /// order; returns once it is kept and published. Returns the line and
    /// whether it is new (`false`: the same `client_id` from the same
    /// author was posted before; that first line is returned and nothing is
    /// published again).
    ///
    /// Errors: [`PostError::Store`] (refusals as [`StoreError::NotAllowed`]),
    /// [`PostError::MemoryFull`]; nothing was kept or published.
    pub async fn post(&self, line: NewLine<'_>, client_id: &str) -> Result<(ChatMessage, bool), PostError> {
        let topic = line.topic();
        let (store, memory) = (self.store, self.memory);
        let posted = match line {
            NewLine::RoomText { room_id, author_id, body } => {
                let queue = || async move { store.messages().queue_as_member(room_id, author_id, client_id, body, now_ms()).await };
                self.hub.queue_and_publish(&topic, queue).await?
            }
            NewLine::RoomJoined { room_id, user_id, via } => {
                let queue = || async move { store.messages().queue_joined(room_id, user_id, via, client_id, now_ms()).await };
                self.hub.queue_and_publish(&topic, queue).await?
            }
            NewLine::RoomMembershipEnded { room_id, user_id, kind, actor_id } => {
                let insert = || async move {
                    store.messages().insert_membership_end(room_id, user_id, kind, actor_id, client_id, now_ms()).await
                };
                self.hub.store_and_publish(&topic, insert).await?
            }
            NewLine::RoomRenamed { room_id, owner_id, name } => {
                let insert = || async move { store.messages().insert_renamed(room_id, owner_id, name, client_id, now_ms()).await };
                self.hub.store_and_publish(&topic, insert).await?
            }
            NewLine::RoomFile(new) => {
                let insert = || async move { store.attachments().post(new, client_id, now_ms()).await };
                self.hub.store_and_publish(&topic, insert).await?
            }
            NewLine::ChatLine { chat, author, kind, body } => self.post_chat_line(&topic, chat, author, kind, client_id, body).await?,
            NewLine::ChatFile { chat: _, author, file: ChatFile::Stored(file) } => {
                let lines = store.instant_lines();
                let insert = || async move { lines.post_attachment(&author.chat_id, author.id, file, client_id, now_ms()).await };
                self.hub.store_and_publish(&topic, insert).await?
            }
            NewLine::ChatFile { chat: _, author, file: ChatFile::Held(file) } => {
                let hold = || async move {
                    let id = self.memory_line_id().await?;
                    memory.append_file(author, client_id, file, now_ms(), id).map_err(|MemoryFull| PostError::MemoryFull)
                };
                self.hub.store_and_publish(&topic, hold).await?
            }
        };
        Ok(posted)
    }

    /// A line in an instant chat: stored when the chat keeps history, else
    /// held in memory (numbered across nodes through the bus when there are
    /// several).
    async fn post_chat_line(
        &self,
        topic: &Topic,
        chat: &ChatRow,
        author: &ParticipantRow,
        kind: MessageKind,
        client_id: &str,
        body: &str,
    ) -> Result<(ChatMessage, bool), StoreError> {
        if !chat.keep_history && self.hub.has_bus() {
            // Several nodes: the bus numbers the line under the chat's lock
            // across nodes; a guest who left is refused just before.
            self.still_in_chat(chat, author).await?;
            let draft = || Ok(self.memory.draft(author, kind, client_id, body, now_ms()));
            let keep = |line: &ChatMessage| self.memory.replicate(&chat.id, line.clone());
            if let Some(announced) = self.hub.announce_unstored(topic, draft, keep).await {
                return announced;
            }
        }
        self.hub
            .store_and_publish(topic, || async {
                let now = now_ms();
                if chat.keep_history {
                    self.store.instant_lines().insert(&chat.id, author.id, kind, client_id, body, now).await
                } else {
                    // Memory keeps no participants: their row says whether
                    // they are still in, read under the chat's lock, so a
                    // line read after a leave committed is refused whatever
                    // the socket believes (as the INSERT of a chat with
                    // history does).
                    self.still_in_chat(chat, author).await?;
                    let id = self.memory_line_id().await?;
                    Ok(self.memory.append(author, kind, client_id, body, now, id))
                }
            })
            .await
    }

    /// `Ok` while `author` has not left `chat`. Errors:
    /// [`StoreError::NotAllowed`] with [`WriteRefusal::LeftChat`] once they
    /// left (or the host took them out), else the store's.
    async fn still_in_chat(&self, chat: &ChatRow, author: &ParticipantRow) -> Result<(), StoreError> {
        match self.store.instant_chats().participant(&chat.id, author.id).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::NotAllowed(WriteRefusal::LeftChat)),
        }
    }

    /// The id the next in-memory line must take: with several nodes, the
    /// next from PostgreSQL (so that ids grow in one order on every node,
    /// see [`crate::store::InstantChats::next_memory_line_id`]); on one
    /// server 0, for "the chat's own next id". Call under the chat's lock.
    /// Errors: the store's.
    async fn memory_line_id(&self) -> Result<i64, StoreError> {
        if self.store.backend() == Backend::Sqlite {
            return Ok(0);
        }
        self.store.instant_chats().next_memory_line_id().await
    }

    /// Up to `limit` lines of `chat` after `after_id` as they are now (no
    /// delete lines: what a page shows), oldest first.
    /// Errors: the database's, for chats with history.
    pub async fn chat_after(&self, chat: &ChatRow, after_id: i64, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
        let mut lines = if chat.keep_history {
            self.store.instant_lines().after(&chat.id, after_id, limit).await?
        } else {
            self.memory.after(&chat.id, after_id).into_iter().take(limit).collect()
        };
        lines.retain(|line| !line.kind.is_change());
        Ok(lines)
    }

    /// Up to `limit` lines of `chat` before `before_id`, oldest first; in a
    /// chat without history, nothing from before `me` joined.
    /// Errors: the database's, for chats with history.
    pub async fn chat_before(
        &self,
        chat: &ChatRow,
        me: &ParticipantRow,
        before_id: i64,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        if chat.keep_history {
            self.store.instant_lines().before(&chat.id, before_id, limit).await
        } else {
            Ok(self.memory.before(&chat.id, me.first_seen_id, before_id, limit))
        }
    }

    /// What a tab of `me` following `chat` is sent to catch up after
    /// `after_id`: up to `limit` lines as `(id, live frame)`, oldest first.
    /// In a chat without history, nothing from before `me`'s "joined" line
    /// (as on the chat page), whatever `after_id` the tab asks from; those
    /// frames are encoded once and shared by every tab
    /// ([`MemoryLines::frames_after`]). Errors: the database's, for chats with history.
    pub async fn chat_catch_up(
        &self,
        chat: &ChatRow,
        me: &ParticipantRow,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<(i64, Utf8Bytes)>, StoreError> {
        if chat.keep_history {
            let lines = self.store.instant_lines().after(&chat.id, after_id, limit).await?;
            return Ok(lines.into_iter().map(|message| (message.id, encode(&ServerEvent::Message { message }))).collect());
        }
        Ok(self.memory.frames_after(&chat.id, after_id.max(me.first_seen_id - 1), limit))
    }
}

/// Puts "<name> joined" in room `room_id`'s timeline, live, naming the
/// link it came through (see [`NewLine::RoomJoined`]), and returns once it
/// is committed and published: the join is answered only when its line
/// would survive a power cut (issue 37; before, the commit went on in a
/// task after the answer, which S5 measured at about 7,900 accepts/s
/// against 4,800/s waiting). Their room page shows the line, live or by
/// catch-up. A failure is logged: the membership stands either way.
pub async fn announce_join(timeline: Timeline<'_>, room_id: i64, user_id: i64, via: Option<(i64, i64)>) {
    let client_id = format!("sys:joined:{room_id}:{}", now_ms());
    if let Err(err) = timeline.post(NewLine::RoomJoined { room_id, user_id, via }, &client_id).await {
        tracing::error!(error = %err, "announcing a join failed");
    }
}
