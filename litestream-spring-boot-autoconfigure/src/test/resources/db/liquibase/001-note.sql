--liquibase formatted sql

--changeset litestream:1
CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
INSERT INTO note (text) VALUES ('from-changeset-1');
