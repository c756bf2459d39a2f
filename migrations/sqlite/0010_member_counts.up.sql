-- A room's active members are counted on every invite accept (the member
-- limit) and every join page (the preview): with this index the count reads
-- the index alone instead of one table row per member (issue 6, S5).
CREATE INDEX memberships_room_status ON memberships (room_id, status);
