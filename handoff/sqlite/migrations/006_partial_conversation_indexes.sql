-- The conversation indexes cover only the rows their queries ask for: queued chats (the queues) and
-- assigned chats (agents' loads, idle close). Most conversations stay with the bot and are never in them,
-- so starting one or answering in one no longer writes four index pages besides the row. Every query on
-- them names the status as a literal (sqlite-routing-store.ts), which is what lets SQLite use a partial index.

-- Unused since migration 003 (the queue is ordered by queue_rank within a group).
DROP INDEX conversations_queue;

-- Queue order and position within a group (status = 'queued' AND group_id IS ? ORDER BY queue_rank, rowid).
DROP INDEX conversations_group_queue;
CREATE INDEX conversations_group_queue ON conversations (group_id, queue_rank) WHERE status = 'queued';

-- An agent's chats and load (status = 'assigned' AND agent_id = ?).
DROP INDEX conversations_by_agent;
CREATE INDEX conversations_by_agent ON conversations (agent_id) WHERE status = 'assigned';

-- Assigned chats with no message for a while (status = 'assigned' AND updated_at < ? ORDER BY updated_at).
DROP INDEX conversations_activity;
CREATE INDEX conversations_activity ON conversations (updated_at) WHERE status = 'assigned';
