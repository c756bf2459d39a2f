-- A room's active members are counted on every invite accept (the member
-- limit) and every join page (the preview): with this index the count can
-- read the index alone (an index-only scan) instead of the table's rows.
CREATE INDEX memberships_room_status ON memberships (room_id, status);
