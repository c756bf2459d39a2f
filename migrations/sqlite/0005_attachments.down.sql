DROP INDEX messages_attachment;
ALTER TABLE messages DROP COLUMN attachment_id;
DROP TABLE attachments;
