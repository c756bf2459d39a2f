-- The newest line id handed out in a chat without history: the node posting
-- a line takes the next id here (under the chat's lock), so ids only grow
-- across nodes. Only the id is stored, never the line (see migrations/sqlite/0010).
ALTER TABLE instant_chats ADD COLUMN last_line_id BIGINT NOT NULL DEFAULT 0;
