-- The audit log's tree keeps subtree hashes only at heights 0, 8, 16, ... (the levels of C2SP tiles); the server
-- folds any other subtree hash from at most 128 kept ones below it. A push then writes one tree row per entry
-- instead of two. The hashes removed here are all recomputable from those kept.
-- Shipped: never edit; add a new numbered file. Statements end with ';' at the end of a line.
DELETE FROM merkle_nodes WHERE height % 8 <> 0;
