-- Announces new lines of instant chats without history, several in one call
-- (src/live/bus/announcer.rs; the SQL that calls it is in
-- src/store/doorbell.rs). Line i is topics[i]; its piece_counts[i] pieces
-- follow each other in pieces. Under the transaction-level advisory lock of
-- every topic in the batch (taken in key order, so that two nodes' batches
-- never wait for each other in a circle), each line takes the next id of
-- instant_memory_line_ids and its pieces are sent on `channel` with the id
-- and a space in front. The locks go at commit, after the notifications are
-- queued, so a topic's lines are announced in id order on every node.
-- Returns the ids, in line order.
CREATE FUNCTION roomlink_announce_lines(
    channel      text,
    lock_class   integer,
    topics       text[],
    piece_counts integer[],
    pieces       text[]
) RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
    lock_key   integer;
    line_id    bigint;
    ids        bigint[] := '{}';
    next_piece integer := 1;
BEGIN
    FOR lock_key IN SELECT DISTINCT hashtext(t) FROM unnest(topics) AS t ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock(lock_class, lock_key);
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(topics, 1), 0) LOOP
        line_id := nextval('instant_memory_line_ids');
        FOR j IN 1 .. piece_counts[i] LOOP
            PERFORM pg_notify(channel, line_id || ' ' || pieces[next_piece]);
            next_piece := next_piece + 1;
        END LOOP;
        ids := ids || line_id;
    END LOOP;
    RETURN ids;
END
$$;
