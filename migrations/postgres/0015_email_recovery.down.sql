DROP TABLE email_tokens;
DROP INDEX users_email_key;
ALTER TABLE users DROP COLUMN email_key;
ALTER TABLE users DROP COLUMN email;
