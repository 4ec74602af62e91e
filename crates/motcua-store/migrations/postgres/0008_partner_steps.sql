-- Liên thông with the partner agency's steps (issue 5 item 5): the partner's steps are rows of
-- the one dossier's control slip (Mẫu 05), inserted after the sender's step that sent it; this
-- column names the partner agency on those rows (NULL on the receiving agency's own steps).
ALTER TABLE dossier_steps ADD COLUMN agency_code TEXT;
