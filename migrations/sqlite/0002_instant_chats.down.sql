DROP TABLE instant_messages;
DROP TABLE instant_participants;
DROP TABLE instant_chats;
