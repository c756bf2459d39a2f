DROP TABLE join_requests;
ALTER TABLE invites DROP COLUMN needs_approval;
