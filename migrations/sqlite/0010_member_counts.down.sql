DROP INDEX memberships_room_status;
