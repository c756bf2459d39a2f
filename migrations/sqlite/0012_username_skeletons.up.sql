-- Usernames are unique by look as well as ignoring case: the Unicode TR39
-- confusable skeleton of each, lower-cased (src/names.rs: name_key), so
-- "bill" and "bi11" cannot both exist. Filled for new accounts at sign-up
-- and for older ones when the server starts (Users::fill_skeletons); NULL
-- for an older account whose look-alike came first.
ALTER TABLE users ADD COLUMN username_skeleton TEXT;
CREATE UNIQUE INDEX users_username_skeleton ON users (username_skeleton);
