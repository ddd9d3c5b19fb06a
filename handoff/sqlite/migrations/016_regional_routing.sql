-- Regional routing (issue 13): the visitor's home province on the conversation, and which provinces and
-- subjects each group serves. An empty list means every province / every subject.
ALTER TABLE conversations ADD COLUMN province TEXT;
-- JSON arrays of province ids (guangdong) and of the knowledge base's group keys (mobile, billing ...).
ALTER TABLE skill_groups ADD COLUMN provinces TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(provinces));
ALTER TABLE skill_groups ADD COLUMN skills TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(skills));
-- The seeded groups were skill groups by their id: they keep serving that subject, nationally.
UPDATE skill_groups SET skills = json_array(id) WHERE id IN ('mobile', 'broadband', 'billing');
