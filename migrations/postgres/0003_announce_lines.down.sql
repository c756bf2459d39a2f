DROP FUNCTION roomlink_announce_lines(text, integer, text[], integer[], text[]);
