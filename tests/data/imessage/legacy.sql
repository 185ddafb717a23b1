-- Old schema; dates in seconds, then one in nanoseconds after an upgrade.
-- An old (macOS 10.12 / iOS 10) schema: dates in seconds, no attributedBody, no chat.style, no edit columns.
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, UNIQUE (id, service));
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT, service_name TEXT, room_name TEXT, account_login TEXT, is_archived INTEGER DEFAULT 0, last_addressed_handle TEXT, display_name TEXT);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT, replace INTEGER DEFAULT 0, handle_id INTEGER DEFAULT 0, subject TEXT, service TEXT, date INTEGER, date_read INTEGER, date_delivered INTEGER, is_from_me INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0, associated_message_guid TEXT DEFAULT NULL, associated_message_type INTEGER DEFAULT 0);
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE, message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, PRIMARY KEY (chat_id, message_id));
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE, handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
INSERT INTO handle (ROWID, id, service) VALUES (1, '+15550100006', 'SMS');
INSERT INTO chat (ROWID, guid, chat_identifier, service_name) VALUES (1, 'SMS;-;+15550100006', '+15550100006', 'SMS');
INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (1, 1);
INSERT INTO message (guid, handle_id, service, ROWID, text, is_from_me, date) VALUES ('F1F2F3F4-6666-4000-8000-000000000001', 1, 'SMS', 1, 'happy new year!!', 0, 504921660);
INSERT INTO chat_message_join (chat_id, message_id) VALUES (1, 1);
INSERT INTO message (guid, handle_id, service, ROWID, text, is_from_me, date) VALUES ('F1F2F3F4-6666-4000-8000-000000000002', 1, 'SMS', 2, 'you too 🎉', 1, 504921780);
INSERT INTO chat_message_join (chat_id, message_id) VALUES (1, 2);
INSERT INTO message (guid, handle_id, service, ROWID, text, is_from_me, date) VALUES ('F1F2F3F4-6666-4000-8000-000000000003', 1, 'SMS', 3, 'still have this number?', 0, 539344800000000000);
INSERT INTO chat_message_join (chat_id, message_id) VALUES (1, 3);
