DROP TABLE messages;
DROP TABLE memberships;
DROP TABLE invites;
DROP TABLE rooms;
DROP TABLE users;
