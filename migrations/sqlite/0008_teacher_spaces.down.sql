DROP TABLE language_invites;
DROP TABLE spaces;
ALTER TABLE users DROP COLUMN is_student;
ALTER TABLE users DROP COLUMN is_teacher;
