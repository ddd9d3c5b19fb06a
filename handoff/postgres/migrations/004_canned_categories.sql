-- Canned replies get a category (issue 17), as SQLite's migration 020: NULL is no category.
ALTER TABLE canned_replies ADD COLUMN category TEXT CHECK (category IS NULL OR char_length(category) BETWEEN 1 AND 40);

CREATE INDEX canned_replies_by_category ON canned_replies (category) WHERE category IS NOT NULL;
