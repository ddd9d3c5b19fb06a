-- Canned replies get a category (issue 17: "账单", "宽带故障" ...), chosen by whoever writes the reply; the console
-- groups its canned screen and the composer's picker by it. NULL: no category.
ALTER TABLE canned_replies ADD COLUMN category TEXT CHECK (category IS NULL OR length(category) BETWEEN 1 AND 40);

-- A filtered list reads the caller's replies of one category.
CREATE INDEX canned_replies_by_category ON canned_replies (category) WHERE category IS NOT NULL;
