-- Line ids of instant chats without history, when several nodes share the
-- database: the node posting a line takes the next value (under the chat's
-- lock), so ids grow in the order lines are announced on every node. Only
-- ids come from here; the lines themselves are never stored. (One server on
-- SQLite needs none of this: its ids come from its clock, see
-- src/instant/memory.rs.) A sequence hands out values without a write that
-- waits for the disk.
CREATE SEQUENCE instant_memory_line_ids;
