--liquibase formatted sql

--changeset litestream:2
ALTER TABLE note ADD COLUMN author TEXT;
INSERT INTO note (text, author) VALUES ('from-changeset-2', 'liquibase');
