-- The newest line id handed out in a chat without history, when several
-- nodes share the database (PostgreSQL): the node posting a line takes the
-- next id here, so ids only grow across nodes. Only the id is stored, never
-- the line. Unused on one server, kept so that both schemas stay alike.
ALTER TABLE instant_chats ADD COLUMN last_line_id INTEGER NOT NULL DEFAULT 0;
