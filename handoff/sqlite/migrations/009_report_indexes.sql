-- Reports (handoff/reports.ts) start every figure from the conversations started in a range: without this
-- index each report reads the whole conversations table. created_at never changes, so the index costs one
-- page write when a conversation starts and nothing on the turns after it.
CREATE INDEX conversations_by_created ON conversations (created_at);
