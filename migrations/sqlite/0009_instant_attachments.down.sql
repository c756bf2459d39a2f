DROP INDEX instant_messages_attachment;
ALTER TABLE instant_messages DROP COLUMN attachment_id;
DROP TABLE instant_attachments;
