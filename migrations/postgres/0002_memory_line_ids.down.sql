ALTER TABLE instant_chats DROP COLUMN last_line_id;
